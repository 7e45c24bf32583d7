package kernel

import (
	"fmt"

	"linmap/sim/memblock"
	"linmap/sim/pgtable"
	"linmap/sim/result"
)

// V7_2 (Debian 7.2.13; Ard Biesheuvel's "Unmap linear alias of kernel
// data/bss" series): map_mem() maps the early KFENCE pool first (pages,
// never NOMAP), then the kernel alias [_text, __init_begin) and data/bss
// [__init_end, __bss_stop) with the loop's own flags, then every memblock
// region; the loop walks those ranges again, where the walker keeps
// existing tables and non-contiguous entries. /reserved-memory nodes use
// only their first <base size> pair.
var V7_2 = V6_18.with(func(m *Modern) {
	m.Rules = pgtable.Preserve{}
	m.FirstRegOnly = true
	m.MapMem = mapMemKernelFirst
})

// mapMemKernelFirst is v7.2's map_mem().
func mapMemKernelFirst(r *Modern, b *Boot) {
	c := b.Cfg
	kfenceEarly := false
	if c.KFENCE && c.KFENCESampleInterval != 0 {
		size := (c.KFENCENumObjects + 1) * 2 * b.page()
		pool, ok := b.MB.Alloc(size, b.page(), 0, memblock.AllocPolicy{SkipNoMap: true, SkipHotplug: c.MovableNode})
		if !ok {
			b.warn("arm64_kfence_map_pool", "failed to allocate kfence pool")
		} else {
			b.memblockStep("arm64_kfence_map_pool", fmt.Sprintf("KFENCE pool [%#x-%#x) allocated; it is mapped at once, with pages", pool, pool+size), pool, size)
			if !b.mapRange("arm64_kfence_map_pool", pool, size, "RW NX", result.PurposeKFENCEPool, pgtable.NoBlockMappings|pgtable.NoContMappings,
				"the KFENCE pool is mapped with pages so KFENCE can protect single pages (arm64_kfence_map_pool(), NO_BLOCK_MAPPINGS)") {
				return
			}
			kfenceEarly = true
		}
	}
	flags, why := r.Flags(b, kfenceEarly)
	if !b.mapRange("__map_memblock", c.Text, c.InitBegin-c.Text, "RW NX", result.PurposeKernelAlias, flags, why) ||
		!b.mapRange("__map_memblock", c.InitEnd, c.BssStop-c.InitEnd, "RW NX", result.PurposeKernelData, flags, why) {
		return
	}
	regions := append([]memblock.Region(nil), b.MB.Memory.Regions...)
	for _, reg := range regions {
		// No stop condition; only NOMAP is skipped.
		if reg.Flags&memblock.NoMap != 0 {
			continue
		}
		if !b.mapRange("__map_memblock", reg.Base, reg.Size, "RW NX", result.PurposeLinear, flags, why) {
			return
		}
	}
	// Permissions only, after map_mem(): no table changes.
	b.protect("mark_linear_text_alias_ro", c.Text, c.InitBegin, "the kernel alias [_text, __init_begin) becomes read-only")
	if c.RodataEnabled {
		b.protect("mark_rodata_ro", c.InitEnd, c.BssStop, "the data/bss alias [__init_end, __bss_stop) becomes read-only")
	}
}

// protect makes the linear alias of [pa, end) read-only.
func (b *Boot) protect(fn string, pa, end uint64, text string) {
	if end <= pa {
		return
	}
	b.PT.Protect(b.phys2virt(pa), end-pa, "ro NX")
	b.step(result.Step{Kind: result.StepInfo, Func: fn, PA: b.ap(pa), Size: b.ap(end - pa), Text: fmt.Sprintf("%s: %s [%#x-%#x)", fn, text, pa, end)})
}
