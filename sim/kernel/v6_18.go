package kernel

import "linmap/sim/pgtable"

// v6.18 (K6.18): no linear-map randomisation (removed in v6.16);
// rodata=on means full (rodata=noalias is the old "on"); on CPUs with
// BBML2_NOABORT the linear map keeps blocks and contiguous hints even with
// rodata=full (force_pte_mapping()), splitting them later as needed.
var v6_18 = v6_12.with(func(m *Modern) {
	m.KASLR = kaslrNone
	m.Flags = func(b *Boot, kfenceEarly bool) (pgtable.Flags, string) {
		c := b.Cfg
		if c.DebugPagealloc {
			return pgtable.NoBlockMappings | pgtable.NoContMappings, whyDebugPagealloc
		}
		need, why := canSetDirectMap(c, kfenceEarly)
		if !need {
			return 0, ""
		}
		if b.L.CPU.BBML2NoAbort {
			b.info("BBML2_NOABORT: the linear map keeps block mappings; they are split to pages only where permissions change later (linear_map_requires_bbml2)")
			return 0, ""
		}
		return pgtable.NoBlockMappings | pgtable.NoContMappings, why + "; this CPU lacks BBML2_NOABORT, so blocks could not be split later (force_pte_mapping())"
	}
})

var v6_18Defaults = Defaults{Stext: 0x10000, Etext: 0xf50000, InitBegin: 0x1d00000, End: 0x2b30000,
	KFENCE: true, Randomize: true, RodataFullDefault: true, HasRodataFull: true, RodataOnIsFull: true, HasDebugPagealloc: true}
