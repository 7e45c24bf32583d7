package kernel

import "linmap/sim/pgtable"

// canSetDirectMap is can_set_direct_map(): rodata=full, debug_pagealloc,
// KFENCE without an early pool, or (from v6.14) a realm guest all need the
// linear map changeable page by page. It also says which.
func canSetDirectMap(b *Boot, kfenceEarly bool, realm bool) (bool, string) {
	c := b.Cfg
	switch {
	case c.DebugPagealloc:
		return true, whyDebugPagealloc
	case c.RodataFull:
		return true, whyRodataFull
	case c.KFENCE && !kfenceEarly:
		return true, "KFENCE without an early pool (kfence.sample_interval=0 at boot, or the pool could not be allocated) may later unmap any page, so no block mappings (map_mem(), arm64_kfence_can_set_direct_map())"
	case realm && b.L.CPU.Realm:
		return true, "a realm guest shares pages with its host by changing their attributes one by one (is_realm_world()), so no block mappings (map_mem(), can_set_direct_map())"
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

// V6_1 (K6.1, Debian 6.1 config): the early KFENCE pool is taken top-down
// and mapped with pages so the rest may use blocks; crashkernel= forces
// pages for the whole map only with ZONE_DMA/DMA32 (else the crash kernel
// is reserved early and page-mapped).
var V6_1 = V5_15.with(func(m *Modern) {
	m.EarlyKFENCE = true
	m.Crash = crashDeferredOrNomap
	m.Flags = func(b *Boot, kfenceEarly bool) (pgtable.Flags, string) {
		return pagesIf(canSetDirectMap(b, kfenceEarly, false))
	}
})
