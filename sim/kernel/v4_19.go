package kernel

import (
	"linmap/sim/geom"
	"linmap/sim/pgtable"
)

// V4_19 (K4.19): contiguous hints; the alias [_text, __init_begin) and the
// crash kernel are marked NOMAP during the loop and mapped afterwards (the
// alias without contiguous bits, the crash kernel with pages); memory above
// PHYS_MASK_SHIFT is removed; memstart_addr moves up when memory does not
// fit; mem= keeps NOMAP regions; the initrd is added back.
var V4_19 = V4_6.with(func(m *Modern) {
	m.MemstartAlign = func(geom.Geometry) uint64 { return 1 << 30 } // SECTION_SIZE_BITS 30 with vmemmap
	m.LiteralBottom = false
	m.RemoveAbovePA = true
	m.MemLimitMap = true
	m.InitrdAddBack = true
	m.KASLR = kaslrSpan
	m.ThreeWay, m.AliasToEtext, m.AliasFromText = false, false, true
	m.Crash = crashEarlyNomap
	m.Flags = func(b *Boot, _ bool) (pgtable.Flags, string) {
		if b.Cfg.DebugPagealloc {
			return pgtable.NoBlockMappings | pgtable.NoContMappings, whyDebugPagealloc
		}
		return 0, ""
	}
})
