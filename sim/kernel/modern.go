package kernel

import (
	"fmt"

	"linmap/sim/geom"
	"linmap/sim/memblock"
	"linmap/sim/pgtable"
	"linmap/sim/result"
)

// Modern is the boot path shared by every era from v4.6, when the kernel
// image was decoupled from PAGE_OFFSET: memstart_addr comes from memblock,
// page tables are written through fixmap and may come from anywhere. Each
// era file fills in one Modern value with its rules.
type Modern struct {
	Flipped bool // v5.4+: the linear map is the lower half of the kernel VA space
	// ModulesSize places KIMAGE_VADDR after the modules area (128M, or 2G from v6.6).
	ModulesSize uint64

	MemstartAlign func(g geom.Geometry) uint64 // ARM64_MEMSTART_ALIGN
	RemoveAbovePA bool                         // v4.19+: memblock_remove(1 << PHYS_MASK_SHIFT, …)
	LiteralBottom bool                         // v4.6: bottom clip by absolute size, memstart unchanged
	FitsWarning   bool                         // v5.15+: "Memory doesn't fit in the linear mapping…"
	MemLimitMap   bool                         // v4.8+: mem= keeps NOMAP regions
	InitrdAddBack bool                         // v4.8+
	KASLR         int                          // kaslrNone, kaslrV46, kaslrSpan, kaslrPARange
	ReserveStext  bool                         // reserve the image from _stext, not _text
	NoMapRemoves  bool                         // ≤ v5.10: DT no-map is memblock_remove()d
	TempPGD       bool                         // ≤ v4.19: paging_init builds in a temporary PGD
	MapKernel     bool                         // ≤ v6.8: paging_init maps the image first
	ThreeWay      bool                         // v4.6: __map_memblock splits each bank around the alias
	AliasFromText bool                         // the alias starts at _text (else _stext)
	AliasToEtext  bool                         // v4.6: the alias ends at _etext (else __init_begin)
	EarlyKFENCE   bool                         // v6.1+: arm64_kfence_alloc_pool()
	// RoundInward: Debian 6.12.y's backport of 7ace06a01efa rounds every
	// range of the map_mem() loop inward to pages (a byte-granular NOMAP
	// range then never gets its partial pages mapped).
	RoundInward bool
	// FirstRegOnly: a /reserved-memory node is reserved by its first
	// <base size> pair only (K7.2.13).
	FirstRegOnly bool
	Crash        int // crashNone, crashEarlyNomap, crashWholeMap, crashDeferredOrNomap
	// Flags computes map_mem's flags for the loop; it runs after the
	// KFENCE pool attempt.
	Flags func(b *Boot, kfenceEarly bool) (pgtable.Flags, string)
	// Rules are the walker's semantics over existing entries.
	Rules pgtable.Rules
	// Parse says how the era parses rodata= and debug_pagealloc=.
	Parse CmdlineRules
	// MapMem is the era's map_mem(); nil is the v4.6–v6.18 one (mapMem).
	MapMem func(r *Modern, b *Boot)
}

// Cmdline implements Era.
func (r *Modern) Cmdline() CmdlineRules { return r.Parse }

// with returns a copy of the era's rules changed by f: each era is written
// as what it changed from the one before.
func (r *Modern) with(f func(*Modern)) *Modern {
	c := *r
	f(&c)
	return &c
}

const (
	kaslrNone = iota
	kaslrV46
	kaslrSpan
	kaslrPARange
)

const (
	crashNone            = iota // crashkernel= does not touch map_mem
	crashEarlyNomap             // v4.19: reserved early, NOMAP during the loop, then page mapped
	crashWholeMap               // v5.15: crashkernel= forces pages for the whole map
	crashDeferredOrNomap        // v6.1: whole map if ZONE_DMA/DMA32, else as v4.19
)

const sz2M = 2 << 20

// Boot runs the era's path.
func (r *Modern) Boot(b *Boot) {
	g := b.G
	c := b.Cfg
	vaMin := geom.VABitsMin(g.PageShift, g.VABits)
	if r.Flipped {
		b.pageOffset = -(uint64(1) << g.VABits)
		pageEnd := -(uint64(1) << (vaMin - 1))
		b.linearSize = pageEnd - (-(uint64(1) << g.VABitsActual))
		b.Res.LinearStart = addr(-(uint64(1) << g.VABitsActual))
		b.Res.LinearEnd = addr(pageEnd)
		b.Res.KernelImage.VA = addr(pageEnd + r.ModulesSize + c.TextOffset)
	} else {
		b.pageOffset = -(uint64(1) << (g.VABits - 1))
		b.linearSize = uint64(1) << (g.VABits - 1)
		b.Res.LinearStart = addr(b.pageOffset)
		b.Res.LinearEnd = 0
		b.Res.KernelImage.VA = addr(-(uint64(1) << g.VABits) + r.ModulesSize + c.TextOffset)
	}
	b.Res.PageOffset = addr(b.pageOffset)
	b.info(fmt.Sprintf("PAGE_OFFSET = %#x; the linear region holds %s", b.pageOffset, geom.SizeName(b.linearSize)))

	b.addDTMemory(0, ^uint64(0))
	if c.MemLimit != 0 {
		b.info(fmt.Sprintf("Memory limited to %dMB", c.MemLimit>>20))
	}
	b.cmdlineWarnings()
	r.memblockInit(b)
	if b.fatal {
		return
	}
	b.Res.PhysOffset = saddr(b.memstart)
	b.PT = pgtable.New(g, uint64(b.memstart)-b.pageOffset+g.TTBR1Base(), r.Rules, events{b},
		b.allocTables(memblock.AllocPolicy{SkipNoMap: true, SkipHotplug: c.MovableNode}))
	b.PT.Reserve(6 * (len(b.L.Memory) + len(b.L.Reserved) + 4))
	r.pagingInit(b)
}

func addr(v uint64) result.Addr  { return result.Addr(v) }
func saddr(v int64) result.SAddr { return result.SAddr(v) }

// memblockInit is arm64_memblock_init().
func (r *Modern) memblockInit(b *Boot) {
	g, c := b.G, b.Cfg
	align := r.MemstartAlign(g)
	if r.RemoveAbovePA {
		shift := physMaskShift(g, b.L.CPU.LPA2)
		b.removeMemory("arm64_memblock_init", uint64(1)<<shift, ^uint64(0), result.ReasonAbovePARange,
			fmt.Sprintf("above the %d-bit physical address range the kernel's page tables can describe (PHYS_MASK_SHIFT; arm64_memblock_init)", shift))
	}
	if len(b.MB.Memory.Regions) == 0 {
		b.die("arm64_memblock_init", "no memory left in memblock.memory: nothing to boot on")
		return
	}
	b.memstart = int64(alignDown(b.MB.Start(), align))
	b.info(fmt.Sprintf("memstart_addr = round_down(memblock_start_of_DRAM() = %#x, ARM64_MEMSTART_ALIGN = %s) = %#x",
		b.MB.Start(), geom.SizeName(align), b.memstart))
	if r.FitsWarning && b.MB.End()-uint64(b.memstart) > b.linearSize {
		b.warn("arm64_memblock_init", "Memory doesn't fit in the linear mapping, VA_BITS too small")
	}
	top := max(uint64(b.memstart)+b.linearSize, c.End)
	b.removeMemory("arm64_memblock_init", top, ^uint64(0), result.ReasonBeyondLinear,
		"above memstart_addr + the linear region size, so removed (arm64_memblock_init)")
	if r.LiteralBottom {
		if end := b.MB.End(); end > b.linearSize {
			b.removeMemory("arm64_memblock_init", 0, end-b.linearSize, result.ReasonBeyondLinear,
				"v4.6 removes memory below end_of_DRAM − linear region size so the rest fits (arm64_memblock_init)")
		}
	} else if uint64(b.memstart)+b.linearSize < b.MB.End() {
		b.memstart = int64(alignUp(b.MB.End()-b.linearSize, align))
		b.info(fmt.Sprintf("memory does not fit below the kernel: memstart_addr raised to %#x", b.memstart))
		b.removeMemory("arm64_memblock_init", 0, uint64(b.memstart), result.ReasonBeyondLinear,
			"below the raised memstart_addr: the top of memory is kept and the bottom dropped so the rest fits the linear region (arm64_memblock_init)")
	}
	if len(b.MB.Memory.Regions) == 0 {
		b.die("arm64_memblock_init", "no memory left in memblock.memory: nothing to boot on")
		return
	}
	if g.VABits == 52 && g.VABitsActual != 52 {
		po := func(va int) uint64 { return -(uint64(1) << va) }
		b.memstart -= int64(po(g.VABitsActual) - po(52))
		b.info(fmt.Sprintf("52-bit kernel on a %d-bit CPU: memstart_addr −= _PAGE_OFFSET(%d) − _PAGE_OFFSET(52) → %s",
			g.VABitsActual, g.VABitsActual, saddr(b.memstart)))
	}
	if c.MemLimit != 0 {
		var cut uint64
		before := append([]memblock.Region(nil), b.MB.Memory.Regions...)
		if r.MemLimitMap {
			cut = b.MB.MemLimitRemoveMap(c.MemLimit)
		} else {
			cut = b.MB.EnforceMemoryLimit(c.MemLimit)
		}
		if cut != ^uint64(0) {
			for _, m := range before {
				if m.End() > cut && (!r.MemLimitMap || m.Flags&memblock.NoMap == 0) {
					b.lose(max(m.Base, cut), m.End(), result.ReasonMemLimit,
						fmt.Sprintf("mem=%dM keeps only the first %dM of memory (memblock_mem_limit_remove_map)", c.MemLimit>>20, c.MemLimit>>20))
				}
			}
			b.memblockStep("arm64_memblock_init", fmt.Sprintf("mem= cuts memory at %#x", cut), cut, 0)
		}
		b.MB.Memory.Add(c.Text, c.End-c.Text, memblock.NoNode, 0)
	}
	if r.InitrdAddBack && b.L.Initrd != nil {
		base := alignDown(uint64(b.L.Initrd.Base), b.page())
		size := alignUp(uint64(b.L.Initrd.Base+b.L.Initrd.Size), b.page()) - base
		if base < b.MB.Start() || base+size > b.MB.Start()+b.linearSize {
			b.warn("arm64_memblock_init", "initrd not fully accessible via the linear mapping -- please check your bootloader ...")
		} else {
			b.MB.Memory.Add(base, size, memblock.NoNode, 0)
			b.MB.Memory.SetFlag(base, size, memblock.NoMap, false)
			b.MB.Reserved.Add(base, size, memblock.NoNode, 0)
		}
	}
	r.randomize(b)
	start := c.Text
	if r.ReserveStext {
		start = c.Stext
	}
	b.MB.Reserved.Add(start, c.End-start, memblock.NoNode, 0)
	b.memblockStep("arm64_memblock_init", fmt.Sprintf("memblock_reserve the kernel image [%#x-%#x)", start, c.End), start, c.End-start)
	if !r.InitrdAddBack && b.L.Initrd != nil {
		b.MB.Reserved.Add(uint64(b.L.Initrd.Base), uint64(b.L.Initrd.Size), memblock.NoNode, 0)
	}
	b.scanReservedMem(r.NoMapRemoves, r.FirstRegOnly)
	if r.Crash == crashEarlyNomap || (r.Crash == crashDeferredOrNomap && !c.ZoneDMA && !c.ZoneDMA32) {
		r.reserveCrashkernel(b)
	}
}

// physMaskShift is PHYS_MASK_SHIFT: 52 only with 52-bit PAs (64K pages with
// VA_BITS 52, or LPA2 enabled), else 48.
func physMaskShift(g geom.Geometry, lpa2 bool) int {
	if g.VABits == 52 && (g.PageShift == 16 || lpa2) {
		return 52
	}
	return 48
}

// randomize is the linear-map KASLR step of arm64_memblock_init().
func (r *Modern) randomize(b *Boot) {
	c := b.Cfg
	seed := uint64(b.L.Kernel.KASLRSeed) >> 48
	if r.KASLR == kaslrNone || !c.RandomizeBase || c.NoKASLR || seed == 0 {
		return
	}
	align := r.MemstartAlign(b.G)
	var rng int64
	switch r.KASLR {
	case kaslrV46, kaslrSpan:
		rng = int64(b.linearSize) - int64(b.MB.End()-b.MB.Start())
	case kaslrPARange:
		pa := b.L.CPU.PABits
		if pa == 0 {
			pa = 48
		}
		rng = int64(b.linearSize) - int64(uint64(1)<<pa)
	}
	if rng < int64(align) {
		b.info("linear-map KASLR: no room to randomise (range < ARM64_MEMSTART_ALIGN)")
		return
	}
	n := uint64(rng) / align
	if r.KASLR == kaslrV46 {
		n++
	}
	shift := align * ((n * seed) >> 16)
	b.memstart -= int64(shift)
	b.info(fmt.Sprintf("linear-map KASLR (seed %#x): memstart_addr −= %#x → %s", seed, shift, saddr(b.memstart)))
}

// reserveCrashkernel places the crash kernel before map_mem (v4.19, and
// v6.1 without ZONE_DMA/DMA32).
func (r *Modern) reserveCrashkernel(b *Boot) {
	cr := b.Cfg.Crash
	if cr == nil {
		return
	}
	var base uint64
	var ok bool
	if cr.HasBase {
		base = cr.Base
		ok = base%sz2M == 0 && b.MB.IsMemory(base, cr.Size) && !b.MB.IsReserved(base, cr.Size)
		if ok {
			b.MB.Reserved.Add(base, cr.Size, memblock.NoNode, 0)
		}
	} else {
		limit := ^uint64(0)
		if b.Cfg.ZoneDMA || b.Cfg.ZoneDMA32 {
			// max_zone_dma_phys(): the first 4 GiB of the space memory starts in.
			limit = min((b.MB.Start()&^(1<<32-1))+1<<32, b.MB.End())
		}
		base, ok = b.MB.FindTopDown(cr.Size, sz2M, 0, limit, memblock.AllocPolicy{SkipNoMap: true})
		if ok {
			b.MB.Reserved.Add(base, cr.Size, memblock.NoNode, 0)
		}
	}
	if !ok {
		b.warn("reserve_crashkernel", fmt.Sprintf("cannot allocate crashkernel (size:%#x)", cr.Size))
		b.Cfg.Crash = nil
		return
	}
	b.crashBase = base
	b.info(fmt.Sprintf("crashkernel reserved: 0x%016x - 0x%016x (%d MB)", base, base+cr.Size, cr.Size>>20))
}

// pagingInit is paging_init(): (temporary PGD,) map_kernel, map_mem.
func (r *Modern) pagingInit(b *Boot) {
	c := b.Cfg
	var tempPGD uint64
	if r.TempPGD {
		runs := b.MB.AllocPages(1, b.page(), 0, memblock.AllocPolicy{SkipNoMap: true})
		if len(runs) == 0 {
			b.die("early_pgtable_alloc", b.msg.AllocFail(b.page()))
			return
		}
		tempPGD = runs[0].Base
		b.recordTables(b.G.Top, tempPGD, 1, false, result.PurposeTempPGD, "temporary PGD (paging_init)", "early_pgtable_alloc", false)
	}
	if r.MapKernel {
		kva := uint64(b.Res.KernelImage.VA)
		seg := func(from, to uint64, prot, name string, flags pgtable.Flags) bool {
			return b.mapAt("map_kernel_segment", kva+from-c.Text, from, to-from, prot, result.PurposeKernelImage, flags, "",
				fmt.Sprintf("map_kernel %s [%#x-%#x)", name, from, to))
		}
		_ = seg(c.Stext, c.Etext, "ro x", "text", 0) &&
			seg(c.Etext, c.InitBegin, "ro NX", "rodata", pgtable.NoContMappings) &&
			seg(c.InitBegin, c.End, "RW NX", "init+data", 0)
	}
	if b.fatal {
		return
	}
	if r.MapMem != nil {
		r.MapMem(r, b)
	} else {
		r.mapMem(b)
	}
	if r.TempPGD && !b.fatal {
		b.MB.Reserved.Remove(tempPGD, b.page())
		b.step(result.Step{Kind: result.StepFree, Text: fmt.Sprintf("the temporary PGD at %#x is copied into swapper_pg_dir and freed", tempPGD),
			Func: "paging_init", PA: b.ap(tempPGD), Level: "PGD"})
	}
	b.Res.KernelImage.PA = addr(c.Text)
	b.Res.KernelImage.Size = addr(c.End - c.Text)
}

// mapMem is map_mem().
func (r *Modern) mapMem(b *Boot) {
	c := b.Cfg
	kStart, kEnd := c.Stext, c.InitBegin
	if r.AliasFromText {
		kStart = c.Text
	}
	if r.AliasToEtext {
		kEnd = c.Etext
	}
	var kfencePool, kfenceSize uint64
	kfenceEarly := false
	if r.EarlyKFENCE && c.KFENCE && c.KFENCESampleInterval != 0 {
		kfenceSize = (c.KFENCENumObjects + 1) * 2 * b.page()
		pool, ok := b.MB.Alloc(kfenceSize, b.page(), 0, memblock.AllocPolicy{SkipNoMap: true, SkipHotplug: c.MovableNode})
		if !ok {
			b.warn("arm64_kfence_alloc_pool", "failed to allocate kfence pool")
		} else {
			kfencePool, kfenceEarly = pool, true
			b.MB.Memory.SetFlag(pool, kfenceSize, memblock.NoMap, true)
			b.memblockStep("arm64_kfence_alloc_pool", fmt.Sprintf("KFENCE pool [%#x-%#x) allocated and marked NOMAP until it is mapped with pages", pool, pool+kfenceSize), pool, kfenceSize)
		}
	}
	flags, why := r.Flags(b, kfenceEarly)
	crashWhole := c.Crash != nil && (r.Crash == crashWholeMap || (r.Crash == crashDeferredOrNomap && (c.ZoneDMA || c.ZoneDMA32)))
	if crashWhole && flags&pgtable.NoBlockMappings == 0 {
		flags |= pgtable.NoBlockMappings | pgtable.NoContMappings
		why = "crashkernel= is set and the crash kernel is reserved only later, so any page may need unmapping: no block mappings for the whole linear map (map_mem())"
		b.info("crashkernel= is set and the crash kernel is reserved later: the whole linear map is built with pages")
	}
	nomapAlias := !r.ThreeWay
	if nomapAlias {
		b.MB.Memory.SetFlag(kStart, kEnd-kStart, memblock.NoMap, true)
		b.memblockStep("map_mem", fmt.Sprintf("memblock_mark_nomap the kernel alias [%#x-%#x) so the loop skips it", kStart, kEnd), kStart, kEnd-kStart)
	}
	crash := b.Cfg.Crash != nil && b.crashBase != 0 && !crashWhole
	if crash {
		b.MB.Memory.SetFlag(b.crashBase, c.Crash.Size, memblock.NoMap, true)
	}
	regions := append([]memblock.Region(nil), b.MB.Memory.Regions...)
	for _, reg := range regions {
		if reg.Size == 0 {
			break
		}
		// Only NOMAP is skipped: for_each_mem_range() asks for hot-pluggable
		// and driver-managed regions too, so movable_node changes nothing here.
		if reg.Flags&memblock.NoMap != 0 {
			continue
		}
		start, end := reg.Base, reg.End()
		if r.RoundInward {
			in, out := alignUp(start, b.page()), alignDown(end, b.page())
			const why = "the page is shared with a byte-granular no-map range, and map_mem() rounds each range inward to whole pages (backport of 7ace06a01efa)"
			b.lose(start, min(in, end), result.ReasonNoMap, why)
			b.lose(max(out, in, start), end, result.ReasonNoMap, why)
			if in >= out {
				continue
			}
			start, end = in, out
		}
		if r.ThreeWay {
			if end < kStart || start >= kEnd {
				b.mapRange("__map_memblock", start, end-start, "RW NX", result.PurposeLinear, flags, why)
				continue
			}
			if start < kStart {
				b.mapRange("__map_memblock", start, kStart-start, "RW NX", result.PurposeLinear, flags, why)
			}
			if kEnd < end {
				b.mapRange("__map_memblock", kEnd, end-kEnd, "RW NX", result.PurposeLinear, flags, why)
			}
			b.mapRange("__map_memblock", kStart, kEnd-kStart, "ro NX", result.PurposeKernelAlias, flags, why)
			continue
		}
		if !b.mapRange("__map_memblock", start, end-start, "RW NX", result.PurposeLinear, flags, why) {
			return
		}
	}
	if nomapAlias {
		// Contiguous entries cannot be made read-only later, so none here.
		if !b.mapRange("__map_memblock", kStart, kEnd-kStart, "ro NX", result.PurposeKernelAlias, pgtable.NoContMappings, "") {
			return
		}
		b.MB.Memory.SetFlag(kStart, kEnd-kStart, memblock.NoMap, false)
	}
	if crash {
		if !b.mapRange("__map_memblock", b.crashBase, c.Crash.Size, "RW NX", result.PurposeCrashKernel, pgtable.NoBlockMappings|pgtable.NoContMappings,
			"the crash kernel is mapped with pages so that kexec can unmap it (map_mem(), NO_BLOCK_MAPPINGS)") {
			return
		}
		b.MB.Memory.SetFlag(b.crashBase, c.Crash.Size, memblock.NoMap, false)
	}
	if kfenceEarly {
		if !b.mapRange("arm64_kfence_map_pool", kfencePool, kfenceSize, "RW NX", result.PurposeKFENCEPool, pgtable.NoBlockMappings|pgtable.NoContMappings,
			"the KFENCE pool is mapped with pages so KFENCE can protect single pages (arm64_kfence_map_pool(), NO_BLOCK_MAPPINGS)") {
			return
		}
		b.MB.Memory.SetFlag(kfencePool, kfenceSize, memblock.NoMap, false)
	}
}
