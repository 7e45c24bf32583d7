package evidence

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"linmap/sim"
	"linmap/sim/layout"
)

// ErrNoMemory is returned (wrapped, with the layout assembled so far)
// when no input gives the memory: a device tree whose memory the boot
// loader fills in, a .config, a ptdump of another section.
var ErrNoMemory = errors.New("no input gives the memory banks")

// assembler builds one layout from the evidence.
type assembler struct {
	ev *Evidence
	l  *layout.Layout

	version      sim.Version // the kernel's version, when an input names it
	versionKnown bool
	pageShift    int
	// empty says why inputs that should give memory gave none.
	empty []string
}

// Assemble builds the layout: a complete layout given as JSON is taken as
// it is; otherwise the kernel (era, page size, VA_BITS, options, CPU) comes
// first, then memory, reservations and the image, each from the best
// evidence. Every inference and default is recorded in l.Assumptions. When
// no input gives memory the error wraps ErrNoMemory and the layout holds
// the rest (reserved memory, command line).
func Assemble(ev *Evidence) (*layout.Layout, error) {
	if f := ev.first(func(f *File) bool { return f.Layout != nil }); f != nil {
		l := f.Layout.Clone()
		ev.Chosen = Choices{Memory: MemoryLayout, MemoryFile: f}
		if others := len(ev.Files) - 1; others > 0 {
			l.Assumptions = append(l.Assumptions, layout.Assumption{Field: "memory", Kind: layout.Inferred, Source: f.Where(0),
				Reason: fmt.Sprintf("the layout %s is taken as it is; the other %d input(s) only give facts to check", f.Where(0), others)})
		}
		return l, nil
	}
	a := &assembler{ev: ev, l: &layout.Layout{Format: layout.FormatName, Version: layout.Version}}
	a.describe()
	a.kernel()
	a.memory()
	a.reserved()
	a.image()
	return a.finish()
}

// note records an assumption.
func (a *assembler) note(field, value, kind, source, format string, args ...any) {
	a.l.Assumptions = append(a.l.Assumptions, layout.Assumption{Field: field, Value: value, Kind: kind, Source: source, Reason: fmt.Sprintf(format, args...)})
}

// describe sets the name and source from the inputs.
func (a *assembler) describe() {
	var parts []string
	for _, f := range a.ev.Files {
		if len(f.Formats) > 0 {
			parts = append(parts, fmt.Sprintf("%s (%s)", f.Where(0), strings.Join(f.Formats, ", ")))
		}
	}
	a.l.Source = "imported from " + strings.Join(parts, ", ")
	for _, f := range a.ev.Files {
		switch {
		case f.DT != nil && f.DT.Name != "":
			a.l.Name = f.DT.Name
		case f.Log != nil && f.Log.Model != "" && a.l.Name == "":
			a.l.Name = f.Log.Model
		}
	}
}

func (a *assembler) finish() (*layout.Layout, error) {
	l := a.l
	sort.SliceStable(l.Memory, func(i, j int) bool { return l.Memory[i].Base < l.Memory[j].Base })
	l.Memory = a.mergeOverlaps(l.Memory)
	sort.SliceStable(l.Reserved, func(i, j int) bool { return l.Reserved[i].Base < l.Reserved[j].Base })
	if len(l.Memory) == 0 {
		why := ""
		if len(a.empty) > 0 {
			why = strings.Join(a.empty, "; ") + ": "
		}
		return l, fmt.Errorf("%s%w: give /proc/iomem, /sys/kernel/debug/memblock/memory, a boot log with \"Early memory node ranges\", an efi=debug map, or add banks to \"memory\" in the layout", why, ErrNoMemory)
	}
	if err := l.Check(); err != nil {
		return nil, err
	}
	return l, nil
}

// mergeOverlaps joins banks that overlap (memblock_add merges them too;
// the layout format wants disjoint banks). Banks must be sorted.
func (a *assembler) mergeOverlaps(m []layout.Bank) []layout.Bank {
	var out []layout.Bank
	for _, b := range m {
		if n := len(out); n > 0 && b.Base < out[n-1].End() {
			last := &out[n-1]
			a.note("memory", "", layout.Inferred, "", "%s (%s..%s) overlaps %s and was merged into it, as memblock_add() does", b.Name, b.Base, b.End(), last.Name)
			if b.End() > last.End() {
				last.Size = b.End() - last.Base
			}
			continue
		}
		out = append(out, b)
	}
	return out
}

func alignUp(x, a uint64) uint64   { return (x + a - 1) &^ (a - 1) }
func alignDown(x, a uint64) uint64 { return x &^ (a - 1) }
