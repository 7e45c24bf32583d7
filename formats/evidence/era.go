package evidence

import (
	"fmt"

	"linmap/sim"
	"linmap/sim/layout"
)

// bound is a version limit a format implies when no version is printed.
type bound struct {
	v     sim.Version
	upper bool // the kernel is at most v (else at least v)
	why   string
	where string
}

func (a *assembler) era() {
	if v, where, ok := a.ev.Version(); ok {
		a.version, a.versionKnown = v, true
		rel, _ := a.ev.Release()
		if e, ok := sim.EraForVersion(v); ok {
			a.l.Kernel.Era = e.ID
			a.note("kernel.era", e.ID, layout.Inferred, where, "Linux %s follows the rules of era %s (since %s)", rel, e.ID, e.Since)
			return
		}
		first := sim.Eras()[0]
		a.l.Kernel.Era = first.ID
		a.note("kernel.era", first.ID, layout.Inferred, where, "Linux %s is older than every era; the oldest, %s (since %s), is the closest", rel, first.ID, first.Since)
		return
	}
	var lo, hi *bound
	for _, b := range a.formatBounds() {
		b := b
		if b.upper && (hi == nil || b.v.Less(hi.v)) {
			hi = &b
		}
		if !b.upper && (lo == nil || lo.v.Less(b.v)) {
			lo = &b
		}
	}
	if hi != nil {
		if e, ok := sim.EraForVersion(hi.v); ok && (lo == nil || !e.Since.Less(lo.v) || !hi.v.Less(lo.v)) {
			a.l.Kernel.Era = e.ID
			a.note("kernel.era", e.ID, layout.Inferred, hi.where, "no \"Linux version\" line; %s, so the kernel is %s or older: the era of %s, %s (since %s)", hi.why, hi.v, hi.v, e.ID, e.Since)
			return
		}
	}
	a.l.Kernel.Era = sim.DefaultEra
	why := "no input names the kernel version"
	if lo != nil {
		why += fmt.Sprintf(" (%s, so it is %s or newer)", lo.why, lo.v)
	}
	a.note("kernel.era", sim.DefaultEra, layout.Defaulted, "", "%s: the newest era, %s, is assumed; paste the \"Linux version\" line or the .config to choose", why, sim.DefaultEra)
}

// formatBounds are the versions the inputs' formats imply.
func (a *assembler) formatBounds() []bound {
	var bs []bound
	for _, f := range a.ev.Files {
		if f.Memblock != nil && len(f.Memblock.Memory) > 0 {
			if f.Memblock.Flagged {
				bs = append(bs, bound{sim.Version{Major: 6, Minor: 5}, false, "the memblock debugfs list has the node and flags columns (added in v6.5)", f.Where(f.Memblock.Memory[0].Line)})
			} else {
				bs = append(bs, bound{sim.Version{Major: 6, Minor: 4}, true, "the memblock debugfs list has no flags column (added in v6.5)", f.Where(f.Memblock.Memory[0].Line)})
			}
		}
		if lg := f.Log; lg != nil {
			if lg.VMLayout != nil {
				bs = append(bs, bound{sim.Version{Major: 4, Minor: 15}, true, "the log prints \"Virtual kernel memory layout\" (removed in v4.16)", f.Where(lg.VMLayout.At.N)})
			}
			if at, ok := lg.HasFeature("52-bit Virtual Addressing (LPA2)"); ok {
				bs = append(bs, bound{sim.Version{Major: 6, Minor: 9}, false, "LPA2 is detected (supported from v6.9)", f.Where(at.N)})
			}
			for _, r := range lg.Reserved {
				if r.Kind == "of" {
					bs = append(bs, bound{sim.Version{Major: 6, Minor: 3}, false, "\"OF: reserved mem: 0x…..0x… (N KiB) …\" lines are printed (from v6.3)", f.Where(r.At.N)})
					break
				}
			}
		}
		if at, ok := oldTextOffset(f); ok {
			bs = append(bs, bound{sim.Version{Major: 5, Minor: 7}, true, "the image starts 0x80000 above a 2 MiB boundary (TEXT_OFFSET, removed in v5.8)", f.Where(at)})
		}
		for _, d := range f.Ptdumps {
			if lin := d.Linear(); lin != nil {
				if lin.Flipped() {
					bs = append(bs, bound{sim.Version{Major: 5, Minor: 4}, false, "the ptdump has \"Linear Mapping start/end\" markers (from v5.4)", f.Where(lin.Line)})
				} else {
					bs = append(bs, bound{sim.Version{Major: 5, Minor: 3}, true, "the ptdump has one \"Linear Mapping\" marker (before v5.4)", f.Where(lin.Line)})
				}
			}
		}
	}
	return bs
}

// oldTextOffset finds an image placed at TEXT_OFFSET 0x80000: "Kernel
// code" of /proc/iomem, or an image-sized reservation, 0x80000 (_text) or
// 0x90000 (_stext) above a 2 MiB boundary.
func oldTextOffset(f *File) (int, bool) {
	at := func(base, size uint64) bool {
		off := base & (sz2M - 1)
		return (off == 0x80000 || off == 0x90000) && size >= 4<<20 && size <= 256<<20
	}
	for _, r := range f.IOMem {
		if r.Depth == 1 && r.Name == "Kernel code" {
			if off := r.Start & (sz2M - 1); off == 0x80000 || off == 0x90000 {
				return r.Line, true
			}
		}
	}
	if d := f.MemblockDump; d != nil {
		for _, r := range d.Reserved {
			if at(r.Base, r.Size) {
				return r.Line, true
			}
		}
	}
	if ls := f.Memblock; ls != nil {
		for _, r := range ls.Reserved {
			if at(uint64(r.Base), uint64(r.Size)) {
				return r.Line, true
			}
		}
	}
	return 0, false
}

// era returns the chosen era's registry entry.
func (a *assembler) eraEntry() *sim.Era {
	e, _ := sim.LookupEra(a.l.Kernel.Era)
	return e
}
