package model

import (
	"errors"
	"reflect"
	"sort"
	"strconv"

	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/edit"
	"linmap/wasm/history"
	"linmap/wasm/numfmt"
)

// DragKind is what a drag moves.
type DragKind int

const (
	DragBank     DragKind = iota // the whole bank
	DragEdgeLow                  // a bank's base
	DragEdgeHigh                 // a bank's end
	DragImage                    // the kernel's load address
)

// gesture is a drag in progress: every move is an edit of the layout as it
// was when the drag began, and the whole drag is one undo step.
type gesture struct {
	kind DragKind
	bank int
	orig *layout.Layout
}

// BeginDrag starts dragging; it selects what is dragged. It reports the
// address being dragged (a bank's base or end, the image's base) so the
// view can move it by the pointer's travel.
func (m *Model) BeginDrag(kind DragKind, bank int) (from uint64, ok bool) {
	l := m.lay
	switch kind {
	case DragImage:
		if l.Image.Base == 0 {
			return 0, false
		}
		m.Select(Selection{Kind: SelImage})
		from = uint64(l.Image.Base)
	default:
		if bank < 0 || bank >= len(l.Memory) {
			return 0, false
		}
		m.Select(Selection{Kind: SelBank, Bank: bank})
		from = uint64(l.Memory[bank].Base)
		if kind == DragEdgeHigh {
			from = uint64(l.Memory[bank].End())
		}
	}
	m.drag = &gesture{kind: kind, bank: bank, orig: l}
	m.hist.Begin()
	return from, true
}

// Dragging reports a drag in progress.
func (m *Model) Dragging() bool { return m.drag != nil }

// DragTo moves what is dragged to addr, snapped to unit (the image to a
// load address the kernel can use). An edit the layout or the engine
// refuses leaves the last good position and says why: the map never
// disappears behind an error. It reports whether the layout changed.
func (m *Model) DragTo(addr, unit uint64) bool {
	d := m.drag
	if d == nil {
		return false
	}
	var n *layout.Layout
	var err error
	switch d.kind {
	case DragBank:
		n, err = edit.MoveBank(d.orig, d.bank, addr, unit)
	case DragEdgeLow:
		n, err = edit.ResizeBank(d.orig, d.bank, edit.Low, addr, unit)
	case DragEdgeHigh:
		n, err = edit.ResizeBank(d.orig, d.bank, edit.High, addr, unit)
	case DragImage:
		n, err = edit.MoveImage(d.orig, addr, unit)
	}
	return m.apply(n, err)
}

// EndDrag finishes the drag: one undo step if anything moved.
func (m *Model) EndDrag() {
	if m.drag == nil {
		return
	}
	orig := m.drag.orig
	m.drag = nil
	if orig != m.lay {
		m.record(describeEdit(orig, m.lay), "")
	}
	m.hist.Commit()
	m.content++ // the view kept its axes still during the drag
	m.changed()
}

// CancelDrag puts back the layout the drag started from (Escape).
func (m *Model) CancelDrag() {
	if m.drag == nil {
		return
	}
	orig := m.drag.orig
	m.drag = nil
	m.hist.Cancel()
	if orig != m.lay {
		m.replace(orig, m.hist.Tag(), nil)
	}
}

// apply takes an edited layout after the engine accepted it. Outside a
// drag the edit is recorded at once.
func (m *Model) apply(n *layout.Layout, err error) bool {
	if err != nil {
		m.refuse(err)
		return false
	}
	if n == nil || n == m.lay || sameMachine(n, m.lay) && reflect.DeepEqual(n.Kernel, m.lay.Kernel) &&
		reflect.DeepEqual(n.CPU, m.lay.CPU) && n.Name == m.lay.Name {
		return false
	}
	r, err := m.simulate(n)
	if err != nil {
		m.refuse(err)
		return false
	}
	prev := m.lay
	m.replace(n, "", r)
	m.dismissCode(CodeEditRefused)
	if m.drag == nil {
		m.record(describeEdit(prev, n), "")
	}
	return true
}

func (m *Model) refuse(err error) {
	var r *edit.Refused
	if errors.As(err, &r) {
		m.Notify(CodeEditRefused, Error, r.Reason)
		return
	}
	m.Notify(CodeEditRefused, Error, "refused: "+err.Error())
}

// sameMachine reports whether two layouts place the same ranges at the same
// addresses: a drag within one snap step changes nothing worth a re-run.
func sameMachine(a, b *layout.Layout) bool {
	return reflect.DeepEqual(a.Memory, b.Memory) && reflect.DeepEqual(a.Reserved, b.Reserved) &&
		reflect.DeepEqual(a.Image, b.Image) && reflect.DeepEqual(a.DTB, b.DTB) && reflect.DeepEqual(a.Initrd, b.Initrd)
}

// AddBankAt adds a bank in the gap around the physical address addr,
// sized and aligned for the gap, and selects it.
func (m *Model) AddBankAt(addr uint64) bool {
	n, idx, err := edit.AddBank(m.lay, addr)
	if !m.apply(n, err) {
		return false
	}
	m.Select(Selection{Kind: SelBank, Bank: idx})
	return true
}

// DeleteSelected removes the selected bank.
func (m *Model) DeleteSelected() {
	if m.sel.Kind != SelBank || m.drag != nil {
		return
	}
	n, err := edit.DeleteBank(m.lay, m.sel.Bank)
	if m.apply(n, err) {
		m.Select(Selection{})
	}
}

// Nudge moves the selection by one unit up (dir −1) or down (dir 1).
func (m *Model) Nudge(dir int, unit uint64) {
	if m.drag != nil {
		return
	}
	step := func(b uint64) uint64 {
		if dir < 0 {
			return b - min(b, unit)
		}
		return b + unit
	}
	switch m.sel.Kind {
	case SelBank:
		b := uint64(m.lay.Memory[m.sel.Bank].Base)
		m.apply(edit.MoveBank(m.lay, m.sel.Bank, step(b), unit))
	case SelImage:
		// The image moves by whole load slots (2 MiB at least).
		u := max(unit, edit.ImageAlign)
		b := uint64(m.lay.Image.Base)
		to := b + u
		if dir < 0 {
			to = b - min(b, u)
		}
		m.apply(edit.MoveImage(m.lay, to, u))
	}
}

// SetControls applies the panel's settings (era, page size, VA_BITS,
// command line, CPU features, name).
func (m *Model) SetControls(c edit.Controls) {
	m.apply(edit.ApplyControls(m.lay, c))
}

// SetLayout replaces the layout as one undoable edit named label ("preset
// Juno r2", "import memblock.txt", "open link"). preset is the preset id
// the layout is, or "". The engine may refuse the layout: it is shown with
// the reason (a restored autosave or link the era cannot take).
func (m *Model) SetLayout(l *layout.Layout, label, preset string) {
	m.setLayout(l, label, preset, nil)
}

// setLayout is SetLayout with the engine's result when the caller has it
// (a check ran the engine on l already).
func (m *Model) setLayout(l *layout.Layout, label, preset string, r *result.Result) {
	if m.drag != nil {
		m.CancelDrag()
	}
	m.replace(l, preset, r)
	m.docs++
	m.sel = Selection{}
	m.record(label, preset)
}

// Restore makes l the start of the history (the autosave a page opens with
// is not itself an undoable edit).
func (m *Model) Restore(l *layout.Layout, preset string) {
	m.replace(l, preset, nil)
	m.docs++
	m.resetHistory()
}

func (m *Model) resetHistory() {
	data, err := m.lay.Marshal()
	if err != nil {
		return // a Layout always marshals
	}
	m.hist = history.New(data, history.DefaultDepth)
	m.hist.SetTag(m.preset)
}

// record makes the current layout a history entry (inside a drag it only
// updates the drag's pending state).
func (m *Model) record(label, tag string) {
	data, err := m.lay.Marshal()
	if err != nil {
		return
	}
	if m.hist.RecordTagged(label, tag, data) || m.drag == nil {
		m.edits++
	}
}

// UndoState is the undo and redo buttons.
type UndoState struct {
	CanUndo   bool   `js:"canUndo" json:"canUndo"`
	CanRedo   bool   `js:"canRedo" json:"canRedo"`
	UndoLabel string `js:"undoLabel" json:"undoLabel"`
	RedoLabel string `js:"redoLabel" json:"redoLabel"`
}

// Undo is the state of the undo and redo buttons.
func (m *Model) Undo() UndoState {
	h := m.hist
	return UndoState{CanUndo: h.CanUndo(), CanRedo: h.CanRedo(), UndoLabel: h.UndoLabel(), RedoLabel: h.RedoLabel()}
}

// StepUndo steps back one edit; during a drag it does nothing.
func (m *Model) StepUndo() { m.stepHistory(m.hist.Undo, "Nothing to undo.") }

// StepRedo repeats the last undone edit.
func (m *Model) StepRedo() { m.stepHistory(m.hist.Redo, "Nothing to redo.") }

func (m *Model) stepHistory(f func() ([]byte, bool), none string) {
	if m.drag != nil {
		return
	}
	data, ok := f()
	if !ok {
		m.Notify(CodeNothingToUndo, Info, none)
		return
	}
	l, err := layout.Parse(data)
	if err != nil {
		// The history only holds layouts the app was showing: this
		// would be a bug in the layout format's round trip.
		m.Notify(CodeEditRefused, Error, "undo: "+err.Error())
		return
	}
	m.replace(l, m.hist.Tag(), nil)
	m.edits++
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
					return "resize bank " + strconv.Itoa(i)
				}
				return "move bank " + strconv.Itoa(i)
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

// BanksByAddress lists bank indexes lowest address first.
func BanksByAddress(l *layout.Layout) []int {
	idx := make([]int, len(l.Memory))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return l.Memory[idx[a]].Base < l.Memory[idx[b]].Base })
	return idx
}

func bankName(l *layout.Layout, i int) string {
	if i < 0 || i >= len(l.Memory) {
		return ""
	}
	b := l.Memory[i]
	return "bank " + strconv.Itoa(i) + " " + numfmt.Hex(uint64(b.Base)) + "+" + numfmt.Size(uint64(b.Size))
}
