package history

import (
	"strconv"
	"testing"
)

// op is one step of a scripted session: an action and what must hold after it.
type op struct {
	do       string // "rec", "begin", "commit", "cancel", "undo", "redo"
	label    string // for rec
	state    string // for rec
	ok       bool   // result of undo/redo/rec/commit
	want     string // current state afterwards
	undoName string // UndoLabel afterwards
	redoName string // RedoLabel afterwards
}

func TestHistory(t *testing.T) {
	tests := []struct {
		name  string
		depth int
		ops   []op
	}{
		{"nothing to undo at start", 0, []op{
			{do: "undo", want: "A"},
			{do: "redo", want: "A"},
		}},
		{"record, undo, redo", 0, []op{
			{do: "rec", label: "add bank", state: "B", ok: true, want: "B", undoName: "add bank"},
			{do: "rec", label: "delete bank", state: "C", ok: true, want: "C", undoName: "delete bank"},
			{do: "undo", ok: true, want: "B", undoName: "add bank", redoName: "delete bank"},
			{do: "undo", ok: true, want: "A", redoName: "add bank"},
			{do: "undo", want: "A", redoName: "add bank"},
			{do: "redo", ok: true, want: "B", undoName: "add bank", redoName: "delete bank"},
			{do: "redo", ok: true, want: "C", undoName: "delete bank"},
			{do: "redo", want: "C", undoName: "delete bank"},
		}},
		{"an equal state is not an edit", 0, []op{
			{do: "rec", label: "click", state: "A", want: "A"},
			{do: "undo", want: "A"},
		}},
		{"a new edit drops the redo list", 0, []op{
			{do: "rec", label: "x", state: "B", ok: true, want: "B", undoName: "x"},
			{do: "undo", ok: true, want: "A", redoName: "x"},
			{do: "rec", label: "y", state: "C", ok: true, want: "C", undoName: "y"},
			{do: "redo", want: "C", undoName: "y"},
			{do: "undo", ok: true, want: "A", redoName: "y"},
		}},
		{"a drag is one entry", 0, []op{
			{do: "begin", want: "A"},
			{do: "rec", label: "drag bank 0", state: "B1", want: "B1"},
			{do: "rec", label: "drag bank 0", state: "B2", want: "B2"},
			{do: "undo", want: "B2"}, // the drag owns the layout until it ends
			{do: "rec", label: "drag bank 0", state: "B3", want: "B3"},
			{do: "commit", ok: true, want: "B3", undoName: "drag bank 0"},
			{do: "undo", ok: true, want: "A", redoName: "drag bank 0"},
			{do: "redo", ok: true, want: "B3", undoName: "drag bank 0"},
		}},
		{"a drag back to the start adds nothing", 0, []op{
			{do: "rec", label: "x", state: "B", ok: true, want: "B", undoName: "x"},
			{do: "begin", want: "B"},
			{do: "rec", label: "drag", state: "C", want: "C"},
			{do: "rec", label: "drag", state: "B", want: "B"},
			{do: "commit", want: "B", undoName: "x"},
			{do: "undo", ok: true, want: "A", redoName: "x"},
		}},
		{"a second begin is ignored", 0, []op{
			{do: "begin", want: "A"},
			{do: "rec", label: "drag", state: "B", want: "B"},
			{do: "begin", want: "B"},
			{do: "rec", label: "drag", state: "C", want: "C"},
			{do: "commit", ok: true, want: "C", undoName: "drag"},
			{do: "commit", want: "C", undoName: "drag"},
			{do: "undo", ok: true, want: "A", redoName: "drag"},
		}},
		{"cancel returns to the start of the drag", 0, []op{
			{do: "begin", want: "A"},
			{do: "rec", label: "drag", state: "B", want: "B"},
			{do: "cancel", want: "A"},
			{do: "undo", want: "A"},
		}},
		{"depth drops the oldest states", 2, []op{
			{do: "rec", label: "1", state: "B", ok: true, want: "B", undoName: "1"},
			{do: "rec", label: "2", state: "C", ok: true, want: "C", undoName: "2"},
			{do: "rec", label: "3", state: "D", ok: true, want: "D", undoName: "3"},
			{do: "undo", ok: true, want: "C", undoName: "2", redoName: "3"},
			{do: "undo", ok: true, want: "B", redoName: "2"},
			{do: "undo", want: "B", redoName: "2"},
			{do: "redo", ok: true, want: "C", undoName: "2", redoName: "3"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := New([]byte("A"), tc.depth)
			for i, o := range tc.ops {
				var ok bool
				switch o.do {
				case "rec":
					ok = h.Record(o.label, []byte(o.state))
				case "begin":
					h.Begin()
				case "commit":
					ok = h.Commit()
				case "cancel":
					h.Cancel()
				case "undo":
					var s []byte
					s, ok = h.Undo()
					if ok && string(s) != o.want {
						t.Fatalf("step %d: Undo returned %q, want %q", i, s, o.want)
					}
				case "redo":
					var s []byte
					s, ok = h.Redo()
					if ok && string(s) != o.want {
						t.Fatalf("step %d: Redo returned %q, want %q", i, s, o.want)
					}
				default:
					t.Fatalf("bad op %q", o.do)
				}
				if ok != o.ok {
					t.Errorf("step %d (%s): ok = %v, want %v", i, o.do, ok, o.ok)
				}
				if got := string(h.Current()); got != o.want {
					t.Errorf("step %d (%s): current = %q, want %q", i, o.do, got, o.want)
				}
				if got := h.UndoLabel(); got != o.undoName {
					t.Errorf("step %d (%s): UndoLabel = %q, want %q", i, o.do, got, o.undoName)
				}
				if got := h.RedoLabel(); got != o.redoName {
					t.Errorf("step %d (%s): RedoLabel = %q, want %q", i, o.do, got, o.redoName)
				}
			}
		})
	}
}

// The caller may reuse its buffer after Record: the history keeps copies.
func TestHistoryCopiesStates(t *testing.T) {
	buf := []byte("A")
	h := New(buf, 0)
	buf[0] = 'Z'
	buf2 := []byte("B")
	h.Record("x", buf2)
	buf2[0] = 'Y'
	if got, _ := h.Undo(); string(got) != "A" {
		t.Fatalf("undo = %q, want A", got)
	}
	if got, _ := h.Redo(); string(got) != "B" {
		t.Fatalf("redo = %q, want B", got)
	}
}

func TestHistoryBounded(t *testing.T) {
	h := New([]byte("0"), 5)
	for i := 1; i <= 100; i++ {
		h.Record("e", []byte(strconv.Itoa(i)))
	}
	if u, r := h.Len(); u != 5 || r != 0 {
		t.Fatalf("Len = %d, %d; want 5, 0", u, r)
	}
	for h.CanUndo() {
		h.Undo()
	}
	if got := string(h.Current()); got != "95" {
		t.Fatalf("oldest reachable state = %q, want 95", got)
	}
}

// Tags follow their states through undo and redo; recording an equal
// state only retags it.
func TestTags(t *testing.T) {
	h := New([]byte("A"), 0)
	h.SetTag("preset-a")
	h.RecordTagged("preset b", "preset-b", []byte("B"))
	h.Record("drag", []byte("C"))
	if h.Tag() != "" {
		t.Errorf("an edit keeps tag %q", h.Tag())
	}
	h.Undo()
	if h.Tag() != "preset-b" {
		t.Errorf("undo to B: tag %q", h.Tag())
	}
	h.Undo()
	if h.Tag() != "preset-a" {
		t.Errorf("undo to A: tag %q", h.Tag())
	}
	h.Redo()
	h.Redo()
	if h.Tag() != "" || string(h.Current()) != "C" {
		t.Errorf("redo to C: tag %q state %s", h.Tag(), h.Current())
	}
	if h.RecordTagged("reload", "preset-c", []byte("C")) || h.Tag() != "preset-c" {
		t.Errorf("an equal state is not an edit but takes the tag: %q", h.Tag())
	}
}
