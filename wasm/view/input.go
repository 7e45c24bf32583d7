package view

import (
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"linmap/wasm/axis"
	"linmap/wasm/edit"
	"linmap/wasm/model"
)

// input turns Ebiten's events into the model's intents and viewport moves.
// Tab is not seen here: the page lets it move the focus in and out of the
// canvas as on any other control.
type input struct {
	x, y      float64 // pointer, device pixels
	pointerIn bool
	drag      dragState
	pinch     float64 // distance between two touches last tick
}

// dragState is a pointer drag: an edit (the model holds its gesture) or a
// pan of one axis.
type dragState struct {
	edit      bool
	pan       *axis.Axis
	startAddr uint64 // address under the pointer when the drag began
	from      uint64 // the address being dragged (bank base or end, image base)
	lastY     float64
	lastUnit  uint64
}

func (d dragState) active() bool { return d.edit || d.pan != nil }

const edgeGrab = 5 // CSS pixels from a bank's edge that grab the edge

func (in *input) snapUnit(g *Game) uint64 {
	return edit.SnapUnit(g.m.Layout(), ebiten.IsKeyPressed(ebiten.KeyShift), ebiten.IsKeyPressed(ebiten.KeyAlt))
}

func (in *input) update(g *Game) {
	cx, cy := ebiten.CursorPosition()
	in.x, in.y = float64(cx), float64(cy)
	if in.pointerIn {
		in.wheel(g)
	}
	in.touch(g)
	if inpututil.IsMouseButtonJustPressed(ebiten.MouseButtonLeft) {
		in.press(g)
	}
	if in.drag.active() {
		if ebiten.IsMouseButtonPressed(ebiten.MouseButtonLeft) {
			in.dragTo(g)
		} else {
			in.release(g)
		}
	}
	in.keys(g)
	in.cursor(g)
}

func (in *input) wheel(g *Game) {
	_, wy := ebiten.Wheel()
	if wy == 0 || !g.inBand(in.y) {
		return
	}
	notches := wy
	if math.Abs(wy) > 5 { // pixel deltas from browsers
		notches = wy / 100
	}
	if ax := in.axisAt(g, in.x); ax != nil {
		ax.ZoomAt(in.y, math.Pow(1.25, notches))
		g.vp.ver++
	}
}

// axisAt is the axis a pointer at x zooms or pans: the column under it, or
// in the ribbons the nearer column.
func (in *input) axisAt(g *Game, x float64) *axis.Axis {
	pi, col := g.column(x)
	if pi < 0 {
		return nil
	}
	gm := g.vp.panes[pi].g
	if col == colVA || col == colNone && x > (gm.paX1+gm.vaX0)/2 {
		return g.vp.panes[pi].va
	}
	return g.vp.pa
}

func (in *input) touch(g *Game) {
	ids := ebiten.AppendTouchIDs(nil)
	if len(ids) != 2 {
		in.pinch = 0
		return
	}
	x0, y0 := ebiten.TouchPosition(ids[0])
	x1, y1 := ebiten.TouchPosition(ids[1])
	d := math.Hypot(float64(x1-x0), float64(y1-y0))
	prev := in.pinch
	in.pinch = d
	if prev == 0 || d == 0 {
		return
	}
	if ax := in.axisAt(g, float64(x0+x1)/2); ax != nil {
		ax.ZoomAt(float64(y0+y1)/2, d/prev)
		g.vp.ver++
	}
}

func (in *input) press(g *Game) {
	x, y := in.x, in.y
	if !g.inBand(y) {
		return
	}
	pi, col := g.column(x)
	if pi == 0 && col == colPA {
		ps := &g.sc.panes[0]
		if it, ok := hit(ps.pa, x, y); ok && it.kind == kImage {
			in.beginEdit(g, model.DragImage, -1, y)
			return
		}
		if b, ok := bankAt(ps.pa, y); ok {
			kind := model.DragBank
			grab := edgeGrab * g.vp.s
			if b.y1-b.y0 > 4*grab {
				switch {
				case y-b.y0 < grab:
					kind = model.DragEdgeLow
				case b.y1-y <= grab:
					kind = model.DragEdgeHigh
				}
			}
			in.beginEdit(g, kind, b.idx, y)
			return
		}
	}
	g.m.Select(model.Selection{})
	if ax := in.axisAt(g, x); ax != nil {
		in.drag = dragState{pan: ax, lastY: y}
	}
}

func (in *input) beginEdit(g *Game, kind model.DragKind, bank int, y float64) {
	from, ok := g.m.BeginDrag(kind, bank)
	if !ok {
		return
	}
	in.drag = dragState{edit: true, startAddr: g.vp.pa.Addr(y), from: from, lastY: y, lastUnit: in.snapUnit(g)}
}

func (in *input) dragTo(g *Game) {
	d := &in.drag
	y := in.y
	if d.pan != nil {
		if y != d.lastY {
			d.pan.Pan(y - d.lastY)
			d.lastY = y
			g.vp.ver++
		}
		return
	}
	unit := in.snapUnit(g)
	// The engine re-runs only when the pointer or the snap changed: a
	// held button costs no simulation per tick.
	if y == d.lastY && unit == d.lastUnit {
		return
	}
	d.lastY, d.lastUnit = y, unit
	// The axes stay as they were when the drag began (the model keeps
	// its content version for the drag), so the address under the
	// pointer moves smoothly even across collapsed gaps.
	g.m.DragTo(offset(d.from, d.startAddr, g.vp.pa.Addr(y)), unit)
}

func (in *input) release(g *Game) {
	if in.drag.edit {
		g.m.EndDrag()
	}
	in.drag = dragState{}
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

func repeatKey(k ebiten.Key) bool {
	d := inpututil.KeyPressDuration(k)
	return d == 1 || (d > 24 && d%4 == 0)
}

func pressed(keys ...ebiten.Key) bool {
	for _, k := range keys {
		if inpututil.IsKeyJustPressed(k) {
			return true
		}
	}
	return false
}

// keys: zoom and fit, bank selection, nudge, delete, Escape, the
// timeline's keys, and B for the A/B flip.
func (in *input) keys(g *Game) {
	m := g.m
	mid := (g.vp.panes[0].g.bandTop + g.vp.panes[0].g.bandBot) / 2
	zoom := func(f float64) {
		g.vp.pa.ZoomAt(mid, f)
		for _, p := range g.vp.panes {
			p.va.ZoomAt(mid, f)
		}
		g.vp.ver++
	}
	switch {
	case repeatKey(ebiten.KeyEqual), repeatKey(ebiten.KeyNumpadAdd):
		zoom(1.25)
	case repeatKey(ebiten.KeyMinus), repeatKey(ebiten.KeyNumpadSubtract):
		zoom(0.8)
	}
	if pressed(ebiten.KeyDigit0, ebiten.KeyNumpad0) {
		g.vp.fit()
	}
	if pressed(ebiten.KeyBracketRight) {
		m.SelectNext(1)
	}
	if pressed(ebiten.KeyBracketLeft) {
		m.SelectNext(-1)
	}
	if pressed(ebiten.KeyEscape) {
		switch {
		case m.Dragging():
			m.CancelDrag()
			in.drag = dragState{}
		case m.Selection().Kind != model.SelNone:
			m.Select(model.Selection{})
		default:
			m.Dismiss(0)
		}
	}
	if repeatKey(ebiten.KeyArrowUp) {
		m.Nudge(-1, in.snapUnit(g))
	} else if repeatKey(ebiten.KeyArrowDown) {
		m.Nudge(1, in.snapUnit(g))
	}
	if pressed(ebiten.KeyDelete, ebiten.KeyBackspace) {
		m.DeleteSelected()
	}
	switch {
	case repeatKey(ebiten.KeyComma):
		m.StepBy(-1)
	case repeatKey(ebiten.KeyPeriod):
		m.StepBy(1)
	case pressed(ebiten.KeyHome):
		m.Jump("start")
	case pressed(ebiten.KeyEnd):
		m.Jump("end")
	case pressed(ebiten.KeyF):
		m.Jump("failure")
	case pressed(ebiten.KeySpace):
		m.Play(!m.Playing())
	case pressed(ebiten.KeyB):
		m.FlipAB()
	}
}

func (in *input) cursor(g *Game) {
	shape := ebiten.CursorShapeDefault
	defer func() { ebiten.SetCursorShape(shape) }()
	if !g.inBand(in.y) || len(g.sc.panes) == 0 {
		return
	}
	pi, col := g.column(in.x)
	if pi != 0 || col != colPA {
		return
	}
	ps := &g.sc.panes[0]
	if b, ok := bankAt(ps.pa, in.y); ok {
		grab := edgeGrab * g.vp.s
		if b.y1-b.y0 > 4*grab && (in.y-b.y0 < grab || b.y1-in.y <= grab) {
			shape = ebiten.CursorShapeNSResize
		} else {
			shape = ebiten.CursorShapeMove
		}
	}
	if it, ok := hit(ps.pa, in.x, in.y); ok && it.kind == kImage {
		shape = ebiten.CursorShapeMove
	}
}
