// Package iomem imports /proc/iomem. On arm64, request_standard_resources()
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

	"linmap/formats/internal/guess"
	"linmap/sim/layout"
)

var reLine = regexp.MustCompile(`^( *)([0-9a-fA-F]+)-([0-9a-fA-F]+) : (.*)$`)

// Resource is one line of /proc/iomem.
type Resource struct {
	Start, End uint64 // End inclusive, as printed
	Name       string
	Depth      int
	Line       int
}

// Detect reports whether text has /proc/iomem lines naming System RAM.
func Detect(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		m := reLine.FindStringSubmatch(guess.StripDmesg(line))
		if m != nil && strings.TrimSpace(m[4]) == "System RAM" {
			return true
		}
	}
	return false
}

// Parse reads the resource lines; other lines (prompts, blank lines) are
// skipped. Depth is the indentation in steps of two spaces.
func Parse(text string) ([]Resource, error) {
	var out []Resource
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimRight(raw, "\r")
		m := reLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		start, err1 := strconv.ParseUint(m[2], 16, 64)
		end, err2 := strconv.ParseUint(m[3], 16, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: %q: address does not fit in 64 bits", i+1, line)
		}
		if end < start {
			return nil, fmt.Errorf("line %d: end %x is below start %x", i+1, end, start)
		}
		out = append(out, Resource{Start: start, End: end, Name: strings.TrimSpace(m[4]), Depth: len(m[1]) / 2, Line: i + 1})
	}
	return out, nil
}

// Import turns /proc/iomem into a layout.
func Import(name string, data []byte) (*layout.Layout, error) {
	text := string(data)
	res, err := Parse(text)
	if err != nil {
		return nil, err
	}
	l := &layout.Layout{}
	var notes []string
	var code, kdata *Resource
	nonzero := false
	for i := range res {
		r := &res[i]
		if r.Start != 0 || r.End != 0 {
			nonzero = true
		}
		switch {
		case r.Depth == 0 && (r.Name == "System RAM" || r.Name == "reserved"):
			if r.End == ^uint64(0) && r.Start == 0 {
				return nil, fmt.Errorf("line %d: a range covering the whole 64-bit space has no size", r.Line)
			}
			addBank(l, r)
			if r.Name == "reserved" {
				l.Reserved = append(l.Reserved, layout.Reserved{Base: layout.Addr(r.Start), Size: layout.Addr(r.End - r.Start + 1), Name: "reserved (NOMAP)", NoMap: true})
			}
		case r.Depth == 1 && r.Name == "reserved":
			l.Reserved = append(l.Reserved, layout.Reserved{Base: layout.Addr(r.Start), Size: layout.Addr(r.End - r.Start + 1), Name: "reserved"})
		case r.Depth == 1 && r.Name == "Kernel code":
			code = r
		case r.Depth == 1 && r.Name == "Kernel data":
			kdata = r
		}
	}
	if !nonzero && len(res) > 0 {
		return nil, fmt.Errorf("every address in this /proc/iomem is zero: the kernel hides them from unprivileged readers; read it as root")
	}
	if len(l.Memory) == 0 {
		return nil, fmt.Errorf("no top-level \"System RAM\" line found in /proc/iomem")
	}
	if code != nil {
		placeImage(l, code, kdata, &notes)
	}
	if n := countNested(l); n > 0 {
		notes = append(notes, fmt.Sprintf("the %d nested \"reserved\" ranges are memblock.reserved at the end of boot, page-rounded: they also hold the kernel's own allocations", n))
	}
	d := guess.ScanDmesg(text)
	d.Apply(l, &notes)
	what := "/proc/iomem"
	if name != "" && name != "-" {
		what += " " + name
	}
	if err := guess.Finish(l, what, notes); err != nil {
		return nil, err
	}
	return l, nil
}

// addBank appends a bank, joining it to the previous one when they touch:
// System RAM is split around NOMAP regions, but it was one range of memory.
func addBank(l *layout.Layout, r *Resource) {
	base, size := layout.Addr(r.Start), layout.Addr(r.End-r.Start+1)
	if n := len(l.Memory); n > 0 && l.Memory[n-1].End() == base {
		l.Memory[n-1].Size += size
		return
	}
	l.Memory = append(l.Memory, layout.Bank{Base: base, Size: size, Name: "System RAM"})
}

func countNested(l *layout.Layout) int {
	n := 0
	for _, r := range l.Reserved {
		if !r.NoMap {
			n++
		}
	}
	return n
}

// placeImage derives the image from "Kernel code", which starts at _stext
// or _text and ends at __init_begin, and "Kernel data", which ends at _end.
func placeImage(l *layout.Layout, code, data *Resource, notes *[]string) {
	end := layout.Addr(0)
	if data != nil {
		end = layout.Addr(data.End + 1)
	}
	guess.ImageAt(l, layout.Addr(code.Start), end)
	l.Image.End = 0
	if end > l.Image.Base {
		l.Image.End = end - l.Image.Base
	}
	if init := layout.Addr(code.End+1) - l.Image.Base; init <= l.Image.End || l.Image.End == 0 {
		l.Image.InitBegin = init
	}
	*notes = append(*notes, fmt.Sprintf("image at %s from \"Kernel code\" (line %d)", l.Image.Base, code.Line))
}
