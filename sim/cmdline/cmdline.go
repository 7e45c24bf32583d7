// Package cmdline parses the parts of an arm64 kernel command line that
// shape the linear map, the way the kernel parses them: next_arg()
// tokenising with quotes, memparse() sizes, kstrtobool() booleans and the
// crashkernel= grammar.
package cmdline

import (
	"fmt"
	"strconv"
	"strings"
)

// Param is one name[=value] token.
type Param struct {
	Name, Value string
	HasValue    bool
}

// Split tokenises like the kernel's next_arg(): whitespace separates,
// double quotes group, and "--" ends the kernel's own parameters.
func Split(s string) []Param {
	var out []Param
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return out
		}
		inQuote := false
		start := i
		for i < len(s) && (inQuote || !isSpace(s[i])) {
			if s[i] == '"' {
				inQuote = !inQuote
			}
			i++
		}
		tok := strings.ReplaceAll(s[start:i], `"`, "")
		if tok == "--" {
			return out
		}
		name, val, has := strings.Cut(tok, "=")
		out = append(out, Param{Name: name, Value: val, HasValue: has})
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Memparse is the kernel's memparse(): an integer in C notation (0x hex,
// leading 0 octal) with an optional K/M/G/T/P/E suffix. It returns the
// value and the unparsed rest.
func Memparse(s string) (uint64, string, error) {
	n := 0
	base := 10
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, n = 16, 2
	case len(s) > 1 && s[0] == '0':
		base, n = 8, 1
	}
	j := n
	for j < len(s) && digitOK(s[j], base) {
		j++
	}
	if j == n && !(base == 8 && n == 1) {
		return 0, s, fmt.Errorf("%q is not a number", s)
	}
	digits := s[n:j]
	if digits == "" {
		digits = "0"
	}
	v, err := strconv.ParseUint(digits, base, 64)
	if err != nil {
		return 0, s, fmt.Errorf("%q does not fit in 64 bits", s)
	}
	rest := s[j:]
	if rest != "" {
		shift := uint(0)
		switch rest[0] {
		case 'E', 'e':
			shift = 60
		case 'P', 'p':
			shift = 50
		case 'T', 't':
			shift = 40
		case 'G', 'g':
			shift = 30
		case 'M', 'm':
			shift = 20
		case 'K', 'k':
			shift = 10
		}
		if shift != 0 {
			v <<= shift
			rest = rest[1:]
		}
	}
	return v, rest, nil
}

func digitOK(c byte, base int) bool {
	switch {
	case c >= '0' && c <= '7':
		return true
	case c == '8' || c == '9':
		return base >= 10
	case (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'):
		return base == 16
	}
	return false
}

// Strtobool is kstrtobool(): y/Y/t/T/1 and "on" are true, n/N/f/F/0 and
// "off" are false.
func Strtobool(s string) (bool, error) {
	if s == "" {
		return false, fmt.Errorf("empty boolean")
	}
	switch s[0] {
	case 'y', 'Y', 't', 'T', '1':
		return true, nil
	case 'n', 'N', 'f', 'F', '0':
		return false, nil
	case 'o', 'O':
		if len(s) > 1 {
			switch s[1] {
			case 'n', 'N':
				return true, nil
			case 'f', 'F':
				return false, nil
			}
		}
	}
	return false, fmt.Errorf("%q is not a boolean (on/off, y/n, 1/0)", s)
}

// Crash is a parsed crashkernel= request.
type Crash struct {
	Size, Base uint64
	HasBase    bool
	High, Low  bool // ",high" / ",low" suffix
}

// ParseCrashkernel parses crashkernel=size[KMG][@offset[KMG]][,high|,low]
// and the range form "start-[end]:size[,start-[end]:size…][@offset]",
// choosing the range that contains systemRAM (the memory total).
func ParseCrashkernel(v string, systemRAM uint64) (Crash, error) {
	var c Crash
	body := v
	if strings.HasSuffix(body, ",high") {
		c.High, body = true, strings.TrimSuffix(body, ",high")
	} else if strings.HasSuffix(body, ",low") {
		c.Low, body = true, strings.TrimSuffix(body, ",low")
	}
	if strings.Contains(body, ":") {
		return parseCrashRanges(body, systemRAM, c)
	}
	size, rest, err := Memparse(body)
	if err != nil {
		return c, fmt.Errorf("crashkernel=%s: %v", v, err)
	}
	c.Size = size
	if strings.HasPrefix(rest, "@") {
		base, r2, err := Memparse(rest[1:])
		if err != nil || r2 != "" {
			return c, fmt.Errorf("crashkernel=%s: bad offset after @", v)
		}
		c.Base, c.HasBase = base, true
		rest = ""
	}
	if rest != "" {
		return c, fmt.Errorf("crashkernel=%s: unexpected %q", v, rest)
	}
	return c, nil
}

func parseCrashRanges(body string, ram uint64, c Crash) (Crash, error) {
	spec, off, hasOff := strings.Cut(body, "@")
	for _, part := range strings.Split(spec, ",") {
		rng, sz, ok := strings.Cut(part, ":")
		if !ok {
			return c, fmt.Errorf("crashkernel=%s: %q is not start-[end]:size", body, part)
		}
		lo, rest, err := Memparse(rng)
		if err != nil || !strings.HasPrefix(rest, "-") {
			return c, fmt.Errorf("crashkernel=%s: bad range %q", body, rng)
		}
		hi := ^uint64(0)
		if r := rest[1:]; r != "" {
			if hi, r, err = Memparse(r); err != nil || r != "" {
				return c, fmt.Errorf("crashkernel=%s: bad range end in %q", body, rng)
			}
		}
		size, r, err := Memparse(sz)
		if err != nil || r != "" {
			return c, fmt.Errorf("crashkernel=%s: bad size %q", body, sz)
		}
		if ram >= lo && ram < hi {
			c.Size = size
			break
		}
	}
	if hasOff {
		base, r, err := Memparse(off)
		if err != nil || r != "" {
			return c, fmt.Errorf("crashkernel=%s: bad offset %q", body, off)
		}
		c.Base, c.HasBase = base, true
	}
	return c, nil
}
