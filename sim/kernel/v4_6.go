package kernel

import (
	"fmt"

	"linmap/sim/geom"
	"linmap/sim/pgtable"
)

// v4.6 (K4.6): the image leaves the linear map for KIMAGE_VADDR;
// memstart_addr = round_down(start of DRAM, 1G) (512M with 64K pages);
// a temporary PGD, then map_kernel, then map_mem, all from the top of
// memory with no limit; each bank mapped in up to three calls around the
// read-only alias of [_stext, _etext); no contiguous hints.
var v4_6 = &Modern{
	ModulesSize: 128 << 20,
	MemstartAlign: func(g geom.Geometry) uint64 {
		if g.PageShift == 16 {
			return 512 << 20
		}
		return 1 << 30
	},
	LiteralBottom: true,
	KASLR:         kaslrV46,
	NoMapRemoves:  true,
	TempPGD:       true,
	MapKernel:     true,
	ThreeWay:      true,
	AliasToEtext:  true,
	Crash:         crashNone,
	Flags: func(b *Boot, _ bool) (pgtable.Flags, string) {
		f := pgtable.NoContMappings // the contiguous bit came later
		if b.Cfg.DebugPagealloc {
			return f | pgtable.NoBlockMappings, whyDebugPagealloc
		}
		return f, ""
	},
	BugLine: bugCheck,
}

var v4_6Defaults = Defaults{TextOffset: 0x80000, Stext: 0x10000, Etext: 0x700000, InitBegin: 0x900000, End: 0xc00000,
	Randomize: true, HasDebugPagealloc: true}

// allocFailOld is memblock_alloc_base()'s panic before v5.4: the max_addr
// argument printed is MEMBLOCK_ALLOC_ACCESSIBLE, i.e. 0.
func allocFailOld(page uint64, pa bool) string {
	if pa {
		return fmt.Sprintf("ERROR: Failed to allocate 0x%016x bytes below 0x%016x.", page, 0)
	}
	return fmt.Sprintf("ERROR: Failed to allocate %#x bytes below 0x0.", page)
}

// bugCheck names the BUG_ON that fired, as the kernel's "kernel BUG at
// arch/arm64/mm/mmu.c:<line>!" would point to it.
func bugCheck(check string) string {
	switch check {
	case "pmd_bad":
		return " BUG_ON(pmd_bad(*pmd)) — a PTE table is needed where a section is"
	case "pud_bad":
		return " BUG_ON(pud_sect(*pud)) — a PMD table is needed where a 1G block is"
	case "pgattr_change_is_safe":
		return " BUG_ON(!pgattr_change_is_safe(old, new)) — a live entry would change in an unsafe way"
	}
	return " " + check
}

const whyDebugPagealloc = "debug_pagealloc=on: every page must be unmappable on its own, so no block mappings (map_mem(), debug_pagealloc_enabled())"
