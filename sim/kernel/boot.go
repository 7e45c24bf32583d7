// Package kernel runs one simulated boot: it resolves a layout against an
// era's defaults, then follows that era's path from the device tree's
// memory nodes through arm64_memblock_init() and paging_init()/map_mem(),
// recording every step. One file per era holds that era's rules.
package kernel

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"linmap/sim/geom"
	"linmap/sim/layout"
	"linmap/sim/memblock"
	"linmap/sim/pgtable"
	"linmap/sim/result"
)

// Era is one kernel era's policy.
type Era interface {
	// Boot runs the era's boot path on b.
	Boot(b *Boot)
	// Cmdline says how the era parses the early parameters that shape
	// the linear map.
	Cmdline() CmdlineRules
}

// Boot is the state of one simulated boot.
type Boot struct {
	L   *layout.Layout
	Cfg Config
	G   geom.Geometry
	MB  memblock.Memblock
	PT  *pgtable.Builder
	Res *result.Result

	// memstart is memstart_addr (PHYS_OFFSET), an s64 from v4.6.
	memstart   int64
	pageOffset uint64
	linearSize uint64

	removed   []lostSpan // memory taken away, with why
	fatal     bool
	allocFn   string // the function table pages come from (early_alloc, early_pgtable_alloc)
	crashBase uint64 // where reserve_crashkernel put the crash kernel (0: not yet)
	msg       Messages

	slab  []layout.Addr // backing store for the trace's optional fields
	bools []bool
	names map[uint64]string
}

// bp is ap for booleans.
func (b *Boot) bp(v bool) *bool {
	if len(b.bools) == cap(b.bools) {
		b.bools = make([]bool, 0, 256)
	}
	b.bools = append(b.bools, v)
	return &b.bools[len(b.bools)-1]
}

// sizeName caches geom.SizeName for the few leaf sizes a boot uses.
func (b *Boot) sizeName(n uint64) string {
	if s, ok := b.names[n]; ok {
		return s
	}
	if b.names == nil {
		b.names = map[uint64]string{}
	}
	s := geom.SizeName(n)
	b.names[n] = s
	return s
}

// ap returns a pointer to v for a trace step's optional field, from a slab
// so that a trace of thousands of steps costs a few allocations.
func (b *Boot) ap(v uint64) *layout.Addr {
	if len(b.slab) == cap(b.slab) {
		b.slab = make([]layout.Addr, 0, 1024)
	}
	b.slab = append(b.slab, layout.Addr(v))
	return &b.slab[len(b.slab)-1]
}

type lostSpan struct {
	base, end      uint64
	reason, detail string
}

func (b *Boot) page() uint64 { return b.G.PageSize() }

// step appends a trace step and returns its index.
func (b *Boot) step(s result.Step) int {
	b.Res.Trace = append(b.Res.Trace, s)
	return len(b.Res.Trace) - 1
}

func (b *Boot) info(text string) { b.step(result.Step{Kind: result.StepInfo, Text: text}) }

// warn records a kernel message (pr_warn/WARN/pr_err) and a trace step.
func (b *Boot) warn(fn, msg string) {
	b.Res.Warnings = append(b.Res.Warnings, msg)
	b.step(result.Step{Kind: result.StepWarn, Text: msg, Func: fn})
}

// cmdlineWarnings prints what the early parameter parsers complained about.
func (b *Boot) cmdlineWarnings() {
	for _, name := range b.Cfg.Malformed {
		b.warn("parse_early_param", fmt.Sprintf("Malformed early option '%s'", name))
	}
	for _, v := range b.Cfg.Invalid {
		b.warn("arch_parse_debug_rodata", fmt.Sprintf("Invalid option string for rodata: '%s'", v))
	}
	if u := b.Cfg.Unknown; len(u) > 0 {
		b.warn("print_unknown_bootoptions", fmt.Sprintf("Unknown kernel command line parameters \"%s\", will be passed to user space.", strings.Join(u, " ")))
		b.info("debug_pagealloc= exists only with CONFIG_DEBUG_PAGEALLOC (kernel.config.debug_pagealloc), which distribution kernels leave unset")
	}
}

// die records the first fatal error; boot stops.
func (b *Boot) die(fn, msg string) {
	if b.fatal {
		return
	}
	b.fatal = true
	i := b.step(result.Step{Kind: result.StepFatal, Text: msg, Func: fn})
	b.Res.Fatal = &result.Fatal{Message: msg, Step: i}
}

// lose records that [base, end) of memory was taken out, and why.
func (b *Boot) lose(base, end uint64, reason, detail string) {
	if end > base {
		b.removed = append(b.removed, lostSpan{base, end, reason, detail})
	}
}

// memblockStep records a memblock change in the trace.
func (b *Boot) memblockStep(fn, text string, base, size uint64) {
	b.step(result.Step{Kind: result.StepMemblock, Text: text, Func: fn, PA: b.ap(base), Size: b.ap(size)})
}

func (b *Boot) setLimit(limit uint64, why string) {
	b.MB.Limit = limit
	text := fmt.Sprintf("memblock_set_current_limit(%#x): %s", limit, why)
	if limit == 0 {
		text = "memblock_set_current_limit(MEMBLOCK_ALLOC_ANYWHERE): " + why
	}
	b.step(result.Step{Kind: result.StepLimit, Text: text, Func: "map_mem", Limit: b.ap(limit)})
}

// phys2virt is __phys_to_virt for the linear map.
func (b *Boot) phys2virt(pa uint64) uint64 {
	return pa - uint64(b.memstart) + b.pageOffset
}

// events adapts pgtable events to result records and trace steps.
type events struct{ b *Boot }

func (e events) Alloc(level int, pa, count uint64, mapped bool, r *pgtable.Request) {
	fn := e.b.allocFn
	if fn == "" {
		fn = "early_pgtable_alloc"
	}
	e.b.recordTables(level, pa, count, mapped, r.Purpose, r.Cause, fn, false)
}

// recordTables records count table pages for entries of level at pa.
func (b *Boot) recordTables(level int, pa, count uint64, mapped bool, purpose result.Purpose, cause, fn string, inImage bool) {
	name := b.G.LevelName(level)
	state := " (already mapped)"
	if !mapped {
		state = " (NOT mapped yet)"
	}
	// Built by appending: traces run to thousands of steps per layout.
	t := strconv.AppendUint(make([]byte, 0, 96), count, 10)
	t = append(t, ' ')
	t = append(t, name...)
	t = append(t, " table page(s) at 0x"...)
	t = strconv.AppendUint(t, pa, 16)
	t = append(t, " for "...)
	t = append(t, cause...)
	t = append(t, state...)
	i := b.step(result.Step{Kind: result.StepAlloc, Text: string(t), Func: fn, Purpose: purpose, PA: b.ap(pa),
		Size: b.ap(count * b.page()), Level: name, Count: int64(count), Mapped: b.bp(mapped)})
	b.addTables(result.Tables{PA: layout.Addr(pa), Count: int64(count), Level: name, Purpose: purpose, Cause: cause,
		InImage: inImage, Mapped: mapped, Step: i})
}

func (e events) Leaves(l pgtable.Leaf, pa uint64) {
	b := e.b
	size := l.End - l.Off
	es := b.G.EntrySize(l.Level)
	leaf := b.sizeName(es)
	va := b.PT.VA(l.Off)
	lvl := geom.LeafLevelName(l.Level)
	t := strconv.AppendUint(make([]byte, 0, 96), size/es, 10)
	t = append(t, " × "...)
	t = append(t, leaf...)
	t = append(t, ' ')
	t = append(t, lvl...)
	if l.Cont {
		t = append(t, " with the contiguous bit"...)
	}
	t = append(t, ": VA 0x"...)
	t = strconv.AppendUint(t, va, 16)
	t = append(t, " → PA 0x"...)
	t = strconv.AppendUint(t, pa, 16)
	t = append(t, " ("...)
	t = append(t, l.Purpose...)
	t = append(t, ')')
	b.step(result.Step{Kind: result.StepLeaves, Text: string(t), Purpose: l.Purpose, VA: b.ap(va), PA: b.ap(pa), Size: b.ap(size),
		Page: leaf, Level: lvl, Cont: l.Cont, Count: int64(size / es), Why: l.Why, Prot: l.Prot})
}

func (e events) Free(level int, pa uint64, leaked bool) {
	b := e.b
	name := b.G.LevelName(level)
	if leaked {
		b.step(result.Step{Kind: result.StepFree, Text: fmt.Sprintf("a %s table is replaced by a block; its page is leaked", name), Level: name})
		return
	}
	b.MB.Reserved.Remove(pa, b.page())
	b.step(result.Step{Kind: result.StepFree, Text: fmt.Sprintf("%s table page at %#x replaced by a block and freed (memblock_free)", name, pa),
		Func: "alloc_init_pud", PA: b.ap(pa), Level: name})
}

func (e events) Warn(f pgtable.Fault) {
	site := e.b.msg.Sites(f.Check, f.Level)
	e.b.warn(site.Func, e.b.faultText(f))
}

// faultText is the kernel's message for a check the walk hit, with what
// it means.
func (b *Boot) faultText(f pgtable.Fault) string {
	if f.Check == pgtable.CheckAlloc {
		if f.Detail != "" {
			return f.Detail
		}
		return b.msg.AllocFail(b.page())
	}
	site := b.msg.Sites(f.Check, f.Level)
	lvl := geom.LeafLevelName(f.Level)
	var what string
	switch f.Check {
	case pgtable.CheckTableUnderLeaf:
		what = fmt.Sprintf("a %s table is needed at VA %#x where a %s block is", geom.LeafLevelName(f.Level+1), f.VA, lvl)
	case pgtable.CheckAttrChange:
		what = fmt.Sprintf("the live %s entry at VA %#x would change in a way that needs break-before-make", lvl, f.VA)
	case pgtable.CheckSetHuge:
		times := ""
		if f.Count > 1 {
			times = fmt.Sprintf(" (%d times, once per entry)", f.Count)
		}
		return fmt.Sprintf("WARNING: CPU: 0 PID: 0 at %s %s — %s%s: the live %s block at VA %#x keeps its attributes and mapping goes on",
			site.where(), site.Func, site.Expr, times, lvl, f.VA)
	}
	return fmt.Sprintf("kernel BUG at %s! — %s in %s(): %s", site.where(), site.Expr, site.Func, what)
}

// addTables appends a table run, merging with the previous one when the
// new pages continue it downwards.
func (b *Boot) addTables(t result.Tables) {
	ts := b.Res.Tables
	if n := len(ts); n > 0 {
		p := &ts[n-1]
		if p.Level == t.Level && p.Cause == t.Cause && p.Mapped == t.Mapped && p.InImage == t.InImage &&
			uint64(t.PA)+uint64(t.Count)*b.page() == uint64(p.PA) {
			p.PA = t.PA
			p.Count += t.Count
			return
		}
	}
	b.Res.Tables = append(b.Res.Tables, t)
}

// purposeName is how a cause names a mapping call.
var purposeName = map[result.Purpose]string{
	result.PurposeLinear:      "linear map",
	result.PurposeKernelAlias: "kernel alias",
	result.PurposeKernelData:  "kernel data/bss alias",
	result.PurposeKFENCEPool:  "KFENCE pool",
	result.PurposeCrashKernel: "crash kernel",
	result.PurposeKernelImage: "kernel image",
	result.PurposeHeadS:       "head.S boot map",
}

// mapRange calls the table builder for [pa, pa+size) at its linear VA.
// flagsWhy says why flags (if they forbid blocks) do so, in the kernel's terms.
func (b *Boot) mapRange(fn string, pa, size uint64, prot string, purpose result.Purpose, flags pgtable.Flags, flagsWhy string) bool {
	pa, size = b.clipToWindow(pa, size)
	return b.mapAt(fn, b.phys2virt(pa), pa, size, prot, purpose, flags, flagsWhy, "")
}

// clipToWindow keeps the part of [pa, pa+size) whose linear address lies in
// the linear region. The kernel never expects memory outside it, but an
// inconsistent machine gets there: memory above the CPU's physical address
// range under linear-map randomisation (which assumes there is none), or
// v4.6's clip, which does not move memstart_addr. Such a kernel would write
// its entries over whatever lies past the region; linmap leaves that memory
// unmapped and says so.
func (b *Boot) clipToWindow(pa, size uint64) (uint64, uint64) {
	if size == 0 {
		return pa, 0
	}
	lo := uint64(b.memstart) + (uint64(b.Res.LinearStart) - b.pageOffset) // PA at linear_start
	span := uint64(b.Res.LinearEnd) - uint64(b.Res.LinearStart)           // 0: up to 2^64
	in := func(x uint64) bool { return span == 0 || x-lo < span }
	if in(pa) && in(pa+size-1) && pa+size-1-lo >= pa-lo {
		return pa, size
	}
	// The region is at most one contiguous piece of [pa, pa+size).
	keepLo, keepHi := pa, pa+size
	if !in(pa) {
		if lo > pa && lo < pa+size {
			keepLo = lo
		} else {
			keepLo = keepHi
		}
	}
	if span != 0 && keepLo < keepHi && !in(keepHi-1) {
		keepHi = lo + span
	}
	const why = "its linear address would lie outside the linear region: the kernel does not expect memory there (memory above the CPU's physical address range under linear-map randomisation, or v4.6's clip that leaves memstart_addr in place) and would write entries past the region; linmap does not map it"
	b.lose(pa, keepLo, result.ReasonBeyondLinear, why)
	b.lose(max(keepHi, keepLo), pa+size, result.ReasonBeyondLinear, why)
	b.warn("map_mem", fmt.Sprintf("(linmap) [%#x-%#x) would be mapped outside the linear region [%s, %s): left unmapped", pa, pa+size, b.Res.LinearStart, b.Res.LinearEnd))
	if keepLo >= keepHi {
		return pa, 0
	}
	return keepLo, keepHi - keepLo
}

// mapAt is mapRange at any VA (the kernel image's own mapping).
func (b *Boot) mapAt(fn string, va, pa, size uint64, prot string, purpose result.Purpose, flags pgtable.Flags, flagsWhy, cause string) bool {
	if b.fatal || size == 0 {
		return !b.fatal
	}
	if cause == "" {
		cause = fmt.Sprintf("%s [%#x-%#x)", purposeName[purpose], pa, pa+size)
	}
	// __create_pgd_mapping() rounds the range outward to pages.
	if off := va & (b.page() - 1); off != 0 || size&(b.page()-1) != 0 {
		va, pa = va-off, pa-off
		size = alignUp(size+off, b.page())
	}
	b.step(result.Step{Kind: result.StepMap, Func: fn, Purpose: purpose, VA: b.ap(va), PA: b.ap(pa), Size: b.ap(size),
		Text: fmt.Sprintf("%s maps PA [%#x-%#x) at VA %#x (%s)%s", fn, pa, pa+size, va, purposeName[purpose], flagText(flags))})
	err := b.PT.Map(pgtable.Request{VA: va, PA: pa, Size: size, Prot: prot, Purpose: purpose, Flags: flags, FlagsWhy: flagsWhy, Cause: cause})
	if f, ok := err.(*pgtable.Fault); ok {
		b.die(fn, b.faultText(*f))
		return false
	}
	return true
}

func flagText(f pgtable.Flags) string {
	switch f & (pgtable.NoBlockMappings | pgtable.NoContMappings) {
	case pgtable.NoBlockMappings | pgtable.NoContMappings:
		return ", NO_BLOCK_MAPPINGS | NO_CONT_MAPPINGS"
	case pgtable.NoBlockMappings:
		return ", NO_BLOCK_MAPPINGS"
	case pgtable.NoContMappings:
		return ", NO_CONT_MAPPINGS"
	}
	return ""
}

// addDTMemory is early_init_dt_add_memory_arch() for every bank, with
// the era's lower clip (PHYS_OFFSET before v4.6, none after) and upper
// clip (MAX_MEMBLOCK_ADDR).
func (b *Boot) addDTMemory(minAddr, maxAddr uint64) {
	page := b.page()
	banks := append([]layout.Bank(nil), b.L.Memory...)
	sort.Slice(banks, func(i, j int) bool { return banks[i].Base < banks[j].Base })
	for _, m := range banks {
		base, size := uint64(m.Base), uint64(m.Size)
		end := base + size
		if size < page-(base&(page-1)) {
			b.warn("early_init_dt_add_memory_arch", fmt.Sprintf("Ignoring memory block %#x - %#x", base, end))
			b.lose(base, end, result.ReasonSubPage, "smaller than the distance to the next page boundary, so the whole block is ignored (early_init_dt_add_memory_arch)")
			continue
		}
		if base&(page-1) != 0 {
			size -= page - (base & (page - 1))
			b.lose(base, alignUp(base, page), result.ReasonSubPage, "the bank does not start on a page boundary; the partial page is dropped (early_init_dt_add_memory_arch)")
			base = alignUp(base, page)
		}
		if size&(page-1) != 0 {
			b.lose(base+size&^(page-1), base+size, result.ReasonSubPage, "the bank does not end on a page boundary; the partial page is dropped (early_init_dt_add_memory_arch)")
			size &^= page - 1
		}
		if base > maxAddr {
			b.warn("early_init_dt_add_memory_arch", fmt.Sprintf("Ignoring memory block %#x - %#x", base, base+size))
			b.lose(base, base+size, result.ReasonBeyondLinear, "above PHYS_OFFSET + the linear region size (MAX_MEMBLOCK_ADDR), so never added (early_init_dt_add_memory_arch)")
			continue
		}
		if base+size-1 > maxAddr {
			b.warn("early_init_dt_add_memory_arch", fmt.Sprintf("Ignoring memory range %#x - %#x", maxAddr+1, base+size))
			b.lose(maxAddr+1, base+size, result.ReasonBeyondLinear, "above PHYS_OFFSET + the linear region size (MAX_MEMBLOCK_ADDR), so never added (early_init_dt_add_memory_arch)")
			size = maxAddr - base + 1
		}
		if base+size < minAddr {
			b.warn("early_init_dt_add_memory_arch", fmt.Sprintf("Ignoring memory block %#x - %#x", base, base+size))
			b.lose(base, base+size, result.ReasonBelowPhysOffset, "entirely below PHYS_OFFSET (the kernel load address − TEXT_OFFSET), so never added (early_init_dt_add_memory_arch)")
			continue
		}
		if base < minAddr {
			b.warn("early_init_dt_add_memory_arch", fmt.Sprintf("Ignoring memory range %#x - %#x", base, minAddr))
			b.lose(base, minAddr, result.ReasonBelowPhysOffset, "below PHYS_OFFSET (the kernel load address − TEXT_OFFSET): memory there cannot be reached through the linear map (early_init_dt_add_memory_arch)")
			size -= minAddr - base
			base = minAddr
		}
		if size == 0 {
			continue
		}
		b.MB.Memory.Add(base, size, memblock.NoNode, 0)
		b.memblockStep("early_init_dt_add_memory_arch", fmt.Sprintf("memblock_add [%#x-%#x) from %s", base, base+size, bankName(m)), base, size)
		if m.Hotplug {
			b.MB.Memory.SetFlag(base, size, memblock.Hotplug, true)
		}
	}
}

func bankName(m layout.Bank) string {
	if m.Name != "" {
		return m.Name
	}
	return fmt.Sprintf("memory@%x", uint64(m.Base))
}

// removeMemory is memblock_remove with loss accounting.
func (b *Boot) removeMemory(fn string, base, end uint64, reason, detail string) {
	if end <= base {
		return
	}
	for _, r := range b.MB.Memory.Regions {
		lo, hi := max(r.Base, base), min(r.End(), end)
		if lo < hi {
			b.lose(lo, hi, reason, detail)
		}
	}
	b.MB.Memory.Remove(base, end-base)
	b.memblockStep(fn, fmt.Sprintf("memblock_remove [%#x-%#x): %s", base, end, reason), base, end-base)
}

// reserveDTB and the reserved-memory nodes, as early_init_fdt_scan_reserved_mem
// does. noMapRemoves selects memblock_remove (≤ v5.10) over marking NOMAP;
// firstRegOnly ignores all but a node's first <base size> pair (v7.2).
func (b *Boot) scanReservedMem(noMapRemoves, firstRegOnly bool) {
	if d := b.L.DTB; d != nil {
		b.MB.Reserved.Add(uint64(d.Base), uint64(d.Size), memblock.NoNode, 0)
		b.memblockStep("early_init_fdt_reserve_self", fmt.Sprintf("memblock_reserve the DTB [%#x-%#x)", uint64(d.Base), uint64(d.Base+d.Size)), uint64(d.Base), uint64(d.Size))
	}
	pairs := map[string]int{}
	for _, r := range b.L.Reserved {
		if r.Name != "" {
			pairs[r.Name] = max(pairs[r.Name], r.RegIndex+1)
		}
	}
	for _, r := range b.L.Reserved {
		base, size := uint64(r.Base), uint64(r.Size)
		name := r.Name
		if name == "" {
			name = fmt.Sprintf("reserved@%x", base)
		}
		if firstRegOnly && pairs[r.Name] > 1 {
			if r.RegIndex == 0 {
				b.warn("__reserved_mem_reserve_reg", fmt.Sprintf("Reserved memory: node '%s' has %d <base size> entries, only the first is used", name, pairs[r.Name]))
			} else {
				b.info(fmt.Sprintf("reserved-memory %s pair %d [%#x-%#x) is ignored: neither reserved nor NOMAP", name, r.RegIndex, base, base+size))
				continue
			}
		}
		if !r.NoMap {
			b.MB.Reserved.Add(base, size, memblock.NoNode, 0)
			b.memblockStep("early_init_dt_reserve_memory", fmt.Sprintf("memblock_reserve %s [%#x-%#x)", name, base, base+size), base, size)
			continue
		}
		if noMapRemoves {
			b.removeMemory("early_init_dt_reserve_memory", base, base+size, result.ReasonNoMap,
				fmt.Sprintf("reserved-memory %q has no-map, so it is memblock_remove()d and never mapped (early_init_dt_reserve_memory)", name))
			continue
		}
		if b.MB.IsMemory(base, size) && b.MB.IsReserved(base, size) {
			// memblock_mark_nomap refuses memory that is already reserved.
			b.warn("__reserved_mem_reserve_reg", fmt.Sprintf("Reserved memory: failed to reserve memory for node '%s': base %#x, size %d MiB", name, base, size>>20))
			continue
		}
		b.MB.Memory.SetFlag(base, size, memblock.NoMap, true)
		b.memblockStep("early_init_dt_reserve_memory", fmt.Sprintf("memblock_mark_nomap %s [%#x-%#x)", name, base, base+size), base, size)
	}
}

// allocTables is early_pgtable_alloc: one page at a time, top down, below
// memblock.current_limit.
func (b *Boot) allocTables(policy memblock.AllocPolicy) pgtable.AllocFunc {
	return func(n uint64) ([]pgtable.Run, string) {
		return b.MB.AllocPages(n, b.page(), 0, policy), ""
	}
}

func alignUp(x, a uint64) uint64   { return (x + a - 1) &^ (a - 1) }
func alignDown(x, a uint64) uint64 { return x &^ (a - 1) }
