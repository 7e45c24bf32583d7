// Package view is the Ebiten game of the browser app: Update turns input into
// edits of the layout and re-runs the engine; Draw paints (layout, result,
// viewport, selection) and changes nothing.
package view

import (
	"errors"
	"math"
	"reflect"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/axis"
	"linmap/wasm/numfmt"
	"linmap/wasm/edit"
)

// RunFunc runs the engine (sim.Run; tests may pass another).
type RunFunc func(*layout.Layout) (*result.Result, error)

// Snapshot is what the HTML panel shows; the game hands one to its Host
// after every change so canvas and panel always agree.
type Snapshot struct {
	Layout   *layout.Layout
	Result   *result.Result
	RunError string // the engine rejected the layout (era-specific input)
	Notice   string // the last refused edit or failed import
	Selected string // "bank 2", "kernel image" or ""
}

// Host receives snapshots (the JS bridge).
type Host interface{ Changed(Snapshot) }

// Command is work handed to the game loop from elsewhere (JS callbacks);
// it runs inside Update, so it may touch the game's state.
type Command func(*Game)

type dragKind int

const (
	dragNone dragKind = iota
	dragBank
	dragEdgeLow
	dragEdgeHigh
	dragImage
	dragPanPA
	dragPanVA
)

type drag struct {
	kind      dragKind
	idx       int
	startAddr uint64 // address under the cursor when the drag began
	orig      *layout.Layout
	origAddr  uint64 // the bank base/end or image base being dragged
	lastY     float64
	lastUnit  uint64 // snap unit of the last edit: a modifier change re-snaps
	moved     bool
}

type selection struct {
	kind kind // kBank or kImage
	idx  int
	ok   bool
}

// Game is the app's state.
type Game struct {
	run  RunFunc
	host Host
	// Commands is drained at the start of every Update.
	Commands chan Command

	lay    *layout.Layout
	res    *result.Result
	runErr error

	geo    geom
	pa, va *axis.Axis
	sc     scene

	sel     selection
	tip     []string
	cx, cy  float64 // cursor, device pixels
	dr      drag
	notice  string
	noticeT int     // ticks left to show the notice on the canvas
	pinch   float64 // distance between two touches last tick
	screen  struct{ w, h, s float64 }
	dirty   bool
	fonts   *fonts
	// runTime accumulates engine time since TakeRunTime; the wasm main
	// reports it per frame next to Update and Draw.
	runTime time.Duration
	// tls is the timeline and compare state (timeline.go).
	tls tlState
	// sess is undo/redo and the kept view (session.go).
	sess session
}

// New makes a game showing l.
func New(l *layout.Layout, run RunFunc, host Host) *Game {
	g := &Game{run: run, host: host, Commands: make(chan Command, 32)}
	g.geo = newGeom(1280, 800, 1)
	g.SetLayout(l)
	return g
}

// SetLayout replaces the layout (import, preset, panel): re-run, re-fit.
func (g *Game) SetLayout(l *layout.Layout) {
	g.lay = l
	g.sel = selection{}
	g.dr = drag{}
	g.simulate()
	g.pa, g.va = axesFor(g.geo, g.lay, g.res)
	g.rebuild()
}

// Result returns the current result and engine error.
func (g *Game) Result() (*result.Result, error) { return g.res, g.runErr }

// Notify shows a message on the canvas and in the panel.
func (g *Game) Notify(msg string) {
	g.notice = msg
	g.noticeT = 240
	g.dirty = true
}

func (g *Game) simulate() {
	start := time.Now()
	g.res, g.runErr = g.run(g.lay)
	g.runTime += time.Since(start)
	if g.runErr != nil {
		g.res = nil
	}
	g.dirty = true
	g.timelineReset()
}

// apply takes an edited layout: the engine re-runs at once, so ribbons,
// counts and outcome follow the drag live.
func (g *Game) apply(n *layout.Layout, err error) bool {
	if err != nil {
		g.Notify(err.Error())
		return false
	}
	if n == g.lay || sameMachine(n, g.lay) {
		return false
	}
	g.lay = n
	g.simulate()
	if g.dr.kind == dragNone {
		g.refreshAxes()
	}
	return true
}

// sameMachine reports whether two layouts place the same ranges at the same
// addresses: a drag within one snap step changes nothing worth a re-run.
func sameMachine(a, b *layout.Layout) bool {
	return reflect.DeepEqual(a.Memory, b.Memory) && reflect.DeepEqual(a.Reserved, b.Reserved) &&
		reflect.DeepEqual(a.Image, b.Image) && reflect.DeepEqual(a.DTB, b.DTB) && reflect.DeepEqual(a.Initrd, b.Initrd)
}

// refreshAxes rebuilds the axes for the new ranges keeping the visible
// address window, so an edit does not throw away the user's zoom.
func (g *Game) refreshAxes() {
	type win struct {
		lo, hi uint64
		fit    bool
	}
	keep := func(a *axis.Axis) win {
		return win{a.Addr(g.geo.bandTop), a.Addr(g.geo.bandBot), math.Abs(a.Zoom()-1) < 1e-6}
	}
	wp, wv := keep(g.pa), keep(g.va)
	g.pa, g.va = axesFor(g.geo, g.lay, g.res)
	if !wp.fit {
		g.pa.Show(wp.lo, wp.hi)
	}
	if !wv.fit {
		g.va.Show(wv.lo, wv.hi)
	}
	g.rebuild()
}

// rebuild draws the result at the timeline's step (the whole result
// unless the scrubber moved).
func (g *Game) rebuild() { g.sc = buildScene(g.geo, g.lay, g.shown(), g.pa, g.va) }

// Fit shows both address spaces whole.
func (g *Game) Fit() {
	g.pa.Fit()
	g.va.Fit()
	g.rebuild()
}

// ZoomToSelection zooms the physical column to the selected bank (or the
// image) and the virtual column to where it is mapped.
func (g *Game) ZoomToSelection() {
	if !g.sel.ok {
		g.Notify("select a bank first (click it or press Tab)")
		return
	}
	var base, size uint64
	if g.sel.kind == kBank {
		b := g.lay.Memory[g.sel.idx]
		base, size = uint64(b.Base), uint64(b.Size)
	} else {
		for _, s := range imageSections(g.lay, g.res) {
			if size == 0 {
				base = s.base
			}
			size = s.base + s.size - base
		}
	}
	g.pa.ZoomTo(base, base+size)
	if g.res != nil {
		var lo, hi uint64 = math.MaxUint64, 0
		for _, m := range g.res.Mappings {
			if uint64(m.PA) < base+size && uint64(m.PA)+uint64(m.Size) > base {
				lo = min(lo, uint64(m.VA))
				hi = max(hi, uint64(m.VA)+uint64(m.Size))
			}
		}
		if hi > lo {
			g.va.ZoomTo(lo, hi)
		}
	}
	g.rebuild()
}

// ApplyControls applies the HTML panel's settings.
func (g *Game) ApplyControls(c edit.Controls) {
	n, err := edit.ApplyControls(g.lay, c)
	if err != nil {
		g.Notify(err.Error())
		return
	}
	g.lay = n
	g.simulate()
	g.pa, g.va = axesFor(g.geo, g.lay, g.res)
	g.rebuild()
}

// Snapshot returns the panel's view of the state.
func (g *Game) Snapshot() Snapshot {
	s := Snapshot{Layout: g.lay, Result: g.res, Selected: g.selectedName()}
	if g.runErr != nil {
		s.RunError = g.runErr.Error()
	}
	if g.noticeT > 0 {
		s.Notice = g.notice
	}
	return s
}

func (g *Game) selectedName() string {
	switch {
	case !g.sel.ok:
		return ""
	case g.sel.kind == kImage:
		return "kernel image"
	}
	b := g.lay.Memory[g.sel.idx]
	return "bank " + itoa(g.sel.idx) + " " + numfmt.Hex(uint64(b.Base)) + "+" + numfmt.Size(uint64(b.Size))
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// LayoutF makes the screen as large as the canvas in device pixels, so
// lines and text are crisp on HiDPI screens.
func (g *Game) LayoutF(w, h float64) (float64, float64) {
	s := ebiten.Monitor().DeviceScaleFactor()
	g.screen.w, g.screen.h, g.screen.s = math.Ceil(w*s), math.Ceil(h*s), s
	return g.screen.w, g.screen.h
}

// Layout is required by ebiten.Game; LayoutF is used instead.
func (g *Game) Layout(w, h int) (int, int) { return w, h }

func (g *Game) resize(w, h, s float64) {
	if g.fonts == nil || g.fonts.scale != s {
		g.fonts = newFonts(s)
	}
	if w == g.geo.w && h == g.geo.h && s == g.geo.s {
		return
	}
	g.geo = newGeom(w, h, s)
	g.pa, g.va = axesFor(g.geo, g.lay, g.res)
	g.rebuild()
}

// Update turns one tick of input into state changes.
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
	// geometry follows it here.
	if g.screen.w > 0 {
		g.resize(g.screen.w, g.screen.h, g.screen.s)
	}
	if g.noticeT > 0 {
		g.noticeT--
		if g.noticeT == 0 {
			g.dirty = true
		}
	}
	g.input()
	g.timelineUpdate()
	g.settle()
	if g.dirty {
		g.dirty = false
		if g.host != nil {
			g.host.Changed(g.Snapshot())
		}
	}
	return nil
}

func (g *Game) column(x float64) int {
	switch {
	case x < (g.geo.paX1+g.geo.vaX0)/2:
		return 0
	default:
		return 1
	}
}

func (g *Game) axisAt(x float64) *axis.Axis {
	if g.column(x) == 0 {
		return g.pa
	}
	return g.va
}

func (g *Game) inBand(y float64) bool { return y >= g.geo.bandTop && y < g.geo.bandBot }

func (g *Game) snapUnit() uint64 {
	return edit.SnapUnit(g.lay, ebiten.IsKeyPressed(ebiten.KeyShift), ebiten.IsKeyPressed(ebiten.KeyAlt))
}

func (g *Game) input() {
	cxi, cyi := ebiten.CursorPosition()
	g.cx, g.cy = float64(cxi), float64(cyi)
	changedView := false

	// Zoom: wheel (browsers send trackpad pinch as a wheel with Ctrl).
	if _, wy := ebiten.Wheel(); wy != 0 && g.inBand(g.cy) {
		notches := wy
		if math.Abs(wy) > 5 { // pixel deltas from browsers
			notches = wy / 100
		}
		g.axisAt(g.cx).ZoomAt(g.cy, math.Pow(1.25, notches))
		changedView = true
	}
	changedView = g.touch() || changedView

	if inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft) {
		g.press()
	}
	if g.dr.kind != dragNone {
		if ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft) {
			changedView = g.dragTo() || changedView
		}
		if inpututil.IsMouseButtonJustReleased(ebiten.MouseButtonLeft) {
			moved := g.dr.moved && g.dr.kind != dragPanPA && g.dr.kind != dragPanVA
			g.dr = drag{}
			if moved {
				g.refreshAxes()
			}
		}
	}
	changedView = g.keys() || changedView
	if changedView {
		g.rebuild()
	}
	g.updateHover()
}

func (g *Game) touch() bool {
	ids := ebiten.AppendTouchIDs(nil)
	if len(ids) != 2 {
		g.pinch = 0
		return false
	}
	x0, y0 := ebiten.TouchPosition(ids[0])
	x1, y1 := ebiten.TouchPosition(ids[1])
	d := math.Hypot(float64(x1-x0), float64(y1-y0))
	prev := g.pinch
	g.pinch = d
	if prev == 0 || d == 0 {
		return false
	}
	mx, my := float64(x0+x1)/2, float64(y0+y1)/2
	g.axisAt(mx).ZoomAt(my, d/prev)
	return true
}

const edgeGrab = 5 // CSS pixels from a bank's edge that grab the edge

// DoubleClick handles the browser's dblclick at CSS pixel (x, y): in a
// gap of the physical column it adds a bank there.
func (g *Game) DoubleClick(cssX, cssY float64) {
	x, y := cssX*g.screen.s, cssY*g.screen.s
	if !g.inBand(y) || x < g.geo.paX0 || x >= g.geo.paX1 {
		return
	}
	if _, onBank := bankAt(g.sc.pa, y); onBank {
		return
	}
	n, idx, err := edit.AddBank(g.lay, g.pa.Addr(y))
	if g.apply(n, err) {
		g.sel = selection{kind: kBank, idx: idx, ok: true}
		g.dirty = true
	}
}

func (g *Game) press() {
	x, y := g.cx, g.cy
	if !g.inBand(y) {
		return
	}
	if x >= g.geo.paX0 && x < g.geo.paX1 {
		if it, ok := hit(g.sc.pa, x, y); ok && it.kind == kImage {
			g.sel = selection{kind: kImage, ok: true}
			g.dr = drag{kind: dragImage, startAddr: g.pa.Addr(y), orig: g.lay, origAddr: uint64(g.lay.Image.Base), lastY: y, lastUnit: g.snapUnit()}
			g.dirty = true
			return
		}
		if b, ok := bankAt(g.sc.pa, y); ok {
			g.sel = selection{kind: kBank, idx: b.idx, ok: true}
			g.dirty = true
			bank := g.lay.Memory[b.idx]
			g.dr = drag{kind: dragBank, idx: b.idx, startAddr: g.pa.Addr(y), orig: g.lay, origAddr: uint64(bank.Base), lastY: y, lastUnit: g.snapUnit()}
			grab := edgeGrab * g.geo.s
			if b.y1-b.y0 > 4*grab {
				switch {
				case y-b.y0 < grab:
					g.dr.kind, g.dr.origAddr = dragEdgeLow, uint64(bank.Base)
				case b.y1-y <= grab:
					g.dr.kind, g.dr.origAddr = dragEdgeHigh, uint64(bank.End())
				}
			}
			return
		}
	}
	if g.sel.ok {
		g.sel = selection{}
		g.dirty = true
	}
	if g.column(x) == 0 {
		g.dr = drag{kind: dragPanPA, lastY: y}
	} else {
		g.dr = drag{kind: dragPanVA, lastY: y}
	}
}

// offset adds the signed distance b−a to base, clamped to the 64-bit space.
func offset(base, a, b uint64) uint64 {
	if b >= a {
		if d := b - a; base+d >= base {
			return base + d
		}
		return math.MaxUint64
	}
	if d := a - b; d <= base {
		return base - d
	}
	return 0
}

func (g *Game) dragTo() bool {
	d := &g.dr
	y := g.cy
	switch d.kind {
	case dragPanPA, dragPanVA:
		if y == d.lastY {
			return false
		}
		if d.kind == dragPanPA {
			g.pa.Pan(y - d.lastY)
		} else {
			g.va.Pan(y - d.lastY)
		}
		d.lastY, d.moved = y, true
		return true
	}
	unit := g.snapUnit()
	// Re-running the engine only when the cursor or the snap changed keeps
	// a held mouse button from costing a simulation every tick.
	if y == d.lastY && unit == d.lastUnit {
		return false
	}
	d.lastY, d.lastUnit = y, unit
	// The axis stays as it was when the drag began, so the address under
	// the cursor moves smoothly even across collapsed gaps.
	to := offset(d.origAddr, d.startAddr, g.pa.Addr(y))
	var n *layout.Layout
	var err error
	switch d.kind {
	case dragBank:
		n, err = edit.MoveBank(d.orig, d.idx, to, unit)
	case dragEdgeLow:
		n, err = edit.ResizeBank(d.orig, d.idx, edit.Low, to, unit)
	case dragEdgeHigh:
		n, err = edit.ResizeBank(d.orig, d.idx, edit.High, to, unit)
	case dragImage:
		n, err = edit.MoveImage(d.orig, to, unit)
	}
	var r *edit.Refused
	if err != nil && errors.As(err, &r) && g.lay == d.orig {
		// Refused before anything moved: say why once, not every tick.
		if g.notice == r.Reason && g.noticeT > 0 {
			return false
		}
	}
	if g.apply(n, err) {
		d.moved = true
		return true
	}
	return false
}

func repeatKey(k ebiten.Key) bool {
	d := inpututil.KeyPressDuration(k)
	return d == 1 || (d > 24 && d%4 == 0)
}

func (g *Game) keys() bool {
	changed := false
	mid := (g.geo.bandTop + g.geo.bandBot) / 2
	switch {
	case repeatKey(ebiten.KeyEqual), repeatKey(ebiten.KeyNumpadAdd):
		g.pa.ZoomAt(mid, 1.25)
		g.va.ZoomAt(mid, 1.25)
		changed = true
	case repeatKey(ebiten.KeyMinus), repeatKey(ebiten.KeyNumpadSubtract):
		g.pa.ZoomAt(mid, 0.8)
		g.va.ZoomAt(mid, 0.8)
		changed = true
	}
	if inpututil.IsKeyJustPressed(ebiten.KeyDigit0) || inpututil.IsKeyJustPressed(ebiten.KeyNumpad0) {
		g.pa.Fit()
		g.va.Fit()
		changed = true
	}
	if inpututil.IsKeyJustPressed(ebiten.KeyTab) && len(g.lay.Memory) > 0 {
		order := sortedBankOrder(g.lay)
		next := 0
		if g.sel.ok && g.sel.kind == kBank {
			for k, i := range order {
				if i == g.sel.idx {
					next = (k + 1) % len(order)
					if ebiten.IsKeyPressed(ebiten.KeyShift) {
						next = (k + len(order) - 1) % len(order)
					}
				}
			}
		}
		g.sel = selection{kind: kBank, idx: order[next], ok: true}
		g.dirty = true
	}
	if inpututil.IsKeyJustPressed(ebiten.KeyEscape) && g.sel.ok {
		g.sel = selection{}
		g.dirty = true
	}
	if g.sel.ok && g.dr.kind == dragNone {
		unit := g.snapUnit()
		var delta int
		if repeatKey(ebiten.KeyArrowUp) {
			delta = -1
		} else if repeatKey(ebiten.KeyArrowDown) {
			delta = 1
		}
		if delta != 0 {
			if g.sel.kind == kBank {
				b := uint64(g.lay.Memory[g.sel.idx].Base)
				to := b + unit
				if delta < 0 {
					to = b - min(b, unit)
				}
				n, err := edit.MoveBank(g.lay, g.sel.idx, to, unit)
				g.apply(n, err)
			} else {
				b := uint64(g.lay.Image.Base)
				to := b + unit
				if delta < 0 {
					to = b - min(b, unit)
				}
				n, err := edit.MoveImage(g.lay, to, unit)
				g.apply(n, err)
			}
		}
		if (inpututil.IsKeyJustPressed(ebiten.KeyDelete) || inpututil.IsKeyJustPressed(ebiten.KeyBackspace)) && g.sel.kind == kBank {
			n, err := edit.DeleteBank(g.lay, g.sel.idx)
			if g.apply(n, err) {
				g.sel = selection{}
			}
		}
	}
	return changed
}

func (g *Game) updateHover() {
	g.tip = nil
	shape := ebiten.CursorShapeDefault
	defer func() { ebiten.SetCursorShape(shape) }()
	if !g.inBand(g.cy) {
		return
	}
	x, y := g.cx, g.cy
	var it item
	var ok bool
	if x >= g.geo.paX0 && x < g.geo.paX1 {
		it, ok = hit(g.sc.pa, x, y)
		if b, onBank := bankAt(g.sc.pa, y); onBank {
			grab := edgeGrab * g.geo.s
			if b.y1-b.y0 > 4*grab && (y-b.y0 < grab || b.y1-y <= grab) {
				shape = ebiten.CursorShapeNSResize
			} else {
				shape = ebiten.CursorShapeMove
			}
		}
		if ok && it.kind == kImage {
			shape = ebiten.CursorShapeMove
		}
	} else if x >= g.geo.vaX0 && x < g.geo.vaX1 {
		it, ok = hit(g.sc.va, x, y)
	}
	if !ok {
		// A collapsed gap has a tooltip too: its size is the point of it.
		ax := g.axisAt(x)
		if (x >= g.geo.paX0 && x < g.geo.paX1) || (x >= g.geo.vaX0 && x < g.geo.vaX1) {
			if p, in := ax.PieceAt(y); in && p.Gap {
				g.tip = []string{"empty: " + numfmt.Size(p.End-p.Start) + " collapsed", numfmt.Hex(p.Start) + ".." + numfmt.Hex(p.End)}
				if g.column(x) == 0 {
					g.tip = append(g.tip, "double-click to add a bank here")
				}
			}
		}
		return
	}
	g.tip = tooltip(g.lay, g.shown(), it)
}

// TakeRunTime returns the engine time spent since the last call.
func (g *Game) TakeRunTime() time.Duration {
	d := g.runTime
	g.runTime = 0
	return d
}

// Rect is a rectangle in CSS pixels.
type Rect struct {
	X0 float64 `json:"x0"`
	Y0 float64 `json:"y0"`
	X1 float64 `json:"x1"`
	Y1 float64 `json:"y1"`
}

// Probe tells tests where things are on screen, in CSS pixels, so they can
// aim the mouse and sample the screenshot without guessing.
type Probe struct {
	Scale   float64 `json:"scale"`
	PA      Rect    `json:"pa"`      // physical column (band)
	VA      Rect    `json:"va"`      // virtual column
	Ribbons Rect    `json:"ribbons"` // between the columns
	Banks   []Rect  `json:"banks"`   // by layout index, clipped to the band
	Image   Rect    `json:"image"`
	Banner  Rect    `json:"banner"` // where the fatal outcome is shown
}

// Probe returns the current on-screen geometry.
func (g *Game) Probe() Probe {
	gm := g.geo
	s := gm.s
	r := func(x0, y0, x1, y1 float64) Rect {
		c := func(y float64) float64 { return math.Max(gm.bandTop, math.Min(gm.bandBot, y)) / s }
		return Rect{x0 / s, c(y0), x1 / s, c(y1)}
	}
	p := Probe{
		Scale:   s,
		PA:      r(gm.paX0, gm.bandTop, gm.paX1, gm.bandBot),
		VA:      r(gm.vaX0, gm.bandTop, gm.vaX1, gm.bandBot),
		Ribbons: r(gm.paX1, gm.bandTop, gm.vaX0, gm.bandBot),
		Banks:   make([]Rect, len(g.lay.Memory)),
		Banner:  Rect{0, gm.bannerY / s, gm.w / s, (gm.bannerY + 30*s) / s},
	}
	for _, it := range g.sc.pa {
		switch it.kind {
		case kBank:
			p.Banks[it.idx] = r(it.x0, it.y0, it.x1, it.y1)
		case kImage:
			if p.Image.X1 == 0 {
				p.Image = r(it.x0, it.y0, it.x1, it.y1)
			} else {
				p.Image.Y1 = r(0, 0, 0, it.y1).Y1
			}
		}
	}
	return p
}
