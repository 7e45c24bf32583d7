// Package pgtable builds arm64 kernel translation tables the way
// __create_pgd_mapping() and its per-level helpers do, on ranges: a run of
// fresh entries that all become blocks, or all get tables mapped the same
// way, is handled at once. Cost grows with the number of tables at the
// second-to-last level and with the number of mapping calls, never with
// the number of pages mapped.
package pgtable

import (
	"fmt"

	"linmap/sim/geom"
	"linmap/sim/memblock"
)

// Flags are __create_pgd_mapping's flags.
type Flags uint8

const (
	NoBlockMappings Flags = 1 << iota // NO_BLOCK_MAPPINGS
	NoContMappings                    // NO_CONT_MAPPINGS
)

// Conflict says what an era's code does when a mapping meets an existing
// entry of the wrong kind.
type Conflict uint8

const (
	// ConflictBUG: a BUG_ON fires (pmd_bad/pmd_sect/pgattr_change_is_safe).
	ConflictBUG Conflict = iota
	// ConflictReplace: the old entry is overwritten; an old table page is
	// freed back to memblock if its address is known (v3.18's 1G blocks
	// over swapper's PMD table), an old block is discarded (v3.18's fresh
	// PMD table where a 1G block was).
	ConflictReplace
	// ConflictLeak: the old table is overwritten and its page leaked
	// (v3.18 sections over a PTE table).
	ConflictLeak
	// ConflictSplit: a block is split into a table of next-level entries
	// mapping the same memory (v4.0's split_pmd/split_pud).
	ConflictSplit
)

// Policy is an era's behaviour on conflicts, per level (index = level+1).
type Policy struct {
	// TableOverBlock: a table is needed where a block is (per block level).
	TableOverBlock [5]Conflict
	// BlockOverTable: a block is written where a table is.
	BlockOverTable [5]Conflict
	// Rewrite allows rewriting live leaves (v3.18 rewrites swapper's boot
	// sections in place); otherwise pgattr_change_is_safe() rules apply.
	Rewrite bool
	// BugMessage formats the BUG text for a BUG_ON at the given check.
	BugMessage func(check string) string
}

// Events receive what the builder does, in order.
type Events interface {
	// Alloc reports count page-table pages for entries of level `level`
	// allocated at [pa, pa+count*page), highest first; mapped tells whether
	// that memory was in the linear map at the time.
	Alloc(level int, pa uint64, count uint64, mapped bool)
	// Leaves reports a run of leaves written.
	Leaves(l Leaf, pa uint64)
	// Free reports a table page given back (pa known) or leaked.
	Free(level int, pa uint64, leaked bool)
}

// AllocFunc hands out n page-table pages, as memblock would for n
// successive calls; fewer pages than n means the next call failed, with
// fail as the kernel's message (empty: Builder.AllocFailMessage).
type AllocFunc func(n uint64) (runs []Run, fail string)

// Run is a range of pages allocated one after the other, top down.
type Run = memblock.Run

// Fatal is a panic or BUG hit while building tables.
type Fatal struct{ Message string }

func (f *Fatal) Error() string { return f.Message }

// Builder holds one kernel page-table tree (TTBR1) being built.
type Builder struct {
	G      geom.Geometry
	Policy Policy
	Events Events
	Alloc  AllocFunc
	// AllocFailMessage is the kernel's message when Alloc runs dry.
	AllocFailMessage string

	base   uint64     // TTBR1Base: VA of offset 0
	linear uint64     // PA = offset + linear in the linear map
	delta  uint64     // PA = offset + delta for the current mapping call
	tables [5]spanSet // per level: offsets whose entry at that level is a table
	known  map[tableKey]uint64
	leaves leafStore

	// the current mapping call
	prot, what string
	flags      Flags
	flagsWhy   string // why the call has NO_BLOCK_MAPPINGS, if it has
	why        string // why the leaves being written are not larger
}

type tableKey struct {
	level int
	off   uint64
}

// Reserve preallocates room for about n leaf runs.
func (b *Builder) Reserve(n int) { b.leaves.l = make([]Leaf, 0, n) }

// New returns an empty tree whose linear map sends VA (offset+TTBR1Base)
// to PA offset+delta: delta = PHYS_OFFSET − (PAGE_OFFSET − TTBR1Base).
func New(g geom.Geometry, delta uint64, p Policy, ev Events, alloc AllocFunc) *Builder {
	return &Builder{G: g, Policy: p, Events: ev, Alloc: alloc, base: g.TTBR1Base(), linear: delta, delta: delta,
		known: map[tableKey]uint64{}}
}

// Offset converts a kernel VA to a TTBR1 offset.
func (b *Builder) Offset(va uint64) uint64 { return va - b.base }

// VA converts a TTBR1 offset back to a kernel VA.
func (b *Builder) VA(off uint64) uint64 { return off + b.base }

// PA is the physical address an offset maps to in the current call.
func (b *Builder) PA(off uint64) uint64 { return off + b.delta }

// SetTable records an existing table (e.g. swapper's, built by head.S)
// for the level-`level` entry at offset off, at physical address pa.
func (b *Builder) SetTable(level int, off uint64, pa uint64) {
	s := b.G.EntrySize(level)
	off &^= s - 1
	b.tables[level+1].add(off, off+s)
	b.known[tableKey{level, off}] = pa
}

// SetLeaves records existing leaves (e.g. head.S's boot sections).
func (b *Builder) SetLeaves(l Leaf) {
	b.leaves.cut(l.Off, l.End)
	b.leaves.insert(l)
}

// Leaves returns the current leaves, sorted by offset.
func (b *Builder) Leaves() []Leaf { return b.leaves.l }

// Mapped returns the parts of PA range [pa, end) that are linear mapped.
func (b *Builder) Mapped(pa, end uint64) [][2]uint64 {
	var out [][2]uint64
	for _, l := range b.leaves.overlapping(pa-b.linear, end-b.linear) {
		out = append(out, [2]uint64{l.Off + b.linear, l.End + b.linear})
	}
	return out
}

// Map maps [va, va+size) onto [pa, pa+size) with the given attributes,
// like __create_pgd_mapping(swapper, phys, virt, size, prot, alloc, flags).
// It returns a *Fatal if the kernel would panic or BUG.
//
// flagsWhy says why flags forbid blocks (the kernel's condition and
// function); it becomes the explanation of every leaf that it shrinks.
func (b *Builder) Map(va, pa, size uint64, prot, what string, flags Flags, flagsWhy string) error {
	b.prot, b.what, b.flags, b.flagsWhy, b.why = prot, what, flags, flagsWhy, ""
	a := b.Offset(va)
	b.delta = pa - a
	return b.walk(b.G.Top, a, a+size)
}

// walk maps [a, e) whose tables at `level` exist (or is the root).
// Levels with contiguous hints are cut into CONT chunks first, as
// alloc_init_cont_pmd/alloc_init_cont_pte do: only whole, aligned chunks
// (VA and PA) get PTE_CONT.
func (b *Builder) walk(level int, a, e uint64) error {
	span := b.G.ContSpan(level)
	if span == 0 {
		return b.entries(level, a, e, false)
	}
	h := min(e, alignUp(a, span))
	if a < h {
		if err := b.entries(level, a, h, false); err != nil {
			return err
		}
	}
	m := e &^ (span - 1)
	if h < m {
		cont := b.flags&NoContMappings == 0 && b.PA(h)%span == 0
		if err := b.entries(level, h, m, cont); err != nil {
			return err
		}
	}
	if t := max(h, m); t < e {
		return b.entries(level, t, e, false)
	}
	return nil
}

// entries handles [a, e) at `level`: partial entries at the edges need a
// next-level table; whole entries in the middle are blocks or tables.
func (b *Builder) entries(level int, a, e uint64, cont bool) error {
	if level == geom.LevelPTE {
		return b.writeLeaves(level, a, e, cont)
	}
	s := b.G.EntrySize(level)
	x := a
	if x%s != 0 {
		y := min(e, alignUp(x, s))
		if err := b.partial(level, x, y); err != nil {
			return err
		}
		x = y
	}
	if m := e &^ (s - 1); x < m {
		if err := b.full(level, x, m, cont); err != nil {
			return err
		}
		x = m
	}
	if x < e {
		return b.partial(level, x, e)
	}
	return nil
}

// blockOK is the kernel's test for a block at `level` over [off, …):
// a block-capable level, block mappings allowed, and PA aligned (the VA
// ends are aligned by construction).
func (b *Builder) blockOK(level int, off uint64) bool {
	return b.G.BlockLevel(level) && b.flags&NoBlockMappings == 0 && b.PA(off)%b.G.EntrySize(level) == 0
}

// partial maps [x, y) inside one entry at `level`.
func (b *Builder) partial(level int, x, y uint64) error {
	s := b.G.EntrySize(level)
	ent := x &^ (s - 1)
	if err := b.ensureTable(level, ent); err != nil {
		return err
	}
	switch {
	case b.G.BlockLevel(level) && b.flags&NoBlockMappings != 0:
		defer b.setWhy(b.flagsWhy)()
	case b.G.BlockLevel(level):
		defer b.setWhy(fmt.Sprintf("the range covers only part of the %s-aligned %s entry, so it needs a %s table (%s)",
			geom.SizeName(s), geom.LeafLevelName(level), geom.LeafLevelName(level+1), levelFunc(level)))()
	}
	return b.walk(level+1, x, y)
}

// setWhy sets the explanation for leaves written below this point and
// returns the function restoring the outer one.
func (b *Builder) setWhy(w string) func() {
	old := b.why
	b.why = w
	return func() { b.why = old }
}

// levelFunc names the kernel function that writes entries of a level.
func levelFunc(level int) string {
	switch level {
	case geom.LevelPUD:
		return "alloc_init_pud()"
	case geom.LevelPMD:
		return "init_pmd()"
	case geom.LevelPTE:
		return "init_pte()"
	}
	return "__create_pgd_mapping()"
}

// noBlockWhy explains why whole entries at `level` over [x, …) are not
// blocks, or returns "" when that level never holds blocks anyway.
func (b *Builder) noBlockWhy(level int, x uint64) string {
	s := b.G.EntrySize(level)
	switch {
	case b.flags&NoBlockMappings != 0 && b.G.BlockLevel(level):
		return b.flagsWhy
	case level == geom.LevelPUD && !b.G.BlockLevel(level):
		return fmt.Sprintf("%s pages have no %s PUD blocks: the kernel uses them only with 4K pages (pud_sect_supported())", b.G.PageName(), geom.SizeName(s))
	case b.G.BlockLevel(level) && b.PA(x)%s != 0:
		return fmt.Sprintf("the physical address is not %s-aligned where the virtual one is (%s)", geom.SizeName(s), levelFunc(level))
	}
	return ""
}

// ensureTable makes the entry at `level` covering ent point to a table.
func (b *Builder) ensureTable(level int, ent uint64) error {
	if b.tables[level+1].contains(ent) {
		return nil
	}
	s := b.G.EntrySize(level)
	if err := b.tableOverBlock(level, ent, ent+s); err != nil {
		return err
	}
	if err := b.allocTables(level+1, 1); err != nil {
		return err
	}
	b.tables[level+1].add(ent, ent+s)
	return nil
}

// tableOverBlock applies the era's rule when tables must replace the
// blocks (if any) of the entries [a, e) at `level`.
func (b *Builder) tableOverBlock(level int, a, e uint64) error {
	if len(b.leaves.overlapping(a, e)) == 0 {
		return nil
	}
	switch b.Policy.TableOverBlock[level+1] {
	case ConflictSplit:
		for _, l := range b.leaves.overlapping(a, e) {
			b.leaves.cut(l.Off, l.End)
			l.Level, l.Cont = level+1, false
			b.leaves.insert(l)
		}
		return nil
	case ConflictReplace, ConflictLeak:
		b.leaves.cut(a, e)
		return nil
	}
	check := fmt.Sprintf("%s_bad", lower(geom.LeafLevelName(level)))
	if level == geom.LevelPMD {
		check = "pmd_bad"
	}
	return &Fatal{b.bug(check)}
}

// full maps whole entries [x, m) at `level`.
func (b *Builder) full(level int, x, m uint64, cont bool) error {
	if b.blockOK(level, x) {
		return b.writeLeaves(level, x, m, cont)
	}
	if w := b.noBlockWhy(level, x); w != "" {
		defer b.setWhy(w)()
	}
	// Split by what the entries hold now: tables, blocks, or nothing.
	cur := x
	for _, t := range b.tables[level+1].overlaps(x, m) {
		if cur < t.A {
			if err := b.fresh(level, cur, t.A); err != nil {
				return err
			}
		}
		if err := b.walk(level+1, t.A, t.B); err != nil {
			return err
		}
		cur = t.B
	}
	if cur < m {
		return b.fresh(level, cur, m)
	}
	return nil
}

// fresh maps whole entries [p, q) at `level` that hold no table: each
// gets a new next-level table, mapped in full.
func (b *Builder) fresh(level int, p, q uint64) error {
	s := b.G.EntrySize(level)
	if err := b.tableOverBlock(level, p, q); err != nil {
		return err
	}
	if !b.needsAlloc(level+1, p) {
		// Every new table is filled with leaves only: allocations are
		// back to back, one per entry.
		n := (q - p) / s
		got, err := b.allocTablesUpTo(level+1, n)
		b.tables[level+1].add(p, p+got*s)
		if got > 0 {
			if werr := b.walk(level+1, p, p+got*s); werr != nil {
				return werr
			}
		}
		return err
	}
	for e := p; e < q; e += s {
		if err := b.allocTables(level+1, 1); err != nil {
			return err
		}
		b.tables[level+1].add(e, e+s)
		if err := b.walk(level+1, e, e+s); err != nil {
			return err
		}
	}
	return nil
}

// needsAlloc reports whether mapping a whole fresh table at `level`
// allocates further tables below it.
func (b *Builder) needsAlloc(level int, off uint64) bool {
	return level != geom.LevelPTE && !b.blockOK(level, off)
}

func (b *Builder) allocTables(level int, n uint64) error {
	_, err := b.allocTablesUpTo(level, n)
	return err
}

// allocTablesUpTo allocates n tables for entries at `level`; it returns how
// many it got and a *Fatal if it got fewer.
func (b *Builder) allocTablesUpTo(level int, n uint64) (uint64, error) {
	page := b.G.PageSize()
	var got uint64
	runs, fail := b.Alloc(n)
	for _, r := range runs {
		b.reportAlloc(level, r)
		got += r.Size / page
	}
	if got < n {
		if fail == "" {
			fail = b.AllocFailMessage
		}
		return got, &Fatal{fail}
	}
	return got, nil
}

// reportAlloc splits a run by whether its memory is linear mapped yet.
func (b *Builder) reportAlloc(level int, r Run) {
	page := b.G.PageSize()
	cur := r.Base + r.Size // allocation goes top down
	mapped := b.Mapped(r.Base, r.Base+r.Size)
	for i := len(mapped) - 1; i >= 0; i-- {
		m := mapped[i]
		if m[1] < cur {
			b.Events.Alloc(level, m[1], (cur-m[1])/page, false)
		}
		b.Events.Alloc(level, m[0], (m[1]-m[0])/page, true)
		cur = m[0]
	}
	if cur > r.Base {
		b.Events.Alloc(level, r.Base, (cur-r.Base)/page, false)
	}
}

// writeLeaves writes blocks or pages for [a, e) at `level`.
func (b *Builder) writeLeaves(level int, a, e uint64, cont bool) error {
	if level != geom.LevelPTE {
		// A block replaces whatever tables the entries held.
		for _, t := range b.tables[level+1].overlaps(a, e) {
			if err := b.blockOverTable(level, t.A, t.B); err != nil {
				return err
			}
		}
	}
	if old := b.leaves.overlapping(a, e); len(old) > 0 && !b.Policy.Rewrite {
		for _, o := range old {
			if o.Cont || cont || o.Level != level || o.Prot != b.prot {
				return &Fatal{b.bug("pgattr_change_is_safe")}
			}
		}
	}
	b.leaves.cut(a, e)
	why := b.why
	if why == "" {
		why = fmt.Sprintf("the range covers whole aligned %s entries: the largest leaf allowed here (%s)", geom.SizeName(b.G.EntrySize(level)), levelFunc(level))
	}
	l := Leaf{Off: a, End: e, Level: level, Cont: cont, Prot: b.prot, What: b.what, Delta: b.delta, Why: why}
	b.leaves.insert(l)
	b.Events.Leaves(l, b.PA(a))
	return nil
}

// blockOverTable applies the era's rule when blocks replace tables at
// `level` over [a, e); the leaves below become unreachable.
func (b *Builder) blockOverTable(level int, a, e uint64) error {
	s := b.G.EntrySize(level)
	c := b.Policy.BlockOverTable[level+1]
	if c == ConflictBUG {
		return &Fatal{b.bug("pgattr_change_is_safe")}
	}
	for ent := a; ent < e; ent += s {
		pa, ok := b.known[tableKey{level, ent}]
		if c == ConflictReplace && ok {
			b.Events.Free(level+1, pa, false)
		} else {
			b.Events.Free(level+1, pa, true)
		}
		delete(b.known, tableKey{level, ent})
	}
	// Everything below these entries is gone with their tables.
	for l := level + 1; l <= geom.LevelPTE; l++ {
		b.tables[l+1].remove(a, e)
	}
	b.tables[level+1].remove(a, e)
	b.leaves.cut(a, e)
	return nil
}

func (b *Builder) bug(check string) string {
	if b.Policy.BugMessage != nil {
		return b.Policy.BugMessage(check)
	}
	return "kernel BUG: " + check
}

// TableCount returns how many table pages hold entries of `level` (the
// root excluded), from the table sets.
func (b *Builder) TableCount(level int) uint64 {
	if level == b.G.Top {
		return 0
	}
	return b.tables[level].total() / b.G.EntrySize(level-1)
}

func alignUp(x, a uint64) uint64 { return (x + a - 1) &^ (a - 1) }

func lower(s string) string {
	out := []byte(s)
	for i, c := range out {
		if c >= 'A' && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return string(out)
}
