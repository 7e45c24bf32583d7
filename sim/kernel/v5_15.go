package kernel

import (
	"linmap/sim/geom"
	"linmap/sim/pgtable"
)

// memstartAlign515 is ARM64_MEMSTART_ALIGN once SECTION_SIZE_BITS shrank:
// 1G for 4K and 16K pages, 512M for 64K.
func memstartAlign515(g geom.Geometry) uint64 {
	if g.PageShift == 16 {
		return 512 << 20
	}
	return 1 << 30
}

// V5_15 (K5.15): flipped VA space; linear size PAGE_END − _PAGE_OFFSET;
// "doesn't fit" warning; KASLR range from PARange; DT no-map becomes NOMAP;
// rodata=full (the default), debug_pagealloc, crashkernel= and
// CONFIG_KFENCE all force a page-granular linear map; the alias starts at
// _stext.
var V5_15 = V4_19.with(func(m *Modern) {
	m.Flipped = true
	m.MemstartAlign = memstartAlign515
	m.FitsWarning = true
	m.KASLR = kaslrPARange
	m.ReserveStext = true
	m.NoMapRemoves = false
	m.TempPGD = false
	m.AliasFromText = false
	m.Crash = crashWholeMap
	m.Parse.Rodata = RodataBoolOrFull
	m.Flags = func(b *Boot, _ bool) (pgtable.Flags, string) {
		c := b.Cfg
		switch {
		case c.DebugPagealloc:
			return pgtable.NoBlockMappings | pgtable.NoContMappings, whyDebugPagealloc
		case c.RodataFull:
			return pgtable.NoBlockMappings | pgtable.NoContMappings, whyRodataFull
		case c.KFENCE:
			return pgtable.NoBlockMappings | pgtable.NoContMappings, "CONFIG_KFENCE: KFENCE may unmap any page of the linear map, so no block mappings (map_mem())"
		}
		return 0, ""
	}
})

const whyRodataFull = "rodata=full: the permissions of any page may change later (set_memory_*()), so the linear map uses pages only (map_mem(), can_set_direct_map())"
