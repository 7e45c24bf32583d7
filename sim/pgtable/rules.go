package pgtable

// Conflict says what an era's walker does when a mapping meets an existing
// entry of the wrong kind.
type Conflict uint8

const (
	// ConflictBUG: a BUG_ON fires (pmd_bad, pmd_sect/pmd_leaf,
	// pgattr_change_is_safe).
	ConflictBUG Conflict = iota
	// ConflictReplace: the old entry is overwritten; an old table page is
	// freed back to memblock when its address is known (v3.18's 1G blocks
	// over swapper's PMD table), an old block is discarded (v3.18's fresh
	// PMD table where a 1G block was).
	ConflictReplace
	// ConflictLeak: the old table is overwritten and its page leaked
	// (v3.18's sections over a PTE table).
	ConflictLeak
	// ConflictSplit: a block is split into a table of next-level entries
	// mapping the same memory (v4.0's split_pmd, the reconstructed RFC).
	ConflictSplit
	// ConflictKeep: the existing table stays and the walk descends into it
	// instead of writing a block (v7.2: !pmd_table(old) / !pud_table(old)).
	ConflictKeep
)

// Check names a BUG_ON, WARN_ON or panic of the kernel's table code. The
// era turns it into the kernel's message (file, line, expression).
type Check uint8

const (
	// CheckTableUnderLeaf: a next-level table is needed where a block is
	// (BUG_ON(pmd_bad) in v3.18, pmd_sect/pud_sect from v4.8,
	// pmd_leaf/pud_leaf from v7.1).
	CheckTableUnderLeaf Check = iota + 1
	// CheckAttrChange: BUG_ON(!pgattr_change_is_safe(old, new)), a live
	// entry rewritten in a way the architecture forbids without
	// break-before-make.
	CheckAttrChange
	// CheckSetHuge: WARN_ON(!pmd_set_huge()/pud_set_huge()), v7.2's
	// refused rewrite of a live block: the entry is kept.
	CheckSetHuge
	// CheckAlloc: the page-table allocator ran dry (a panic).
	CheckAlloc
)

// Fault is a check the walk hit. A BUG or panic stops the walk and is
// returned as its error; a WARN (Warn set) is reported to Events and the
// walk goes on.
type Fault struct {
	Check  Check
	Level  int    // architectural level of the entry checked
	VA     uint64 // the entry's virtual address
	Warn   bool
	Count  uint64 // a WARN: how many entries in a row hit it
	Detail string // CheckAlloc: the allocator's own message, if any
}

func (f *Fault) Error() string {
	switch f.Check {
	case CheckTableUnderLeaf:
		return "BUG: a table is needed where a block is"
	case CheckAttrChange:
		return "BUG: unsafe change of a live entry (pgattr_change_is_safe)"
	case CheckSetHuge:
		return "WARN: a live block cannot be rewritten (pmd_set_huge/pud_set_huge)"
	}
	if f.Detail != "" {
		return f.Detail
	}
	return "page-table allocation failed"
}

// Rewrite is the outcome of writing a leaf over a live one.
type Rewrite uint8

const (
	// RewriteKeep: the write changes nothing; the leaf keeps its purpose.
	RewriteKeep Rewrite = iota
	// RewriteReplace: the entry takes the new attributes and purpose.
	RewriteReplace
	// RewriteWarn: the kernel refuses the write with a WARN; the entry stays.
	RewriteWarn
	// RewriteBUG: BUG_ON(!pgattr_change_is_safe()).
	RewriteBUG
)

// Rules are an era's walker semantics over entries that exist already:
// the conflict policy behind methods, so a new era is a new value.
type Rules interface {
	// TableUnderLeaf: entries at level hold blocks where a next-level
	// table is needed.
	TableUnderLeaf(level int) Conflict
	// BlockOverTable: entries at level hold tables where a block may go.
	BlockOverTable(level int) Conflict
	// Rewrite: new is written over the live leaf old (same range, level).
	Rewrite(old, new Leaf) Rewrite
	// KeepNonCont: a contiguous chunk that holds a valid entry without the
	// contiguous bit (or, above the last level, a table) is not made
	// contiguous (v7.2: pte_range_has_valid_noncont()).
	KeepNonCont() bool
}

// Swapper is v3.18's create_mapping() editing head.S's live tables: a 1G
// block over a table frees that table (swapper's PMD page); a PMD table
// where a 1G block was is allocated fresh; a section over a PTE table leaks
// it; a PTE table under a section is a BUG, or, with SplitSections (the
// reconstructed RFC, which maps unaligned heads), a split. Live leaves are
// rewritten without checks.
type Swapper struct{ SplitSections bool }

func (s Swapper) TableUnderLeaf(level int) Conflict {
	if level == levelPMD {
		if s.SplitSections {
			return ConflictSplit
		}
		return ConflictBUG
	}
	return ConflictReplace
}

func (Swapper) BlockOverTable(level int) Conflict {
	if level == levelPMD {
		return ConflictLeak
	}
	return ConflictReplace
}

func (Swapper) Rewrite(Leaf, Leaf) Rewrite { return RewriteReplace }
func (Swapper) KeepNonCont() bool          { return false }

// Strict is the fixmap walker from v4.8 to v7.1: a table where a block is,
// or a block where a table is, is a BUG; a live entry may change only its
// permissions, and never if it has the contiguous bit (v4.9–v7.1's
// pgattr_change_is_safe()).
type Strict struct{}

func (Strict) TableUnderLeaf(int) Conflict { return ConflictBUG }
func (Strict) BlockOverTable(int) Conflict { return ConflictBUG }
func (Strict) Rewrite(old, new Leaf) Rewrite {
	if old.Cont || new.Cont {
		return RewriteBUG
	}
	return RewriteReplace
}
func (Strict) KeepNonCont() bool { return false }

// Preserve is v7.2's walker, where map_mem()'s loop walks again over what
// the kernel alias, data/bss and the KFENCE pool mapped first: an existing
// table is never replaced by a block; a chunk holding non-contiguous
// entries stays non-contiguous; an identical rewrite is a no-op; flipping
// the contiguous bit of a live entry is a BUG for a page and a WARN (the
// block is kept) above it.
type Preserve struct{}

func (Preserve) TableUnderLeaf(int) Conflict { return ConflictBUG }
func (Preserve) BlockOverTable(int) Conflict { return ConflictKeep }
func (Preserve) Rewrite(old, new Leaf) Rewrite {
	switch {
	case old.Cont != new.Cont && old.Level == levelPTE:
		return RewriteBUG
	case old.Cont != new.Cont:
		return RewriteWarn
	case old.Prot == new.Prot:
		return RewriteKeep
	}
	return RewriteReplace
}
func (Preserve) KeepNonCont() bool { return true }

const (
	levelPMD = 2
	levelPTE = 3
)
