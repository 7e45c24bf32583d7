package kernel

import (
	"linmap/sim/geom"
	"linmap/sim/pgtable"
)

// V4_6 (K4.6): the image leaves the linear map for KIMAGE_VADDR;
// memstart_addr = round_down(start of DRAM, 1G) (512M with 64K pages);
// a temporary PGD, then map_kernel, then map_mem, all from the top of
// memory with no limit; each bank mapped in up to three calls around the
// read-only alias of [_stext, _etext); no contiguous hints.
var V4_6 = &Modern{
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
	Rules: pgtable.Strict{},
	Parse: CmdlineRules{Rodata: RodataBool, DebugPagealloc: true},
}

const whyDebugPagealloc = "debug_pagealloc=on: every page must be unmappable on its own, so no block mappings (map_mem(), debug_pagealloc_enabled())"
