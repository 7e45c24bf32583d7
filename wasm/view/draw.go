package view

import (
	"image"
	"image/color"
	"math"

	"linmap/wasm/axis"
	"linmap/wasm/model"
	"linmap/wasm/numfmt"
)

// buildFrame lays out everything but the axes and the tooltip.
func (g *Game) buildFrame() {
	for _, i := range [...]int{layerContent, layerOverlay, layerChrome, layerNotice} {
		g.fr.layers[i].reset()
	}
	g.fr.captions = g.fr.captions[:0]
	if len(g.vp.panes) == 0 || len(g.sc.panes) == 0 {
		return
	}
	s := g.vp.s
	gm := g.vp.panes[0].g
	g.fr.bandRect = image.Rect(0, int(gm.bandTop), int(g.vp.w), int(gm.bandBot))
	c, o := &g.fr.layers[layerContent], &g.fr.layers[layerOverlay]
	c.band, o.band = true, true
	for pi := range g.sc.panes {
		ps := &g.sc.panes[pi]
		drawRibbons(&c.q, ps.ribbons, g.vp.panes[pi].g)
		g.drawColumn(c, ps, ps.va)
		g.drawColumn(c, ps, ps.pa)
		for _, l := range ps.lines {
			if l.y >= gm.bandTop && l.y <= gm.bandBot {
				o.q.dashed(l.x0, l.x1, l.y, l.w, l.clr)
			}
		}
		g.placeCaptions(o, ps.texts)
		// Marked ranges are outlined, never filled: the leaf colours
		// under them stay readable.
		for _, mk := range ps.marks {
			if mk.y1 >= gm.bandTop && mk.y0 <= gm.bandBot {
				o.q.stroke(mk.x0, mk.y0, mk.x1, mk.y1, 2*s, mk.clr)
			}
		}
		if st := ps.step; st.x1 > st.x0 {
			o.q.stroke(st.x0, st.y0, st.x1, st.y1, 2.5*s, st.clr)
		}
	}
	g.drawSelection(&o.q)
	if l := g.sc.limit; l.w > 0 && l.y >= gm.bandTop && l.y <= gm.bandBot {
		o.q.fill(l.x0, l.y-l.w/2, l.x1, l.y+l.w/2, l.clr)
		g.text(o, "memblock.current_limit "+numfmt.Hex(g.sc.limitAddr), g.fonts.bold, l.x1, l.y+3*s, l.clr, false)
	}
	ch := &g.fr.layers[layerChrome]
	g.drawHeader(ch)
	g.drawLegend(ch)
	if g.Focused {
		ch.q.stroke(0, 0, g.vp.w, g.vp.h, 3*s, colFocus)
	}
	g.drawNotice(&g.fr.layers[layerNotice])
}

// placeCaptions writes the scene's captions where they do not cover one
// another or a gap's label: one that would overlap moves down a row at a
// time (PHYS_OFFSET and PAGE_OFFSET share a row in narrow panes).
func (g *Game) placeCaptions(l *layer, texts []caption) {
	s := g.vp.s
	h := 15 * s
	placed := append(g.fr.placed[:0], g.fr.gapLabels...)
	for _, t := range texts {
		f := g.fonts.sans
		if t.bold {
			f = g.fonts.bold
		}
		w := f.advance(t.s)
		x0, y := t.x, t.y
		if t.right {
			x0 -= w
		}
		for try := 0; try < 4; try++ {
			free := true
			for _, p := range placed {
				if x0 < p[2] && p[0] < x0+w && y < p[3] && p[1] < y+h {
					free = false
					break
				}
			}
			if free {
				break
			}
			y += h
		}
		placed = append(placed, [4]float64{x0 - 2*s, y, x0 + w + 2*s, y + h})
		g.fr.captions = append(g.fr.captions, placedCaption{t.s, x0, y, x0 + w, y + h})
		if t.leader > 0 {
			// What the caption labels is at its intended row.
			l.q.fill(t.leader, t.y+7.5*s, x0-3*s, t.y+8.5*s, t.clr)
			l.q.fill(x0-3*s, math.Min(t.y, y)+7.5*s, x0-2*s, math.Max(t.y, y)+8.5*s, t.clr)
		}
		if t.plate {
			l.q.quad([4][2]float64{{x0 - 3*s, y - 1*s}, {x0 + w + 3*s, y - 1*s}, {x0 + w + 3*s, y + h}, {x0 - 3*s, y + h}}, colBackground, 0.85)
		}
		g.text(l, t.s, f, x0, y, t.clr, false)
	}
	g.fr.placed = placed
}

// buildAxes lays out the axis breaks and address labels of every pane.
func (g *Game) buildAxes() {
	a := &g.fr.layers[layerAxes]
	a.reset()
	g.fr.gapLabels = g.fr.gapLabels[:0]
	a.band = true
	s := g.vp.s
	for pi, p := range g.vp.panes {
		g.drawGaps(a, g.vp.pa, p.g.paX0, p.g.paX1, false)
		g.drawAxisLabels(a, g.vp.pa, p.g.paX0-6*s, true)
		if pi < len(g.sc.panes) && g.sc.panes[pi].content.Result != nil {
			g.drawGaps(a, p.va, p.g.vaX0, p.g.vaX1, true)
			g.drawAxisLabels(a, p.va, p.g.vaX1+2*s, false)
		}
	}
}

// buildTip lays out the tooltip at the pointer.
func (g *Game) buildTip() {
	l := &g.fr.layers[layerTip]
	l.reset()
	if len(g.tip) > 0 {
		s := g.vp.s
		g.box(l, g.tip, g.in.x+14*s, g.in.y+14*s, colTooltip, color.RGBA{0xff, 0xff, 0xff, 0xff})
	}
}

func (g *Game) drawColumn(l *layer, ps *paneScene, items []item) {
	q := &l.q
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
			if it.y1-it.y0 > 16*s && ps.content.Result != nil {
				g.text(l, "lost: "+ps.content.Result.Lost[it.idx].Reason, g.fonts.sans, it.x0+4*s, math.Max(it.y0, top)+2*s, colLost, false)
			}
		case kTables:
			q.fill(it.x0, y0, it.x1, y1, it.clr)
		case kTableCluster:
			q.fill(it.x0, y0, it.x1, y1, it.clr)
			if it.cont { // allocated before its memory was mapped
				q.stroke(it.x0-1.5*s, y0-1.5*s, it.x1+1.5*s, y1+1.5*s, 1.5*s, colLost)
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
func (g *Game) drawGaps(l *layer, ax *axis.Axis, x0, x1 float64, labelLeft bool) {
	q := &l.q
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
		lx, y := x1+10*s, m+2*s
		if labelLeft {
			lx = x0 - 10*s
		}
		w := g.text(l, numfmt.Size(p.End-p.Start)+" gap", g.fonts.sans, lx, y, colMuted, labelLeft)
		if labelLeft {
			lx = x0 - 10*s - w
		}
		g.fr.gapLabels = append(g.fr.gapLabels, [4]float64{lx, y, lx + w, y + 15*s})
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

func (g *Game) drawAxisLabels(l *layer, ax *axis.Axis, x float64, rightAligned bool) {
	q := &l.q
	s := g.vp.s
	for _, lb := range ax.Labels(15 * s) {
		c := colMuted
		if lb.Boundary {
			c = colText
		}
		tick := 5 * s
		tx := x + 7*s
		if rightAligned {
			q.fill(x, lb.Y-s/2, x+tick, lb.Y+s/2, c)
			tx = x - 1*s
		} else {
			q.fill(x-tick, lb.Y-s/2, x, lb.Y+s/2, c)
		}
		g.text(l, numfmt.Hex(lb.Addr), g.fonts.mono, tx, lb.Y-7*s, c, rightAligned)
	}
}
