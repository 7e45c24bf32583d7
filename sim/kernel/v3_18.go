package kernel

import (
	"fmt"

	"linmap/sim/geom"
	"linmap/sim/memblock"
	"linmap/sim/pgtable"
	"linmap/sim/result"
)

// Classic is the boot path of v3.18 (identical map_mem in v3.19–v4.3):
// PHYS_OFFSET = load address − TEXT_OFFSET; memory below it is never
// added; head.S's swapper_pg_dir maps [PHYS_OFFSET, _end] and the FDT with
// 2M sections (64K pages with 64K granule) and map_mem() edits those live
// tables, taking new ones top-down below a memblock limit that covers only
// memory mapped already.
//
// With RFC set it is the Nov 2014 RFC "An optimization about kernel direct
// space mapping", reconstructed from the discussion (the patch text is
// lost): the bank holding the kernel is mapped first, tables come only
// from memory already mapped, and no unaligned head is skipped.
type Classic struct{ RFC bool }

// V3_18 is v3.18's boot path; RFC2014 the reconstructed RFC.
var (
	V3_18   = Classic{}
	RFC2014 = Classic{RFC: true}
)

// Cmdline implements Era: rodata= and debug_pagealloc= do not shape
// v3.18's linear map.
func (Classic) Cmdline() CmdlineRules { return CmdlineRules{} }

// Boot runs setup_arch() up to the end of paging_init().
func (k Classic) Boot(b *Boot) {
	g, c := b.G, b.Cfg
	b.pageOffset = -(uint64(1) << (g.VABits - 1))
	b.linearSize = uint64(1) << (g.VABits - 1)
	b.memstart = int64(c.Text - c.TextOffset)
	phys := uint64(b.memstart)
	b.Res.PageOffset = addr(b.pageOffset)
	b.Res.LinearStart = addr(b.pageOffset)
	b.Res.PhysOffset = saddr(b.memstart)
	b.Res.KernelImage = result.Span{VA: addr(b.phys2virt(c.Text)), PA: addr(c.Text), Size: addr(c.End - c.Text)}
	b.info(fmt.Sprintf("PHYS_OFFSET = kernel load address %#x − TEXT_OFFSET %#x = %#x (__calc_phys_offset); PAGE_OFFSET = %#x",
		c.Text, c.TextOffset, phys, b.pageOffset))

	if d := b.L.DTB; d != nil {
		base := uint64(d.Base)
		if base%8 != 0 || base < phys || base-phys >= 512<<20 {
			b.die("setup_machine_fdt", fmt.Sprintf("Error: invalid device tree blob at physical address %#x (virtual address 0x%016x). "+
				"The dtb must be 8-byte aligned and passed in the first 512MB of memory. Please check your bootloader.", base, b.phys2virt(base)))
			return
		}
		if base/sz2M != (base+uint64(d.Size)-1)/sz2M {
			b.warn("__create_page_tables", fmt.Sprintf("the DTB [%#x-%#x) crosses a 2 MiB boundary: head.S maps only the 2 MiB window it starts in (Documentation/arm64/booting.txt forbids this)", base, base+uint64(d.Size)))
		}
	}

	b.addDTMemory(phys, ^uint64(0))
	b.cmdlineWarnings()
	if c.MemLimit != 0 {
		before := append([]memblock.Region(nil), b.MB.Memory.Regions...)
		cut := b.MB.EnforceMemoryLimit(c.MemLimit)
		b.info(fmt.Sprintf("Memory limited to %dMB", c.MemLimit>>20))
		for _, m := range before {
			if cut != ^uint64(0) && m.End() > cut {
				b.lose(max(m.Base, cut), m.End(), result.ReasonMemLimit,
					fmt.Sprintf("mem=%dM keeps only the first %dM of memory (early_mem → memblock_enforce_memory_limit)", c.MemLimit>>20, c.MemLimit>>20))
			}
		}
	}
	// arm64_memblock_init()
	b.MB.Reserved.Add(c.Text, c.End-c.Text, memblock.NoNode, 0)
	b.memblockStep("arm64_memblock_init", fmt.Sprintf("memblock_reserve the kernel image [%#x-%#x), page tables included", c.Text, c.End), c.Text, c.End-c.Text)
	if b.L.Initrd != nil {
		b.MB.Reserved.Add(uint64(b.L.Initrd.Base), uint64(b.L.Initrd.Size), memblock.NoNode, 0)
	}
	b.scanReservedMem(true, false)
	if len(b.MB.Memory.Regions) == 0 {
		b.die("arm64_memblock_init", "no memory left in memblock.memory: nothing to boot on")
		return
	}

	b.allocFn = "early_alloc"
	b.PT = pgtable.New(g, phys-b.pageOffset+g.TTBR1Base(), pgtable.Swapper{SplitSections: k.RFC}, events{b}, k.alloc(b))
	b.PT.Reserve(6 * (len(b.L.Memory) + len(b.L.Reserved) + 4))
	k.swapper(b)
	k.mapMem(b)
}

// alloc is early_alloc(): memblock_alloc below the current limit, then a
// memset through the linear map, which faults if the page is not mapped.
// The RFC instead takes pages only from memory mapped already.
func (k Classic) alloc(b *Boot) pgtable.AllocFunc {
	page := b.page()
	return func(n uint64) ([]pgtable.Run, string) {
		if k.RFC {
			return k.allocMapped(b, n)
		}
		var out []pgtable.Run
		runs := b.MB.AllocPages(n, page, 0, memblock.AllocPolicy{})
		var got uint64
		for _, r := range runs {
			got += r.Size / page
		}
		if got < n {
			limit := b.MB.Limit
			b.step(result.Step{Kind: result.StepInfo, Func: "early_alloc", Limit: b.ap(limit),
				Text: fmt.Sprintf("memblock_alloc(%#x, %#x) finds no free page below memblock.current_limit %#x: the memory head.S and map_mem have mapped so far is all in use", page, page, limit)})
		}
		for _, r := range runs {
			// Pages are handed out from the top of the run down.
			top := r.Base + r.Size
			mapped := b.PT.Mapped(r.Base, top)
			ok := top
			if len(mapped) > 0 && mapped[len(mapped)-1][1] == top {
				ok = mapped[len(mapped)-1][0]
			}
			if ok > r.Base {
				if ok < top {
					out = append(out, pgtable.Run{Base: ok, Size: top - ok})
				}
				bad := ok - page
				return out, fmt.Sprintf("Unable to handle kernel paging request at virtual address %016x "+
					"(early_alloc zeroes the new table at PA %#x through the linear map, which does not map it yet)", b.phys2virt(bad), bad)
			}
			out = append(out, pgtable.Run{Base: r.Base, Size: r.Size})
		}
		return out, ""
	}
}

// allocMapped serves the RFC: top-down, but only from mapped free memory.
func (k Classic) allocMapped(b *Boot, n uint64) ([]pgtable.Run, string) {
	var out []pgtable.Run
	for n > 0 {
		leaves := b.PT.Leaves()
		got := false
		for i := len(leaves) - 1; i >= 0 && !got; i-- {
			l := leaves[i]
			runs := b.MB.AllocPagesIn(1, b.page(), l.Off+l.Delta, l.End+l.Delta, memblock.AllocPolicy{})
			if len(runs) > 0 {
				out = append(out, runs...)
				got = true
			}
		}
		if !got {
			return out, ""
		}
		n--
	}
	return out, ""
}

// swapper records what head.S's __create_page_tables built.
func (k Classic) swapper(b *Boot) {
	g, c := b.G, b.Cfg
	page := b.page()
	phys := uint64(b.memstart)
	// SWAPPER_PGTABLE_LEVELS: the last level is sections with 4K pages.
	nTables := g.Levels
	block := g.EntrySize(geom.LevelPTE)
	leafLevel := geom.LevelPTE
	if g.PageShift == 12 {
		nTables--
		block = g.EntrySize(geom.LevelPMD)
		leafLevel = geom.LevelPMD
	}
	swapper := c.End - uint64(nTables)*page
	off := b.PT.Offset(b.pageOffset)
	for i := 0; i < nTables; i++ {
		lvl := g.Top + i
		if i > 0 {
			b.PT.SetTable(lvl-1, off, swapper+uint64(i)*page)
		}
		b.recordTables(lvl, swapper+uint64(i)*page, 1, true, result.PurposeHeadS, "swapper_pg_dir (head.S, inside the kernel image)", "__create_page_tables", true)
	}
	boot := func(pa, end uint64, what string) {
		l := pgtable.Leaf{Off: b.PT.Offset(b.phys2virt(pa)), End: b.PT.Offset(b.phys2virt(end)), Level: leafLevel,
			Prot: "RW x", Purpose: result.PurposeHeadS, Why: "mapped by head.S's __create_page_tables with " + geom.SizeName(block) + " blocks before map_mem() runs; map_mem() leaves it in place"}
		l.Delta = pa - l.Off
		b.PT.SetLeaves(l)
		events{b}.Leaves(l, pa)
		b.Res.Trace[len(b.Res.Trace)-1].Text += " — " + what
	}
	// create_block_map's end is inclusive: the block holding _end is mapped.
	k.noteNonRAM(b, phys, alignDown(c.End, block)+block)
	boot(phys, alignDown(c.End, block)+block, "head.S maps PHYS_OFFSET … _end")
	if d := b.L.DTB; d != nil {
		w := alignDown(uint64(d.Base), sz2M)
		k.noteNonRAM(b, w, w+sz2M)
		boot(w, w+sz2M, "head.S maps the 2 MiB window holding the DTB")
	}
}

// noteNonRAM says when a boot-time block maps addresses that are not RAM
// (the cacheable mapping of non-RAM that v4.6's decoupling removed).
func (k Classic) noteNonRAM(b *Boot, lo, hi uint64) {
	var ram [][2]uint64
	for _, m := range b.L.Memory {
		ram = append(ram, [2]uint64{uint64(m.Base), uint64(m.End())})
	}
	sortSpans(ram)
	for _, gap := range subtract(lo, hi, ram) {
		b.info(fmt.Sprintf("head.S's boot mapping also covers [%#x-%#x), which is not RAM", gap[0], gap[1]))
	}
}

// mapMem is v3.18's map_mem(), or the RFC's reordered version.
func (k Classic) mapMem(b *Boot) {
	g := b.G
	phys := uint64(b.memstart)
	limit := phys + g.EntrySize(geom.LevelPUD)
	if g.PageShift == 16 {
		limit = phys + g.EntrySize(geom.LevelPMD)
	}
	regions := append([]memblock.Region(nil), b.MB.Memory.Regions...)
	if k.RFC {
		// The kernel's own bank first; the rest in ascending order.
		for i, r := range regions {
			if b.Cfg.Text >= r.Base && b.Cfg.Text < r.End() {
				regions = append(append([]memblock.Region{r}, regions[:i]...), regions[i+1:]...)
				break
			}
		}
		b.info("RFC (reconstructed): map the bank holding the kernel first, then the others; page tables only from memory mapped already; no unaligned head skipped")
	} else {
		b.setLimit(limit, "PHYS_OFFSET + the span of swapper's last-level table, so tables come from memory head.S mapped")
	}
	for _, reg := range regions {
		start, end := reg.Base, reg.End()
		if start >= end {
			break
		}
		if !k.RFC && g.PageShift == 12 {
			if start < limit {
				aligned := alignUp(start, sz2M)
				if aligned != start {
					k.skipHead(b, start, min(aligned, end))
				}
				start = aligned
			}
			if end < limit {
				limit = alignDown(end, sz2M)
				b.setLimit(limit, "the first bank's end rounded down to 2 MiB: its tail's PTE table must come from memory it maps")
			}
		}
		if start > end {
			b.die("map_mem", fmt.Sprintf("create_mapping() gets a negative size: the bank [%#x-%#x) is shorter than its start rounded up to 2 MiB (%#x); v3.18's behaviour is undefined here",
				reg.Base, end, start))
			return
		}
		if !k.createMapping(b, start, end) {
			return
		}
	}
	if !k.RFC {
		b.setLimit(0, "map_mem is done")
	}
}

// skipHead accounts for the head map_mem does not map.
func (k Classic) skipHead(b *Boot, start, aligned uint64) {
	covered := b.PT.Mapped(start, aligned)
	if len(covered) == 1 && covered[0][0] == start && covered[0][1] == aligned {
		b.info(fmt.Sprintf("map_mem rounds the bank start %#x up to 2 MiB; [%#x-%#x) stays reachable only through head.S's boot section", start, start, aligned))
		return
	}
	b.lose(start, aligned, result.ReasonUnalignedHead,
		"map_mem() rounds the first bank's start up to 2 MiB so that no PTE table is taken from memory not mapped yet; the head stays in memblock.memory but is never mapped")
	b.info(fmt.Sprintf("map_mem rounds the bank start %#x up to %#x: [%#x-%#x) is not mapped", start, aligned, start, aligned))
}

// createMapping is create_mapping(): a VA that wrapped below
// VMALLOC_START is refused with the kernel's warning.
func (k Classic) createMapping(b *Boot, start, end uint64) bool {
	if start-uint64(b.memstart) >= b.linearSize {
		b.warn("create_mapping", fmt.Sprintf("BUG: not creating mapping for %#016x at 0x%016x - outside kernel range", start, b.phys2virt(start)))
		b.lose(start, end, result.ReasonBeyondLinear, "beyond PHYS_OFFSET + the linear region size: its VA wraps below VMALLOC_START and create_mapping() refuses it")
		return true
	}
	if end-uint64(b.memstart) > b.linearSize {
		top := uint64(b.memstart) + b.linearSize
		b.lose(top, end, result.ReasonBeyondLinear, "beyond PHYS_OFFSET + the linear region size: v3.18 does not clip it and its VA would wrap (undefined); not mapped here")
		end = top
	}
	return b.mapRange("create_mapping", start, end-start, "RW x", result.PurposeLinear, pgtable.NoContMappings, "")
}
