package kernel

import "linmap/sim/pgtable"

// canSetDirectMap is can_set_direct_map(): rodata=full, debug_pagealloc,
// or KFENCE without an early pool all need the linear map in pages.
func canSetDirectMap(c Config, kfenceEarly bool) bool {
	return c.RodataFull || c.DebugPagealloc || (c.KFENCE && !kfenceEarly)
}

// v6.1 (K6.1, Debian 6.1 config): the early KFENCE pool is taken top-down
// and mapped with pages so the rest may use blocks; crashkernel= forces
// pages for the whole map only with ZONE_DMA/DMA32 (else the crash kernel
// is reserved early and page-mapped).
var v6_1 = &Modern{
	Flipped:       true,
	ModulesSize:   128 << 20,
	MemstartAlign: memstartAlign515,
	RemoveAbovePA: true,
	FitsWarning:   true,
	MemLimitMap:   true,
	InitrdAddBack: true,
	KASLR:         kaslrPARange,
	ReserveStext:  true,
	MapKernel:     true,
	EarlyKFENCE:   true,
	Crash:         crashDeferredOrNomap,
	AllocFail:     "Failed to allocate page table page",
	Flags: func(b *Boot, kfenceEarly bool) pgtable.Flags {
		if canSetDirectMap(b.Cfg, kfenceEarly) {
			return pgtable.NoBlockMappings | pgtable.NoContMappings
		}
		return 0
	},
	BugLine: bugCheck,
}

var v6_1Defaults = Defaults{Stext: 0x10000, Etext: 0xd00000, InitBegin: 0x1660000, End: 0x2010000,
	Randomize: true, RodataFullDefault: true, HasRodataFull: true, HasDebugPagealloc: true}
