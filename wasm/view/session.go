package view

import (
	"math"
	"reflect"

	"linmap/sim/layout"
	"linmap/wasm/history"
	"linmap/wasm/share"
)

// Keeper is the optional part of a Host that keeps the user's work: it
// hears about every settled edit (for autosave and the undo buttons) and
// every change of view (for autosave and share links). The bridge
// implements it; a Host without it simply keeps nothing.
type Keeper interface {
	// Keep is called when the layout or the view changed; edited says
	// whether the layout did (it is saved at once, a view change later).
	Keep(l *layout.Layout, edited bool, v share.View)
	// Undoable reports the undo and redo buttons' state.
	Undoable(u Undo)
}

// Undo is the state of the undo and redo buttons.
type Undo struct {
	CanUndo   bool   `js:"canUndo"`
	CanRedo   bool   `js:"canRedo"`
	UndoLabel string `js:"undoLabel"`
	RedoLabel string `js:"redoLabel"`
}

// session is the part of the game that makes edits undoable and keeps the
// view: every layout the game settles on (no drag under way) becomes one
// history entry, so a drag of a hundred frames is one Ctrl-Z, and every
// kind of edit (drag, key, add, delete, panel option, import, preset, link)
// is covered without each having to remember to record itself.
type session struct {
	hist     *history.History
	recorded *layout.Layout // the layout the history's current state is
	label    string         // names the next settled edit, if set by its maker
	view     share.View     // last view reported to the Keeper
	pending  *share.View    // a view to restore once the screen has its size
	told     Undo
}

// SetLayoutAs replaces the layout as one undoable edit named label
// ("import memblock.txt", "preset hikey", "open link").
func (g *Game) SetLayoutAs(l *layout.Layout, label string) {
	g.SetLayout(l)
	g.sess.label = label
}

// RestoreView asks for the columns to show v's windows; it is applied once
// the canvas has its real size (before that the axes are re-fitted anyway).
func (g *Game) RestoreView(v share.View) { g.sess.pending = &v }

// ViewState returns the address windows the columns show; a fitted column
// is nil, so a link made without zooming opens fitted on any screen size.
func (g *Game) ViewState() share.View {
	win := func(a interface {
		Zoom() float64
		Addr(float64) uint64
	}) *share.Window {
		if a == nil || math.Abs(a.Zoom()-1) < 1e-6 {
			return nil
		}
		lo, hi := a.Addr(g.geo.bandTop), a.Addr(g.geo.bandBot)
		if lo >= hi {
			return nil
		}
		return &share.Window{Lo: layout.Addr(lo), Hi: layout.Addr(hi)}
	}
	var v share.View
	if g.pa != nil {
		v.PA = win(g.pa)
	}
	if g.va != nil {
		v.VA = win(g.va)
	}
	return v
}

func (g *Game) applyView(v share.View) {
	if v.PA != nil {
		g.pa.Show(uint64(v.PA.Lo), uint64(v.PA.Hi))
	} else {
		g.pa.Fit()
	}
	if v.VA != nil {
		g.va.Show(uint64(v.VA.Lo), uint64(v.VA.Hi))
	} else {
		g.va.Fit()
	}
	g.rebuild()
}

// Undo steps back one edit; during a drag it does nothing (the drag owns
// the layout until the button is released).
func (g *Game) Undo() { g.step(g.sess.hist.Undo, "Nothing to undo.") }

// Redo repeats the last undone edit.
func (g *Game) Redo() { g.step(g.sess.hist.Redo, "Nothing to redo.") }

func (g *Game) step(f func() ([]byte, bool), none string) {
	if g.sess.hist == nil || g.editing() {
		return
	}
	data, ok := f()
	if !ok {
		g.Notify(none)
		return
	}
	l, err := layout.Parse(data)
	if err != nil {
		// The history only holds layouts the game was showing, so this
		// would be a bug in the layout format's round trip.
		g.Notify("undo: " + err.Error())
		return
	}
	g.lay = l
	if g.sel.ok && g.sel.kind == kBank && g.sel.idx >= len(l.Memory) {
		g.sel = selection{}
	}
	g.simulate()
	g.refreshAxes()
	g.sess.recorded = l
	g.sess.label = ""
	g.keep(true)
}

// ResetHistory starts the undo list at the current layout (the layout a
// page opens with, restored from autosave, is not itself an undoable edit).
func (g *Game) ResetHistory() {
	data, err := g.lay.Marshal()
	if err != nil {
		return // a Layout always marshals; without it there is no history
	}
	g.sess.hist = history.New(data, history.DefaultDepth)
	g.sess.recorded, g.sess.label = g.lay, ""
}

// editing reports a drag that changes the layout (panning does not).
func (g *Game) editing() bool {
	return g.dr.kind != dragNone && g.dr.kind != dragPanPA && g.dr.kind != dragPanVA
}

// settle runs at the end of every Update: it records a settled layout in
// the history, applies a pending view and tells the Keeper what changed.
func (g *Game) settle() {
	s := &g.sess
	if s.hist == nil {
		if g.ResetHistory(); s.hist == nil {
			return
		}
	}
	if s.pending != nil && g.screen.w > 0 {
		g.applyView(*s.pending)
		s.pending = nil
	}
	if g.editing() {
		s.hist.Begin()
	} else {
		if g.lay != s.recorded {
			if data, err := g.lay.Marshal(); err == nil {
				label := s.label
				if label == "" {
					label = describeEdit(s.recorded, g.lay)
				}
				s.hist.Record(label, data)
				g.keep(true)
			}
			s.recorded, s.label = g.lay, ""
		}
		s.hist.Commit()
	}
	if v := g.ViewState(); !reflect.DeepEqual(v, s.view) {
		s.view = v
		g.keep(false)
	}
	if k, ok := g.host.(Keeper); ok {
		u := Undo{CanUndo: s.hist.CanUndo(), CanRedo: s.hist.CanRedo(), UndoLabel: s.hist.UndoLabel(), RedoLabel: s.hist.RedoLabel()}
		if u != s.told {
			s.told = u
			k.Undoable(u)
		}
	}
}

func (g *Game) keep(edited bool) {
	if k, ok := g.host.(Keeper); ok {
		g.sess.view = g.ViewState()
		k.Keep(g.lay, edited, g.sess.view)
	}
}

// describeEdit names an edit for the undo button's title from what
// changed between two layouts.
func describeEdit(a, b *layout.Layout) string {
	switch {
	case a == nil:
		return "edit"
	case len(b.Memory) > len(a.Memory):
		return "add bank"
	case len(b.Memory) < len(a.Memory):
		return "delete bank"
	case !reflect.DeepEqual(a.Memory, b.Memory):
		for i := range a.Memory {
			if a.Memory[i].Base != b.Memory[i].Base || a.Memory[i].Size != b.Memory[i].Size {
				if a.Memory[i].Size != b.Memory[i].Size {
					return "resize bank " + itoa(i)
				}
				return "move bank " + itoa(i)
			}
		}
		return "edit bank"
	case !reflect.DeepEqual(a.Image, b.Image):
		return "move kernel image"
	case !reflect.DeepEqual(a.Kernel, b.Kernel) || !reflect.DeepEqual(a.CPU, b.CPU):
		return "change options"
	case a.Name != b.Name:
		return "rename"
	}
	return "edit"
}
