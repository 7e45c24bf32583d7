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
	"linmap/sim/result"
)

// Flags are __create_pgd_mapping's flags.
type Flags uint8

const (
	NoBlockMappings Flags = 1 << iota // NO_BLOCK_MAPPINGS
	NoContMappings                    // NO_CONT_MAPPINGS
)

// Request is one __create_pgd_mapping() call: map [VA, VA+Size) onto
// [PA, PA+Size). It is passed down the walk as a value; the builder keeps
// no per-call state.
type Request struct {
	VA, PA, Size uint64
	Prot         string
	Purpose      result.Purpose
	Flags        Flags
	// FlagsWhy says why Flags forbid blocks (the kernel's condition and
	// function); it explains every leaf the flags shrink.
	FlagsWhy string
	// Cause names the call in words, for table records ("kernel alias
	// [0x40200000-0x42510000)").
	Cause string
}

// call is a Request under way: PA = offset + delta.
type call struct {
	*Request
	delta uint64
}

func (c call) pa(off uint64) uint64 { return off + c.delta }

// Events receive what the builder does, in order.
type Events interface {
	// Alloc reports count page-table pages for entries of level `level`
	// allocated at [pa, pa+count*page), highest first, for the request r;
	// mapped tells whether that memory was in the linear map at the time.
	Alloc(level int, pa uint64, count uint64, mapped bool, r *Request)
	// Leaves reports a run of leaves written.
	Leaves(l Leaf, pa uint64)
	// Free reports a table page given back (pa known) or leaked.
	Free(level int, pa uint64, leaked bool)
	// Warn reports a WARN the walk went past.
	Warn(f Fault)
}

// AllocFunc hands out n page-table pages, as memblock would for n
// successive calls; fewer pages than n means the next call failed, with
// fail as the allocator's own message (may be empty).
type AllocFunc func(n uint64) (runs []Run, fail string)

// Run is a range of pages allocated one after the other, top down.
type Run = memblock.Run

// Builder holds one kernel page-table tree (TTBR1) being built.
type Builder struct {
	G      geom.Geometry
	Rules  Rules
	Events Events
	Alloc  AllocFunc

	base   uint64     // TTBR1Base: VA of offset 0
	linear uint64     // PA = offset + linear in the linear map
	tables [5]spanSet // per level+1: offsets whose entry at that level is a table
	known  map[tableKey]uint64
	leaves leafStore
}

type tableKey struct {
	level int
	off   uint64
}

// Reserve preallocates room for about n leaf runs.
func (b *Builder) Reserve(n int) { b.leaves.l = make([]Leaf, 0, n) }

// New returns an empty tree whose linear map sends VA (offset+TTBR1Base)
// to PA offset+delta: delta = PHYS_OFFSET − (PAGE_OFFSET − TTBR1Base).
func New(g geom.Geometry, delta uint64, r Rules, ev Events, alloc AllocFunc) *Builder {
	return &Builder{G: g, Rules: r, Events: ev, Alloc: alloc, base: g.TTBR1Base(), linear: delta,
		known: map[tableKey]uint64{}}
}

// Offset converts a kernel VA to a TTBR1 offset.
func (b *Builder) Offset(va uint64) uint64 { return va - b.base }

// VA converts a TTBR1 offset back to a kernel VA.
func (b *Builder) VA(off uint64) uint64 { return off + b.base }

// tablesAt is the set of offsets whose entry at level points to a table.
func (b *Builder) tablesAt(level int) *spanSet { return &b.tables[level+1] }

// SetTable records an existing table (e.g. swapper's, built by head.S)
// for the level-`level` entry at offset off, at physical address pa.
func (b *Builder) SetTable(level int, off uint64, pa uint64) {
	s := b.G.EntrySize(level)
	off &^= s - 1
	b.tablesAt(level).add(off, off+s)
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

// Protect changes the permissions of the leaves over [va, va+size) without
// touching their geometry, as later permission updates do
// (mark_linear_text_alias_ro(), mark_rodata_ro()).
func (b *Builder) Protect(va, size uint64, prot string) {
	a, e := b.Offset(va), b.Offset(va)+size
	b.leaves.splitAt(a)
	b.leaves.splitAt(e)
	for i := b.leaves.find(a); i < len(b.leaves.l) && b.leaves.l[i].Off < e; i++ {
		b.leaves.l[i].Prot = prot
	}
}

// Map maps r.Size bytes at r.VA onto r.PA, like __create_pgd_mapping(
// swapper, phys, virt, size, prot, alloc, flags). It returns a *Fault if
// the kernel would BUG or panic.
func (b *Builder) Map(r Request) error {
	a := b.Offset(r.VA)
	c := call{&r, r.PA - a}
	return b.walk(c, b.G.Top, a, a+r.Size, "")
}

// walk maps [a, e) whose tables at `level` exist (or is the root). why,
// when set, explains why leaves below are not larger. Levels with
// contiguous hints are cut into CONT chunks first, as alloc_init_cont_pmd
// and alloc_init_cont_pte do: only whole, aligned chunks (VA and PA) get
// PTE_CONT.
func (b *Builder) walk(c call, level int, a, e uint64, why string) error {
	span := b.G.ContSpanAt(level)
	if span == 0 {
		return b.entries(c, level, a, e, false, why)
	}
	h := min(e, alignUp(a, span))
	if a < h {
		if err := b.entries(c, level, a, h, false, why); err != nil {
			return err
		}
	}
	m := e &^ (span - 1)
	if h < m {
		if err := b.contChunks(c, level, h, m, span, why); err != nil {
			return err
		}
	}
	if t := max(h, m); t < e {
		return b.entries(c, level, t, e, false, why)
	}
	return nil
}

// contChunks maps whole cont chunks [h, m): contiguous if the call allows
// it and PA is aligned too; where the era keeps non-contiguous entries, a
// chunk already holding one (or a table) is mapped without the bit.
func (b *Builder) contChunks(c call, level int, h, m, span uint64, why string) error {
	cont := c.Flags&NoContMappings == 0 && c.pa(h)%span == 0
	if !cont || !b.Rules.KeepNonCont() {
		return b.entries(c, level, h, m, cont, why)
	}
	var dirty spanSet
	for _, l := range b.leaves.overlapping(h, m) {
		if l.Level == level && !l.Cont {
			dirty.add(l.Off&^(span-1), alignUp(l.End, span))
		}
	}
	if level != geom.LevelPTE {
		for _, t := range b.tablesAt(level).overlaps(h, m) {
			dirty.add(t.A&^(span-1), alignUp(t.B, span))
		}
	}
	if len(dirty.s) == 0 {
		return b.entries(c, level, h, m, true, why)
	}
	check := "pmd_range_has_valid_noncont()"
	if level == geom.LevelPTE {
		check = "pte_range_has_valid_noncont()"
	}
	keptWhy := joinWhy(why, fmt.Sprintf("no contiguous bit: this %s chunk already holds %s entries without it, written by an earlier call, and v7.2 keeps them (%s)",
		geom.SizeName(span), geom.LeafLevelName(level), check))
	cur := h
	for _, d := range dirty.overlaps(h, m) {
		if cur < d.A {
			if err := b.entries(c, level, cur, d.A, true, why); err != nil {
				return err
			}
		}
		if err := b.entries(c, level, d.A, d.B, false, keptWhy); err != nil {
			return err
		}
		cur = d.B
	}
	if cur < m {
		return b.entries(c, level, cur, m, true, why)
	}
	return nil
}

func joinWhy(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// entries handles [a, e) at `level`: partial entries at the edges need a
// next-level table; whole entries in the middle are blocks or tables.
func (b *Builder) entries(c call, level int, a, e uint64, cont bool, why string) error {
	if level == geom.LevelPTE {
		return b.writeLeaves(c, level, a, e, cont, why)
	}
	s := b.G.EntrySize(level)
	x := a
	if x%s != 0 {
		y := min(e, alignUp(x, s))
		if err := b.partial(c, level, x, y, why); err != nil {
			return err
		}
		x = y
	}
	if m := e &^ (s - 1); x < m {
		if err := b.full(c, level, x, m, cont, why); err != nil {
			return err
		}
		x = m
	}
	if x < e {
		return b.partial(c, level, x, e, why)
	}
	return nil
}

// blockOK is the kernel's test for a block at `level` over [off, …):
// a block-capable level, block mappings allowed, and PA aligned (the VA
// ends are aligned by construction).
func (b *Builder) blockOK(c call, level int, off uint64) bool {
	return b.G.BlockLevel(level) && c.Flags&NoBlockMappings == 0 && c.pa(off)%b.G.EntrySize(level) == 0
}

// partial maps [x, y) inside one entry at `level`.
func (b *Builder) partial(c call, level int, x, y uint64, why string) error {
	s := b.G.EntrySize(level)
	ent := x &^ (s - 1)
	if err := b.ensureTable(c, level, ent); err != nil {
		return err
	}
	switch {
	case b.G.BlockLevel(level) && c.Flags&NoBlockMappings != 0:
		why = c.FlagsWhy
	case b.G.BlockLevel(level):
		why = fmt.Sprintf("the range covers only part of the %s-aligned %s entry, so it needs a %s table (%s)",
			geom.SizeName(s), geom.LeafLevelName(level), geom.LeafLevelName(level+1), LevelFunc(level)+"()")
	}
	return b.walk(c, level+1, x, y, why)
}

// LevelFunc names the kernel function that writes entries of a level.
func LevelFunc(level int) string {
	switch level {
	case geom.LevelPUD:
		return "alloc_init_pud"
	case geom.LevelPMD:
		return "init_pmd"
	case geom.LevelPTE:
		return "init_pte"
	}
	return "__create_pgd_mapping"
}

// noBlockWhy explains why whole entries at `level` over [x, …) are not
// blocks, or returns "" when that level never holds blocks anyway.
func (b *Builder) noBlockWhy(c call, level int, x uint64) string {
	s := b.G.EntrySize(level)
	switch {
	case c.Flags&NoBlockMappings != 0 && b.G.BlockLevel(level):
		return c.FlagsWhy
	case level == geom.LevelPUD && !b.G.BlockLevel(level):
		return fmt.Sprintf("%s pages have no %s PUD blocks: the kernel uses them only with 4K pages (pud_sect_supported())", b.G.PageName(), geom.SizeName(s))
	case b.G.BlockLevel(level) && c.pa(x)%s != 0:
		return fmt.Sprintf("the physical address is not %s-aligned where the virtual one is (%s)", geom.SizeName(s), LevelFunc(level)+"()")
	}
	return ""
}

// ensureTable makes the entry at `level` covering ent point to a table.
func (b *Builder) ensureTable(c call, level int, ent uint64) error {
	if b.tablesAt(level).contains(ent) {
		return nil
	}
	s := b.G.EntrySize(level)
	if err := b.tableUnderLeaf(level, ent, ent+s); err != nil {
		return err
	}
	if _, err := b.allocTables(c, level+1, 1); err != nil {
		return err
	}
	b.tablesAt(level).add(ent, ent+s)
	return nil
}

// tableUnderLeaf applies the era's rule when tables must replace the
// blocks (if any) of the entries [a, e) at `level`.
func (b *Builder) tableUnderLeaf(level int, a, e uint64) error {
	old := b.leaves.overlapping(a, e)
	if len(old) == 0 {
		return nil
	}
	switch b.Rules.TableUnderLeaf(level) {
	case ConflictSplit:
		for _, l := range old {
			b.leaves.cut(l.Off, l.End)
			l.Level, l.Cont = level+1, false
			l.Why = fmt.Sprintf("a %s block was here; a table was needed under it, so it was split into %s entries mapping the same memory (split_pmd())",
				geom.SizeName(b.G.EntrySize(level)), geom.LeafLevelName(level+1))
			b.leaves.insert(l)
			// Reported like any write: the trace then replays to the
			// final leaves without the reader re-deriving the split.
			b.Events.Leaves(l, l.Off+l.Delta)
		}
		return nil
	case ConflictReplace, ConflictLeak:
		b.leaves.cut(a, e)
		return nil
	}
	return &Fault{Check: CheckTableUnderLeaf, Level: level, VA: b.VA(old[0].Off &^ (b.G.EntrySize(level) - 1))}
}

// full maps whole entries [x, m) at `level`: blocks where the call and
// alignment allow them, else next-level tables, existing or new.
func (b *Builder) full(c call, level int, x, m uint64, cont bool, why string) error {
	blocks := b.blockOK(c, level, x)
	tableWhy := why
	if !blocks {
		if w := b.noBlockWhy(c, level, x); w != "" {
			tableWhy = w
		}
	}
	cur := x
	for _, t := range b.tablesAt(level).overlaps(x, m) {
		if cur < t.A {
			if err := b.noTable(c, level, cur, t.A, blocks, cont, why, tableWhy); err != nil {
				return err
			}
		}
		if err := b.overTable(c, level, t.A, t.B, blocks, cont, why, tableWhy); err != nil {
			return err
		}
		cur = t.B
	}
	if cur < m {
		return b.noTable(c, level, cur, m, blocks, cont, why, tableWhy)
	}
	return nil
}

// noTable maps whole entries [p, q) that hold no table.
func (b *Builder) noTable(c call, level int, p, q uint64, blocks, cont bool, why, tableWhy string) error {
	if blocks {
		return b.writeLeaves(c, level, p, q, cont, why)
	}
	return b.fresh(c, level, p, q, tableWhy)
}

// overTable maps whole entries [p, q) that hold tables already.
func (b *Builder) overTable(c call, level int, p, q uint64, blocks, cont bool, why, tableWhy string) error {
	if !blocks {
		return b.walk(c, level+1, p, q, tableWhy)
	}
	switch conflict := b.Rules.BlockOverTable(level); conflict {
	case ConflictKeep:
		keep := fmt.Sprintf("a %s table made by an earlier call is here already, and v7.2 never writes a block over a table (%s: !%s_table(old))",
			geom.LeafLevelName(level+1), LevelFunc(level)+"()", lower(geom.LeafLevelName(level)))
		return b.walk(c, level+1, p, q, keep)
	case ConflictReplace, ConflictLeak:
		b.dropTables(level, p, q, conflict)
		return b.writeLeaves(c, level, p, q, cont, why)
	}
	return &Fault{Check: CheckAttrChange, Level: level, VA: b.VA(p)}
}

// fresh maps whole entries [p, q) at `level` that hold no table: each
// gets a new next-level table, mapped in full.
func (b *Builder) fresh(c call, level int, p, q uint64, why string) error {
	s := b.G.EntrySize(level)
	if err := b.tableUnderLeaf(level, p, q); err != nil {
		return err
	}
	if !b.needsAlloc(c, level+1, p) {
		// Every new table is filled with leaves only: allocations are
		// back to back, one per entry.
		got, err := b.allocTables(c, level+1, (q-p)/s)
		b.tablesAt(level).add(p, p+got*s)
		if got > 0 {
			if werr := b.walk(c, level+1, p, p+got*s, why); werr != nil {
				return werr
			}
		}
		return err
	}
	for e := p; e < q; e += s {
		if _, err := b.allocTables(c, level+1, 1); err != nil {
			return err
		}
		b.tablesAt(level).add(e, e+s)
		if err := b.walk(c, level+1, e, e+s, why); err != nil {
			return err
		}
	}
	return nil
}

// needsAlloc reports whether mapping a whole fresh table at `level`
// allocates further tables below it.
func (b *Builder) needsAlloc(c call, level int, off uint64) bool {
	return level != geom.LevelPTE && !b.blockOK(c, level, off)
}

// allocTables allocates n tables for entries at `level`; it returns how
// many it got and a *Fault if it got fewer.
func (b *Builder) allocTables(c call, level int, n uint64) (uint64, error) {
	page := b.G.PageSize()
	var got uint64
	runs, fail := b.Alloc(n)
	for _, r := range runs {
		b.reportAlloc(c, level, r)
		got += r.Size / page
	}
	if got < n {
		return got, &Fault{Check: CheckAlloc, Level: level, Detail: fail}
	}
	return got, nil
}

// reportAlloc splits a run by whether its memory is linear mapped yet.
func (b *Builder) reportAlloc(c call, level int, r Run) {
	page := b.G.PageSize()
	cur := r.Base + r.Size // allocation goes top down
	mapped := b.Mapped(r.Base, r.Base+r.Size)
	for i := len(mapped) - 1; i >= 0; i-- {
		m := mapped[i]
		if m[1] < cur {
			b.Events.Alloc(level, m[1], (cur-m[1])/page, false, c.Request)
		}
		b.Events.Alloc(level, m[0], (m[1]-m[0])/page, true, c.Request)
		cur = m[0]
	}
	if cur > r.Base {
		b.Events.Alloc(level, r.Base, (cur-r.Base)/page, false, c.Request)
	}
}

// writeLeaves writes blocks or pages for [a, e) at `level`; live leaves
// there are rewritten as the era's rules say.
func (b *Builder) writeLeaves(c call, level int, a, e uint64, cont bool, why string) error {
	if why == "" {
		why = fmt.Sprintf("the range covers whole aligned %s entries: the largest leaf allowed here (%s)", geom.SizeName(b.G.EntrySize(level)), LevelFunc(level)+"()")
	}
	fresh := Leaf{Level: level, Cont: cont, Prot: c.Prot, Purpose: c.Purpose, Delta: c.delta, Why: why}
	cur := a
	for _, o := range b.leaves.overlapping(a, e) {
		if cur < o.Off {
			b.put(fresh, cur, o.Off)
		}
		cur = o.End
		switch b.Rules.Rewrite(o, fresh) {
		case RewriteKeep:
		case RewriteReplace:
			b.put(fresh, o.Off, o.End)
		case RewriteWarn:
			b.Events.Warn(Fault{Check: CheckSetHuge, Level: level, VA: b.VA(o.Off), Warn: true, Count: (o.End - o.Off) / b.G.EntrySize(level)})
		case RewriteBUG:
			return &Fault{Check: CheckAttrChange, Level: level, VA: b.VA(o.Off)}
		}
	}
	if cur < e {
		b.put(fresh, cur, e)
	}
	return nil
}

// put stores leaves l over [a, e) and reports them.
func (b *Builder) put(l Leaf, a, e uint64) {
	l.Off, l.End = a, e
	b.leaves.cut(a, e)
	b.leaves.insert(l)
	b.Events.Leaves(l, l.Off+l.Delta)
}

// dropTables writes blocks over the tables of entries [a, e) at `level`:
// the table pages are freed (if known) or leaked, and everything below
// them is gone.
func (b *Builder) dropTables(level int, a, e uint64, c Conflict) {
	s := b.G.EntrySize(level)
	for ent := a; ent < e; ent += s {
		pa, ok := b.known[tableKey{level, ent}]
		b.Events.Free(level+1, pa, !(c == ConflictReplace && ok))
		delete(b.known, tableKey{level, ent})
	}
	for l := level; l <= geom.LevelPTE; l++ {
		b.tablesAt(l).remove(a, e)
	}
	b.leaves.cut(a, e)
}

// TableCount returns how many table pages hold entries of `level` (the
// root excluded), from the table sets.
func (b *Builder) TableCount(level int) uint64 {
	if level == b.G.Top {
		return 0
	}
	return b.tablesAt(level-1).total() / b.G.EntrySize(level-1)
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
