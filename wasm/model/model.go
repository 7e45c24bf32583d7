// Package model is the browser app's state and every user intent as a
// method: the layout and its result, the selection, a drag in progress, the
// boot replay, the comparison, undo, notices, import assumptions and marked
// ranges, the inputs about a board and the check against it. It is plain
// Go, tested natively without a canvas. It is the only caller of the
// engine (sim.Run, and check.Run for a check) and never calls the view:
// the view and the page read it, and redraw when Version changes.
package model

import (
	"time"

	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/history"
	"linmap/wasm/results"
)

// RunFunc runs the engine (sim.Run; tests may pass another).
type RunFunc func(*layout.Layout) (*result.Result, error)

// SelKind says what is selected.
type SelKind int

const (
	SelNone SelKind = iota
	SelBank
	SelImage
)

// Selection is the selected bank (by layout index) or the kernel image.
type Selection struct {
	Kind SelKind
	Bank int
}

// Model is the app's state. The zero value is not usable: call New.
type Model struct {
	run RunFunc

	version uint64 // any change anyone shows
	content uint64 // changes of what occupies the address spaces (axes follow)
	edits   uint64 // settled changes of the layout (autosave follows)
	docs    uint64 // a new layout replaced the old one (import, preset, link)

	lay    *layout.Layout
	res    *result.Result
	runErr error
	sum    *results.Summary // of res, made on first use

	preset string // the preset the layout is, unedited ("" otherwise)
	sel    Selection
	drag   *gesture

	hist *history.History

	notices []Notice
	nextID  int

	in      inputs
	chk     *checkRun // the last check against the board, nil when none
	checks  int       // checks run
	replay  replay
	cmp     compare
	goTo    []Mark
	focus   Focus
	markVer uint64
	marks   []Mark

	// runTime is engine time since TakeRunTime, for BENCHMARKS.md.
	runTime time.Duration
}

// New makes a model showing l, which came from preset ("" for none). The
// history starts at l: opening the app is not an undoable edit.
func New(l *layout.Layout, preset string, run RunFunc) *Model {
	m := &Model{run: run, replay: replay{speed: DefaultSpeed, step: -1}}
	m.replace(l, preset, nil)
	m.resetHistory()
	return m
}

// Version increases with every change of anything the model shows.
func (m *Model) Version() uint64 { return m.version }

// ContentVersion increases when the ranges drawn on the axes change (the
// layout, its result, B's result): the view rebuilds its axes then.
func (m *Model) ContentVersion() uint64 { return m.content }

// Document increases when a new layout replaces the one shown (import,
// preset, link, autosave): the view fits it instead of keeping the zoom.
func (m *Model) Document() uint64 { return m.docs }

// Edits increases with every settled layout change: autosave follows it.
func (m *Model) Edits() uint64 { return m.edits }

// Layout is the current layout. It is never changed in place: an edit
// makes a new one.
func (m *Model) Layout() *layout.Layout { return m.lay }

// Result is the engine's result for the layout (nil when the era refused
// it; RunError says why).
func (m *Model) Result() *result.Result { return m.res }

// RunError is the engine's refusal of the layout, or nil.
func (m *Model) RunError() error { return m.runErr }

// Summary is the result in words and numbers.
func (m *Model) Summary() results.Summary {
	if m.sum == nil {
		s := results.Of(m.res, m.runErr)
		m.sum = &s
	}
	return *m.sum
}

// Preset is the id of the preset the layout is, unedited, or "".
func (m *Model) Preset() string { return m.preset }

// Selection is the selected bank or image.
func (m *Model) Selection() Selection { return m.sel }

// Assumptions are what the importer inferred or assumed to build the
// current layout, and the inputs it left out: the layout carries them
// (layout.Assumptions), so they survive undo, autosave and export.
func (m *Model) Assumptions() []layout.Assumption { return m.lay.Assumptions }

// TakeRunTime returns the engine time spent since the last call.
func (m *Model) TakeRunTime() time.Duration {
	d := m.runTime
	m.runTime = 0
	return d
}

func (m *Model) changed() { m.version++ }

// simulate runs the engine on l.
func (m *Model) simulate(l *layout.Layout) (*result.Result, error) {
	start := time.Now()
	r, err := m.run(l)
	m.runTime += time.Since(start)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// replace makes l the layout with its result r (run here when nil). It
// does not touch the history: callers record.
func (m *Model) replace(l *layout.Layout, preset string, r *result.Result) {
	var err error
	if r == nil {
		r, err = m.simulate(l)
	}
	m.lay, m.res, m.runErr, m.sum = l, r, err, nil
	m.preset = preset
	if m.sel.Kind == SelBank && m.sel.Bank >= len(l.Memory) {
		m.sel = Selection{}
	}
	m.replay.reset()
	m.cmp.stale = true
	m.goTo = nil
	m.chk.follow(l)
	m.content++
	m.changed()
}

// Select selects a bank, the image, or nothing.
func (m *Model) Select(s Selection) {
	switch {
	case s.Kind == SelBank && (s.Bank < 0 || s.Bank >= len(m.lay.Memory)):
		s = Selection{}
	case s.Kind == SelImage && m.lay.Image.Base == 0:
		s = Selection{}
	}
	if s != m.sel {
		m.sel = s
		m.changed()
	}
}

// SelectNext selects the next bank by address (dir −1: the previous).
func (m *Model) SelectNext(dir int) {
	order := BanksByAddress(m.lay)
	if len(order) == 0 {
		return
	}
	next := 0
	if dir < 0 {
		next = len(order) - 1
	}
	if m.sel.Kind == SelBank {
		for k, i := range order {
			if i == m.sel.Bank {
				next = (k + dir + len(order)) % len(order)
			}
		}
	}
	m.Select(Selection{Kind: SelBank, Bank: order[next]})
}

// SelectedName names the selection for the panel: "bank 2 0x8000_0000+2G".
func (m *Model) SelectedName() string {
	switch m.sel.Kind {
	case SelImage:
		return "kernel image"
	case SelBank:
		return bankName(m.lay, m.sel.Bank)
	}
	return ""
}
