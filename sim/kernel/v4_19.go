package kernel

import (
	"linmap/sim/geom"
	"linmap/sim/pgtable"
)

// v4.19 (K4.19): contiguous hints; the alias [_text, __init_begin) and the
// crash kernel are marked NOMAP during the loop and mapped afterwards (the
// alias without contiguous bits, the crash kernel with pages); memory above
// PHYS_MASK_SHIFT is removed; memstart_addr moves up when memory does not
// fit; mem= keeps NOMAP regions; the initrd is added back.
var v4_19 = &Modern{
	ModulesSize:   128 << 20,
	MemstartAlign: func(geom.Geometry) uint64 { return 1 << 30 }, // SECTION_SIZE_BITS 30 with vmemmap
	RemoveAbovePA: true,
	MemLimitMap:   true,
	InitrdAddBack: true,
	KASLR:         kaslrSpan,
	NoMapRemoves:  true,
	TempPGD:       true,
	MapKernel:     true,
	AliasFromText: true,
	Crash:         crashEarlyNomap,
	Flags: func(b *Boot, _ bool) (pgtable.Flags, string) {
		if b.Cfg.DebugPagealloc {
			return pgtable.NoBlockMappings | pgtable.NoContMappings, whyDebugPagealloc
		}
		return 0, ""
	},
	BugLine: bugCheck,
}

var v4_19Defaults = Defaults{TextOffset: 0x80000, Stext: 0x10000, Etext: 0xcb0000, InitBegin: 0x1200000, End: 0x1500000,
	Randomize: true, HasDebugPagealloc: true}
