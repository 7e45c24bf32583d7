package view

import (
	"image"
	"image/color"
	"math"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"

	"linmap/sim/layout"
	"linmap/wasm/axis"
	"linmap/wasm/model"
	"linmap/wasm/numfmt"
)

// whitePixel is the texture for solid triangles (the centre pixel of a
// 3×3 image, so no neighbouring pixel bleeds in when sampling).
var whitePixel = func() *ebiten.Image {
	img := ebiten.NewImage(3, 3)
	img.Fill(color.White)
	return img.SubImage(image.Rect(1, 1, 2, 2)).(*ebiten.Image)
}()

// quads batches rectangles and line segments into one triangle draw, in
// order. A 64-bank layout has thousands of shapes; one draw call each would
// dominate the frame in wasm.
type quads struct {
	vs []ebiten.Vertex
	is []uint32
}

func (q *quads) quad(pts [4][2]float64, c color.RGBA, alpha float32) {
	r, g, b := float32(c.R)/255, float32(c.G)/255, float32(c.B)/255
	k := uint32(len(q.vs))
	for _, p := range pts {
		q.vs = append(q.vs, ebiten.Vertex{DstX: float32(p[0]), DstY: clampY(p[1]), SrcX: 1, SrcY: 1, ColorR: r, ColorG: g, ColorB: b, ColorA: alpha})
	}
	q.is = append(q.is, k, k+1, k+2, k, k+2, k+3)
}

func (q *quads) fill(x0, y0, x1, y1 float64, c color.RGBA) {
	if y1 <= y0 || x1 <= x0 {
		return
	}
	q.quad([4][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, c, 1)
}

func (q *quads) stroke(x0, y0, x1, y1, w float64, c color.RGBA) {
	q.fill(x0, y0, x1, y0+w, c)
	q.fill(x0, y1-w, x1, y1, c)
	q.fill(x0, y0, x0+w, y1, c)
	q.fill(x1-w, y0, x1, y1, c)
}

func (q *quads) line(x0, y0, x1, y1, w float64, c color.RGBA) {
	dx, dy := x1-x0, y1-y0
	n := math.Hypot(dx, dy)
	if n == 0 {
		return
	}
	nx, ny := -dy/n*w/2, dx/n*w/2
	q.quad([4][2]float64{{x0 + nx, y0 + ny}, {x1 + nx, y1 + ny}, {x1 - nx, y1 - ny}, {x0 - nx, y0 - ny}}, c, 1)
}

func (q *quads) dashed(x0, x1, y, w float64, c color.RGBA) {
	step := 8 * w
	for x := x0; x < x1; x += step {
		q.fill(x, y-w/2, math.Min(x+step/2, x1), y+w/2, c)
	}
}

// hatch draws 45° lines clipped to the rectangle and to the rows [lo, hi].
func (q *quads) hatch(x0, y0, x1, y1, lo, hi, gap, w float64, c color.RGBA) {
	y0, y1 = math.Max(y0, lo), math.Min(y1, hi)
	if y1 <= y0 {
		return
	}
	// Lines x − y = k; the phase is fixed to the screen so hatching does
	// not crawl while panning.
	for k := math.Floor((x0-y1)/gap) * gap; k < x1-y0; k += gap {
		ax, ay := x0, x0-k
		if ay < y0 {
			ax, ay = y0+k, y0
		}
		bx, by := x1, x1-k
		if by > y1 {
			bx, by = y1+k, y1
		}
		if ax < bx {
			q.line(ax, ay, bx, by, w, c)
		}
	}
}

func (q *quads) draw(dst *ebiten.Image) {
	if len(q.vs) > 0 {
		dst.DrawTriangles32(q.vs, q.is, whitePixel, &ebiten.DrawTrianglesOptions{})
	}
	q.vs, q.is = q.vs[:0], q.is[:0]
}

// clampY keeps coordinates of ranges far off screen (deep zoom) within
// what float32 vertex positions represent well.
func clampY(y float64) float32 { return float32(math.Max(-1e5, math.Min(1e5, y))) }

// label is text queued to be drawn after the shapes under it.
type label struct {
	s     string
	face  *face
	x, y  float64
	c     color.RGBA
	right bool
}

// Draw paints the scene. It reads the game and changes nothing (the text
// cache it fills is a memo of pixels, not state).
func (g *Game) Draw(screen *ebiten.Image) {
	screen.Fill(colBackground)
	if g.fonts == nil || len(g.vp.panes) == 0 || len(g.sc.panes) == 0 {
		return
	}
	s := g.vp.s
	gm := g.vp.panes[0].g
	band := screen.SubImage(image.Rect(0, int(gm.bandTop), int(g.vp.w), int(gm.bandBot))).(*ebiten.Image)
	var labels []label
	put := func(str string, f *face, x, y float64, c color.RGBA, right bool) {
		labels = append(labels, label{str, f, x, y, c, right})
	}
	var q quads
	for pi := range g.sc.panes {
		ps := &g.sc.panes[pi]
		p := g.vp.panes[pi]
		drawRibbons(&q, ps.ribbons, p.g)
		q.draw(band)
		g.drawColumn(&q, ps, ps.va, put)
		g.drawColumn(&q, ps, ps.pa, put)
		g.drawGaps(&q, g.vp.pa, p.g.paX0, p.g.paX1, false, put)
		if ps.content.r != nil {
			g.drawGaps(&q, p.va, p.g.vaX0, p.g.vaX1, true, put)
		}
		for _, l := range ps.lines {
			if l.y >= gm.bandTop && l.y <= gm.bandBot {
				q.dashed(l.x0, l.x1, l.y, l.w, l.clr)
			}
		}
		for _, t := range ps.texts {
			f := g.fonts.sans
			if t.bold {
				f = g.fonts.bold
			}
			put(t.s, f, t.x, t.y, t.clr, t.right)
		}
		g.drawAxisLabels(&q, g.vp.pa, p.g.paX0-6*s, true, put)
		if ps.content.r != nil {
			g.drawAxisLabels(&q, p.va, p.g.vaX1+2*s, false, put)
		}
		// Marked ranges are outlined, never filled: the leaf colours
		// under them stay readable.
		for _, mk := range ps.marks {
			if mk.y1 >= gm.bandTop && mk.y0 <= gm.bandBot {
				q.stroke(mk.x0, mk.y0, mk.x1, mk.y1, 2*s, mk.clr)
			}
		}
		if st := ps.step; st.x1 > st.x0 {
			q.stroke(st.x0, st.y0, st.x1, st.y1, 2.5*s, st.clr)
		}
	}
	g.drawSelection(&q)
	if l := g.sc.limit; l.w > 0 && l.y >= gm.bandTop && l.y <= gm.bandBot {
		q.fill(l.x0, l.y-l.w/2, l.x1, l.y+l.w/2, l.clr)
		put("memblock.current_limit "+numfmt.Hex(g.vp.pa.Addr(l.y)), g.fonts.bold, l.x1, l.y+3*s, l.clr, false)
	}
	q.draw(band)
	for _, l := range labels {
		g.drawText(band, l.s, l.face, l.x, l.y, l.c, l.right)
	}
	g.drawHeader(screen)
	g.drawLegend(screen)
	g.drawNotice(screen)
	if g.Focused {
		var f quads
		f.stroke(0, 0, g.vp.w, g.vp.h, 3*s, colFocus)
		f.draw(screen)
	}
	if len(g.tip) > 0 {
		g.box(screen, g.tip, g.in.x+14*s, g.in.y+14*s, colTooltip, color.RGBA{0xff, 0xff, 0xff, 0xff})
	}
}

type putFunc func(s string, f *face, x, y float64, c color.RGBA, right bool)

func (g *Game) drawColumn(q *quads, ps *paneScene, items []item, put putFunc) {
	s := g.vp.s
	gm := g.vp.panes[0].g
	top, bot := gm.bandTop, gm.bandBot
	for _, it := range items {
		if it.y1 < top || it.y0 > bot {
			continue
		}
		y0, y1 := math.Max(it.y0, top-4*s), math.Min(it.y1, bot+4*s)
		switch it.kind {
		case kBank, kLinear:
			edge := colBankEdge
			if it.kind == kLinear {
				edge = colGap
			}
			q.fill(it.x0, y0, it.x1, y1, it.clr)
			q.stroke(it.x0, y0, it.x1, y1, 1*s, edge)
		case kLost:
			q.hatch(it.x0, y0, it.x1, y1, top, bot, 7*s, 1.2*s, colLost)
			if it.y1-it.y0 > 16*s && ps.content.r != nil {
				put("lost: "+ps.content.r.Lost[it.idx].Reason, g.fonts.sans, it.x0+4*s, math.Max(it.y0, top)+2*s, colLost, false)
			}
		case kTables:
			q.fill(it.x0, y0, it.x1, y1, it.clr)
			if it.cont { // allocated before its memory was mapped
				q.stroke(it.x0, y0, it.x1, y1, 2*s, colLost)
			}
		default:
			q.fill(it.x0, y0, it.x1, y1, it.clr)
			if it.cont {
				// Contiguous runs: a dark stripe along the inner edge.
				w := 3 * s
				if it.kind == kLeafVA {
					q.fill(it.x0, y0, it.x0+w, y1, colCont)
				} else {
					q.fill(it.x1-w, y0, it.x1, y1, colCont)
				}
			}
		}
	}
}

// drawGaps draws a collapsed gap as a zig-zag break with its size.
func (g *Game) drawGaps(q *quads, ax *axis.Axis, x0, x1 float64, labelLeft bool, put putFunc) {
	s := g.vp.s
	gm := g.vp.panes[0].g
	lastLabel := math.Inf(-1)
	for _, p := range ax.Pieces() {
		if !p.Gap {
			continue
		}
		y0, y1 := ax.Y(p.Start), ax.Y(p.End)
		if y1 < gm.bandTop || y0 > gm.bandBot {
			continue
		}
		m := (y0 + y1) / 2
		amp := math.Min(3*s, (y1-y0)/2)
		// An axis break: the column is cut by a background band with a
		// slanted stroke on each side, as on a broken axis in print.
		q.fill(x0-1*s, m-amp, x1+1*s, m+amp, colBackground)
		q.line(x0-1*s, m-amp, x1+1*s, m-amp, 1*s, colGap)
		q.line(x0-1*s, m+amp, x1+1*s, m+amp, 1*s, colGap)
		for _, x := range []float64{x0, x1} {
			q.line(x-5*s, m+amp+3*s, x+5*s, m-amp-3*s, 1.5*s, colGap)
		}
		// Sizes of crowded gaps are left to the tooltip.
		if m-lastLabel < 15*s {
			continue
		}
		lastLabel = m
		if labelLeft {
			put(numfmt.Size(p.End-p.Start)+" gap", g.fonts.sans, x0-10*s, m+2*s, colMuted, true)
		} else {
			put(numfmt.Size(p.End-p.Start)+" gap", g.fonts.sans, x1+10*s, m+2*s, colMuted, false)
		}
	}
}

// ribbonSegments is how finely a ribbon's S-curve is sampled.
const ribbonSegments = 24

// drawRibbons batches every ribbon into triangles. Both edges of a ribbon
// are cubic curves with the same control x, so each sample is one vertical
// slice from the upper curve to the lower one. (Ebiten's anti-aliased
// paths would look smoother but cost a stencil pass per flush, which
// software WebGL cannot afford with hundreds of ribbons.)
func drawRibbons(q *quads, rs []ribbon, gm geom) {
	for _, r := range rs {
		if (r.pa1 < gm.bandTop && r.va1 < gm.bandTop) || (r.pa0 > gm.bandBot && r.va0 > gm.bandBot) {
			continue
		}
		a0, a1 := float64(clampY(r.pa0)), float64(clampY(r.pa1))
		v0, v1 := float64(clampY(r.va0)), float64(clampY(r.va1))
		px, pt, pb := r.x0, a0, a1
		for i := 1; i <= ribbonSegments; i++ {
			t := float64(i) / ribbonSegments
			// A cubic with both control points at the middle x has
			// x(t) linear and the y blend h(t) = 3t² − 2t³.
			x := r.x0 + (r.x1-r.x0)*t
			h := t * t * (3 - 2*t)
			yt, yb := a0+(v0-a0)*h, a1+(v1-a1)*h
			q.quad([4][2]float64{{px, pt}, {x, yt}, {x, yb}, {px, pb}}, r.clr, ribbonAlpha)
			px, pt, pb = x, yt, yb
		}
	}
}

func (g *Game) drawSelection(q *quads) {
	sel := g.sc.sel
	if sel.Kind == model.SelNone {
		return
	}
	s := g.vp.s
	for _, it := range g.sc.panes[0].pa {
		if (sel.Kind == model.SelBank && it.kind == kBank && it.idx == sel.Bank) || (sel.Kind == model.SelImage && it.kind == kImage) {
			q.stroke(it.x0-3*s, it.y0-3*s, it.x1+3*s, it.y1+3*s, 2.5*s, colSelected)
		}
	}
}

func (g *Game) drawAxisLabels(q *quads, ax *axis.Axis, x float64, rightAligned bool, put putFunc) {
	s := g.vp.s
	for _, l := range ax.Labels(15 * s) {
		c := colMuted
		if l.Boundary {
			c = colText
		}
		tick := 5 * s
		tx := x + 7*s
		if rightAligned {
			q.fill(x, l.Y-s/2, x+tick, l.Y+s/2, c)
			tx = x - 1*s
		} else {
			q.fill(x-tick, l.Y-s/2, x, l.Y+s/2, c)
		}
		put(numfmt.Hex(l.Addr), g.fonts.mono, tx, l.Y-7*s, c, rightAligned)
	}
}

func (g *Game) drawText(dst *ebiten.Image, str string, f *face, x, y float64, c color.Color, rightAligned bool) {
	img := g.fonts.rendered(str, f)
	if img == nil {
		return
	}
	op := &ebiten.DrawImageOptions{}
	if rightAligned {
		x -= float64(img.Bounds().Dx())
	}
	op.GeoM.Translate(math.Round(x), math.Round(y))
	op.ColorScale.ScaleWithColor(c)
	dst.DrawImage(img, op)
}

// fitText cuts str to width pixels in face f, with an ellipsis.
func (g *Game) fitText(str string, f *face, width float64) string {
	if f.advance(str) <= width {
		return str
	}
	r := []rune(str)
	lo, hi := 0, len(r)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if f.advance(string(r[:mid])+"…") <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(r[:lo]) + "…"
}

// title is the layout and its kernel in one line: the PNG export's title.
func title(l *layout.Layout, era string) string {
	parts := []string{l.Name, era, l.Kernel.PageSize + " pages", "VA_BITS " + itoa(l.Kernel.VABits)}
	if l.Kernel.PageSize == "" {
		parts[2] = "default pages"
	}
	if l.Kernel.VABits == 0 {
		parts[3] = "default VA_BITS"
	}
	if c := strings.TrimSpace(l.Kernel.Cmdline); c != "" {
		parts = append(parts, "cmdline \""+c+"\"")
	}
	var cpu []string
	if l.CPU.LPA2 {
		cpu = append(cpu, "LPA2")
	}
	if l.CPU.VA52 {
		cpu = append(cpu, "LVA")
	}
	if l.CPU.BBML2NoAbort {
		cpu = append(cpu, "BBML2_NOABORT")
	}
	if l.CPU.PABits != 0 {
		cpu = append(cpu, "PA "+itoa(l.CPU.PABits)+" bits")
	}
	if len(cpu) > 0 {
		parts = append(parts, "CPU "+strings.Join(cpu, " "))
	}
	return strings.Join(parts, " · ")
}

func itoa(i int) string { return numfmt.Count(uint64(max(i, 0))) }

// drawHeader writes what the canvas shows and what it came to: the title,
// era and options, then the results sentence; a panic or refusal gets
// the banner under it. The PNG export carries all of it.
func (g *Game) drawHeader(dst *ebiten.Image) {
	s := g.vp.s
	w := g.vp.w - 20*s
	sum := g.m.Summary()
	era := sum.Era
	if era == "" {
		era = g.m.Layout().Kernel.Era
	}
	g.drawText(dst, g.fitText(title(g.m.Layout(), era), g.fonts.bold, w), g.fonts.bold, 10*s, headerTop*s, colText, false)
	lines := wrapWidth(sum.Sentence, func(t string) float64 { return g.fonts.sans.advance(t) }, w)
	for i, l := range lines {
		if i == 2 {
			break
		}
		g.drawText(dst, l, g.fonts.sans, 10*s, (headerTop+18+15*float64(i))*s, colText, false)
	}
	shown := g.m.Shown()
	switch {
	case shown != nil && shown.Fatal != nil: // not before the timeline reaches it
		g.banner(dst, "Kernel panic — "+shown.Fatal.Message, colFatal)
	case g.m.RunError() != nil:
		g.banner(dst, "This era cannot take the layout: "+g.m.RunError().Error(), colFatal)
	case len(g.sc.panes) > 1:
		_, _, d, _ := g.m.Comparison()
		if d != nil {
			for i, lab := range []string{"A: " + d.LabelA, "B: " + d.LabelB} {
				p := g.vp.panes[i].g
				g.drawText(dst, lab, g.fonts.bold, p.x0+10*s, (bannerTop+8)*s, colText, false)
			}
		}
	}
	if g.m.Scrubbed() {
		st := g.m.StepState()
		c := "step " + itoa(st.Step) + " · " + st.Current.Kind + " · "
		if st.Current.Func != "" {
			c += st.Current.Func + ": "
		}
		c += st.Current.Text
		g.drawText(dst, g.fitText(c, g.fonts.sans, w), g.fonts.sans, 10*s, (bannerTop+33)*s, colStep, false)
	}
}

// wrapWidth breaks s into lines no wider than w.
func wrapWidth(s string, adv func(string) float64, w float64) []string {
	var out []string
	cur := ""
	for _, word := range strings.Fields(s) {
		try := word
		if cur != "" {
			try = cur + " " + word
		}
		if adv(try) > w && cur != "" {
			out = append(out, cur)
			cur = word
			continue
		}
		cur = try
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

func (g *Game) banner(dst *ebiten.Image, msg string, c color.RGBA) {
	s := g.vp.s
	var q quads
	q.fill(0, bannerTop*s, g.vp.w, (bannerTop+30)*s, c)
	q.draw(dst)
	g.drawText(dst, g.fitText(msg, g.fonts.bold, g.vp.w-24*s), g.fonts.bold, 12*s, (bannerTop+7)*s, color.White, false)
}

// drawNotice shows the newest error on the canvas too; it stays until
// dismissed (Escape on the canvas, or × in the panel).
func (g *Game) drawNotice(dst *ebiten.Image) {
	ns := g.m.Notices()
	for i := len(ns) - 1; i >= 0; i-- {
		if ns[i].Severity == model.Error {
			s := g.vp.s
			gm := g.vp.panes[0].g
			msg := g.fitText(ns[i].Text, g.fonts.sans, g.vp.w-60*s)
			g.box(dst, []string{msg, "Esc or × in the panel dismisses this"}, gm.paX0, gm.bandBot-46*s, colNotice, colText)
			return
		}
	}
}

// box draws text lines on a panel kept on screen.
func (g *Game) box(dst *ebiten.Image, lines []string, x, y float64, bg, fg color.RGBA) {
	s := g.vp.s
	lh := 16 * s
	w := 0.0
	for _, l := range lines {
		w = math.Max(w, float64(g.fonts.rendered(l, g.fonts.sans).Bounds().Dx()))
	}
	w += 16 * s
	h := float64(len(lines))*lh + 10*s
	if x+w > g.vp.w {
		x = math.Max(0, g.vp.w-w-4*s)
	}
	if y+h > g.vp.h {
		y = math.Max(0, g.vp.h-h-4*s)
	}
	var q quads
	q.fill(x, y, x+w, y+h, bg)
	q.stroke(x, y, x+w, y+h, 1*s, colBankEdge)
	q.draw(dst)
	for i, l := range lines {
		g.drawText(dst, l, g.fonts.sans, x+8*s, y+5*s+float64(i)*lh, fg, false)
	}
}

type legendEntry struct {
	name  string
	clr   color.RGBA
	hatch bool
}

func (g *Game) legendEntries() []legendEntry {
	l := g.m.Layout()
	pmd, pud := blockSizes(l)
	return []legendEntry{
		{numfmt.Size(pud) + " block", colPUD, false},
		{numfmt.Size(pmd) + " block", colPMD, false},
		{layout.FormatSize(pageBytes(l)) + " pages", colPage, false},
		{"contiguous", colCont, false},
		{"lost", colLost, true},
		{"reserved", colReserved, false},
		{"no-map", colNoMap, false},
		{".text", colText1, false},
		{".rodata", colRodata, false},
		{"init/data", colInitData, false},
		{"DTB", colDTB, false},
		{"initrd", colInitrd, false},
		{"page tables", colTables, false},
		{"differs", colDiff, false},
	}
}

func blockSizes(l *layout.Layout) (pmd, pud uint64) {
	switch pageBytes(l) {
	case 16 << 10:
		return 32 << 20, 64 << 30
	case 64 << 10:
		return 512 << 20, 4 << 40
	}
	return 2 << 20, 1 << 30
}

func (g *Game) drawLegend(dst *ebiten.Image) {
	s := g.vp.s
	x := 10 * s
	y := g.vp.h - legendCSS*s + 6*s
	var q quads
	type at struct {
		s    string
		x, y float64
	}
	var names []at
	for _, e := range g.legendEntries() {
		sw := 14 * s
		wText := float64(g.fonts.rendered(e.name, g.fonts.sans).Bounds().Dx())
		if x+sw+4*s+wText > g.vp.w && x > 10*s { // wrap to a second row
			x, y = 10*s, y+18*s
		}
		if e.hatch {
			q.hatch(x, y, x+sw, y+sw, y, y+sw, 4*s, 1*s, e.clr)
			q.stroke(x, y, x+sw, y+sw, 1*s, e.clr)
		} else {
			q.fill(x, y, x+sw, y+sw, e.clr)
		}
		names = append(names, at{e.name, x + sw + 4*s, y})
		x += sw + 4*s + wText + 14*s
	}
	q.draw(dst)
	for _, n := range names {
		g.drawText(dst, n.s, g.fonts.sans, n.x, n.y, colText, false)
	}
}
