// Package iomem reads /proc/iomem. On arm64, request_standard_resources()
// publishes every memblock.memory region at the top level: "System RAM",
// or "reserved" when it is NOMAP (firmware no-map carve-outs, EFI runtime
// regions), so both are memory and the "reserved" ones were never linear
// mapped. Nested under System RAM are "Kernel code" (_stext or _text up to
// __init_begin), "Kernel data" (up to _end) and the memblock.reserved
// regions, page-rounded.
package iomem

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"linmap/formats/logtext"
)

var reLine = regexp.MustCompile(`^( *)([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*)$`)

// Resource is one line of /proc/iomem.
type Resource struct {
	Start, End uint64 // End inclusive, as printed
	Name       string
	Depth      int
	Line       int
}

// Detect reports whether text has /proc/iomem lines: one naming System
// RAM, or two of any kind.
func Detect(text string) bool {
	n := 0
	for _, l := range logtext.Lines(text) {
		m := reLine.FindStringSubmatch(l.Text)
		if m == nil {
			continue
		}
		if n++; n >= 2 || strings.TrimSpace(m[4]) == "System RAM" {
			return true
		}
	}
	return false
}

// Parse reads the resource lines; other lines (prompts, blank lines) are
// skipped. Depth is the indentation in steps of two spaces, counted from
// the least indented resource line (a document may indent the whole file).
func Parse(text string) ([]Resource, error) {
	var out []Resource
	base := -1
	var indents []int
	for _, l := range logtext.Lines(text) {
		m := reLine.FindStringSubmatch(l.Text)
		if m == nil {
			continue
		}
		start, err1 := strconv.ParseUint(m[2], 16, 64)
		end, err2 := strconv.ParseUint(m[3], 16, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: %q: address does not fit in 64 bits", l.N, l.Text)
		}
		if end < start {
			return nil, fmt.Errorf("line %d: end %x is below start %x", l.N, end, start)
		}
		if start == 0 && end == ^uint64(0) && strings.HasPrefix(strings.TrimSpace(m[4]), "System RAM") {
			return nil, fmt.Errorf("line %d: a range covering the whole 64-bit space has no size", l.N)
		}
		if base < 0 || len(m[1]) < base {
			base = len(m[1])
		}
		indents = append(indents, len(m[1]))
		out = append(out, Resource{Start: start, End: end, Name: strings.TrimSpace(m[4]), Line: l.N})
	}
	for i := range out {
		out[i].Depth = (indents[i] - base) / 2
	}
	return out, nil
}

// Hidden reports whether every address is zero: what an unprivileged
// reader of /proc/iomem sees.
func Hidden(rs []Resource) bool {
	for _, r := range rs {
		if r.Start != 0 || r.End != 0 {
			return false
		}
	}
	return len(rs) > 0
}
