package check

import (
	"fmt"
	"strings"

	"linmap/formats/efi"
	"linmap/formats/evidence"
	"linmap/formats/memblockdebug"
	"linmap/sim"
	"linmap/sim/layout"
)

// unmodelled marks a fact unchecked when there is no model (no input gave
// memory) and adds it; it reports whether it did.
func (c *checker) unmodelled(f *Fact) bool {
	if c.res != nil {
		return false
	}
	f.Verdict = Unchecked
	f.Cause = c.noModel
	c.add(*f)
	return true
}

// model memory as sets: all of memblock.memory, and its NOMAP part.
func (c *checker) modelMemory() (all, nomap ivs) {
	var a, n []iv
	for _, r := range c.res.Memblock.Memory {
		x := iv{uint64(r.Base), uint64(r.Base + r.Size)}
		a = append(a, x)
		if strings.Contains(r.Flags, "NOMAP") {
			n = append(n, x)
		}
	}
	return norm(a), norm(n)
}

// memoryLine checks "Memory: X/Y available". Y is get_num_physpages():
// the pages memblock.memory holds, NOMAP ones included. X is what was free
// when mem_init() printed it, which also depends on allocations the model
// does not make (the struct page array, per-cpu areas, CMA activation,
// deferred struct page init): only a bound is checked.
func (c *checker) memoryLine() {
	for _, f := range c.ev.Logs() {
		m := f.Log.Memory
		if m == nil {
			continue
		}
		src := source(f, m.At.N, m.At.Text)
		total := Fact{Kind: KindMemoryTotal, What: "memory the kernel counts (Y of \"Memory: X/Y available\")", Printed: Printed{fmt.Sprintf("%dK", m.TotalK), src}}
		avail := Fact{Kind: KindMemoryAvailable, What: "memory free at mem_init() (X of \"Memory: X/Y available\")", Printed: Printed{fmt.Sprintf("%dK", m.AvailableK), src}}
		if c.unmodelled(&total) || c.unmodelled(&avail) {
			continue
		}
		all, nomap := c.modelMemory()
		page := uint64(1) << c.pageShift()
		var present uint64
		for _, x := range all {
			if lo, hi := (x.a+page-1)&^(page-1), x.b&^(page-1); hi > lo {
				present += hi - lo
			}
		}
		total.Model = sizeK(present)
		total.Verdict = Agrees
		switch {
		case present>>10 == m.TotalK:
		case c.ev.Chosen.Memory == evidence.MemoryVMLayout:
			total.Verdict = Unchecked
			total.Cause = "the layout's memory is one bank spanning the virtual layout's \"memory\" range, holes included: the log does not say where the holes are"
		default:
			total.Verdict = Differs
			total.Cause = c.totalCause(m.TotalK<<10, present)
		}
		c.add(total)

		var reserved []iv
		for _, r := range c.res.Memblock.Reserved {
			reserved = append(reserved, iv{uint64(r.Base), uint64(r.Base + r.Size)})
		}
		used := norm(append(reserved, nomap...))
		bound := present - min(present, all.minus(all.minus(used)).total())
		avail.Model = "at most " + sizeK(bound)
		if m.AvailableK<<10 > bound {
			avail.Verdict = Differs
			avail.Cause = fmt.Sprintf("more memory was free than the model leaves unreserved (%s more): the model reserves or removes memory the kernel did not", sizeK(m.AvailableK<<10-bound))
		} else {
			avail.Verdict = Unchecked
			avail.Cause = "X also leaves out what the kernel allocated after map_mem() (the struct page array, about 1.6% of memory with 4K pages; per-cpu areas; with DEFERRED_STRUCT_PAGE_INIT most of memory is not yet freed), which linmap does not model: only the bound is checked, and it holds"
		}
		c.add(avail)
	}
}

// totalCause explains a Y that differs.
func (c *checker) totalCause(printed, model uint64) string {
	if printed < model {
		// DT no-map memory: removed from memblock before v5.12, NOMAP after.
		if v, _, ok := c.ev.Version(); ok && v.Less(sim.Version{Major: 5, Minor: 12}) {
			var dtNoMap uint64
			for _, r := range c.l.Reserved {
				if r.NoMap {
					dtNoMap += uint64(r.Size)
				}
			}
			if dtNoMap == model-printed {
				return fmt.Sprintf("exactly the no-map reserved memory (%s): kernels before v5.12 memblock_remove() it, so they do not count it; era %s's rules mark it NOMAP instead", mib(dtNoMap), c.res.Era)
			}
		}
		return fmt.Sprintf("the kernel counts %s less: memory in the input that it did not have (added after boot, or removed at boot by mem=, the linear window or the PA range)", mib(model-printed))
	}
	return fmt.Sprintf("the kernel counts %s more: memory the input does not show (a bank, or NOMAP firmware regions left out of the memory source)", mib(printed-model))
}

func (c *checker) pageShift() int {
	s, _ := layout.ParsePageSize(c.res.PageSize)
	return s
}

// listFact compares a printed memblock.memory (or equivalent) with the
// model's: the addresses it covers and, when the list shows them, its
// NOMAP ones.
func (c *checker) listFact(kind, what string, src Source, all, nomap ivs, flags bool, caveat string) {
	pv := fmt.Sprintf("%d ranges, %s", len(all), mib(all.total()))
	if flags {
		pv += fmt.Sprintf(" (%s NOMAP)", mib(nomap.total()))
	}
	fact := Fact{Kind: kind, What: what, Printed: Printed{pv, src}}
	if c.unmodelled(&fact) {
		return
	}
	mAll, mNoMap := c.modelMemory()
	fact.Model = fmt.Sprintf("%d ranges, %s", len(mAll), mib(mAll.total()))
	if flags {
		fact.Model += fmt.Sprintf(" (%s NOMAP)", mib(mNoMap.total()))
	}
	if all.total() < mAll.total()/2 {
		fact.Verdict = Unchecked
		fact.Cause = "the list shows less than half of the memory the layout has: an excerpt"
		c.add(fact)
		return
	}
	onlyPrinted, onlyModel := all.minus(mAll), mAll.minus(all)
	var nmPrinted, nmModel ivs
	if flags {
		nmPrinted, nmModel = nomap.minus(mNoMap), mNoMap.minus(nomap)
	}
	fact.Verdict = Agrees
	fact.Cause = caveat
	var causes []string
	if len(onlyPrinted) > 0 {
		causes = append(causes, fmt.Sprintf("printed but not in the model: %s (%s)", onlyPrinted, c.lostWhy(onlyPrinted)))
	}
	if len(onlyModel) > 0 {
		causes = append(causes, fmt.Sprintf("in the model but not printed: %s (the memory source of the layout shows memory this list lacks)", onlyModel))
	}
	if len(nmPrinted) > 0 {
		causes = append(causes, fmt.Sprintf("NOMAP in the machine, mapped by the model: %s (a firmware or no-map carve-out the layout's inputs do not show)", nmPrinted))
	}
	if len(nmModel) > 0 {
		causes = append(causes, fmt.Sprintf("NOMAP in the model, not in the machine: %s", nmModel))
	}
	if len(causes) > 0 {
		fact.Verdict = Differs
		fact.Cause = joinCause(strings.Join(causes, "; "), caveat)
		for _, s := range []ivs{onlyPrinted, onlyModel, nmPrinted, nmModel} {
			fact.Ranges = append(fact.Ranges, s.ranges("pa")...)
		}
	}
	c.add(fact)
}

// lostWhy names the model's reason for dropping memory in xs.
func (c *checker) lostWhy(xs ivs) string {
	for _, l := range c.res.Lost {
		for _, x := range xs {
			if uint64(l.Base) < x.b && x.a < uint64(l.Base+l.Size) {
				return "the model dropped it: " + l.Detail
			}
		}
	}
	return "memory the layout's inputs do not give"
}

// memblockLists checks printed memblock.memory lists: debugfs (the end of
// boot) and memblock=debug (before map_mem(); map_mem() itself leaves
// memory as it found it).
func (c *checker) memblockLists() {
	for _, f := range c.ev.Files {
		if ls := f.Memblock; ls != nil && len(ls.Memory) > 0 {
			var all, nomap []iv
			caveat := ""
			for _, r := range ls.Memory {
				x := iv{uint64(r.Base), uint64(r.Base + r.Size)}
				if r.Has("DRV_MNG") {
					caveat = "DRV_MNG regions (hot-added by a driver after boot) are left out"
					continue
				}
				all = append(all, x)
				if r.Has("NOMAP") {
					nomap = append(nomap, x)
				}
			}
			c.listFact(KindMemblock, "memblock.memory (debugfs, end of boot)", source(f, ls.Memory[0].Line, ""), norm(all), norm(nomap), ls.Flagged, caveat)
		}
		if d := f.MemblockDump; d != nil {
			var all, nomap []iv
			for _, r := range d.Memory {
				if r.Flags&memblockdebug.FlagDriverManaged != 0 {
					continue
				}
				x := iv{r.Base, r.Base + r.Size}
				all = append(all, x)
				if r.Flags&memblockdebug.FlagNoMap != 0 {
					nomap = append(nomap, x)
				}
			}
			c.listFact(KindMemblock, "memblock.memory (memblock=debug, before map_mem)", source(f, d.Line, ""), norm(all), norm(nomap), true, "")
		}
	}
}

// iomem checks /proc/iomem's top level: every memblock.memory region as
// "System RAM", or "reserved" when NOMAP.
func (c *checker) iomem() {
	for _, f := range c.ev.Files {
		if len(f.IOMem) == 0 {
			continue
		}
		var all, nomap []iv
		first := 0
		for _, r := range f.IOMem {
			if r.Depth != 0 || r.Name != "System RAM" && r.Name != "reserved" {
				continue
			}
			if first == 0 {
				first = r.Line
			}
			x := iv{r.Start, r.End + 1}
			all = append(all, x)
			if r.Name == "reserved" {
				nomap = append(nomap, x)
			}
		}
		if len(all) > 0 {
			c.listFact(KindIOMem, "/proc/iomem System RAM and NOMAP \"reserved\"", source(f, first, ""), norm(all), norm(nomap), true, "")
		}
	}
}

// efiMap checks an efi=debug map as reserve_regions() turns it into
// memblock: its memory should be the model's memory, and what it makes
// NOMAP should be NOMAP in the model (which may have more: device-tree
// no-map carve-outs).
func (c *checker) efiMap() {
	for _, f := range c.ev.Files {
		if len(f.EFI) == 0 {
			continue
		}
		fact := Fact{Kind: KindEFI, What: "EFI memory map, as reserve_regions() adds it to memblock", Printed: Printed{fmt.Sprintf("%d descriptors", len(f.EFI)), source(f, f.EFI[0].Line, "")}}
		if c.unmodelled(&fact) {
			continue
		}
		if c.ev.Chosen.Memory == evidence.MemoryEFI && c.ev.Chosen.MemoryFile == f {
			fact.Verdict = Unchecked
			fact.Cause = "the layout's memory was built from this map, so it cannot test it"
			c.add(fact)
			continue
		}
		mb := efi.ReserveRegions(f.EFI, uint64(1)<<c.pageShift())
		var all, nomap []iv
		for _, r := range mb.Memory {
			all = append(all, iv{r.Base, r.End})
		}
		for _, r := range mb.NoMap {
			nomap = append(nomap, iv{r.Base, r.End})
		}
		pa, pn := norm(all), norm(nomap)
		fact.Printed.Value = fmt.Sprintf("%d descriptors: %s of memory (%s NOMAP)", len(f.EFI), mib(pa.total()), mib(pn.total()))
		ma, mn := c.modelMemory()
		fact.Model = fmt.Sprintf("%s of memory (%s NOMAP)", mib(ma.total()), mib(mn.total()))
		fact.Verdict = Agrees
		if pa.total() < ma.total()/2 {
			fact.Verdict, fact.Cause = Unchecked, "the map shows less than half of the memory the layout has: an excerpt"
			c.add(fact)
			continue
		}
		var causes []string
		if x := pa.minus(ma); len(x) > 0 {
			causes = append(causes, fmt.Sprintf("memory in the map the model lacks: %s (%s)", x, c.lostWhy(x)))
			fact.Ranges = append(fact.Ranges, x.ranges("pa")...)
		}
		if x := ma.minus(pa); len(x) > 0 {
			causes = append(causes, fmt.Sprintf("memory in the model the map lacks: %s", x))
			fact.Ranges = append(fact.Ranges, x.ranges("pa")...)
		}
		if x := pn.minus(mn); len(x) > 0 {
			causes = append(causes, fmt.Sprintf("NOMAP by the map's types, mapped by the model: %s", x))
			fact.Ranges = append(fact.Ranges, x.ranges("pa")...)
		}
		if len(causes) > 0 {
			fact.Verdict = Differs
			fact.Cause = strings.Join(causes, "; ") + ": the kernel's memblock (the layout's memory) is not what this map gives, with the page size and EFI rules of the layout"
		}
		c.add(fact)
	}
}

// nodeRanges checks "Early memory node ranges" (free_area_init, after
// paging_init: memblock.memory as map_mem() left it).
func (c *checker) nodeRanges() {
	for _, f := range c.ev.Logs() {
		nr := f.Log.NodeRanges
		if len(nr) == 0 {
			continue
		}
		var all []iv
		for _, r := range nr {
			all = append(all, iv{r.Start, r.End})
		}
		c.listFact(KindNodeRanges, "early memory node ranges (memblock.memory)", source(f, nr[0].At.N, nr[0].At.Text), norm(all), nil, false, "")
	}
}
