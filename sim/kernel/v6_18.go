package kernel

import "linmap/sim/pgtable"

// forcePTEMapping is force_pte_mapping() (v6.18+): debug_pagealloc always
// forces pages; a boot CPU with BBML2_NOABORT can split blocks later, so
// nothing else does; otherwise rodata=full, KFENCE without an early pool
// and a realm guest do.
func forcePTEMapping(b *Boot, kfenceEarly bool) (pgtable.Flags, string) {
	if b.Cfg.DebugPagealloc {
		return pgtable.NoBlockMappings | pgtable.NoContMappings, whyDebugPagealloc
	}
	need, why := canSetDirectMap(b, kfenceEarly, true)
	if !need {
		return 0, ""
	}
	if b.L.CPU.BBML2NoAbort {
		b.info("BBML2_NOABORT: the linear map keeps block mappings; they are split to pages only where permissions change later (linear_map_requires_bbml2)")
		return 0, ""
	}
	return pgtable.NoBlockMappings | pgtable.NoContMappings, why + "; this CPU lacks BBML2_NOABORT, so blocks could not be split later (force_pte_mapping())"
}

// V6_18 (K6.18): no linear-map randomisation (removed in v6.16); rodata=on
// means full (rodata=noalias is the old "on"); on CPUs with BBML2_NOABORT
// the linear map keeps blocks and contiguous hints even with rodata=full
// (force_pte_mapping()), splitting them later as needed; realm guests
// force pages too; upstream 6.18 no longer rounds loop ranges inward.
var V6_18 = V6_12.with(func(m *Modern) {
	m.KASLR = kaslrNone
	m.RoundInward = false
	m.Parse.Rodata = RodataOnNoaliasOff
	m.Flags = forcePTEMapping
})
