package kernel

import "linmap/sim/pgtable"

// v6.12 (K6.12, Debian 6.12 config): LPA2 (52-bit VA with 4K/16K pages,
// folded at run time on CPUs without it); the image is mapped by early
// code before paging_init, so map_mem's tables are the first allocated;
// modules take 2G; the alias starts at _text again; crashkernel= no longer
// touches map_mem (the crash kernel is reserved after it).
var v6_12 = &Modern{
	Flipped:       true,
	ModulesSize:   2 << 30,
	MemstartAlign: memstartAlign515,
	RemoveAbovePA: true,
	FitsWarning:   true,
	MemLimitMap:   true,
	InitrdAddBack: true,
	KASLR:         kaslrPARange,
	AliasFromText: true,
	EarlyKFENCE:   true,
	Crash:         crashNone,
	AllocFail:     "Failed to allocate page table page",
	Flags: func(b *Boot, kfenceEarly bool) (pgtable.Flags, string) {
		return pagesIf(canSetDirectMap(b.Cfg, kfenceEarly))
	},
	BugLine: bugCheck,
}

// v6.12 image offsets are Debian 6.12's (4K); 16K and 64K builds have a
// larger __init_begin and _end (see imageDefaults).
var v6_12Defaults = Defaults{Stext: 0x10000, Etext: 0xf50000, InitBegin: 0x1d00000, End: 0x2b30000,
	KFENCE: true, Randomize: true, RodataFullDefault: true, HasRodataFull: true, HasDebugPagealloc: true}
