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

// triOpts is shared by every triangle draw (Draw allocates nothing).
var triOpts ebiten.DrawTrianglesOptions

func (q *quads) draw(dst *ebiten.Image) {
	if len(q.vs) > 0 {
		dst.DrawTriangles32(q.vs, q.is, whitePixel, &triOpts)
	}
}

func (q *quads) reset() { q.vs, q.is = q.vs[:0], q.is[:0] }

// clampY keeps coordinates of ranges far off screen (deep zoom) within
// what float32 vertex positions represent well.
func clampY(y float64) float32 { return float32(math.Max(-1e5, math.Min(1e5, y))) }

// The frame Draw replays is built in layers, each its shapes then its
// labels, so text always sits on the shapes under it.
const (
	layerContent = iota // ribbons and columns, clipped to the band
	layerAxes           // axis breaks and address labels: they change with the zoom, not with a drag
	layerOverlay        // offsets, limits, marks, the selection
	layerChrome         // header, banner, column titles, legend, focus ring
	layerNotice         // the newest error, over the band
	layerTip            // the tooltip: rebuilt alone as the pointer moves
	nLayers
)

type layer struct {
	band   bool // drawn into the band (clipped), else on the whole screen
	q      quads
	labels []label
}

func (l *layer) reset() { l.q.reset(); l.labels = l.labels[:0] }

// label is a rendered string at its place, with its tint.
type label struct {
	img  *ebiten.Image
	x, y float64
	cs   ebiten.ColorScale
}

// frame is everything Draw paints, built in Update whenever what it shows
// changes (frameKey): a frame that changes nothing costs a few draw calls
// and allocates nothing.
type frame struct {
	layers [nLayers]layer
	// band is the screen's band sub-image, a memo of the last screen.
	screen, bandImg *ebiten.Image
	bandRect        image.Rectangle
	placed          [][4]float64    // captions placed so far (placeCaptions)
	gapLabels       [][4]float64    // the axes' gap labels, which captions avoid too
	captions        []placedCaption // where each caption went, for the probe
}

// placedCaption is a caption as placed on screen.
type placedCaption struct {
	text           string
	x0, y0, x1, y1 float64
}

// labelOpts is shared by every label draw.
var labelOpts ebiten.DrawImageOptions

// background is colBackground as an interface value once: converting it
// in every Fill would allocate every frame.
var background color.Color = colBackground

// Draw paints the frame built by Update. It reads the game and changes
// nothing but memos (the band's sub-image).
func (g *Game) Draw(screen *ebiten.Image) {
	screen.Fill(background)
	f := &g.fr
	if f.screen != screen || f.bandImg == nil || f.bandImg.Bounds() != f.bandRect {
		f.screen = screen
		f.bandImg = screen.SubImage(f.bandRect).(*ebiten.Image)
	}
	for i := range f.layers {
		l := &f.layers[i]
		dst := screen
		if l.band {
			dst = f.bandImg
		}
		l.q.draw(dst)
		for j := range l.labels {
			lb := &l.labels[j]
			labelOpts.GeoM.Reset()
			labelOpts.GeoM.Translate(lb.x, lb.y)
			labelOpts.ColorScale = lb.cs
			dst.DrawImage(lb.img, &labelOpts)
		}
	}
}

// text queues str on layer l at (x, y), right-aligned at x if right. It
// returns the width drawn.
func (g *Game) text(l *layer, str string, f *face, x, y float64, c color.RGBA, right bool) float64 {
	img := g.fonts.rendered(str, f)
	if img == nil {
		return 0
	}
	w := float64(img.Bounds().Dx())
	if right {
		x -= w
	}
	lb := label{img: img, x: math.Round(x), y: math.Round(y)}
	lb.cs.ScaleWithColor(c)
	l.labels = append(l.labels, lb)
	return w
}

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

// fitText cuts str to width pixels in face f, with an ellipsis.
func fitText(str string, f *face, width float64) string {
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
// The geometry is what the engine used ("4K pages, VA_BITS 48, 4 levels"),
// era defaults filled in; without a result, what the layout asks for.
func title(l *layout.Layout, era, geometry string) string {
	parts := []string{l.Name, era, l.Kernel.PageSize + " pages", "VA_BITS " + itoa(l.Kernel.VABits)}
	if l.Kernel.PageSize == "" {
		parts[2] = "default pages"
	}
	if l.Kernel.VABits == 0 {
		parts[3] = "default VA_BITS"
	}
	if geometry != "" {
		parts = append(parts[:2], geometry)
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
	if l.CPU.Realm {
		cpu = append(cpu, "realm")
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
// era and options, then the results sentence; under it the banner slot
// holds a panic or refusal, or else the timeline's step; then the column
// titles. The PNG export carries all of it.
func (g *Game) drawHeader(l *layer) {
	s := g.vp.s
	w := g.vp.w - 20*s
	// The header describes what the full view shows: B when flipped to it.
	lay, sum := g.m.Layout(), g.m.Summary()
	if p := g.sc.panes[0].content; p.B && len(g.sc.panes) == 1 {
		lay, sum = p.Layout, g.m.SummaryB()
	}
	era := sum.Era
	if era == "" {
		era = lay.Kernel.Era
	}
	g.text(l, fitText(title(lay, era, sum.Geometry), g.fonts.bold, w), g.fonts.bold, 10*s, headerTop*s, colText, false)
	lines := wrapWidth(sum.Sentence, g.fonts.sans, w)
	if len(lines) > 2 {
		// The panel has it all; the canvas keeps two lines.
		lines[1] = fitText(strings.Join(lines[1:], " "), g.fonts.sans, w)
		lines = lines[:2]
	}
	for i, t := range lines {
		g.text(l, t, g.fonts.sans, 10*s, (headerTop+18+15*float64(i))*s, colText, false)
	}
	shown := g.sc.panes[0].content.Result
	switch {
	case shown != nil && shown.Fatal != nil: // not before the timeline reaches it
		g.banner(l, "Kernel panic — "+shown.Fatal.Message, colFatal)
	case g.m.RunError() != nil:
		g.banner(l, "This era cannot take the layout: "+g.m.RunError().Error(), colFatal)
	case g.m.Scrubbed() && !g.sc.panes[0].content.B:
		st := g.m.StepState()
		c := "step " + itoa(st.Step) + " · " + st.Current.Kind + " · "
		if st.Current.Func != "" {
			c += st.Current.Func + ": "
		}
		c += st.Current.Text
		g.text(l, fitText(c, g.fonts.bold, w), g.fonts.bold, 10*s, (bannerTop+7)*s, colStep, false)
	}
	for i, ps := range g.sc.panes {
		p := g.vp.panes[i].g
		y := titlesTop * s
		if ps.content.Label != "" {
			g.text(l, ps.content.Label, g.fonts.bold, p.x0+8*s, y, colText, false)
		}
		g.text(l, "physical", g.fonts.bold, p.paX0, y, colMuted, false)
		if ps.content.Result != nil {
			g.text(l, "kernel virtual", g.fonts.bold, p.vaX0, y, colMuted, false)
		}
	}
}

// wrapWidth breaks str into lines no wider than w in face f. Words are
// measured once each (kerning across a space is negligible).
func wrapWidth(str string, f *face, w float64) []string {
	var out []string
	space := f.advance(" ")
	start, width := 0, 0.0 // the line being filled: str[start:end]
	end := 0
	for i := 0; i < len(str); {
		for i < len(str) && str[i] == ' ' {
			i++
		}
		j := i
		for j < len(str) && str[j] != ' ' {
			j++
		}
		if i == j {
			break
		}
		ww := f.advance(str[i:j])
		switch {
		case end == 0:
			start, width = i, ww
		case width+space+ww > w:
			out = append(out, str[start:end])
			start, width = i, ww
		default:
			width += space + ww
		}
		end, i = j, j
	}
	if end > 0 {
		out = append(out, str[start:end])
	}
	return out
}

func (g *Game) banner(l *layer, msg string, c color.RGBA) {
	s := g.vp.s
	l.q.fill(0, bannerTop*s, g.vp.w, (bannerTop+bannerH)*s, c)
	g.text(l, fitText(msg, g.fonts.bold, g.vp.w-24*s), g.fonts.bold, 12*s, (bannerTop+6)*s, color.RGBA{0xff, 0xff, 0xff, 0xff}, false)
}

// drawNotice shows the newest error on the canvas too; it stays until
// dismissed (Escape on the canvas, or × in the panel).
func (g *Game) drawNotice(l *layer) {
	ns := g.m.Notices()
	for i := len(ns) - 1; i >= 0; i-- {
		if ns[i].Severity == model.Error {
			s := g.vp.s
			gm := g.vp.panes[0].g
			msg := fitText(ns[i].Text, g.fonts.sans, g.vp.w-60*s)
			g.box(l, []string{msg, "Esc or × in the panel dismisses this"}, gm.paX0, gm.bandBot-46*s, colNotice, colText)
			return
		}
	}
}

// box draws text lines on a panel kept on screen.
func (g *Game) box(l *layer, lines []string, x, y float64, bg, fg color.RGBA) {
	s := g.vp.s
	lh := 16 * s
	w := 0.0
	for _, t := range lines {
		w = math.Max(w, g.fonts.sans.advance(t))
	}
	w += 16 * s
	h := float64(len(lines))*lh + 10*s
	if x+w > g.vp.w {
		x = math.Max(0, g.vp.w-w-4*s)
	}
	if y+h > g.vp.h {
		y = math.Max(0, g.vp.h-h-4*s)
	}
	l.q.fill(x, y, x+w, y+h, bg)
	l.q.stroke(x, y, x+w, y+h, 1*s, colBankEdge)
	for i, t := range lines {
		g.text(l, t, g.fonts.sans, x+8*s, y+5*s+float64(i)*lh, fg, false)
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
		{tablesLegend(g.tableBytes()), colTables, false},
		{"differs", colDiff, false},
	}
}

// tableBytes is what all page-table pages of the first pane's boot cost,
// tables inside the image included: the whole boot's even while the
// timeline shows part of it.
func (g *Game) tableBytes() uint64 {
	p := g.sc.panes[0].content
	r := g.m.Result()
	if p.B {
		r = p.Result
	}
	if r == nil {
		return 0
	}
	return uint64(r.Stats.TableBytes)
}

// tablesLegend names the page-table colour with what all of them cost.
func tablesLegend(bytes uint64) string {
	if bytes == 0 {
		return "page tables"
	}
	return "page tables " + numfmt.Size(bytes)
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

func (g *Game) drawLegend(l *layer) {
	s := g.vp.s
	x := 10 * s
	y := g.vp.h - legendCSS*s + 6*s
	for _, e := range g.legendEntries() {
		sw := 14 * s
		wText := g.fonts.sans.advance(e.name)
		if x+sw+4*s+wText > g.vp.w && x > 10*s { // wrap to a second row
			x, y = 10*s, y+18*s
		}
		if e.hatch {
			l.q.hatch(x, y, x+sw, y+sw, y, y+sw, 4*s, 1*s, e.clr)
			l.q.stroke(x, y, x+sw, y+sw, 1*s, e.clr)
		} else {
			l.q.fill(x, y, x+sw, y+sw, e.clr)
		}
		g.text(l, e.name, g.fonts.sans, x+sw+4*s, y, colText, false)
		x += sw + 4*s + wText + 14*s
	}
}
