// Package view is the Ebiten view of the app model: Update turns input
// into the model's intents (input.go) and rebuilds the scene when the model
// or the viewport changed; Draw paints the scene and changes nothing.
package view

import (
	"math"

	"github.com/hajimehoshi/ebiten/v2"

	"linmap/sim/layout"
	"linmap/wasm/model"
	"linmap/wasm/share"
)

// Command is work handed to the game loop from the page (JS callbacks): it
// runs inside Update, where the model and the viewport may change.
type Command func(*Game)

// Game is the view: the model it shows, the viewport, the scene built from
// both, and the pointer.
type Game struct {
	m *model.Model
	// Commands is drained at the start of every Update.
	Commands chan Command

	vp       viewport
	panes    []model.Pane // what the model shows, as of panesVer
	panesVer uint64
	sc       scene
	scModel  uint64 // model version the scene was built for
	scView   uint64 // viewport version the scene was built for

	in      input
	hov     hoverKey // what the pointer is over
	tip     []string // its tooltip
	tipVer  uint64   // grows when tip changes
	fonts   *fonts
	screen  struct{ w, h, s float64 }
	pending *share.View // a view to restore once the canvas has its size
	// Focused is whether the canvas has the keyboard (the page tells):
	// the view draws a focus ring then.
	Focused bool

	fr    frame    // what Draw replays
	frKey frameKey // what fr was built from
	axKey axesKey  // what fr's axes layer was built from
	tpKey tipKey   // what fr's tooltip layer was built from
	ver   uint64   // grows whenever fr is rebuilt
}

// frameKey is everything the drawn frame but the tooltip depends on: when
// it is unchanged, Draw replays the last frame and nothing is rebuilt.
type frameKey struct {
	model, view uint64
	focused     bool
	fonts       *fonts
}

// axesKey is what the axes' layer depends on: a drag keeps the axes still,
// so it is not rebuilt while dragging.
type axesKey struct {
	view    uint64
	results int // panes with a result (a pane without draws no virtual axis)
	fonts   *fonts
}

// tipKey is what the tooltip's layer depends on.
type tipKey struct {
	ver  uint64
	x, y float64
	base frameKey
}

// New makes a view of m.
func New(m *model.Model) *Game {
	g := &Game{m: m, Commands: make(chan Command, 64)}
	g.vp = viewport{w: 1280, h: 800, s: 1}
	g.in.pointerIn = true
	g.sync()
	return g
}

// Model is the model shown.
func (g *Game) Model() *model.Model { return g.m }

// Version grows whenever what the canvas shows changes (the model, the
// zoom, the tooltip, the focus): the bridge refreshes its snapshot then.
func (g *Game) Version() uint64 { return g.ver }

// contents are what the panes draw, asked of the model once per change.
func (g *Game) contents() []model.Pane {
	if g.panes == nil || g.panesVer != g.m.Version() {
		g.panes, g.panesVer = g.m.Panes(), g.m.Version()
	}
	return g.panes
}

// sync brings the axes and the scene up to date with the model.
func (g *Game) sync() {
	cs := g.contents()
	if (g.vp.content != g.m.ContentVersion() || len(g.vp.panes) != len(cs)) && !g.m.Dragging() {
		g.vp.content = g.m.ContentVersion()
		g.vp.rebuild(cs)
		if g.vp.doc != g.m.Document() {
			// Another machine: the old zoom means nothing there.
			g.vp.doc = g.m.Document()
			g.vp.fit()
		}
	}
	if f := g.m.Focus(); f.Seq != g.vp.focus {
		g.vp.focus = f.Seq
		g.vp.zoomTo(f.PA, f.VA)
	}
	if g.scModel != g.m.Version() || g.scView != g.vp.ver {
		g.sc.build(g.m, &g.vp, cs[:min(len(cs), len(g.vp.panes))])
		g.scModel, g.scView = g.m.Version(), g.vp.ver
	}
}

// refresh rebuilds the frame Draw replays when anything it shows changed,
// and the tooltip alone when only it or the pointer moved.
func (g *Game) refresh() {
	if g.fonts == nil {
		return
	}
	k := frameKey{model: g.scModel, view: g.scView, focused: g.Focused, fonts: g.fonts}
	t := tipKey{ver: g.tipVer, x: g.in.x, y: g.in.y, base: k}
	if len(g.tip) == 0 {
		t.x, t.y = 0, 0 // no tooltip: the pointer does not matter
	}
	// The axes first: the frame's captions avoid their gap labels.
	a := axesKey{view: g.scView, fonts: g.fonts}
	for _, p := range g.sc.panes {
		if p.content.Result != nil {
			a.results++
		}
	}
	if a != g.axKey {
		g.axKey = a
		g.buildAxes()
		g.ver++
	}
	if k != g.frKey {
		g.frKey = k
		g.buildFrame()
		g.ver++
	}
	if t != g.tpKey {
		g.tpKey = t
		g.buildTip()
		g.ver++
	}
}

// RestoreView shows v once the canvas has its real size.
func (g *Game) RestoreView(v share.View) { g.pending = &v }

// View is the address windows shown, for links and autosave.
func (g *Game) View() share.View { return g.vp.View() }

// Fit shows both address spaces whole.
func (g *Game) Fit() { g.vp.fit() }

// LayoutF makes the screen as large as the canvas in device pixels, so
// lines and text are crisp on HiDPI screens.
func (g *Game) LayoutF(w, h float64) (float64, float64) {
	s := ebiten.Monitor().DeviceScaleFactor()
	g.screen.w, g.screen.h, g.screen.s = math.Ceil(w*s), math.Ceil(h*s), s
	return g.screen.w, g.screen.h
}

// Layout is required by ebiten.Game; LayoutF is used instead.
func (g *Game) Layout(w, h int) (int, int) { return w, h }

// resize follows the canvas: the axes get the new band and keep the
// windows shown, so a resize keeps the view steady.
func (g *Game) resize() {
	w, h, s := g.screen.w, g.screen.h, g.screen.s
	if w == 0 {
		return
	}
	if g.fonts == nil || g.fonts.scale != s {
		g.fonts = newFonts(s)
	}
	if w == g.vp.w && h == g.vp.h && s == g.vp.s {
		return
	}
	g.vp.w, g.vp.h, g.vp.s = w, h, s
	g.vp.content, g.vp.doc = g.m.ContentVersion(), g.m.Document()
	g.vp.rebuild(g.contents())
	if g.pending != nil {
		g.vp.apply(*g.pending)
		g.pending = nil
	}
}

// Update turns one tick of input into intents, runs the player and brings
// the scene up to date.
func (g *Game) Update() error {
	for more := true; more; {
		select {
		case c := <-g.Commands:
			c(g)
		default:
			more = false
		}
	}
	// LayoutF records the screen size; Draw must not change state, so the
	// viewport follows it here.
	g.resize()
	g.sync()
	g.in.update(g)
	g.m.Advance(1 / float64(ebiten.TPS()))
	g.sync()
	g.updateTip()
	g.refresh()
	return nil
}

// DoubleClick handles the browser's dblclick at CSS pixel (x, y): in a
// gap of a physical column it adds a bank there, sized for the gap.
func (g *Game) DoubleClick(cssX, cssY float64) {
	x, y := cssX*g.vp.s, cssY*g.vp.s
	pi, col := g.column(x)
	if pi < 0 || col != colPA || !g.inBand(y) {
		return
	}
	if _, onBank := bankAt(g.sc.panes[pi].pa, y); onBank {
		return
	}
	g.m.AddBankAt(g.vp.pa.Addr(y))
}

// Pointer tells the view whether the pointer is over the canvas: outside
// it there is no hover and no tooltip.
func (g *Game) Pointer(inside bool) { g.in.pointerIn = inside }

// hoverKey is what the pointer is over: the tooltip is rebuilt only when
// it, or the scene, changes.
type hoverKey struct {
	scene    [2]uint64 // the scene's model and view versions
	pane     int
	what     int // 0 nothing, 1 a scene item, 2 a mark, 3 a collapsed gap
	it       item
	gap      [2]uint64
	physical bool
}

// hover finds what is under the pointer.
func (g *Game) hover() hoverKey {
	k := hoverKey{scene: [2]uint64{g.scModel, g.scView}}
	x, y := g.in.x, g.in.y
	if !g.in.pointerIn || !g.inBand(y) || g.in.drag.active() {
		return k
	}
	pi, col := g.column(x)
	if pi < 0 || pi >= len(g.sc.panes) {
		return k
	}
	k.pane = pi
	ps := &g.sc.panes[pi]
	if mk, ok := hit(ps.marks, x, y); ok {
		k.what, k.it = 2, mk
		return k
	}
	if col == colNone {
		return k
	}
	items, ax := ps.pa, g.vp.pa
	if col == colVA {
		items, ax = ps.va, g.vp.panes[pi].va
	}
	if it, ok := hit(items, x, y); ok {
		k.what, k.it = 1, it
		return k
	}
	// A collapsed gap explains itself too: its size is the point.
	if p, in := ax.PieceAt(y); in && p.Gap {
		k.what, k.gap, k.physical = 3, [2]uint64{p.Start, p.End}, col == colPA
	}
	return k
}

// updateTip rebuilds the tooltip when the pointer is over something else.
func (g *Game) updateTip() {
	k := g.hover()
	if k == g.hov {
		return
	}
	g.hov = k
	g.tip = nil
	switch k.what {
	case 1, 2:
		g.tip = tooltip(g.m, &g.sc, g.sc.panes[k.pane].content, k.it)
	case 3:
		g.tip = gapLines(k.gap[0], k.gap[1], k.physical)
	}
	g.tipVer++
}

// Columns under a pointer.
const (
	colNone = iota
	colPA
	colVA
)

// column is the pane and column under x (the pane's half of the ribbons
// counts as its nearer column, so panning works there too).
func (g *Game) column(x float64) (pane, col int) {
	for i, p := range g.vp.panes {
		gm := p.g
		if x < gm.x0 || x >= gm.x1 {
			continue
		}
		switch {
		case x >= gm.paX0 && x < gm.paX1:
			return i, colPA
		case x >= gm.vaX0 && x < gm.vaX1:
			return i, colVA
		}
		return i, colNone
	}
	return -1, colNone
}

func (g *Game) inBand(y float64) bool {
	if len(g.vp.panes) == 0 {
		return false
	}
	gm := g.vp.panes[0].g
	return y >= gm.bandTop && y < gm.bandBot
}

// selectedLayout is the layout being edited (A's).
func (g *Game) selectedLayout() *layout.Layout { return g.m.Layout() }
