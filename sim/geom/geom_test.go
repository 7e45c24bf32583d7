package geom

import "testing"

// The geometry table of shared/spec/geometry-presets.md §A1/A2.
func TestGeometryTable(t *testing.T) {
	for _, c := range []struct {
		shift, va                  int
		cpu52                      bool
		levels, actual, top        int
		pgdShift                   int
		pmdBlock, contPTE, contPMD uint64
		pudBlocks                  bool
	}{
		{12, 39, false, 3, 39, 1, 30, 2 << 20, 64 << 10, 32 << 20, true},
		{12, 48, false, 4, 48, 0, 39, 2 << 20, 64 << 10, 32 << 20, true},
		{12, 52, true, 5, 52, -1, 48, 2 << 20, 64 << 10, 32 << 20, true},
		{12, 52, false, 4, 48, 0, 39, 2 << 20, 64 << 10, 32 << 20, true}, // folded at run time
		{14, 36, false, 2, 36, 2, 25, 32 << 20, 2 << 20, 1 << 30, false},
		{14, 47, false, 3, 47, 1, 36, 32 << 20, 2 << 20, 1 << 30, false},
		{14, 48, false, 4, 48, 0, 47, 32 << 20, 2 << 20, 1 << 30, false},
		{14, 52, true, 4, 52, 0, 47, 32 << 20, 2 << 20, 1 << 30, false},
		{14, 52, false, 3, 47, 1, 36, 32 << 20, 2 << 20, 1 << 30, false}, // VA_BITS_MIN 47
		{16, 42, false, 2, 42, 2, 29, 512 << 20, 2 << 20, 16 << 30, false},
		{16, 48, false, 3, 48, 1, 42, 512 << 20, 2 << 20, 16 << 30, false},
		{16, 52, false, 3, 48, 1, 42, 512 << 20, 2 << 20, 16 << 30, false}, // TTBR1 offset, no folding
	} {
		g, err := New(c.shift, c.va, c.cpu52)
		if err != nil {
			t.Fatal(err)
		}
		if g.Levels != c.levels || g.VABitsActual != c.actual || g.Top != c.top || g.Shift(g.Top) != c.pgdShift {
			t.Errorf("%d/%d cpu52=%v: levels %d actual %d top %d pgd shift %d; want %d %d %d %d",
				c.shift, c.va, c.cpu52, g.Levels, g.VABitsActual, g.Top, g.Shift(g.Top), c.levels, c.actual, c.top, c.pgdShift)
		}
		if g.EntrySize(LevelPMD) != c.pmdBlock || g.ContSpan(LevelPTE) != c.contPTE || g.ContSpan(LevelPMD) != c.contPMD || g.BlockLevel(LevelPUD) != c.pudBlocks {
			t.Errorf("%d/%d: PMD %#x contPTE %#x contPMD %#x PUD blocks %v", c.shift, c.va,
				g.EntrySize(LevelPMD), g.ContSpan(LevelPTE), g.ContSpan(LevelPMD), g.BlockLevel(LevelPUD))
		}
		if g.TableSpan(g.Top) != 1<<g.VABitsActual || g.TTBR1Base() != -(uint64(1)<<g.VABitsActual) {
			t.Errorf("%d/%d: root span %#x, TTBR1 base %#x", c.shift, c.va, g.TableSpan(g.Top), g.TTBR1Base())
		}
	}
	if _, err := New(13, 48, false); err == nil {
		t.Error("page shift 13 accepted")
	}
}

func TestNames(t *testing.T) {
	g, _ := New(12, 39, false)
	if g.LevelName(1) != "PGD" || LeafLevelName(1) != "PUD" || g.LevelName(2) != "PMD" || g.LevelName(3) != "PTE" {
		t.Error("4K/39: the root holds 1G entries named PGD; blocks there are PUD blocks")
	}
	for n, want := range map[uint64]string{4096: "4K", 2 << 20: "2M", 32 << 20: "32M", 512 << 20: "512M", 1 << 30: "1G", 1984 << 10: "1984K", 3: "3B"} {
		if SizeName(n) != want {
			t.Errorf("SizeName(%#x) = %s, want %s", n, SizeName(n), want)
		}
	}
}
