package memblock

import (
	"fmt"
	"math/rand"
	"testing"
)

func regs(t *Type) string { return fmt.Sprint(t.Regions) }

func TestAddMergeRemove(t *testing.T) {
	var m Type
	m.Add(0x40000000, 0x20000000, NoNode, 0)
	m.Add(0x60000000, 0x20000000, NoNode, 0) // touches: merges
	m.Add(0x100000000, 0x1000, NoNode, 0)
	if got, want := regs(&m), "[{1073741824 1073741824 NONE -1} {4294967296 4096 NONE -1}]"; got != want {
		t.Fatalf("after adds: %s, want %s", got, want)
	}
	m.SetFlag(0x50000000, 0x1000, NoMap, true)
	if len(m.Regions) != 4 || m.Regions[1].Flags != NoMap || m.Regions[1].Base != 0x50000000 {
		t.Fatalf("mark nomap: %s", regs(&m))
	}
	m.SetFlag(0x50000000, 0x1000, NoMap, false)
	if len(m.Regions) != 2 {
		t.Fatalf("clear nomap does not re-merge: %s", regs(&m))
	}
	m.Remove(0x3ffff000, 0x2000) // straddles the start
	if m.Regions[0].Base != 0x40001000 {
		t.Fatalf("remove head: %s", regs(&m))
	}
	m.Add(0x40000000, 0x80000000, NoNode, 0) // overlaps: only the gaps are added
	if m.Total() != 0x80000000+0x1000 {
		t.Fatalf("overlapping add: total %#x, %s", m.Total(), regs(&m))
	}
}

// TestAgainstBitmap checks the range operations against a page bitmap.
func TestAgainstBitmap(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	const pages = 256
	for iter := 0; iter < 300; iter++ {
		var m Type
		var bm [pages]int8 // -1 absent, else flags
		for i := range bm {
			bm[i] = -1
		}
		for op := 0; op < 20; op++ {
			a := rng.Intn(pages)
			n := 1 + rng.Intn(pages-a)
			switch rng.Intn(3) {
			case 0:
				m.Add(uint64(a)<<12, uint64(n)<<12, NoNode, 0)
				for i := a; i < a+n; i++ {
					if bm[i] < 0 {
						bm[i] = 0
					}
				}
			case 1:
				m.Remove(uint64(a)<<12, uint64(n)<<12)
				for i := a; i < a+n; i++ {
					bm[i] = -1
				}
			case 2:
				m.SetFlag(uint64(a)<<12, uint64(n)<<12, NoMap, true)
				for i := a; i < a+n; i++ {
					if bm[i] >= 0 {
						bm[i] = int8(NoMap)
					}
				}
			}
			// Compare, and check sortedness and maximal merging.
			var want [pages]int8
			for i := range want {
				want[i] = -1
			}
			for j, r := range m.Regions {
				if j > 0 {
					p := m.Regions[j-1]
					if p.End() > r.Base || (p.End() == r.Base && p.Flags == r.Flags && p.NID == r.NID) {
						t.Fatalf("regions not sorted/merged: %s", regs(&m))
					}
				}
				for i := r.Base >> 12; i < r.End()>>12; i++ {
					want[i] = int8(r.Flags)
				}
			}
			if want != bm {
				t.Fatalf("iter %d op %d: regions %s disagree with the bitmap", iter, op, regs(&m))
			}
		}
	}
}

func TestAllocTopDown(t *testing.T) {
	var m Memblock
	m.Memory.Add(0x40000000, 0x100000, NoNode, 0)
	m.Memory.Add(0x80000000, 0x3000, NoNode, 0)
	m.Reserved.Add(0x80001000, 0x1000, NoNode, 0)
	runs := m.AllocPages(3, 0x1000, 0, AllocPolicy{})
	want := []Run{{0x80002000, 0x1000}, {0x80000000, 0x1000}, {0x400ff000, 0x1000}}
	if fmt.Sprint(runs) != fmt.Sprint(want) {
		t.Fatalf("AllocPages = %v, want %v", runs, want)
	}
	m.Limit = 0x40080000
	if runs := m.AllocPages(0x81, 0x1000, 0, AllocPolicy{}); len(runs) != 1 || runs[0].Size != 0x80000-0x1000 && runs[0].Size != 0x80000 {
		t.Fatalf("below limit: %v", runs)
	}
	if got := m.FindMaxAddr(0x80000); got != 0x40080000 {
		t.Fatalf("__find_max_addr = %#x", got)
	}
}
