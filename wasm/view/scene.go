package view

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/axis"
	"linmap/wasm/numfmt"
	"linmap/wasm/edit"
)

// geom is the screen layout in device pixels, derived from the window size
// and the device scale factor only.
type geom struct {
	s                      float64 // device pixels per CSS pixel
	w, h                   float64
	paX0, paX1, vaX0, vaX1 float64
	bandTop, bandBot       float64
	bannerY, legendY       float64
}

func newGeom(w, h, s float64) geom {
	g := geom{s: s, w: w, h: h}
	label := 158 * s // room for 0xffff_8000_0000_0000 in the label font
	cw := math.Max(70*s, (w-2*label)*0.27)
	g.paX0 = label
	g.paX1 = g.paX0 + cw
	g.vaX1 = w - label
	g.vaX0 = g.vaX1 - cw
	g.bannerY = 40 * s
	g.bandTop = 104 * s
	g.legendY = h - 46*s // room for the legend on two rows
	g.bandBot = g.legendY - 12*s
	return g
}

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
	kLinear
	kLeafVA
	kImageVA
)

type item struct {
	kind           kind
	idx            int // index into the layout's or result's slice
	section        string
	x0, y0, x1, y1 float64
	clr            color.RGBA
	cont           bool // leaves: contiguous bit; tables: memory not yet mapped
}

type ribbon struct {
	pa0, pa1, va0, va1 float64 // pixel rows at both ends
	clr                color.RGBA
}

type mark struct {
	y     float64
	label string
	clr   color.RGBA
}

// scene is everything drawn in the columns, computed from (layout, result,
// axes, geometry) by buildScene. Draw paints it; Update hit-tests it.
type scene struct {
	pa, va  []item
	ribbons []ribbon
	marks   []mark
}

// minPx keeps tiny ranges (one 4K table page in a 1T bank) visible.
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

func buildScene(g geom, l *layout.Layout, r *result.Result, pa, va *axis.Axis) scene {
	var sc scene
	cw := g.paX1 - g.paX0
	lane := func(f0, f1 float64) (float64, float64) { return g.paX0 + f0*cw, g.paX0 + f1*cw }
	s := g.s

	for i, b := range l.Memory {
		y0, y1 := span(pa, uint64(b.Base), uint64(b.Size), 2*s)
		sc.pa = append(sc.pa, item{kind: kBank, idx: i, x0: g.paX0, x1: g.paX1, y0: y0, y1: y1, clr: colBank})
	}
	if r != nil {
		for i, lo := range r.Lost {
			y0, y1 := span(pa, uint64(lo.Base), uint64(lo.Size), 2*s)
			sc.pa = append(sc.pa, item{kind: kLost, idx: i, x0: g.paX0, x1: g.paX1, y0: y0, y1: y1, clr: colLost})
		}
		x0, x1 := lane(laneLeaf0, 1)
		for i, m := range r.Mappings {
			y0, y1 := span(pa, uint64(m.PA), uint64(m.Size), 1*s)
			sc.pa = append(sc.pa, item{kind: kLeafPA, idx: i, x0: x0, x1: x1, y0: y0, y1: y1, clr: LeafColor(m.Level), cont: m.Cont})
		}
	}
	rx0, rx1 := lane(laneResv0, laneResv1)
	for i, rv := range l.Reserved {
		y0, y1 := span(pa, uint64(rv.Base), uint64(rv.Size), 3*s)
		c := colReserved
		if rv.NoMap {
			c = colNoMap
		}
		sc.pa = append(sc.pa, item{kind: kReserved, idx: i, x0: rx0, x1: rx1, y0: y0, y1: y1, clr: c})
	}
	ox0, ox1 := lane(laneObj0, laneObj1)
	for _, sec := range imageSections(l, r) {
		y0, y1 := span(pa, sec.base, sec.size, 3*s)
		sc.pa = append(sc.pa, item{kind: kImage, section: sec.name, x0: ox0, x1: ox1, y0: y0, y1: y1, clr: sec.clr})
	}
	if l.DTB != nil {
		y0, y1 := span(pa, uint64(l.DTB.Base), uint64(l.DTB.Size), 3*s)
		sc.pa = append(sc.pa, item{kind: kDTB, x0: ox0, x1: ox1, y0: y0, y1: y1, clr: colDTB})
	}
	if l.Initrd != nil {
		y0, y1 := span(pa, uint64(l.Initrd.Base), uint64(l.Initrd.Size), 3*s)
		sc.pa = append(sc.pa, item{kind: kInitrd, x0: ox0, x1: ox1, y0: y0, y1: y1, clr: colInitrd})
	}
	if r != nil {
		pb := edit.PageBytes(l)
		tx0 := ox0 + (ox1-ox0)*0.55
		for i, t := range r.Tables {
			y0, y1 := span(pa, uint64(t.PA), uint64(t.Count)*pb, 3*s)
			sc.pa = append(sc.pa, item{kind: kTables, idx: i, x0: tx0, x1: ox1, y0: y0, y1: y1, clr: colTables, cont: !t.Mapped})
		}
	}

	if r == nil {
		return sc
	}
	// Virtual column.
	ly0 := va.Y(uint64(r.LinearStart))
	ly1 := va.YEnd(uint64(r.LinearEnd))
	sc.va = append(sc.va, item{kind: kLinear, x0: g.vaX0, x1: g.vaX1, y0: ly0, y1: ly1, clr: colLinear})
	for i, m := range r.Mappings {
		y0, y1 := span(va, uint64(m.VA), uint64(m.Size), 1*s)
		sc.va = append(sc.va, item{kind: kLeafVA, idx: i, x0: g.vaX0, x1: g.vaX1, y0: y0, y1: y1, clr: LeafColor(m.Level), cont: m.Cont})
	}
	if ki := r.KernelImage; ki.Size != 0 && !inLinear(r, uint64(ki.VA)) {
		y0, y1 := span(va, uint64(ki.VA), uint64(ki.Size), 3*s)
		sc.va = append(sc.va, item{kind: kImageVA, x0: g.vaX0 + 0.3*cw, x1: g.vaX1 - 0.3*cw, y0: y0, y1: y1, clr: colText1})
		a0, a1 := span(pa, uint64(ki.PA), uint64(ki.Size), 1*s)
		sc.ribbons = append(sc.ribbons, ribbon{pa0: a0, pa1: a1, va0: y0, va1: y1, clr: colText1})
	}

	// Ribbons: neighbouring runs with the same leaf colour and contiguous
	// PA and VA draw as one, which keeps a 64-bank layout cheap.
	for _, m := range r.Mappings {
		c := LeafColor(m.Level)
		a0, a1 := span(pa, uint64(m.PA), uint64(m.Size), 1*s)
		v0, v1 := span(va, uint64(m.VA), uint64(m.Size), 1*s)
		if n := len(sc.ribbons); n > 0 {
			last := &sc.ribbons[n-1]
			if last.clr == c && math.Abs(last.pa1-a0) < 0.5 && math.Abs(last.va1-v0) < 0.5 {
				last.pa1, last.va1 = a1, v1
				continue
			}
		}
		sc.ribbons = append(sc.ribbons, ribbon{pa0: a0, pa1: a1, va0: v0, va1: v1, clr: c})
	}

	if po := uint64(r.PhysOffset); r.PhysOffset >= 0 {
		sc.marks = append(sc.marks, mark{y: pa.Y(po), label: "PHYS_OFFSET", clr: colPhysOff})
	}
	for _, lim := range memblockLimits(r) {
		sc.marks = append(sc.marks, mark{y: pa.Y(lim), label: "memblock limit", clr: colLimit})
	}
	return sc
}

func inLinear(r *result.Result, va uint64) bool {
	return va >= uint64(r.LinearStart) && (r.LinearEnd == 0 || va < uint64(r.LinearEnd))
}

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

// axesFor builds the two axes for a layout and its result. Every range that
// is drawn is occupied, so each gets its own piece of the axis.
func axesFor(g geom, l *layout.Layout, r *result.Result) (pa, va *axis.Axis) {
	var occ []axis.Range
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
	var marks []uint64
	var vocc []axis.Range
	var vmarks []uint64
	if r != nil {
		// Page-table pages are not axis pieces: dozens of single pages at
		// the top of memory would each claim a piece and dwarf their bank.
		for _, lo := range r.Lost {
			add(uint64(lo.Base), uint64(lo.Size))
		}
		for _, m := range r.Mappings {
			add(uint64(m.PA), uint64(m.Size))
			vocc = append(vocc, axis.Range{Start: uint64(m.VA), End: uint64(m.VA) + uint64(m.Size)})
		}
		if r.PhysOffset >= 0 {
			marks = append(marks, uint64(r.PhysOffset))
		}
		marks = append(marks, memblockLimits(r)...)
		if ki := r.KernelImage; ki.Size != 0 {
			vocc = append(vocc, axis.Range{Start: uint64(ki.VA), End: uint64(ki.VA) + uint64(ki.Size)})
		}
		vmarks = append(vmarks, uint64(r.PageOffset), uint64(r.LinearStart))
		if len(r.Mappings) == 0 {
			// Nothing mapped (an early panic): still show the window.
			vocc = append(vocc, axis.Range{Start: uint64(r.LinearStart), End: uint64(r.LinearStart) + 1<<30})
		}
		vmarks = append(vmarks, uint64(r.LinearEnd))
	}
	h := g.bandBot - g.bandTop
	return axis.New(occ, marks, g.bandTop, h), axis.New(vocc, vmarks, g.bandTop, h)
}

// Tooltips: what the kernel engineer wants to know about the thing under
// the cursor, one fact per line.

func rangeLines(what string, base, size uint64) []string {
	return []string{
		what,
		fmt.Sprintf("base %s  end %s", numfmt.Hex(base), numfmt.Hex(base+size)),
		fmt.Sprintf("size %s (%s)", numfmt.Size(size), numfmt.Hex(size)),
	}
}

func blockSizes(l *layout.Layout) (pmd, pud uint64) {
	switch edit.PageBytes(l) {
	case 16 << 10:
		return 32 << 20, 64 << 30
	case 64 << 10:
		return 512 << 20, 4 << 40
	}
	return 2 << 20, 1 << 30
}

func mappingLines(l *layout.Layout, r *result.Result, i int) []string {
	m := r.Mappings[i]
	out := rangeLines(fmt.Sprintf("%s mapping (%s)", m.Purpose, m.Prot), uint64(m.PA), uint64(m.Size))
	out[1] = fmt.Sprintf("PA %s..%s", numfmt.Hex(uint64(m.PA)), numfmt.Hex(uint64(m.PA)+uint64(m.Size)))
	out = append(out, fmt.Sprintf("VA %s..%s", numfmt.Hex(uint64(m.VA)), numfmt.Hex(uint64(m.VA)+uint64(m.Size))))
	leaf := fmt.Sprintf("leaf %s at %s level", m.Page, m.Level)
	if m.Cont {
		leaf += ", contiguous bit set"
	}
	out = append(out, leaf)
	if m.Level == "PTE" {
		pmd, _ := blockSizes(l)
		pa, va, sz := uint64(m.PA), uint64(m.VA), uint64(m.Size)
		switch {
		case sz < pmd:
			out = append(out, fmt.Sprintf("page-mapped: the run is shorter than a %s block", numfmt.Size(pmd)))
		case pa%pmd != va%pmd:
			out = append(out, fmt.Sprintf("page-mapped: PA and VA differ modulo %s", numfmt.Size(pmd)))
		case pa%pmd != 0 || (pa+sz)%pmd != 0:
			out = append(out, fmt.Sprintf("page-mapped: start or end is not %s-aligned", numfmt.Size(pmd)))
		default:
			out = append(out, "page-mapped although block-aligned: the era's options forbid blocks here (see warnings)")
		}
	}
	return out
}

func tooltip(l *layout.Layout, r *result.Result, it item) []string {
	switch it.kind {
	case kBank:
		b := l.Memory[it.idx]
		name := fmt.Sprintf("memory bank %d", it.idx)
		if b.Name != "" {
			name += " " + b.Name
		}
		out := rangeLines(name, uint64(b.Base), uint64(b.Size))
		if r != nil && r.PhysOffset >= 0 && uint64(b.Base) >= uint64(r.PhysOffset) {
			va := uint64(b.Base) - uint64(r.PhysOffset) + uint64(r.PageOffset)
			out = append(out, fmt.Sprintf("__va(base) = %s", numfmt.Hex(va)))
		}
		return append(out, "drag to move · drag an edge to resize · Delete removes")
	case kLost:
		lo := r.Lost[it.idx]
		out := rangeLines("lost: "+lo.Reason, uint64(lo.Base), uint64(lo.Size))
		return append(out, wrap(lo.Detail, 70)...)
	case kLeafPA, kLeafVA:
		return mappingLines(l, r, it.idx)
	case kReserved:
		rv := l.Reserved[it.idx]
		what := "reserved"
		if rv.NoMap {
			what = "reserved, no-map"
		}
		if rv.Name != "" {
			what += " " + rv.Name
		}
		return rangeLines(what, uint64(rv.Base), uint64(rv.Size))
	case kImage:
		for _, sec := range imageSections(l, r) {
			if sec.name == it.section {
				out := rangeLines("kernel image "+sec.name, sec.base, sec.size)
				if r != nil && r.KernelImage.Size != 0 {
					va := uint64(r.KernelImage.VA) + sec.base - uint64(r.KernelImage.PA)
					out = append(out, "VA "+numfmt.Hex(va))
				}
				return append(out, "drag to move the load address")
			}
		}
	case kDTB:
		return rangeLines("device tree blob", uint64(l.DTB.Base), uint64(l.DTB.Size))
	case kInitrd:
		return rangeLines("initrd", uint64(l.Initrd.Base), uint64(l.Initrd.Size))
	case kTables:
		t := r.Tables[it.idx]
		out := rangeLines(fmt.Sprintf("%d page-table page(s) holding %s entries", t.Count, t.Level), uint64(t.PA), uint64(t.Count)*edit.PageBytes(l))
		out = append(out, "for: "+t.Cause)
		if !t.Mapped {
			out = append(out, "allocated from memory not yet in the linear map")
		}
		return out
	case kLinear:
		return []string{"linear region",
			fmt.Sprintf("PAGE_OFFSET %s", numfmt.Hex(uint64(r.PageOffset))),
			fmt.Sprintf("%s..%s", numfmt.Hex(uint64(r.LinearStart)), numfmt.Hex(uint64(r.LinearEnd)))}
	case kImageVA:
		ki := r.KernelImage
		return []string{"kernel image mapping (vmalloc area)",
			fmt.Sprintf("VA %s..%s", numfmt.Hex(uint64(ki.VA)), numfmt.Hex(uint64(ki.VA)+uint64(ki.Size))),
			fmt.Sprintf("PA %s  size %s", numfmt.Hex(uint64(ki.PA)), numfmt.Size(uint64(ki.Size)))}
	}
	return nil
}

func wrap(s string, n int) []string {
	var out []string
	var line strings.Builder
	for _, w := range strings.Fields(s) {
		if line.Len() > 0 && line.Len()+1+len(w) > n {
			out = append(out, line.String())
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(w)
	}
	if line.Len() > 0 {
		out = append(out, line.String())
	}
	return out
}

// hit returns the topmost item under (x, y): later items are drawn on top.
func hit(items []item, x, y float64) (item, bool) {
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		if x >= it.x0 && x < it.x1 && y >= it.y0 && y < it.y1 {
			return it, true
		}
	}
	return item{}, false
}

// bankAt returns the bank under a row of the physical column.
func bankAt(items []item, y float64) (item, bool) {
	for _, it := range items {
		if it.kind == kBank && y >= it.y0 && y < it.y1 {
			return it, true
		}
	}
	return item{}, false
}

func sortedBankOrder(l *layout.Layout) []int {
	idx := make([]int, len(l.Memory))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return l.Memory[idx[a]].Base < l.Memory[idx[b]].Base })
	return idx
}
