// Package axis maps a sparse 64-bit address space onto one vertical pixel
// band. Occupied ranges keep a size that grows with the logarithm of their
// length, so a 4 KiB reservation and a 1 TiB bank are both visible; empty
// gaps collapse to a fixed-height break. Within each piece the mapping is
// linear, and across the whole axis it is continuous and monotonic, so the
// same type serves drawing (address → pixel) and hit-testing and dragging
// (pixel → address).
package axis

import (
	"math"
	"sort"
)

// Range is a half-open address range [Start, End). End == 0 with Start > 0
// means the range runs to the top of the 64-bit space.
type Range struct{ Start, End uint64 }

// top returns End with the "runs to 2^64" convention resolved to the last
// representable address; the one byte lost is invisible on any screen.
func (r Range) top() uint64 {
	if r.End == 0 && r.Start > 0 {
		return math.MaxUint64
	}
	return r.End
}

// GapUnits is the model height of a collapsed gap, in the same units as
// occupied pieces (see pieceUnits).
const GapUnits = 1.5

// pieceUnits is the model height of an occupied piece of the given size:
// 4 KiB ≈ 3, 2 MiB ≈ 11, 1 GiB ≈ 20, 1 TiB ≈ 30.
func pieceUnits(size uint64) float64 {
	return 2 + math.Log2(1+float64(size)/4096)
}

// Piece is one stretch of the axis: occupied (linear inside) or a gap.
type Piece struct {
	Start, End uint64  // addresses; End is exclusive
	U0, U1     float64 // model units
	Gap        bool
}

// Axis is the address↔pixel mapping of one column plus its viewport.
type Axis struct {
	pieces []Piece
	total  float64

	// The pixel band the axis is drawn in.
	top, height float64
	// Viewport: model unit shown at the band's top, and pixels per unit.
	view0, zoom float64
}

// New builds an axis over the occupied ranges. Marks are extra addresses
// that must fall on a piece boundary (PHYS_OFFSET, PAGE_OFFSET, the memblock
// limit) so that labels appear exactly there. The viewport starts fitted to
// the band [top, top+height).
func New(occupied []Range, marks []uint64, top, height float64) *Axis {
	a := &Axis{top: top, height: height}
	var bounds []uint64
	var union []Range
	for _, r := range occupied {
		if r.top() <= r.Start {
			continue
		}
		bounds = append(bounds, r.Start, r.top())
		union = append(union, Range{r.Start, r.top()})
	}
	union = merge(union)
	if len(union) > 0 {
		lo, hi := union[0].Start, union[len(union)-1].End
		for _, m := range marks {
			// Marks far outside the occupied span would stretch the axis
			// with gaps that say nothing; they are drawn only when inside.
			if m >= lo && m <= hi {
				bounds = append(bounds, m)
			}
		}
	}
	sort.Slice(bounds, func(i, j int) bool { return bounds[i] < bounds[j] })
	bounds = uniq(bounds)
	u := 0.0
	for i := 0; i+1 < len(bounds); i++ {
		s, e := bounds[i], bounds[i+1]
		gap := !covered(union, s)
		h := GapUnits
		if !gap {
			h = pieceUnits(e - s)
		}
		a.pieces = append(a.pieces, Piece{Start: s, End: e, U0: u, U1: u + h, Gap: gap})
		u += h
	}
	if len(a.pieces) == 0 {
		// Nothing to show: one empty 4 KiB piece keeps every method total.
		a.pieces = []Piece{{Start: 0, End: 4096, U0: 0, U1: pieceUnits(4096)}}
		u = a.pieces[0].U1
	}
	a.total = u
	a.Fit()
	return a
}

func merge(rs []Range) []Range {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Start < rs[j].Start })
	var out []Range
	for _, r := range rs {
		if n := len(out); n > 0 && r.Start <= out[n-1].End {
			if r.End > out[n-1].End {
				out[n-1].End = r.End
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

func uniq(s []uint64) []uint64 {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// covered reports whether the elementary piece starting at addr lies in the
// union (pieces never straddle a union edge because every edge is a bound).
func covered(union []Range, addr uint64) bool {
	i := sort.Search(len(union), func(i int) bool { return union[i].End > addr })
	return i < len(union) && union[i].Start <= addr
}

// Pieces returns the axis pieces, lowest address first.
func (a *Axis) Pieces() []Piece { return a.pieces }

// Fit shows the whole axis in the band with a small margin.
func (a *Axis) Fit() {
	pad := a.total * 0.02
	a.zoom = a.height / (a.total + 2*pad)
	a.view0 = -pad
}

func (a *Axis) fitZoom() float64 { return a.height / (a.total * 1.04) }

// Zoom returns pixels per model unit relative to the fitted view (1 = fit).
func (a *Axis) Zoom() float64 { return a.zoom / a.fitZoom() }

// unitAt maps an address to model units, extrapolating past the ends with
// the outer pieces' scale so dragging beyond the last bank keeps working.
func (a *Axis) unitAt(addr uint64) float64 {
	ps := a.pieces
	i := sort.Search(len(ps), func(i int) bool { return ps[i].End > addr })
	if i == len(ps) {
		p := ps[len(ps)-1]
		return p.U1 + float64(addr-p.End)*scale(p)
	}
	p := ps[i]
	if addr < p.Start { // only possible below the first piece
		return p.U0 - float64(p.Start-addr)*scale(p)
	}
	return p.U0 + float64(addr-p.Start)*scale(p)
}

// scale is model units per byte inside a piece.
func scale(p Piece) float64 { return (p.U1 - p.U0) / float64(p.End-p.Start) }

// addrAt is the inverse of unitAt, clamped to the 64-bit space.
func (a *Axis) addrAt(u float64) uint64 {
	ps := a.pieces
	i := sort.Search(len(ps), func(i int) bool { return ps[i].U1 > u })
	var p Piece
	var off float64
	switch {
	case i == len(ps):
		p = ps[len(ps)-1]
		off = float64(p.End-p.Start) + (u-p.U1)/scale(p)
	case u < ps[0].U0:
		p = ps[0]
		off = (u - p.U0) / scale(p)
	default:
		p = ps[i]
		off = (u - p.U0) / scale(p)
	}
	v := float64(p.Start) + off
	switch {
	case v <= 0:
		return 0
	case v >= math.MaxUint64:
		return math.MaxUint64
	}
	// Adding the offset to Start in integers keeps full 64-bit precision
	// near the top of the space, where float64(Start) alone would round.
	if off >= 0 {
		return p.Start + uint64(off)
	}
	if d := uint64(-off); d <= p.Start {
		return p.Start - d
	}
	return 0
}

// Y maps an address to a pixel row.
func (a *Axis) Y(addr uint64) float64 { return a.top + (a.unitAt(addr)-a.view0)*a.zoom }

// YEnd maps an exclusive end address (0 meaning 2^64) to a pixel row.
func (a *Axis) YEnd(end uint64) float64 {
	if end == 0 {
		last := a.pieces[len(a.pieces)-1]
		return a.top + (last.U1+1/float64(1<<52)-a.view0)*a.zoom
	}
	return a.Y(end)
}

// Addr maps a pixel row to an address (continuous and monotonic: a row in
// a collapsed gap maps linearly across the gap).
func (a *Axis) Addr(y float64) uint64 { return a.addrAt(a.view0 + (y-a.top)/a.zoom) }

// PieceAt returns the piece under a pixel row, if any.
func (a *Axis) PieceAt(y float64) (Piece, bool) {
	u := a.view0 + (y-a.top)/a.zoom
	ps := a.pieces
	i := sort.Search(len(ps), func(i int) bool { return ps[i].U1 > u })
	if i == len(ps) || u < ps[0].U0 {
		return Piece{}, false
	}
	return ps[i], true
}

// Limits on zoom relative to the fitted view: out to half the fitted
// height, in until a 4 KiB page inside a 1 PiB piece is several pixels.
const (
	MinZoom = 0.5
	MaxZoom = 1e12
)

// ZoomAt multiplies the zoom by factor keeping the address under pixel row
// y where it is.
func (a *Axis) ZoomAt(y, factor float64) {
	u := a.view0 + (y-a.top)/a.zoom
	z := a.zoom * factor
	f := a.fitZoom()
	z = math.Max(f*MinZoom, math.Min(f*MaxZoom, z))
	a.zoom = z
	a.view0 = u - (y-a.top)/a.zoom
}

// Pan moves the content by dy pixels (positive: content moves down).
func (a *Axis) Pan(dy float64) { a.view0 -= dy / a.zoom }

// ZoomTo shows the address range [start, end) filling most of the band.
func (a *Axis) ZoomTo(start, end uint64) { a.show(start, end, 0.1) }

// Show makes the address range [start, end) fill the band exactly: after
// the axis is rebuilt, the window the user was looking at stays.
func (a *Axis) Show(start, end uint64) { a.show(start, end, 0) }

func (a *Axis) show(start, end uint64, margin float64) {
	u0, u1 := a.unitAt(start), a.unitAt(end)
	if end == 0 {
		u1 = a.pieces[len(a.pieces)-1].U1
	}
	if u1 <= u0 {
		return
	}
	pad := (u1 - u0) * margin
	f := a.fitZoom()
	a.zoom = math.Max(f*MinZoom, math.Min(f*MaxZoom, a.height/(u1-u0+2*pad)))
	a.view0 = (u0+u1)/2 - a.height/2/a.zoom
}

// Label is an address label at a pixel row.
type Label struct {
	Addr uint64
	Y    float64
	// Boundary: the label marks the edge of a range (drawn stronger).
	Boundary bool
}

// Labels returns address labels inside the band that are at least minGap
// pixels apart: piece boundaries first, then power-of-two ticks inside
// pieces tall enough to have room, so labels never overlap at any zoom.
func (a *Axis) Labels(minGap float64) []Label {
	lo, hi := a.top, a.top+a.height
	// Where an occupied piece starts (a bank's base) matters more than
	// where one ends next to a gap, so starts are placed first.
	var cands, ends []Label
	for i, p := range a.pieces {
		y := a.Y(p.Start)
		if y >= lo && y <= hi {
			l := Label{Addr: p.Start, Y: y, Boundary: true}
			if p.Gap {
				ends = append(ends, l)
			} else {
				cands = append(cands, l)
			}
		}
		if i == len(a.pieces)-1 {
			if y := a.Y(p.End); y >= lo && y <= hi {
				ends = append(ends, Label{Addr: p.End, Y: y, Boundary: true})
			}
		}
	}
	cands = append(cands, ends...)
	for _, p := range a.pieces {
		if p.Gap {
			continue
		}
		y0, y1 := a.Y(p.Start), a.Y(p.End)
		if y1 < lo || y0 > hi || y1-y0 < 2*minGap {
			continue
		}
		pxPerByte := (y1 - y0) / float64(p.End-p.Start)
		step := uint64(1)
		for float64(step)*pxPerByte < 2*minGap && step < 1<<62 {
			step <<= 1
		}
		// Only the visible part of the piece gets ticks.
		from := p.Start
		if y0 < lo {
			from = a.Addr(lo)
		}
		to := p.End
		if y1 > hi {
			to = a.Addr(hi)
		}
		first := (from/step + 1) * step
		for t := first; t < to && t > from; t += step {
			cands = append(cands, Label{Addr: t, Y: a.Y(t)})
			if t+step < t {
				break
			}
		}
	}
	var taken []float64 // sorted rows of accepted labels
	var out []Label
	for _, c := range cands {
		i := sort.SearchFloat64s(taken, c.Y)
		if i > 0 && c.Y-taken[i-1] < minGap {
			continue
		}
		if i < len(taken) && taken[i]-c.Y < minGap {
			continue
		}
		taken = append(taken, 0)
		copy(taken[i+1:], taken[i:])
		taken[i] = c.Y
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Y < out[j].Y })
	return out
}
