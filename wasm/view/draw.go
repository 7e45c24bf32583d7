package view

import (
	"image"
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"linmap/sim/layout"
	"linmap/wasm/axis"
	"linmap/wasm/numfmt"
	"linmap/wasm/edit"
)

// hint is the on-screen help; the snap units are named so users find the
// modifiers without reading the docs.
var hint = []string{
	"Drag a bank to move it: snaps to the page size, with Shift to 2M, with Alt to 1G. Drag an edge to resize; drag the kernel image to reload it.",
	"Double-click a gap to add a bank · Delete removes the selected bank · wheel or +/− zooms · drag the background to pan · 0 fits · Tab cycles banks.",
}

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

// label is text queued to be drawn after the shapes under it.
type label struct {
	s     string
	face  text.Face
	x, y  float64
	c     color.RGBA
	right bool
}

// Draw paints the state. It reads the game and changes nothing (the text
// cache it fills is a memo of pixels, not state).
func (g *Game) Draw(screen *ebiten.Image) {
	screen.Fill(colBackground)
	if g.fonts == nil {
		return
	}
	gm := g.geo
	s := gm.s
	var labels []label
	text := func(str string, f text.Face, x, y float64, c color.RGBA, right bool) {
		labels = append(labels, label{str, f, x, y, c, right})
	}

	band := screen.SubImage(image.Rect(0, int(gm.bandTop), int(gm.w), int(gm.bandBot))).(*ebiten.Image)
	g.drawRibbons(band)
	var q quads
	g.drawColumn(&q, g.sc.va, text)
	g.drawColumn(&q, g.sc.pa, text)
	g.drawGaps(&q, g.pa, gm.paX0, gm.paX1, false, text)
	if g.res != nil {
		g.drawGaps(&q, g.va, gm.vaX0, gm.vaX1, true, text)
	}
	for _, m := range g.sc.marks {
		if m.y < gm.bandTop || m.y > gm.bandBot {
			continue
		}
		q.dashed(gm.paX0-8*s, gm.paX1+8*s, m.y, 1.5*s, m.clr)
		text(m.label, g.fonts.sans, gm.paX1+10*s, m.y-14*s, m.clr, false)
	}
	if g.res != nil {
		if y := g.va.Y(uint64(g.res.PageOffset)); y >= gm.bandTop && y <= gm.bandBot {
			q.dashed(gm.vaX0-8*s, gm.vaX1+8*s, y, 1.5*s, colPhysOff)
			text("PAGE_OFFSET", g.fonts.sans, gm.vaX0, y-14*s, colPhysOff, false)
		}
	}
	g.drawSelection(&q)
	g.drawLabels(&q, g.pa, gm.paX0-6*s, true, text)
	if g.res != nil {
		g.drawLabels(&q, g.va, gm.vaX1+2*s, false, text)
	}
	q.draw(band)
	for _, l := range labels {
		g.drawText(band, l.s, l.face, l.x, l.y, l.c, l.right)
	}

	for i, line := range hint {
		g.drawText(screen, line, g.fonts.sans, 10*s, (5+15*float64(i))*s, colMuted, false)
	}
	hy := gm.bandTop - 18*s
	g.drawText(screen, "physical address space", g.fonts.bold, gm.paX0, hy, colText, false)
	if g.res != nil {
		g.drawText(screen, "kernel virtual address space", g.fonts.bold, gm.vaX0, hy, colText, false)
	}
	// The outcome banner sits where it never hides the columns.
	switch {
	case g.shown() != nil && g.shown().Fatal != nil: // not before the timeline reaches it
		g.banner(screen, "Kernel panic — "+g.shown().Fatal.Message, colFatal)
	case g.runErr != nil:
		g.banner(screen, "This era cannot take the layout: "+g.runErr.Error(), colFatal)
	}
	g.drawTimeline(screen)
	g.drawLegend(screen)
	if g.noticeT > 0 {
		g.box(screen, []string{g.notice}, gm.paX0, gm.legendY-30*s, colNotice, colText)
	}
	if len(g.tip) > 0 {
		g.box(screen, g.tip, g.cx+14*s, g.cy+14*s, colTooltip, color.RGBA{0xff, 0xff, 0xff, 0xff})
	}
}

// clampY keeps coordinates of ranges far off screen (deep zoom) within
// what float32 vertex positions represent well.
func clampY(y float64) float32 { return float32(math.Max(-1e5, math.Min(1e5, y))) }

type textFunc func(s string, f text.Face, x, y float64, c color.RGBA, right bool)

func (g *Game) drawColumn(q *quads, items []item, text textFunc) {
	s := g.geo.s
	top, bot := g.geo.bandTop, g.geo.bandBot
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
			if it.y1-it.y0 > 16*s && g.res != nil {
				text("lost: "+g.res.Lost[it.idx].Reason, g.fonts.sans, it.x0+4*s, math.Max(it.y0, top)+2*s, colLost, false)
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
func (g *Game) drawGaps(q *quads, ax *axis.Axis, x0, x1 float64, labelLeft bool, text textFunc) {
	s := g.geo.s
	lastLabel := math.Inf(-1)
	for _, p := range ax.Pieces() {
		if !p.Gap {
			continue
		}
		y0, y1 := ax.Y(p.Start), ax.Y(p.End)
		if y1 < g.geo.bandTop || y0 > g.geo.bandBot {
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
			text(numfmt.Size(p.End-p.Start)+" gap", g.fonts.sans, x0-10*s, m+2*s, colMuted, true)
		} else {
			text(numfmt.Size(p.End-p.Start)+" gap", g.fonts.sans, x1+10*s, m+2*s, colMuted, false)
		}
	}
}

// ribbonSegments is how finely a ribbon's S-curve is sampled.
const ribbonSegments = 24

// drawRibbons draws every ribbon in one batch of triangles. Both edges of a
// ribbon are cubic curves with the same control x, so each sample is one
// vertical slice from the upper curve to the lower one. (Ebiten's anti-
// aliased paths would look smoother but cost a stencil pass per flush,
// which software WebGL cannot afford with hundreds of ribbons.)
func (g *Game) drawRibbons(dst *ebiten.Image) {
	gm := g.geo
	xa, xb := gm.paX1, gm.vaX0
	var q quads
	for _, r := range g.sc.ribbons {
		if (r.pa1 < gm.bandTop && r.va1 < gm.bandTop) || (r.pa0 > gm.bandBot && r.va0 > gm.bandBot) {
			continue
		}
		a0, a1 := float64(clampY(r.pa0)), float64(clampY(r.pa1))
		v0, v1 := float64(clampY(r.va0)), float64(clampY(r.va1))
		px, pt, pb := xa, a0, a1
		for i := 1; i <= ribbonSegments; i++ {
			t := float64(i) / ribbonSegments
			// A cubic with both control points at the middle x has
			// x(t) linear and the y blend h(t) = 3t² − 2t³.
			x := xa + (xb-xa)*t
			h := t * t * (3 - 2*t)
			yt, yb := a0+(v0-a0)*h, a1+(v1-a1)*h
			q.quad([4][2]float64{{px, pt}, {x, yt}, {x, yb}, {px, pb}}, r.clr, ribbonAlpha)
			px, pt, pb = x, yt, yb
		}
	}
	q.draw(dst)
}

func (g *Game) drawSelection(q *quads) {
	if !g.sel.ok {
		return
	}
	s := g.geo.s
	for _, it := range g.sc.pa {
		if (g.sel.kind == kBank && it.kind == kBank && it.idx == g.sel.idx) || (g.sel.kind == kImage && it.kind == kImage) {
			q.stroke(it.x0-3*s, it.y0-3*s, it.x1+3*s, it.y1+3*s, 2.5*s, colSelected)
		}
	}
}

func (g *Game) drawLabels(q *quads, ax *axis.Axis, x float64, rightAligned bool, text textFunc) {
	s := g.geo.s
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
		text(numfmt.Hex(l.Addr), g.fonts.mono, tx, l.Y-7*s, c, rightAligned)
	}
}

func (g *Game) drawText(dst *ebiten.Image, str string, f text.Face, x, y float64, c color.Color, rightAligned bool) {
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

func (g *Game) banner(dst *ebiten.Image, msg string, c color.RGBA) {
	gm := g.geo
	s := gm.s
	var q quads
	q.fill(0, gm.bannerY, gm.w, gm.bannerY+30*s, c)
	q.draw(dst)
	g.drawText(dst, msg, g.fonts.bold, 12*s, gm.bannerY+7*s, color.White, false)
}

// box draws text lines on a panel kept on screen.
func (g *Game) box(dst *ebiten.Image, lines []string, x, y float64, bg, fg color.RGBA) {
	s := g.geo.s
	lh := 16 * s
	w := 0.0
	for _, l := range lines {
		w = math.Max(w, float64(g.fonts.rendered(l, g.fonts.sans).Bounds().Dx()))
	}
	w += 16 * s
	h := float64(len(lines))*lh + 10*s
	if x+w > g.geo.w {
		x = math.Max(0, g.geo.w-w-4*s)
	}
	if y+h > g.geo.h {
		y = math.Max(0, g.geo.h-h-4*s)
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
	pmd, pud := blockSizes(g.lay)
	page := layout.FormatSize(edit.PageBytes(g.lay))
	return []legendEntry{
		{numfmt.Size(pud) + " block", colPUD, false},
		{numfmt.Size(pmd) + " block", colPMD, false},
		{page + " pages", colPage, false},
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
	}
}

func (g *Game) drawLegend(dst *ebiten.Image) {
	s := g.geo.s
	x := 10 * s
	y := g.geo.legendY + 6*s
	var q quads
	type at struct {
		s    string
		x, y float64
	}
	var names []at
	for _, e := range g.legendEntries() {
		sw := 14 * s
		wText := float64(g.fonts.rendered(e.name, g.fonts.sans).Bounds().Dx())
		if x+sw+4*s+wText > g.geo.w && x > 10*s { // wrap to a second row
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
