package axis

import (
	"math"
	"testing"

	"linmap/wasm/numfmt"
)

func TestSmallAndHugeBothVisible(t *testing.T) {
	const tib = 1 << 40
	a := New([]Range{{0x40000000, 0x40000000 + 64<<10}, {0x80000000000, 0x80000000000 + tib}}, nil, 0, 800)
	small := a.Y(0x40000000+64<<10) - a.Y(0x40000000)
	huge := a.Y(0x80000000000+tib) - a.Y(0x80000000000)
	if small < 20 {
		t.Errorf("64 KiB piece is %.1f px, want ≥ 20", small)
	}
	if huge < small {
		t.Errorf("1 TiB piece (%.1f px) smaller than 64 KiB piece (%.1f px)", huge, small)
	}
	gaps := 0
	for _, p := range a.Pieces() {
		if p.Gap {
			gaps++
			if h := (p.U1 - p.U0); h != GapUnits {
				t.Errorf("gap %x..%x is %v units, want %v", p.Start, p.End, h, GapUnits)
			}
		}
	}
	if gaps != 1 {
		t.Errorf("got %d gaps, want 1", gaps)
	}
}

func TestRoundTripAndMonotonic(t *testing.T) {
	a := New([]Range{{0x40000000, 0x40c00000}, {0x60000000, 0x7f000000}, {0x80000000, 0xbff00000}},
		[]uint64{0x40080000}, 10, 700)
	prevY := math.Inf(-1)
	for _, addr := range []uint64{0, 0x3fffffff, 0x40000000, 0x40080000, 0x40bff000, 0x40c00000, 0x5fffffff,
		0x60000000, 0x7f000000, 0x80000000, 0xbff00000, 0xc0000000, 0x1_0000_0000} {
		y := a.Y(addr)
		if y <= prevY {
			t.Errorf("Y(%#x) = %v not above previous %v", addr, y, prevY)
		}
		prevY = y
		if back := a.Addr(y); diff(back, addr) > 4096 {
			t.Errorf("Addr(Y(%#x)) = %#x", addr, back)
		}
	}
}

func TestTopOfSpace(t *testing.T) {
	// The v5.15+ linear map starts at the bottom of the kernel half and the
	// image mapping lives near the top; End 0 means 2^64.
	a := New([]Range{{0xffff000000000000, 0xffff000080000000}, {0xffffffffc0000000, 0}}, nil, 0, 600)
	for _, addr := range []uint64{0xffff000000000000, 0xffff00007ffff000, 0xffffffffc0000000, 0xfffffffffffff000} {
		if back := a.Addr(a.Y(addr)); diff(back, addr) > 4096 {
			t.Errorf("Addr(Y(%#x)) = %#x", addr, back)
		}
	}
	if a.Addr(1e9) != math.MaxUint64 {
		t.Errorf("far below the band does not clamp to the top of the space")
	}
	if a.Addr(-1e9) >= 0xffff000000000000 {
		t.Errorf("above the band maps into the first range")
	}
}

func TestZoomKeepsCursorAddress(t *testing.T) {
	a := New([]Range{{0x80000000, 0x100000000}, {0x880000000, 0xa00000000}}, nil, 0, 800)
	for _, y := range []float64{100, 400, 799} {
		before := a.Addr(y)
		a.ZoomAt(y, 8)
		if after := a.Addr(y); diff(after, before) > 1<<20 {
			t.Errorf("zoom at y=%v moved %#x to %#x", y, before, after)
		}
	}
	a.Fit()
	if z := a.Zoom(); math.Abs(z-1) > 1e-9 {
		t.Errorf("Zoom after Fit = %v", z)
	}
	a.ZoomAt(0, 1e-9)
	if z := a.Zoom(); z < MinZoom-1e-9 {
		t.Errorf("zoom went below MinZoom: %v", z)
	}
}

func TestZoomTo(t *testing.T) {
	a := New([]Range{{0x80000000, 0x100000000}, {0x880000000, 0xa00000000}}, nil, 0, 800)
	a.ZoomTo(0x880000000, 0xa00000000)
	y0, y1 := a.Y(0x880000000), a.Y(0xa00000000)
	if y0 < 0 || y1 > 800 || y1-y0 < 600 {
		t.Errorf("ZoomTo put the range at %v..%v", y0, y1)
	}
}

func TestShowKeepsWindow(t *testing.T) {
	a := New([]Range{{0x80000000, 0x100000000}, {0x880000000, 0xa00000000}}, nil, 0, 800)
	a.ZoomAt(300, 7)
	lo, hi := a.Addr(0), a.Addr(800)
	for i := 0; i < 5; i++ {
		a.Show(a.Addr(0), a.Addr(800))
	}
	if diff(a.Addr(0), lo) > 1<<20 || diff(a.Addr(800), hi) > 1<<20 {
		t.Errorf("window drifted: %#x..%#x → %#x..%#x", lo, hi, a.Addr(0), a.Addr(800))
	}
}

func TestLabelsNeverOverlap(t *testing.T) {
	a := New([]Range{{0x40000000, 0x40001000}, {0x40001000, 0x40002000}, {0x40002000, 0x80000000}, {0x880000000, 0xa00000000}}, nil, 0, 500)
	for _, zoom := range []float64{1, 4, 100, 1e5} {
		a.Fit()
		a.ZoomAt(250, zoom)
		ls := a.Labels(14)
		if len(ls) == 0 {
			t.Fatalf("zoom %v: no labels", zoom)
		}
		for i := 1; i < len(ls); i++ {
			if ls[i].Y-ls[i-1].Y < 14 {
				t.Errorf("zoom %v: labels %s and %s %.1f px apart", zoom, numfmt.Hex(ls[i-1].Addr), numfmt.Hex(ls[i].Addr), ls[i].Y-ls[i-1].Y)
			}
		}
	}
}

func diff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}
