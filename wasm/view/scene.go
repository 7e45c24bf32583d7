package view

import (
	"image/color"
	"math"

	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/axis"
	"linmap/wasm/model"
	"linmap/wasm/numfmt"
)

// Lanes of the physical column, as fractions of its width.
const (
	laneResv0, laneResv1 = 0.04, 0.24 // reserved and no-map ranges
	laneObj0, laneObj1   = 0.30, 0.74 // image sections, DTB, initrd, table pages
	laneLeaf0            = 0.80       // how the range is mapped (leaf colour)
)

// Kinds of things on screen; hit-testing and tooltips switch on them.
type kind int

const (
	kBank kind = iota
	kLost
	kLeafPA
	kReserved
	kImage
	kDTB
	kInitrd
	kTables
	kTableCluster
	kLinear
	kLeafVA
	kImageVA
	kMark
)

// item is one rectangle of the scene: drawn, hit-tested and probed alike.
type item struct {
	kind           kind
	pane           int
	idx            int // into the layout's, result's or marks' slice
	section        string
	x0, y0, x1, y1 float64
	clr            color.RGBA
	cont           bool // leaves: contiguous bit; tables: memory not yet mapped
}

func (it item) has(x, y float64) bool { return x >= it.x0 && x < it.x1 && y >= it.y0 && y < it.y1 }

type ribbon struct {
	pa0, pa1, va0, va1 float64 // pixel rows at both ends
	x0, x1             float64
	clr                color.RGBA
}

// caption is a label placed by the scene (offsets, limits, table costs).
// The frame moves it down where it would cover another one.
type caption struct {
	s      string
	x, y   float64
	clr    color.RGBA
	right  bool
	bold   bool
	plate  bool    // on a background plate (over the ribbons)
	leader float64 // >0: a line from this x to the caption (what it labels)
}

// line is a horizontal marker: PHYS_OFFSET, PAGE_OFFSET, memblock limits.
type line struct {
	x0, x1, y, w float64
	clr          color.RGBA
	dashed       bool
}

// paneScene is what one pane draws.
type paneScene struct {
	content model.Pane
	pa, va  []item
	ribbons []ribbon
	lines   []line
	texts   []caption
	marks   []item // outlines of marked ranges (kMark, idx into scene.marks)
	step    item   // the timeline's step range (zero when none)
	// tables are where the page-table pages sit, one marker a cluster
	// (kTableCluster items are in pa too, idx into this slice).
	tables []tableMark
}

// tableMark is a cluster of page-table pages as the canvas shows it: a
// marker at least minTableMarker tall and a label with what it costs.
type tableMark struct {
	cluster
	at    item   // the marker
	label string // "page tables 1023.5M"
}

// minTableMarker keeps a cluster of page tables visible however far the
// axis is zoomed out: a gigabyte of tables must never be a hairline.
const minTableMarker = 8

// scene is built from the model and the viewport whenever either changes:
// the one source of rectangles for drawing, hit-testing and test probes.
type scene struct {
	panes     []paneScene
	marks     []model.Mark
	sel       model.Selection
	limit     line   // the memblock limit at the step (w == 0 when none)
	limitAddr uint64 // its address
}

// span is an address range's rows; minPx keeps tiny ranges (one 4K table
// page in a 1T bank) visible.
func span(ax *axis.Axis, base, size uint64, minPx float64) (float64, float64) {
	y0 := ax.Y(base)
	y1 := ax.YEnd(base + size)
	if size != 0 && base+size == 0 {
		y1 = ax.YEnd(0)
	}
	if y1-y0 < minPx {
		m := (y0 + y1) / 2
		y0, y1 = m-minPx/2, m+minPx/2
	}
	return y0, y1
}

// build remakes the scene for the panes at the viewport's geometry,
// reusing the slices of the last build: a drag rebuilds it on every move.
func (sc *scene) build(m *model.Model, vp *viewport, panes []model.Pane) {
	sc.marks, sc.sel, sc.limit = m.Marks(), m.Selection(), line{}
	sc.panes = grow(sc.panes, len(panes))
	for i := range panes {
		sc.panes[i].build(vp, i, panes[i])
	}
	for pi := range sc.panes {
		p := &sc.panes[pi]
		g, va := vp.panes[pi].g, vp.panes[pi].va
		s := g.s
		for i, mk := range sc.marks {
			ax, x0, x1 := vp.pa, g.paX0-6*s, g.paX1+6*s
			if mk.Space == model.VA {
				ax, x0, x1 = va, g.vaX0-6*s, g.vaX1+6*s
			}
			y0, y1 := span(ax, mk.Base, mk.Size, 4*s)
			pad := 1 * s
			if mk.Kind == model.MarkFact {
				// Around the differing fact's own outline, which stays visible inside.
				pad = 4 * s
			}
			p.marks = append(p.marks, item{kind: kMark, pane: pi, idx: i, x0: x0 - pad + s, x1: x1 + pad - s, y0: y0 - pad, y1: y1 + pad, clr: markColor(mk.Kind)})
		}
	}
	// The timeline's marks belong to A's replay: not on a pane showing B.
	if m.Scrubbed() && len(sc.panes) > 0 && !panes[0].B {
		st := m.StepState()
		g := vp.panes[0].g
		s := g.s
		if st.LimitSet && st.Limit != 0 && st.Limit != math.MaxUint64 {
			sc.limit = line{x0: g.paX0 - 10*s, x1: g.paX1 + 10*s, y: vp.pa.Y(st.Limit), w: 3 * s, clr: colLimit}
			sc.limitAddr = st.Limit
		}
		cur := st.Current
		if cur.PA != nil {
			size := pageBytes(m.Layout())
			if cur.Size != nil && *cur.Size != 0 {
				size = uint64(*cur.Size)
			}
			y0, y1 := span(vp.pa, uint64(*cur.PA), size, 4*s)
			sc.panes[0].step = item{x0: g.paX0 - 4*s, y0: y0 - 2*s, x1: g.paX1 + 4*s, y1: y1 + 2*s, clr: colStep}
		}
	}
}

// within moves [y0, y1) to lie in [lo, hi) when it fits there.
func within(y0, y1, lo, hi float64) (float64, float64) {
	if y1-y0 > hi-lo {
		return y0, y1
	}
	if y1 > hi {
		y0, y1 = y0-(y1-hi), hi
	}
	if y0 < lo {
		y0, y1 = lo, y1+(lo-y0)
	}
	return y0, y1
}

// grow returns s with n elements, reusing its backing array.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return append(s[:cap(s)], make([]T, n-cap(s))...)[:n]
	}
	return s[:n]
}

func (ps *paneScene) build(vp *viewport, pi int, c model.Pane) {
	ps.content = c
	ps.pa, ps.va, ps.ribbons = ps.pa[:0], ps.va[:0], ps.ribbons[:0]
	ps.lines, ps.texts, ps.marks, ps.step = ps.lines[:0], ps.texts[:0], ps.marks[:0], item{}
	ps.tables = ps.tables[:0]
	g, pa, va := vp.panes[pi].g, vp.pa, vp.panes[pi].va
	l, r := c.Layout, c.Result
	cw := g.paX1 - g.paX0
	lane := func(f0, f1 float64) (float64, float64) { return g.paX0 + f0*cw, g.paX0 + f1*cw }
	s := g.s
	add := func(it item) {
		it.pane = pi
		ps.pa = append(ps.pa, it)
	}
	for i, b := range l.Memory {
		y0, y1 := span(pa, uint64(b.Base), uint64(b.Size), 2*s)
		add(item{kind: kBank, idx: i, x0: g.paX0, x1: g.paX1, y0: y0, y1: y1, clr: colBank})
	}
	if r != nil {
		for i, lo := range r.Lost {
			y0, y1 := span(pa, uint64(lo.Base), uint64(lo.Size), 2*s)
			add(item{kind: kLost, idx: i, x0: g.paX0, x1: g.paX1, y0: y0, y1: y1, clr: colLost})
		}
		x0, x1 := lane(laneLeaf0, 1)
		for i, m := range r.Mappings {
			if m.Purpose == result.PurposeKernelImage {
				continue
			}
			y0, y1 := span(pa, uint64(m.PA), uint64(m.Size), 1*s)
			add(item{kind: kLeafPA, idx: i, x0: x0, x1: x1, y0: y0, y1: y1, clr: LeafColor(m.Level), cont: m.Cont})
		}
	}
	rx0, rx1 := lane(laneResv0, laneResv1)
	for i, rv := range l.Reserved {
		y0, y1 := span(pa, uint64(rv.Base), uint64(rv.Size), 3*s)
		c := colReserved
		if rv.NoMap {
			c = colNoMap
		}
		add(item{kind: kReserved, idx: i, x0: rx0, x1: rx1, y0: y0, y1: y1, clr: c})
	}
	ox0, ox1 := lane(laneObj0, laneObj1)
	for _, sec := range imageSections(l, r) {
		y0, y1 := span(pa, sec.base, sec.size, 3*s)
		add(item{kind: kImage, section: sec.name, x0: ox0, x1: ox1, y0: y0, y1: y1, clr: sec.clr})
	}
	if l.DTB != nil {
		y0, y1 := span(pa, uint64(l.DTB.Base), uint64(l.DTB.Size), 3*s)
		add(item{kind: kDTB, x0: ox0, x1: ox1, y0: y0, y1: y1, clr: colDTB})
	}
	if l.Initrd != nil {
		y0, y1 := span(pa, uint64(l.Initrd.Base), uint64(l.Initrd.Size), 3*s)
		add(item{kind: kInitrd, x0: ox0, x1: ox1, y0: y0, y1: y1, clr: colInitrd})
	}
	if r == nil {
		return
	}
	// Where the page tables sit and what they cost: a marker per cluster,
	// never thinner than minTableMarker, with its bytes written beside
	// the column; the runs inside it explain themselves on hover.
	pb := pageBytes(l)
	tx0 := ox0 + (ox1-ox0)*0.55
	for i, c := range tableClusters(r, pb) {
		y0, y1 := span(pa, c.base, c.size, minTableMarker*s)
		// A marker widened to its minimum stays inside its bank (tables
		// at the top of memory would otherwise hang off its end).
		for _, b := range l.Memory {
			if c.base >= uint64(b.Base) && c.base < uint64(b.End()) {
				y0, y1 = within(y0, y1, pa.Y(uint64(b.Base)), pa.YEnd(uint64(b.End())))
			}
		}
		tm := tableMark{cluster: c, label: "page tables " + numfmt.Size(c.pages*pb)}
		tm.at = item{kind: kTableCluster, pane: pi, idx: i, x0: tx0, x1: ox1, y0: y0, y1: y1, clr: colTables, cont: c.notMapped}
		add(tm.at)
		ps.tables = append(ps.tables, tm)
	}
	for i, t := range r.Tables {
		if t.InImage {
			continue // inside the kernel image's .bss, drawn as the image
		}
		y0, y1 := span(pa, uint64(t.PA), uint64(t.Count)*pb, 3*s)
		add(item{kind: kTables, idx: i, x0: tx0, x1: ox1, y0: y0, y1: y1, clr: colTables, cont: !t.Mapped})
	}
	for _, tm := range ps.tables {
		ps.texts = append(ps.texts, caption{s: tm.label, x: g.paX1 + 10*s, y: (tm.at.y0+tm.at.y1)/2 - 8*s, clr: colTables, bold: true, plate: true, leader: tm.at.x1})
	}

	ly0, ly1 := va.Y(uint64(r.LinearStart)), va.YEnd(uint64(r.LinearEnd))
	ps.va = append(ps.va, item{kind: kLinear, pane: pi, x0: g.vaX0, x1: g.vaX1, y0: ly0, y1: ly1, clr: colLinear})
	for i, m := range r.Mappings {
		if m.Purpose == result.PurposeKernelImage {
			continue
		}
		y0, y1 := span(va, uint64(m.VA), uint64(m.Size), 1*s)
		ps.va = append(ps.va, item{kind: kLeafVA, pane: pi, idx: i, x0: g.vaX0, x1: g.vaX1, y0: y0, y1: y1, clr: LeafColor(m.Level), cont: m.Cont})
	}
	if ki := r.KernelImage; ki.Size != 0 && !inLinear(r, uint64(ki.VA)) {
		y0, y1 := span(va, uint64(ki.VA), uint64(ki.Size), 3*s)
		ps.va = append(ps.va, item{kind: kImageVA, pane: pi, x0: g.vaX0 + 0.3*cw, x1: g.vaX1 - 0.3*cw, y0: y0, y1: y1, clr: colText1})
		a0, a1 := span(pa, uint64(ki.PA), uint64(ki.Size), 1*s)
		ps.ribbons = append(ps.ribbons, ribbon{pa0: a0, pa1: a1, va0: y0, va1: y1, x0: g.paX1, x1: g.vaX0, clr: colText1})
	}
	// Ribbons: neighbouring runs with the same leaf colour and contiguous
	// PA and VA draw as one, which keeps a 64-bank layout cheap.
	for _, m := range r.Mappings {
		if m.Purpose == result.PurposeKernelImage {
			continue
		}
		c := LeafColor(m.Level)
		a0, a1 := span(pa, uint64(m.PA), uint64(m.Size), 1*s)
		v0, v1 := span(va, uint64(m.VA), uint64(m.Size), 1*s)
		if n := len(ps.ribbons); n > 0 {
			last := &ps.ribbons[n-1]
			if last.clr == c && math.Abs(last.pa1-a0) < 0.5 && math.Abs(last.va1-v0) < 0.5 {
				last.pa1, last.va1 = a1, v1
				continue
			}
		}
		ps.ribbons = append(ps.ribbons, ribbon{pa0: a0, pa1: a1, va0: v0, va1: v1, x0: g.paX1, x1: g.vaX0, clr: c})
	}
	// Offset labels sit above their line, or below it at the top of the
	// band where there is no room above.
	above := func(y float64) float64 {
		if y-14*s < g.bandTop {
			return y + 3*s
		}
		return y - 14*s
	}
	if r.PhysOffset >= 0 {
		y := pa.Y(uint64(r.PhysOffset))
		ps.lines = append(ps.lines, line{x0: g.paX0 - 8*s, x1: g.paX1 + 8*s, y: y, w: 1.5 * s, clr: colPhysOff, dashed: true})
		ps.texts = append(ps.texts, caption{s: "PHYS_OFFSET", x: g.paX1 + 10*s, y: above(y), clr: colPhysOff, plate: true})
	}
	for _, lim := range memblockLimits(r) {
		y := pa.Y(lim)
		ps.lines = append(ps.lines, line{x0: g.paX0 - 8*s, x1: g.paX1 + 8*s, y: y, w: 1.5 * s, clr: colLimit, dashed: true})
		ps.texts = append(ps.texts, caption{s: "memblock limit", x: g.paX1 + 10*s, y: above(y), clr: colLimit, plate: true})
	}
	y := va.Y(uint64(r.PageOffset))
	ps.lines = append(ps.lines, line{x0: g.vaX0 - 8*s, x1: g.vaX1 + 8*s, y: y, w: 1.5 * s, clr: colPhysOff, dashed: true})
	ps.texts = append(ps.texts, caption{s: "PAGE_OFFSET", x: g.vaX0 - 10*s, y: above(y), clr: colPhysOff, right: true, plate: true})
}

func inLinear(r *result.Result, va uint64) bool {
	return va >= uint64(r.LinearStart) && (r.LinearEnd == 0 || va < uint64(r.LinearEnd))
}

type section struct {
	name       string
	base, size uint64
	clr        color.RGBA
}

// imageSections splits the kernel image at the layout's section offsets;
// without them it is one block as large as the engine says the image is.
func imageSections(l *layout.Layout, r *result.Result) []section {
	im := l.Image
	base := uint64(im.Base)
	if base == 0 {
		return nil
	}
	end := uint64(im.End)
	if end == 0 && r != nil {
		end = uint64(r.KernelImage.Size)
	}
	if end == 0 {
		end = 2 << 20
	}
	etext, initBegin := uint64(im.Etext), uint64(im.InitBegin)
	if etext == 0 || initBegin == 0 || initBegin > end || etext > initBegin {
		return []section{{"kernel image", base, end, colText1}}
	}
	return []section{
		{".text", base, etext, colText1},
		{".rodata", base + etext, initBegin - etext, colRodata},
		{".init .data .bss", base + initBegin, end - initBegin, colInitData},
	}
}

// hit returns the topmost item under (x, y): later items are drawn on top.
func hit(items []item, x, y float64) (item, bool) {
	for i := len(items) - 1; i >= 0; i-- {
		if items[i].has(x, y) {
			return items[i], true
		}
	}
	return item{}, false
}

// bankAt returns the bank under a row of a physical column.
func bankAt(items []item, y float64) (item, bool) {
	for _, it := range items {
		if it.kind == kBank && y >= it.y0 && y < it.y1 {
			return it, true
		}
	}
	return item{}, false
}
