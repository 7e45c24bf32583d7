// Package numfmt is the one place the app formats numbers for people:
// addresses, byte counts and counts. The canvas, the panel, tooltips and
// exports all use it, so a value reads the same everywhere.
package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Hex formats an address as 0x-prefixed hex grouped by four digits
// (0xffff_8000_0000_0000) so long addresses stay readable.
func Hex(v uint64) string {
	s := strconv.FormatUint(v, 16)
	var b strings.Builder
	b.WriteString("0x")
	for i, c := range s {
		if i > 0 && (len(s)-i)%4 == 0 {
			b.WriteByte('_')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Size formats a byte count with the largest binary unit that keeps one
// decimal (64K, 1.5G, 1T), as the kernel's own messages and ptdump do.
func Size(n uint64) string {
	units := []string{"B", "K", "M", "G", "T", "P", "E"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f == math.Trunc(f) {
		return strconv.FormatFloat(f, 'f', 0, 64) + units[i]
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + units[i]
}

// Count formats a count with thin groups of three digits (254 990), so a
// TLB entry count is read at a glance.
func Count(n uint64) string {
	s := strconv.FormatUint(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Plural is n and the noun, with an s unless n is 1 ("1 page", "3 pages").
func Plural(n uint64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Count(n) + " " + noun + "s"
}
