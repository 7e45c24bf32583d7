package view

import (
	"math"
	"strings"
	"testing"

	"linmap/assets"
	"linmap/sim"
	"linmap/sim/layout"
)

func seedB(t *testing.T, era string) (*layout.Layout, *Game) {
	t.Helper()
	p, ok := assets.Lookup("seed-b-hypothesis2")
	if !ok {
		t.Fatal("no seed-b preset")
	}
	l, err := layout.Parse(p.Layout)
	if err != nil {
		t.Fatal(err)
	}
	l.Kernel.Era = era
	return l, New(l, sim.Run, nil)
}

func TestSceneMatchesLayoutAndResult(t *testing.T) {
	l, g := seedB(t, "v4.6")
	r, _ := g.Result()
	if r == nil || r.Fatal != nil {
		t.Fatalf("v4.6 should boot")
	}
	banks, leaves := 0, 0
	for _, it := range g.sc.pa {
		switch it.kind {
		case kBank:
			banks++
			// Hit-testing uses the same rectangles as drawing.
			x, y := (it.x0+it.x1)/2, (it.y0+it.y1)/2
			if b, ok := bankAt(g.sc.pa, y); !ok || b.idx != it.idx {
				t.Errorf("bank %d not found under its own centre (%v, %v)", it.idx, x, y)
			}
		case kLeafPA:
			leaves++
		}
	}
	if banks != len(l.Memory) || leaves != len(r.Mappings) {
		t.Errorf("scene has %d banks and %d leaves, want %d and %d", banks, leaves, len(l.Memory), len(r.Mappings))
	}
	if len(g.sc.ribbons) == 0 || len(g.sc.va) == 0 {
		t.Errorf("no ribbons or virtual items")
	}
	// Banks are ordered by address from top to bottom and do not overlap.
	prev := math.Inf(-1)
	for _, it := range g.sc.pa {
		if it.kind == kBank {
			if it.y0 < prev {
				t.Errorf("bank %d starts above the previous bank's end", it.idx)
			}
			prev = it.y1
		}
	}
}

func TestTooltipsExplain(t *testing.T) {
	l, g := seedB(t, "v4.6")
	r, _ := g.Result()
	found := false
	for i, m := range r.Mappings {
		lines := mappingLines(l, r, i)
		if !strings.Contains(strings.Join(lines, "\n"), "VA 0x") {
			t.Errorf("mapping %d tooltip lacks its VA: %v", i, lines)
		}
		if m.Level == "PTE" {
			found = true
			if !strings.Contains(strings.Join(lines, "\n"), "page-mapped") {
				t.Errorf("page mapping %d does not say why: %v", i, lines)
			}
		}
	}
	if !found {
		t.Log("no page-level mapping in this layout")
	}
	bank := tooltip(l, r, item{kind: kBank, idx: 2})
	if !strings.Contains(bank[1], "0x8000_0000") {
		t.Errorf("bank tooltip %v", bank)
	}
}

func TestPanicOnV318(t *testing.T) {
	_, g := seedB(t, "v3.18")
	r, err := g.Result()
	if err != nil || r == nil || r.Fatal == nil {
		t.Fatalf("no fatal outcome on v3.18: %v", err)
	}
	snap := g.Snapshot()
	if snap.Result.Fatal.Message != r.Fatal.Message {
		t.Errorf("snapshot and game disagree")
	}
}

func TestOffset(t *testing.T) {
	for _, c := range []struct{ base, a, b, want uint64 }{
		{0x1000, 0x5000, 0x7000, 0x3000},
		{0x1000, 0x7000, 0x5000, 0},
		{0x4000, 0x7000, 0x5000, 0x2000},
		{math.MaxUint64 - 10, 0, 100, math.MaxUint64},
	} {
		if got := offset(c.base, c.a, c.b); got != c.want {
			t.Errorf("offset(%#x, %#x, %#x) = %#x, want %#x", c.base, c.a, c.b, got, c.want)
		}
	}
}
