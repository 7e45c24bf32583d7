package model

import (
	"strings"
	"testing"

	"linmap/sim"
	"linmap/sim/layout"
	"linmap/wasm/edit"
)

func open(t *testing.T, id string) *Model {
	t.Helper()
	m, err := OpenPreset(id, sim.Run)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func lastNotice(m *Model) Notice {
	n := m.Notices()
	if len(n) == 0 {
		return Notice{}
	}
	return n[len(n)-1]
}

// A drag of many moves is one undo step; the result follows every move;
// the preset is forgotten by the edit and comes back with undo.
func TestDragUndoRedo(t *testing.T) {
	m := open(t, "arm-juno-r2")
	if m.Preset() != "arm-juno-r2" || m.Undo().CanUndo {
		t.Fatalf("start: preset %q, undo %+v", m.Preset(), m.Undo())
	}
	base := uint64(m.Layout().Memory[1].Base)
	r0 := m.Result()
	from, ok := m.BeginDrag(DragBank, 1)
	if !ok || from != base || m.Selection() != (Selection{Kind: SelBank, Bank: 1}) {
		t.Fatalf("begin: %#x %v %+v", from, ok, m.Selection())
	}
	for i := uint64(1); i <= 3; i++ {
		if !m.DragTo(base+i<<21, 1<<21) {
			t.Fatalf("move %d refused: %+v", i, m.Notices())
		}
		if m.Result() == r0 || m.Undo().CanUndo {
			t.Fatalf("move %d: the result did not follow, or undo is offered mid-drag", i)
		}
	}
	edits := m.Edits()
	m.EndDrag()
	if m.Edits() != edits+1 || !m.Undo().CanUndo || m.Undo().UndoLabel != "move bank 1" || m.Preset() != "" {
		t.Fatalf("after the drag: edits %d→%d, %+v, preset %q", edits, m.Edits(), m.Undo(), m.Preset())
	}
	moved := m.Layout().Memory[1].Base
	m.StepUndo()
	if uint64(m.Layout().Memory[1].Base) != base || m.Preset() != "arm-juno-r2" {
		t.Fatalf("undo: bank at %s, preset %q", m.Layout().Memory[1].Base, m.Preset())
	}
	m.StepRedo()
	if m.Layout().Memory[1].Base != moved {
		t.Fatalf("redo: bank at %s, want %s", m.Layout().Memory[1].Base, moved)
	}
	m.StepRedo()
	if lastNotice(m).Code != CodeNothingToUndo {
		t.Errorf("redo at the end: %+v", m.Notices())
	}
}

// Dropping a bank onto another is refused with the reason, the layout
// stays at its last good position, and the error stays until dismissed.
func TestRefusedDragKeepsLayout(t *testing.T) {
	m := open(t, "seed-b-hypothesis2")
	good := m.Layout()
	m.BeginDrag(DragBank, 2)
	if m.DragTo(uint64(m.Layout().Memory[1].Base), 4096) {
		t.Fatal("a drag onto bank 1 was accepted")
	}
	m.EndDrag()
	n := lastNotice(m)
	if n.Code != CodeEditRefused || n.Severity != Error || !strings.Contains(n.Text, "overlap bank 1") {
		t.Errorf("notice %+v", n)
	}
	if m.Layout() != good || m.Undo().CanUndo {
		t.Errorf("a refused drag changed the layout")
	}
	for i := 0; i < 3; i++ {
		m.Seek(i) // other actions do not clear it
	}
	if len(m.Notices()) != 1 {
		t.Fatalf("the error did not stay: %+v", m.Notices())
	}
	m.Dismiss(n.ID)
	if len(m.Notices()) != 0 {
		t.Errorf("dismissed, still %+v", m.Notices())
	}
}

// The image lands on 2 MiB + text_offset; where the engine refuses, the
// image stays and the map stays drawn.
func TestImageDragSnapsToLoadAddresses(t *testing.T) {
	m := open(t, "qemu-virt-1g")
	from, _ := m.BeginDrag(DragImage, -1)
	m.DragTo(from+0x345678, 4096)
	m.EndDrag()
	if b := uint64(m.Layout().Image.Base); b%(2<<20) != 0 || b == from {
		t.Errorf("image at %#x: want a new 2 MiB boundary (text_offset 0 in %s)", b, m.Layout().Kernel.Era)
	}
	if m.Result() == nil {
		t.Error("no result after the drag")
	}
	m.BeginDrag(DragImage, -1)
	if m.DragTo(0x10, 4096) {
		t.Error("the image moved outside memory")
	}
	m.EndDrag()
	if m.Result() == nil || m.RunError() != nil {
		t.Error("the map disappeared behind an error")
	}
}

// Double-click add, delete; both undoable; the new bank is selected.
func TestAddDelete(t *testing.T) {
	m := open(t, "arm-juno-r2") // 2G at 0x8000_0000, 6G at 0x8_8000_0000
	if !m.AddBankAt(0x400000000) {
		t.Fatalf("add refused: %+v", m.Notices())
	}
	l := m.Layout()
	if len(l.Memory) != 3 || m.Selection().Kind != SelBank {
		t.Fatalf("%d banks, selection %+v", len(l.Memory), m.Selection())
	}
	b := l.Memory[m.Selection().Bank]
	if b.Size != 1<<30 || b.Base != 0x400000000 {
		t.Errorf("new bank %s+%s, want a 1G bank at 0x4_0000_0000", b.Base, b.Size)
	}
	m.DeleteSelected()
	if len(m.Layout().Memory) != 2 || m.Selection().Kind != SelNone {
		t.Errorf("after delete: %d banks", len(m.Layout().Memory))
	}
	m.StepUndo()
	m.StepUndo()
	if len(m.Layout().Memory) != 2 || m.Undo().CanUndo {
		t.Errorf("two undos: %d banks, %+v", len(m.Layout().Memory), m.Undo())
	}
}

// Compare v6.1 with v6.12 on the oracle case: the alias start differs, as
// a PA mark; off clears the marks. B may vary the page size.
func TestCompare(t *testing.T) {
	m := open(t, "oracle-a-single-1G")
	m.SetCompare(CompareSpec{Mode: CompareSide, Era: "v6.12"})
	lb, rb, d, err := m.Comparison()
	if err != nil || rb == nil || d == nil || lb.Kernel.Era != "v6.12" {
		t.Fatalf("B: %v %v", err, lb)
	}
	var diffs int
	for _, mk := range m.Marks() {
		if mk.Kind == MarkDiff && mk.Space == PA {
			diffs++
			if !strings.Contains(mk.Label, "v6.1") || len(mk.Detail) != 2 {
				t.Errorf("mark %+v", mk)
			}
		}
	}
	if diffs == 0 {
		t.Error("no differences marked")
	}
	m.SetCompare(CompareSpec{Mode: CompareOutline, PageSize: "64K"})
	lb, rb, _, err = m.Comparison()
	if err != nil || rb.PageSize != "64K" || lb.Kernel.VABits == 0 {
		t.Fatalf("B with 64K pages: %v, %+v", err, lb.Kernel)
	}
	m.SetCompare(CompareSpec{})
	if len(m.Marks()) != 0 {
		t.Errorf("compare off, %d marks", len(m.Marks()))
	}
}

// Flip mode shows one full view, of A or of B: flipping swaps the result
// drawn (and its summary for the header) and the axes' content, keeps the
// differences outlined, and ends with the mode.
func TestCompareFlip(t *testing.T) {
	m := open(t, "oracle-a-single-1G") // v6.1
	m.FlipAB()
	if lastNotice(m).Code != CodeNoFlip || len(m.Panes()) != 1 || m.Panes()[0].B {
		t.Fatalf("flip outside flip mode: %+v, %+v", m.Notices(), m.Panes())
	}
	m.SetCompare(CompareSpec{Mode: CompareFlip, Era: "v6.12"})
	a := m.Panes()
	marks := len(m.Marks())
	if len(a) != 1 || a[0].B || a[0].Result != m.Result() || a[0].Label != "A: v6.1" || marks == 0 {
		t.Fatalf("flip mode starts on A: %+v, %d marks", a, marks)
	}
	content := m.ContentVersion()
	m.FlipAB()
	b := m.Panes()
	_, rb, _, _ := m.Comparison()
	if !m.ShowingB() || len(b) != 1 || !b[0].B || b[0].Result != rb || b[0].Label != "B: v6.12" || b[0].Layout.Kernel.Era != "v6.12" {
		t.Fatalf("after the flip: %+v", b)
	}
	if m.ContentVersion() == content || len(m.Marks()) != marks {
		t.Errorf("flip: content version %d → %d, marks %d → %d", content, m.ContentVersion(), marks, len(m.Marks()))
	}
	if sb := m.SummaryB(); sb.Era != "v6.12" || sb.Sentence == m.Summary().Sentence {
		t.Errorf("B's summary %+v", sb)
	}
	m.FlipAB()
	if m.ShowingB() || m.Panes()[0].B {
		t.Error("a second flip does not show A")
	}
	m.FlipAB()
	m.SetCompare(CompareSpec{Mode: CompareSide, Era: "v6.12"})
	if m.ShowingB() || len(m.Panes()) != 2 {
		t.Errorf("leaving flip mode: showing B %v, %d panes", m.ShowingB(), len(m.Panes()))
	}
}

// The realm control reaches the engine: a v6.18 realm guest without
// BBML2_NOABORT maps its memory with pages where a plain guest uses blocks;
// B may be the realm guest.
func TestRealm(t *testing.T) {
	m := open(t, "oracle-a-single-1G")
	c := edit.ControlsOf(m.Layout())
	c.Era, c.Cmdline = "v6.18", "rodata=noalias"
	m.SetControls(c)
	blocks := m.Result().Stats.BytesByPage["2M"]
	c.Realm = true
	m.SetControls(c)
	if !m.Layout().CPU.Realm || m.Result().Stats.BytesByPage["2M"] >= blocks || blocks == 0 {
		t.Fatalf("realm: 2M blocks %#x → %#x (%+v)", blocks, m.Result().Stats.BytesByPage["2M"], m.Notices())
	}
	c.Realm = false
	m.SetControls(c)
	m.SetCompare(CompareSpec{Mode: CompareOutline, Realm: "on"})
	if lb, _, d, err := m.Comparison(); err != nil || !lb.CPU.Realm || len(d.Highlights) == 0 {
		t.Errorf("B as a realm guest: %v, %+v", err, lb.CPU)
	}
}

// The replay reaches the failure, explains it in full, and an edit resets
// it to the whole result.
func TestReplay(t *testing.T) {
	m := open(t, "seed-b-hypothesis2") // v3.18 panics
	m.Seek(0)
	if m.Shown() == m.Result() || m.Shown().Fatal != nil {
		t.Fatal("step 0 shows the whole result")
	}
	m.Jump("failure")
	ex := m.Explain()
	if len(ex) < 3 || ex[len(ex)-1].Step.Kind != "fatal" {
		t.Fatalf("explanation %+v", ex)
	}
	for _, e := range ex {
		if e.Step.Text == "" || e.Why == "" || strings.HasSuffix(e.Step.Text, "…") {
			t.Errorf("step %d cut short: %+v", e.Index, e)
		}
	}
	m.Play(true)
	m.Advance(100)
	if m.Playing() || m.Step() != len(m.Result().Trace)-1 {
		t.Errorf("player: step %d playing %v", m.Step(), m.Playing())
	}
	m.Seek(1)
	m.Nudge(1, 4096)
	m.Select(Selection{Kind: SelBank, Bank: 2})
	m.Nudge(1, 4096)
	if m.Scrubbed() || m.Shown() != m.Result() {
		t.Error("an edit did not reset the replay")
	}
}

// Go to a PA finds its leaf on both spaces; a VA in the linear region is
// read as virtual; nonsense names the field.
func TestGoTo(t *testing.T) {
	m := open(t, "qemu-virt-1g")
	if err := m.GoTo("0x40200000"); err != nil {
		t.Fatal(err)
	}
	mk := m.Marks()
	if len(mk) != 2 || mk[0].Space != PA || mk[1].Space != VA || mk[0].Base != 0x40200000 || m.Focus().Seq == 0 {
		t.Fatalf("marks %+v focus %+v", mk, m.Focus())
	}
	va := mk[1].Base
	if err := m.GoTo(strings.TrimPrefix(layout.Addr(va).String(), "0x")); err != nil {
		t.Fatal(err)
	}
	if mk := m.Marks(); mk[0].Base != 0x40200000 {
		t.Errorf("VA %#x went to PA %#x", va, mk[0].Base)
	}
	if err := m.GoTo("pa 0x1000"); err == nil || lastNotice(m).Code != CodeGoTo || lastNotice(m).Severity != Error {
		t.Errorf("PA 0x1000 is in no bank: %v %+v", err, lastNotice(m))
	}
	if err := m.GoTo("banana"); err == nil || !strings.Contains(err.Error(), `"banana"`) {
		t.Errorf("banana: %v", err)
	}
}

func TestSelectNextAndVersion(t *testing.T) {
	m := open(t, "qemu-virt-numa")
	v := m.Version()
	m.SelectNext(1)
	first := m.Selection()
	m.SelectNext(-1)
	if m.Version() == v || first.Kind != SelBank || m.Selection() == first && len(m.Layout().Memory) > 1 {
		t.Errorf("select next/prev: %+v then %+v", first, m.Selection())
	}
	c := m.ContentVersion()
	m.Select(Selection{})
	if m.ContentVersion() != c {
		t.Error("a selection change moved the axes' content")
	}
}
