package pgtable

import (
	"fmt"
	"strings"
	"testing"

	"linmap/sim/geom"
)

type recorder struct {
	allocs []string
	frees  int
	warns  []Fault
}

func (r *recorder) Alloc(level int, pa, count uint64, mapped bool, _ *Request) {
	r.allocs = append(r.allocs, fmt.Sprintf("L%d×%d", level, count))
}
func (r *recorder) Leaves(Leaf, uint64)    {}
func (r *recorder) Free(int, uint64, bool) { r.frees++ }
func (r *recorder) Warn(f Fault)           { r.warns = append(r.warns, f) }

// newTest maps the linear map 1:1 from PA 0x40000000 at offset 0x40000000
// of a 4K/48 tree, with an allocator that never runs dry.
func newTest(t *testing.T, shift, va int) (*Builder, *recorder) {
	g, err := geom.New(shift, va, false)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	next := uint64(1 << 40)
	alloc := func(n uint64) ([]Run, string) {
		next -= n << g.PageShift
		return []Run{{Base: next, Size: n << g.PageShift}}, ""
	}
	return New(g, 0, Strict{}, rec, alloc), rec
}

func leaves(b *Builder) string {
	var parts []string
	for _, l := range b.Leaves() {
		c := ""
		if l.Cont {
			c = "+C"
		}
		parts = append(parts, fmt.Sprintf("%#x-%#x:%s%s", l.Off, l.End, geom.SizeName(b.G.EntrySize(l.Level)), c))
	}
	return strings.Join(parts, " ")
}

func TestBlockBoundaries(t *testing.T) {
	const G, M, K = 1 << 30, 1 << 20, 1 << 10
	for _, c := range []struct {
		name       string
		start, end uint64
		flags      Flags
		want       string
		tables     string
	}{
		{"exactly 2M", G, G + 2*M, 0, "0x40000000-0x40200000:2M", "L1×1 L2×1"},
		{"2M − 4K", G, G + 2*M - 4*K, 0, "0x40000000-0x401f0000:4K+C 0x401f0000-0x401ff000:4K", "L1×1 L2×1 L3×1"},
		{"2M + 4K", G, G + 2*M + 4*K, 0, "0x40000000-0x40200000:2M 0x40200000-0x40201000:4K", "L1×1 L2×1 L3×1"},
		{"4K past a 2M line", G + 4*K, G + 4*M, 0, "0x40001000-0x40010000:4K 0x40010000-0x40200000:4K+C 0x40200000-0x40400000:2M", "L1×1 L2×1 L3×1"},
		{"whole 1G", G, 2 * G, 0, "0x40000000-0x80000000:1G", "L1×1"},
		{"1G + 32M: cont PMD group", G, 2*G + 32*M, 0, "0x40000000-0x80000000:1G 0x80000000-0x82000000:2M+C", "L1×1 L2×1"},
		{"NO_BLOCK over 4M", G, G + 4*M, NoBlockMappings | NoContMappings, "0x40000000-0x40400000:4K", "L1×1 L2×1 L3×2"},
		{"NO_CONT keeps blocks", G, G + 64*M, NoContMappings, "0x40000000-0x44000000:2M", "L1×1 L2×1"},
	} {
		b, rec := newTest(t, 12, 48)
		if err := b.Map(Request{VA: b.VA(c.start), PA: c.start, Size: c.end - c.start, Prot: "RW NX", Purpose: "linear", Flags: c.flags, FlagsWhy: "test"}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := leaves(b); got != c.want {
			t.Errorf("%s: leaves %s, want %s", c.name, got, c.want)
		}
		if got := strings.Join(rec.allocs, " "); got != c.tables {
			t.Errorf("%s: tables %s, want %s", c.name, got, c.tables)
		}
	}
}

// Two calls sharing a 2M entry share its PTE table; a cont group split
// between them gets no contiguous bit (as the oracle's 6.1 alias shows).
func TestSecondCallReusesTable(t *testing.T) {
	b, rec := newTest(t, 12, 48)
	const G, K = 1 << 30, 1 << 10
	b.Map(Request{VA: b.VA(G), PA: G, Size: 64*K + 32*K, Prot: "RW NX", Purpose: "linear", Flags: 0, FlagsWhy: ""})
	b.Map(Request{VA: b.VA(G + 96*K), PA: G + 96*K, Size: 2048*K - 96*K, Prot: "ro NX", Purpose: "alias", Flags: NoContMappings, FlagsWhy: ""})
	if got := strings.Join(rec.allocs, " "); got != "L1×1 L2×1 L3×1" {
		t.Errorf("tables %s: the second call must reuse the PTE table", got)
	}
	if got := leaves(b); got != "0x40000000-0x40010000:4K+C 0x40010000-0x40018000:4K 0x40018000-0x40020000:4K 0x40020000-0x40200000:4K" {
		t.Errorf("leaves %s", got)
	}
}

// A fresh table over a block is a BUG unless the era's rules say otherwise.
func TestConflictPolicies(t *testing.T) {
	const G, M = 1 << 30, 1 << 20
	b, _ := newTest(t, 12, 48)
	b.Map(Request{VA: b.VA(G), PA: G, Size: 2 * M, Prot: "RW x", Purpose: "boot"})
	err := b.Map(Request{VA: b.VA(G + M), PA: G + M, Size: M, Prot: "RW x", Purpose: "linear"})
	if f, ok := err.(*Fault); !ok || f.Check != CheckTableUnderLeaf || f.Level != geom.LevelPMD || f.VA != b.VA(G) {
		t.Errorf("PTEs under a section: %v, want the table-under-leaf BUG at the PMD for %#x", err, b.VA(G))
	}
	b, _ = newTest(t, 12, 48)
	b.Rules = Swapper{SplitSections: true}
	b.Map(Request{VA: b.VA(G), PA: G, Size: 2 * M, Prot: "RW x", Purpose: "boot"})
	if err := b.Map(Request{VA: b.VA(G + M), PA: G + M, Size: M, Prot: "RW x", Purpose: "linear"}); err != nil {
		t.Fatal(err)
	}
	if got := leaves(b); got != "0x40000000-0x40100000:4K 0x40100000-0x40200000:4K+C" {
		t.Errorf("split: %s", got)
	}
}

// v7.2's walker over what earlier calls mapped (spec §8.6.5): a block is
// never written over a table, a chunk holding non-contiguous entries stays
// non-contiguous, identical rewrites keep the first call's purpose.
func TestPreserveRules(t *testing.T) {
	const G, M, K = 1 << 30, 1 << 20, 1 << 10
	b, rec := newTest(t, 12, 48)
	b.Rules = Preserve{}
	// An alias of 2M+64K at G+2M, then the whole GB.
	if err := b.Map(Request{VA: b.VA(G + 2*M), PA: G + 2*M, Size: 2*M + 64*K, Prot: "RW NX", Purpose: "kernel-alias"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Map(Request{VA: b.VA(G), PA: G, Size: G, Prot: "RW NX", Purpose: "linear"}); err != nil {
		t.Fatal(err)
	}
	got := leaves(b)
	want := "0x40000000-0x40200000:2M 0x40200000-0x40400000:2M 0x40400000-0x40410000:4K+C 0x40410000-0x40600000:4K+C " +
		"0x40600000-0x42000000:2M 0x42000000-0x80000000:2M+C"
	if got != want {
		t.Errorf("leaves\n got %s\nwant %s", got, want)
	}
	// The table at G+4M was made by the alias and reused by the loop: one
	// PUD, one PMD, one PTE table in all.
	if got := strings.Join(rec.allocs, " "); got != "L1×1 L2×1 L3×1" {
		t.Errorf("tables %s", got)
	}
	for _, l := range b.Leaves() {
		if l.Off == G+2*M && l.Purpose != "kernel-alias" {
			t.Errorf("the alias block was rewritten identically and must keep its purpose, has %q", l.Purpose)
		}
	}

	// A chunk with a plain PTE stays plain.
	b, _ = newTest(t, 12, 48)
	b.Rules = Preserve{}
	b.Map(Request{VA: b.VA(G + 60*K), PA: G + 60*K, Size: 4 * K, Prot: "RW NX", Purpose: "kernel-data"})
	b.Map(Request{VA: b.VA(G), PA: G, Size: 2*M - 4*K, Prot: "RW NX", Purpose: "linear"})
	if got := leaves(b); !strings.HasPrefix(got, "0x40000000-0x4000f000:4K 0x4000f000-0x40010000:4K 0x40010000-0x401f0000:4K+C") {
		t.Errorf("plain chunk: %s", got)
	}

	// Flipping the contiguous bit of a live page is a BUG; of a live block
	// a WARN that keeps the block.
	b, rec = newTest(t, 12, 48)
	b.Rules = Preserve{}
	b.Map(Request{VA: b.VA(G), PA: G, Size: 64 * K, Prot: "RW NX", Purpose: "kernel-alias"})
	err := b.Map(Request{VA: b.VA(G), PA: G, Size: 64 * K, Prot: "RW NX", Purpose: "linear", Flags: NoContMappings})
	if f, ok := err.(*Fault); !ok || f.Check != CheckAttrChange || f.Level != geom.LevelPTE {
		t.Errorf("cont flip of a PTE: %v, want the pgattr_change_is_safe BUG", err)
	}
	b, rec = newTest(t, 12, 48)
	b.Rules = Preserve{}
	b.Map(Request{VA: b.VA(G), PA: G, Size: 32 * M, Prot: "RW NX", Purpose: "kernel-alias"})
	if err := b.Map(Request{VA: b.VA(G), PA: G, Size: 32 * M, Prot: "RW NX", Purpose: "linear", Flags: NoContMappings}); err != nil {
		t.Fatal(err)
	}
	if len(rec.warns) != 1 || rec.warns[0].Check != CheckSetHuge || !rec.warns[0].Warn || rec.warns[0].Count != 16 {
		t.Errorf("cont flip of a block: %v, want the pmd_set_huge WARN", rec.warns)
	}
	if got := leaves(b); got != "0x40000000-0x42000000:2M+C" {
		t.Errorf("the refused rewrite must keep the block: %s", got)
	}
}

// With two levels (16K/36) the PMDs are the root: __create_pgd_mapping()
// hands each root entry down alone, so they never get the contiguous bit.
func TestNoContAtRoot(t *testing.T) {
	b, _ := newTest(t, 14, 36)
	const G = 1 << 30
	if err := b.Map(Request{VA: b.VA(G), PA: G, Size: G, Prot: "RW NX", Purpose: "linear"}); err != nil {
		t.Fatal(err)
	}
	if got := leaves(b); got != "0x40000000-0x80000000:32M" {
		t.Errorf("16K/36: %s, want 32M blocks without the contiguous bit", got)
	}
	b, _ = newTest(t, 14, 47)
	b.Map(Request{VA: b.VA(G), PA: G, Size: G, Prot: "RW NX", Purpose: "linear"})
	if got := leaves(b); got != "0x40000000-0x80000000:32M+C" {
		t.Errorf("16K/47: %s, want contiguous 32M blocks", got)
	}
}

// With 16K pages there are no PUD blocks: a whole 64G entry becomes 32M blocks.
func TestNoPUDBlocksWith16K(t *testing.T) {
	b, _ := newTest(t, 14, 48)
	const E = 64 << 30
	if err := b.Map(Request{VA: b.VA(E), PA: E, Size: E, Prot: "RW NX", Purpose: "linear", Flags: NoContMappings, FlagsWhy: ""}); err != nil {
		t.Fatal(err)
	}
	l := b.Leaves()
	if len(l) != 1 || b.G.EntrySize(l[0].Level) != 32<<20 || !strings.Contains(l[0].Why, "pud_sect_supported") {
		t.Errorf("leaves %s, why %q", leaves(b), l[0].Why)
	}
}
