package kernel

import "linmap/sim/pgtable"

// canSetDirectMap is can_set_direct_map(): rodata=full, debug_pagealloc,
// or KFENCE without an early pool all need the linear map in pages. It
// also says which.
func canSetDirectMap(c Config, kfenceEarly bool) (bool, string) {
	switch {
	case c.DebugPagealloc:
		return true, whyDebugPagealloc
	case c.RodataFull:
		return true, whyRodataFull
	case c.KFENCE && !kfenceEarly:
		return true, "KFENCE without an early pool (kfence.sample_interval=0 at boot) may later unmap any page, so no block mappings (map_mem(), arm64_kfence_can_set_direct_map())"
	}
	return false, ""
}

// pagesIf turns can_set_direct_map()'s answer into map_mem()'s flags.
func pagesIf(yes bool, why string) (pgtable.Flags, string) {
	if yes {
		return pgtable.NoBlockMappings | pgtable.NoContMappings, why
	}
	return 0, ""
}

// v6.1 (K6.1, Debian 6.1 config): the early KFENCE pool is taken top-down
// and mapped with pages so the rest may use blocks; crashkernel= forces
// pages for the whole map only with ZONE_DMA/DMA32 (else the crash kernel
// is reserved early and page-mapped).
var v6_1 = v5_15.with(func(m *Modern) {
	m.EarlyKFENCE = true
	m.Crash = crashDeferredOrNomap
	m.Flags = func(b *Boot, kfenceEarly bool) (pgtable.Flags, string) {
		return pagesIf(canSetDirectMap(b.Cfg, kfenceEarly))
	}
})

var v6_1Defaults = Defaults{Stext: 0x10000, Etext: 0xd00000, InitBegin: 0x1660000, End: 0x2010000,
	Randomize: true, RodataFullDefault: true, HasRodataFull: true, HasDebugPagealloc: true}
