package view

import (
	"math"
	"sort"

	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/axis"
	"linmap/wasm/edit"
	"linmap/wasm/model"
	"linmap/wasm/share"
)

// geom is one pane's screen layout in device pixels: the physical column
// on the left, the virtual one on the right, the ribbons between.
type geom struct {
	s                      float64 // device pixels per CSS pixel
	x0, x1                 float64 // the pane
	paX0, paX1, vaX0, vaX1 float64
	bandTop, bandBot       float64
}

// Rows of the canvas (CSS pixels times the scale): the header with the
// title and two lines of results, the banner (the outcome, or the
// timeline's step), the column titles, the band, the legend.
const (
	headerTop  = 4
	bannerTop  = 54
	bannerH    = 28
	titlesTop  = 86
	bandTopCSS = 106
	legendCSS  = 46
)

func newGeom(x0, x1, h, s, label float64) geom {
	g := geom{s: s, x0: x0, x1: x1}
	w := x1 - x0
	cw := math.Max(40*s, (w-2*label)*0.27)
	g.paX0 = x0 + label
	g.paX1 = g.paX0 + cw
	g.vaX1 = x1 - label
	g.vaX0 = g.vaX1 - cw
	g.bandTop = bandTopCSS * s
	g.bandBot = h - legendCSS*s - 12*s
	return g
}

// pane is one full view: its geometry and its virtual axis. The physical
// axis is shared (both panes show the same machine).
type pane struct {
	g  geom
	va *axis.Axis
}

// viewport is the screen size and the axes of both address spaces, with
// the user's zoom and pan. Axes are rebuilt when the ranges to show change,
// keeping the address window the user was looking at.
type viewport struct {
	w, h, s float64
	pa      *axis.Axis
	panes   []pane // one, or two side by side (A, B)
	content uint64 // the model's ContentVersion the axes were built for
	ver     uint64 // grows with every zoom, pan, resize or rebuild
	focus   int    // the model's last applied Focus.Seq
	doc     uint64 // the model's Document the zoom belongs to
}

// labelWidth leaves room for 0xffff_8000_0000_0000 in the label font.
func labelWidth(s float64, panes int) float64 {
	if panes > 1 {
		return 134 * s
	}
	return 158 * s
}

// window is the address range an axis shows, nil when it is fitted.
func window(a *axis.Axis, top, bot float64) *share.Window {
	if a == nil || math.Abs(a.Zoom()-1) < 1e-6 {
		return nil
	}
	lo, hi := a.Addr(top), a.Addr(bot)
	if lo >= hi {
		return nil
	}
	return &share.Window{Lo: layout.Addr(lo), Hi: layout.Addr(hi)}
}

func show(a *axis.Axis, w *share.Window) {
	if w != nil {
		a.Show(uint64(w.Lo), uint64(w.Hi))
	}
}

// View is the address windows shown (nil: fitted), as links and autosave
// keep them.
func (v *viewport) View() share.View {
	if v.pa == nil || len(v.panes) == 0 {
		return share.View{}
	}
	g := v.panes[0].g
	return share.View{PA: window(v.pa, g.bandTop, g.bandBot), VA: window(v.panes[0].va, g.bandTop, g.bandBot)}
}

// rebuild makes the axes for cs (one per pane) at the current size,
// keeping the windows shown before.
func (v *viewport) rebuild(cs []model.Pane) {
	keep := v.View()
	var keepB *share.Window
	if len(v.panes) > 1 && len(cs) > 1 {
		keepB = window(v.panes[1].va, v.panes[1].g.bandTop, v.panes[1].g.bandBot)
	}
	v.panes = v.panes[:0]
	pw := v.w / float64(len(cs))
	var occ []axis.Range
	var marks []uint64
	for i, c := range cs {
		g := newGeom(float64(i)*pw, float64(i+1)*pw, v.h, v.s, labelWidth(v.s, len(cs)))
		po, pm := paRanges(c.Layout, c.Result)
		occ, marks = append(occ, po...), append(marks, pm...)
		vo, vm := vaRanges(c.Result)
		v.panes = append(v.panes, pane{g: g, va: axis.New(vo, vm, g.bandTop, g.bandBot-g.bandTop)})
	}
	g := v.panes[0].g
	v.pa = axis.New(occ, marks, g.bandTop, g.bandBot-g.bandTop)
	v.apply(keep)
	if keepB != nil {
		show(v.panes[1].va, keepB)
	}
	v.ver++
}

// apply shows a kept view (a link's, an autosave's, the one before a
// rebuild): fitted columns stay fitted.
func (v *viewport) apply(w share.View) {
	show(v.pa, w.PA)
	show(v.panes[0].va, w.VA)
	v.ver++
}

// fit shows everything.
func (v *viewport) fit() {
	v.pa.Fit()
	for _, p := range v.panes {
		p.va.Fit()
	}
	v.ver++
}

// zoomTo shows the ranges (a zero range leaves its axis as it is).
func (v *viewport) zoomTo(pa, va [2]uint64) {
	if pa[1] > pa[0] {
		v.pa.ZoomTo(pa[0], pa[1])
	}
	if va[1] > va[0] {
		for _, p := range v.panes {
			p.va.ZoomTo(va[0], va[1])
		}
	}
	v.ver++
}

// pageBytes is the layout's page size.
func pageBytes(l *layout.Layout) uint64 { return edit.PageBytes(l) }

// paRanges are the physical ranges drawn: each gets its own piece of the
// axis. Page-table clusters are ranges too, so a gigabyte of tables is as
// tall as its size deserves, not a line.
func paRanges(l *layout.Layout, r *result.Result) (occ []axis.Range, marks []uint64) {
	add := func(base, size uint64) {
		if size != 0 {
			occ = append(occ, axis.Range{Start: base, End: base + size})
		}
	}
	for _, b := range l.Memory {
		add(uint64(b.Base), uint64(b.Size))
	}
	for _, rv := range l.Reserved {
		add(uint64(rv.Base), uint64(rv.Size))
	}
	for _, sec := range imageSections(l, r) {
		add(sec.base, sec.size)
	}
	if l.DTB != nil {
		add(uint64(l.DTB.Base), uint64(l.DTB.Size))
	}
	if l.Initrd != nil {
		add(uint64(l.Initrd.Base), uint64(l.Initrd.Size))
	}
	if r == nil {
		return occ, nil
	}
	for _, lo := range r.Lost {
		add(uint64(lo.Base), uint64(lo.Size))
	}
	for _, m := range r.Mappings {
		if m.Purpose != result.PurposeKernelImage {
			add(uint64(m.PA), uint64(m.Size))
		}
	}
	for _, c := range tableClusters(r, pageBytes(l)) {
		// Single pages scattered over memory stay inside their bank's
		// piece; only clusters worth a piece of their own get one.
		if c.size >= minClusterPiece {
			add(c.base, c.size)
		}
	}
	if r.PhysOffset >= 0 {
		marks = append(marks, uint64(r.PhysOffset))
	}
	return occ, append(marks, memblockLimits(r)...)
}

// minClusterPiece is the smallest table cluster given its own axis piece.
const minClusterPiece = 1 << 20

func vaRanges(r *result.Result) (occ []axis.Range, marks []uint64) {
	if r == nil {
		return nil, nil
	}
	for _, m := range r.Mappings {
		occ = append(occ, axis.Range{Start: uint64(m.VA), End: uint64(m.VA) + uint64(m.Size)})
	}
	if ki := r.KernelImage; ki.Size != 0 {
		occ = append(occ, axis.Range{Start: uint64(ki.VA), End: uint64(ki.VA) + uint64(ki.Size)})
	}
	if len(r.Mappings) == 0 {
		// Nothing mapped (an early panic): still show the window.
		occ = append(occ, axis.Range{Start: uint64(r.LinearStart), End: uint64(r.LinearStart) + 1<<30})
	}
	return occ, []uint64{uint64(r.PageOffset), uint64(r.LinearStart), uint64(r.LinearEnd)}
}

// cluster is page-table runs close together in physical memory.
type cluster struct {
	base, size, pages uint64
	runs              int
	// notMapped: some run was allocated from memory not yet in the
	// linear map (through the fixmap, or before the map covered it).
	notMapped bool
}

// tableClusters merges table runs less than clusterGap apart, lowest
// address first, so the thousands of runs of a page-mapped terabyte read
// as where the tables sit. Tables inside the kernel image (its .bss) are
// not clusters: the image is drawn there.
func tableClusters(r *result.Result, page uint64) []cluster {
	idx := make([]int, 0, len(r.Tables))
	for i, t := range r.Tables {
		if !t.InImage {
			idx = append(idx, i)
		}
	}
	// The engine lists runs in allocation order (top-down, usually).
	sort.Slice(idx, func(a, b int) bool { return r.Tables[idx[a]].PA < r.Tables[idx[b]].PA })
	var out []cluster
	for _, i := range idx {
		t := r.Tables[i]
		base, pages := uint64(t.PA), uint64(t.Count)
		if n := len(out); n > 0 && base <= out[n-1].base+out[n-1].size+clusterGap {
			c := &out[n-1]
			c.size = max(c.size, base+pages*page-c.base)
			c.pages += pages
			c.runs++
			c.notMapped = c.notMapped || !t.Mapped
			continue
		}
		out = append(out, cluster{base: base, size: pages * page, pages: pages, runs: 1, notMapped: !t.Mapped})
	}
	return out
}

const clusterGap = 2 << 20

// memblockLimits returns the distinct memblock_set_current_limit values of
// the boot (v3.18 confines early allocations below one).
func memblockLimits(r *result.Result) []uint64 {
	var out []uint64
	seen := map[uint64]bool{}
	for _, st := range r.Trace {
		if st.Kind == result.StepLimit && st.Limit != nil && *st.Limit != 0 && uint64(*st.Limit) != math.MaxUint64 && !seen[uint64(*st.Limit)] {
			seen[uint64(*st.Limit)] = true
			out = append(out, uint64(*st.Limit))
		}
	}
	return out
}
