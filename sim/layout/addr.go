package layout

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Addr is a 64-bit physical or virtual address, or a size. In JSON it is a
// hex string ("0x40000000") because JavaScript numbers lose precision above
// 2^53; plain integers and decimal strings are accepted on input.
type Addr uint64

// MarshalJSON writes the address as a lower-case hex string.
func (a Addr) MarshalJSON() ([]byte, error) {
	return []byte(`"` + a.String() + `"`), nil
}

// String formats the address as 0x-prefixed lower-case hex.
func (a Addr) String() string { return "0x" + strconv.FormatUint(uint64(a), 16) }

// UnmarshalJSON accepts "0x…" hex strings, decimal strings, sizes with a
// K/M/G/T suffix ("512M") and JSON integers.
func (a *Addr) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		return nil
	}
	if len(s) > 0 && s[0] == '"' {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
		v, err := ParseAddr(str)
		if err != nil {
			return err
		}
		*a = v
		return nil
	}
	// A bare JSON number: must be a non-negative integer that fits in 64 bits.
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return fmt.Errorf("%s is not an integer address", s)
	}
	if n.Sign() < 0 {
		return fmt.Errorf("addresses and sizes cannot be negative")
	}
	if n.BitLen() > 64 {
		return fmt.Errorf("%s does not fit in 64 bits", s)
	}
	*a = Addr(n.Uint64())
	return nil
}

// ParseAddr parses "0x…" hex, decimal, or a decimal/hex number with a
// binary K/M/G/T/P/E suffix, as a kernel engineer would write it.
func ParseAddr(str string) (Addr, error) {
	s := strings.TrimSpace(strings.ReplaceAll(str, "_", ""))
	if s == "" {
		return 0, fmt.Errorf("empty address")
	}
	shift := uint(0)
	switch s[len(s)-1] {
	case 'k', 'K':
		shift = 10
	case 'm', 'M':
		shift = 20
	case 'g', 'G':
		shift = 30
	case 't', 'T':
		shift = 40
	case 'p', 'P':
		shift = 50
	case 'e', 'E':
		// 'e'/'E' is also a hex digit: only a suffix when the number is decimal.
		if !strings.HasPrefix(strings.ToLower(s), "0x") {
			shift = 60
		}
	}
	if shift != 0 {
		s = s[:len(s)-1]
	}
	var v uint64
	var err error
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		v, err = strconv.ParseUint(s[2:], 16, 64)
	} else {
		v, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil {
		return 0, fmt.Errorf("%q is not a hex (0x…) or decimal address", str)
	}
	if shift != 0 && v > (^uint64(0))>>shift {
		return 0, fmt.Errorf("%q does not fit in 64 bits", str)
	}
	return Addr(v << shift), nil
}

// SAddr is a signed 64-bit quantity (memstart_addr is an s64 from v4.6 and
// can be negative with LPA2 kernels on 48-bit CPUs). JSON: "0x…" or "-0x…".
type SAddr int64

// String formats as hex, with a leading minus for negative values.
func (s SAddr) String() string {
	if s < 0 {
		return "-0x" + strconv.FormatUint(uint64(-s), 16)
	}
	return "0x" + strconv.FormatUint(uint64(s), 16)
}

// MarshalJSON writes a quoted signed hex string.
func (s SAddr) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// UnmarshalJSON accepts "0x…", "-0x…" and integers.
func (s *SAddr) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		var n int64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return fmt.Errorf("%s is not a signed address", string(b))
		}
		*s = SAddr(n)
		return nil
	}
	neg := strings.HasPrefix(str, "-")
	a, err := ParseAddr(strings.TrimPrefix(str, "-"))
	if err != nil {
		return err
	}
	if neg {
		*s = SAddr(-int64(a))
	} else {
		*s = SAddr(a)
	}
	return nil
}

// FormatSize prints a size the way ptdump does: the largest binary unit that
// divides it exactly (4K, 2M, 1984K, 3G).
func FormatSize(n uint64) string {
	units := []string{"", "K", "M", "G", "T", "P", "E"}
	i := 0
	for i < len(units)-1 && n != 0 && n%1024 == 0 {
		n /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatUint(n, 10) + "B"
	}
	return strconv.FormatUint(n, 10) + units[i]
}
