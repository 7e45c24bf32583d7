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
}

func (r *recorder) Alloc(level int, pa, count uint64, mapped bool) {
	r.allocs = append(r.allocs, fmt.Sprintf("L%d×%d", level, count))
}
func (r *recorder) Leaves(Leaf, uint64)    {}
func (r *recorder) Free(int, uint64, bool) { r.frees++ }

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
	return New(g, 0, Policy{}, rec, alloc), rec
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
		if err := b.Map(b.VA(c.start), c.start, c.end-c.start, "RW NX", "linear", c.flags, "test"); err != nil {
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
	b.Map(b.VA(G), G, 64*K+32*K, "RW NX", "linear", 0, "")
	b.Map(b.VA(G+96*K), G+96*K, 2048*K-96*K, "ro NX", "alias", NoContMappings, "")
	if got := strings.Join(rec.allocs, " "); got != "L1×1 L2×1 L3×1" {
		t.Errorf("tables %s: the second call must reuse the PTE table", got)
	}
	if got := leaves(b); got != "0x40000000-0x40010000:4K+C 0x40010000-0x40018000:4K 0x40018000-0x40020000:4K 0x40020000-0x40200000:4K" {
		t.Errorf("leaves %s", got)
	}
}

// A fresh table over a block is a BUG unless the era's policy says otherwise.
func TestConflictPolicies(t *testing.T) {
	const G, M = 1 << 30, 1 << 20
	b, _ := newTest(t, 12, 48)
	b.Map(b.VA(G), G, 2*M, "RW x", "boot", 0, "")
	err := b.Map(b.VA(G+M), G+M, M, "RW x", "linear", 0, "")
	if f, ok := err.(*Fatal); !ok || !strings.Contains(f.Message, "pmd_bad") {
		t.Errorf("PTEs under a section: %v, want the pmd_bad BUG", err)
	}
	b, _ = newTest(t, 12, 48)
	b.Policy.TableOverBlock[geom.LevelPMD+1] = ConflictSplit
	b.Policy.Rewrite = true
	b.Map(b.VA(G), G, 2*M, "RW x", "boot", 0, "")
	if err := b.Map(b.VA(G+M), G+M, M, "RW x", "linear", 0, ""); err != nil {
		t.Fatal(err)
	}
	if got := leaves(b); got != "0x40000000-0x40100000:4K 0x40100000-0x40200000:4K+C" {
		t.Errorf("split: %s", got)
	}
}

// With 16K pages there are no PUD blocks: a whole 64G entry becomes 32M blocks.
func TestNoPUDBlocksWith16K(t *testing.T) {
	b, _ := newTest(t, 14, 48)
	const E = 64 << 30
	if err := b.Map(b.VA(E), E, E, "RW NX", "linear", NoContMappings, ""); err != nil {
		t.Fatal(err)
	}
	l := b.Leaves()
	if len(l) != 1 || b.G.EntrySize(l[0].Level) != 32<<20 || !strings.Contains(l[0].Why, "pud_sect_supported") {
		t.Errorf("leaves %s, why %q", leaves(b), l[0].Why)
	}
}
