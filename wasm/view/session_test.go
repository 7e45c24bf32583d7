package view

import (
	"testing"

	"linmap/assets"
	"linmap/sim"
	"linmap/sim/layout"
	"linmap/wasm/edit"
	"linmap/wasm/share"
)

func TestDescribeEdit(t *testing.T) {
	base := func() *layout.Layout {
		return &layout.Layout{
			Kernel: layout.Kernel{Era: "v6.12"},
			Memory: []layout.Bank{{Base: 0x40000000, Size: 0x40000000}, {Base: 0x100000000, Size: 0x40000000}},
			Image:  layout.Image{Base: 0x40200000},
		}
	}
	tests := []struct {
		name string
		edit func(*layout.Layout)
		want string
	}{
		{"add", func(l *layout.Layout) { l.Memory = append(l.Memory, layout.Bank{Base: 0x200000000, Size: 0x1000}) }, "add bank"},
		{"delete", func(l *layout.Layout) { l.Memory = l.Memory[:1] }, "delete bank"},
		{"move", func(l *layout.Layout) { l.Memory[1].Base += 0x200000 }, "move bank 1"},
		{"resize", func(l *layout.Layout) { l.Memory[0].Size -= 0x200000 }, "resize bank 0"},
		{"image", func(l *layout.Layout) { l.Image.Base += 0x200000 }, "move kernel image"},
		{"era", func(l *layout.Layout) { l.Kernel.Era = "v6.1" }, "change options"},
		{"cpu", func(l *layout.Layout) { l.CPU.PABits = 48 }, "change options"},
		{"name", func(l *layout.Layout) { l.Name = "x" }, "rename"},
		{"nothing", func(*layout.Layout) {}, "edit"},
	}
	for _, tc := range tests {
		b := base()
		tc.edit(b)
		if got := describeEdit(base(), b); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

type keeperHost struct {
	kept   []*layout.Layout
	undo   Undo
	edited int
}

func (h *keeperHost) Changed(Snapshot) {}
func (h *keeperHost) Keep(l *layout.Layout, edited bool, _ share.View) {
	if edited {
		h.edited++
		h.kept = append(h.kept, l)
	}
}
func (h *keeperHost) Undoable(u Undo) { h.undo = u }

// A drag of many steps is one undo entry; every settled edit is kept
// (autosaved) once; undo and redo walk the entries.
func TestSessionUndo(t *testing.T) {
	p, _ := assets.Lookup("arm-juno-r2")
	l0, err := layout.Parse(p.Layout)
	if err != nil {
		t.Fatal(err)
	}
	h := &keeperHost{}
	g := New(l0, sim.Run, h)
	g.settle()
	if h.undo.CanUndo || h.edited != 0 {
		t.Fatalf("at start: %+v, %d kept", h.undo, h.edited)
	}
	orig := g.lay
	base := uint64(g.lay.Memory[1].Base)
	// A drag: three moves while the button is held.
	g.dr = drag{kind: dragBank, idx: 1, orig: orig}
	for i := uint64(1); i <= 3; i++ {
		n, err := edit.MoveBank(orig, 1, base+i<<21, 1<<21)
		if !g.apply(n, err) {
			t.Fatalf("move %d refused: %v", i, err)
		}
		g.settle()
	}
	if h.undo.CanUndo || h.edited != 0 {
		t.Fatalf("during the drag: %+v, %d kept", h.undo, h.edited)
	}
	g.dr = drag{}
	g.settle()
	if !h.undo.CanUndo || h.undo.UndoLabel != "move bank 1" || h.edited != 1 {
		t.Fatalf("after the drag: %+v, %d kept", h.undo, h.edited)
	}
	moved := g.lay
	g.Undo()
	g.settle()
	if g.lay.Memory[1].Base != orig.Memory[1].Base || !h.undo.CanRedo || h.undo.CanUndo {
		t.Fatalf("undo: bank 1 at %v, want %v; %+v", g.lay.Memory[1].Base, orig.Memory[1].Base, h.undo)
	}
	if last := h.kept[len(h.kept)-1]; last.Memory[1].Base != orig.Memory[1].Base {
		t.Fatalf("undo was not autosaved")
	}
	g.Redo()
	g.settle()
	if g.lay.Memory[1].Base != moved.Memory[1].Base || h.undo.UndoLabel != "move bank 1" {
		t.Fatalf("redo: bank 1 at %v, want %v", g.lay.Memory[1].Base, moved.Memory[1].Base)
	}
	// A preset or import is one entry with its own name.
	q, _ := assets.Lookup("qemu-virt-1g")
	lq, _ := layout.Parse(q.Layout)
	g.SetLayoutAs(lq, "preset QEMU")
	g.settle()
	if h.undo.UndoLabel != "preset QEMU" {
		t.Fatalf("label %q", h.undo.UndoLabel)
	}
	g.Undo()
	g.settle()
	if g.lay.Memory[1].Base != moved.Memory[1].Base {
		t.Fatalf("undo of the preset did not bring back the dragged layout")
	}
}
