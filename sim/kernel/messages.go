package kernel

import (
	"linmap/sim/geom"
	"linmap/sim/pgtable"
)

// MessagesV318 are v3.18's: early_alloc's memblock panic, and the BUG_ON in
// alloc_init_pte() when a PTE table is needed under one of head.S's sections.
var MessagesV318 = Messages{
	AllocFail: allocFailPre54(false),
	Sites: func(check pgtable.Check, level int) Site {
		if check == pgtable.CheckTableUnderLeaf {
			return Site{Func: "alloc_init_pte", Expr: "BUG_ON(pmd_bad(*pmd))"}
		}
		return Site{Func: "alloc_init_pmd", Expr: "unexpected entry"}
	},
}

// fixmapSites are the walker's checks from v4.8 to v6.18 (line numbers
// move from release to release, so none are given).
func fixmapSites(check pgtable.Check, level int) Site {
	switch check {
	case pgtable.CheckTableUnderLeaf:
		if level == geom.LevelPUD {
			return Site{Func: "alloc_init_cont_pmd", Expr: "BUG_ON(pud_sect(pud))"}
		}
		return Site{Func: "alloc_init_cont_pte", Expr: "BUG_ON(pmd_sect(pmd))"}
	case pgtable.CheckAttrChange:
		return Site{Func: pgtable.LevelFunc(level), Expr: "BUG_ON(!pgattr_change_is_safe(old, new))"}
	}
	return Site{Func: pgtable.LevelFunc(level), Expr: "WARN_ON"}
}

// MessagesV46 are v4.6's (memblock_alloc_base's panic with plain %llx).
var MessagesV46 = Messages{AllocFail: allocFailPre54(false), Sites: fixmapSites}

// MessagesV419 are v4.19's (the panic prints both numbers with %pa).
var MessagesV419 = Messages{AllocFail: allocFailPre54(true), Sites: fixmapSites}

// MessagesV54 are v5.4 to v6.18's: early_pgtable_alloc panics itself.
var MessagesV54 = Messages{AllocFail: allocFailPageTable, Sites: fixmapSites}

// MessagesV72 are Debian 7.2.13's, with the mmu.c lines of that source.
var MessagesV72 = Messages{
	AllocFail: allocFailPageTable,
	Sites: func(check pgtable.Check, level int) Site {
		switch check {
		case pgtable.CheckTableUnderLeaf:
			if level == geom.LevelPUD {
				return Site{Line: 317, Func: "alloc_init_cont_pmd", Expr: "BUG_ON(pud_leaf(pud))"}
			}
			return Site{Line: 205, Func: "alloc_init_cont_pte", Expr: "BUG_ON(pmd_leaf(pmd))"}
		case pgtable.CheckSetHuge:
			if level == geom.LevelPUD {
				return Site{Line: 403, Func: "alloc_init_pud", Expr: "WARN_ON(!pud_set_huge(pudp, phys, prot))"}
			}
			return Site{Line: 267, Func: "init_pmd", Expr: "WARN_ON(!pmd_set_huge(pmdp, phys, prot))"}
		case pgtable.CheckAttrChange:
			switch level {
			case geom.LevelPTE:
				return Site{Line: 177, Func: "init_pte", Expr: "BUG_ON(!pgattr_change_is_safe(pte_val(old_pte), pte_val(__ptep_get(ptep))))"}
			case geom.LevelPMD:
				return Site{Line: 273, Func: "init_pmd", Expr: "BUG_ON(!pgattr_change_is_safe(pmd_val(old_pmd), READ_ONCE(pmd_val(*pmdp))))"}
			}
			return Site{Line: 409, Func: "alloc_init_pud", Expr: "BUG_ON(!pgattr_change_is_safe(pud_val(old_pud), READ_ONCE(pud_val(*pudp))))"}
		}
		return Site{Func: pgtable.LevelFunc(level)}
	},
}
