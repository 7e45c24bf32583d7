// Package history is the app's undo and redo: a bounded list of layout
// snapshots (the layout's JSON), one per edit. A drag changes the layout on
// every frame, so edits between Begin and Commit coalesce into one entry:
// one Ctrl-Z puts the bank back where the drag started.
//
// Snapshots are opaque bytes so the package needs neither the layout types
// nor the browser, and its tests run natively.
package history

import "bytes"

// DefaultDepth bounds the undo list: layouts are about a kilobyte of JSON,
// so a few hundred steps cost well under a megabyte of wasm heap.
const DefaultDepth = 200

// Entry is one state of the layout and the edit that produced it.
type Entry struct {
	Label string // "drag bank 2", "import memblock", "preset hikey"
	// Tag is the caller's word on where the state came from (the app
	// keeps the preset id here, so undo brings back the preset's name).
	Tag   string
	State []byte
}

// History holds the states before and after the current one. The zero
// value is not usable: call New.
type History struct {
	undo  []Entry // oldest first; the last is the state before cur
	redo  []Entry // the last is the next state to redo
	cur   Entry
	depth int

	open bool  // between Begin and Commit
	base Entry // the state when Begin was called
}

// New starts a history at the initial state (a loaded preset or an
// autosave); there is nothing to undo yet. depth < 1 means DefaultDepth.
func New(initial []byte, depth int) *History {
	if depth < 1 {
		depth = DefaultDepth
	}
	return &History{cur: Entry{Label: "start", State: clone(initial)}, depth: depth}
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

// Current returns the current state.
func (h *History) Current() []byte { return h.cur.State }

// Tag returns the current state's tag.
func (h *History) Tag() string { return h.cur.Tag }

// SetTag tags the current state (the start state, which New leaves
// untagged).
func (h *History) SetTag(tag string) { h.cur.Tag = tag }

// Record makes state the current one after an edit named label. A state
// equal to the current one is not an edit (a click that moved nothing) and
// records nothing; it reports whether an entry was added. Inside Begin and
// Commit it only updates the pending state.
func (h *History) Record(label string, state []byte) bool {
	return h.RecordTagged(label, "", state)
}

// RecordTagged is Record with a tag for the new state.
func (h *History) RecordTagged(label, tag string, state []byte) bool {
	if bytes.Equal(state, h.cur.State) {
		if !h.open {
			h.cur.Tag = tag
		}
		return false
	}
	if h.open {
		h.cur = Entry{Label: label, Tag: tag, State: clone(state)}
		return false
	}
	h.push(h.cur)
	h.cur = Entry{Label: label, Tag: tag, State: clone(state)}
	h.redo = h.redo[:0]
	return true
}

func (h *History) push(e Entry) {
	h.undo = append(h.undo, e)
	if over := len(h.undo) - h.depth; over > 0 {
		// Drop the oldest states: undo stays possible for the last depth
		// edits, and the slice does not grow without bound.
		h.undo = append(h.undo[:0], h.undo[over:]...)
	}
}

// Begin opens a gesture (a drag): the Records until Commit become one
// entry. A second Begin while open is ignored, so a gesture interrupted by
// another pointer still ends as one entry.
func (h *History) Begin() {
	if h.open {
		return
	}
	h.open = true
	h.base = h.cur
}

// Commit closes the gesture. If the state changed since Begin it adds one
// entry labelled with the last Record's label, and reports true.
func (h *History) Commit() bool {
	if !h.open {
		return false
	}
	h.open = false
	if bytes.Equal(h.base.State, h.cur.State) {
		h.cur = h.base
		return false
	}
	h.push(h.base)
	h.redo = h.redo[:0]
	return true
}

// Cancel closes the gesture and returns to the state at Begin (Escape
// during a drag).
func (h *History) Cancel() []byte {
	if h.open {
		h.open = false
		h.cur = h.base
	}
	return h.cur.State
}

// CanUndo and CanRedo say whether the buttons do anything.
func (h *History) CanUndo() bool { return !h.open && len(h.undo) > 0 }
func (h *History) CanRedo() bool { return !h.open && len(h.redo) > 0 }

// UndoLabel and RedoLabel name the edit the next Undo or Redo reverts or
// repeats ("" if none), for the buttons' titles.
func (h *History) UndoLabel() string {
	if !h.CanUndo() {
		return ""
	}
	return h.cur.Label
}

func (h *History) RedoLabel() string {
	if !h.CanRedo() {
		return ""
	}
	return h.redo[len(h.redo)-1].Label
}

// Undo steps back one edit and returns the state to show. During a gesture
// it does nothing: the drag owns the layout until it ends.
func (h *History) Undo() ([]byte, bool) {
	if !h.CanUndo() {
		return nil, false
	}
	h.redo = append(h.redo, h.cur)
	h.cur = h.undo[len(h.undo)-1]
	h.undo = h.undo[:len(h.undo)-1]
	return h.cur.State, true
}

// Redo steps forward one undone edit.
func (h *History) Redo() ([]byte, bool) {
	if !h.CanRedo() {
		return nil, false
	}
	h.undo = append(h.undo, h.cur)
	h.cur = h.redo[len(h.redo)-1]
	h.redo = h.redo[:len(h.redo)-1]
	return h.cur.State, true
}

// Len returns how many undo and redo steps are held.
func (h *History) Len() (undo, redo int) { return len(h.undo), len(h.redo) }
