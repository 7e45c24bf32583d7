package model

import (
	"os"
	"strings"
	"testing"

	"linmap/sim/layout"
)

func readTestdata(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile("../../" + path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const (
	androidDmesg  = "formats/testdata/real/android-4.14-39bit-vmlayout-dmesg.txt"
	androidPtdump = "formats/testdata/real/android-4.14-39bit-ptdump.txt"
)

var badDTS = []byte("/dts-v1/;\n/ {\n memory@0 { reg = <0x0 0x40000000 0x0 ; };\n};\n")

// assumption finds what the layout assumed about field.
func assumption(l *layout.Layout, field string) (layout.Assumption, bool) {
	for _, a := range l.Assumptions {
		if a.Field == field {
			return a, true
		}
	}
	return layout.Assumption{}, false
}

// Files given together make ONE layout, each field from the best of
// them: the era from the boot log, the page size from the ptdump, as
// "linmap import dmesg.txt ptdump.txt" does; one undo step.
func TestImportCombines(t *testing.T) {
	m := open(t, "arm-juno-r2")
	dmesg := File{Name: "dmesg.txt", Data: readTestdata(t, androidDmesg)}
	pt := File{Name: "kernel_page_tables.txt", Data: readTestdata(t, androidPtdump)}
	if err := m.Import(dmesg, pt); err != nil {
		t.Fatal(err)
	}
	l := m.Layout()
	if l.Kernel.Era != "v4.19" || l.Kernel.VABits != 39 || len(l.Memory) != 1 || l.Image.Base != 0x40080000 {
		t.Fatalf("layout: era %s VA_BITS %d memory %+v image %s", l.Kernel.Era, l.Kernel.VABits, l.Memory, l.Image.Base)
	}
	era, _ := assumption(l, "kernel.era")
	page, _ := assumption(l, "kernel.page_size")
	img, _ := assumption(l, "image.base")
	if !strings.HasPrefix(era.Source, "dmesg.txt:") || !strings.HasPrefix(page.Source, "kernel_page_tables.txt:") || !strings.HasPrefix(img.Source, "kernel_page_tables.txt:") {
		t.Errorf("each field names the file it came from: era %+v, page size %+v, image %+v", era, page, img)
	}
	if len(m.Assumptions()) != len(l.Assumptions) {
		t.Errorf("the model shows %d assumptions, the layout has %d", len(m.Assumptions()), len(l.Assumptions))
	}
	if u := m.Undo(); u.UndoLabel != "import dmesg.txt +1" {
		t.Errorf("undo %+v", u)
	}
	if n := lastNotice(m); n.Code != CodeImported || !strings.Contains(n.Text, "dmesg.txt (kernel log) and kernel_page_tables.txt (kernel_page_tables (ptdump)) together: 1 memory bank") {
		t.Errorf("notice %+v", n)
	}
	if src := m.SourceInputs(); len(src) != 2 || len(m.Inputs()) != 0 {
		t.Errorf("source %d inputs, %d pending", len(src), len(m.Inputs()))
	}
	// One file alone still says what it was read as.
	mem := File{Name: "memory", Data: readTestdata(t, "formats/memblock/testdata/b16-3banks-memory.txt")}
	if err := m.Import(mem); err != nil {
		t.Fatal(err)
	}
	if n := lastNotice(m); n.Text != "Imported memory as memblock debugfs list: 3 memory banks." {
		t.Errorf("notice %q", n.Text)
	}
	// Undo goes back to the combined layout, assumptions and all.
	m.StepUndo()
	if a, ok := assumption(m.Layout(), "kernel.page_size"); !ok || !strings.HasPrefix(a.Source, "kernel_page_tables.txt:") {
		t.Errorf("after undo: %+v", m.Assumptions())
	}
}

// A malformed file changes nothing and is named with its line; a file in
// none of the formats (a README dropped with the logs) is left out and
// said so; all-unrecognised or empty input is refused.
func TestImportRefusals(t *testing.T) {
	m := open(t, "arm-juno-r2")
	before := m.Layout()
	mem := File{Name: "memory", Data: readTestdata(t, "formats/memblock/testdata/b16-3banks-memory.txt")}
	bad := File{Name: "broken.dts", Data: badDTS}
	for _, tc := range []struct {
		files []File
		want  string
	}{
		{[]File{bad}, "Not imported: broken.dts (device-tree source): line 3"},
		{[]File{mem, bad}, "Not imported: broken.dts (device-tree source): line 3"},
		{[]File{{Data: []byte("  \n")}}, "Not imported: pasted text: nothing to import: the text is empty"},
		{[]File{{Name: "notes.txt", Data: []byte("hello\n")}}, "Not imported: notes.txt: unrecognised input: it is none of"},
		{nil, "Not imported: nothing to import"},
	} {
		err := m.Import(tc.files...)
		n := lastNotice(m)
		if err == nil || m.Layout() != before || n.Code != CodeImportFailed || n.Severity != Error || !strings.HasPrefix(n.Text, tc.want) {
			t.Errorf("%d files: err %v, notice %+v; want %q and the layout kept", len(tc.files), err, n, tc.want)
		}
	}
	if m.Undo().CanUndo {
		t.Error("a refused import is an undo step")
	}
	if err := m.Import(mem, File{Name: "notes.txt", Data: []byte("hello\n")}); err != nil {
		t.Fatal(err)
	}
	a, ok := assumption(m.Layout(), "input")
	if !ok || a.Source != "notes.txt" || a.Kind != layout.Skipped || !strings.HasPrefix(a.Reason, "not used: unrecognised input") {
		t.Errorf("the unused file: %+v", m.Assumptions())
	}
	for _, n := range m.Notices() {
		if n.Code == CodeImportFailed {
			t.Errorf("the earlier failure is still shown after a good import")
		}
	}
}

// Pasted texts gather (Add text) and import together; a bad one is not
// added and names its line; Remove and Clear edit the list.
func TestGatherInputs(t *testing.T) {
	m := open(t, "arm-juno-r2")
	before := m.Layout()
	if err := m.AddInputs(File{Data: readTestdata(t, androidDmesg)}); err != nil {
		t.Fatal(err)
	}
	if err := m.AddInputs(File{Data: badDTS}); err == nil || !strings.Contains(lastNotice(m).Text, "pasted text 2 (device-tree source): line 3") {
		t.Errorf("bad text added: %v, %+v", err, lastNotice(m))
	}
	if err := m.AddInputs(File{Data: []byte("hello\n")}); err == nil || !strings.Contains(lastNotice(m).Text, "unrecognised input") {
		t.Errorf("unrecognised text added: %v", err)
	}
	if err := m.AddInputs(File{Data: readTestdata(t, androidPtdump)}); err != nil {
		t.Fatal(err)
	}
	// The box's text was taken twice (it empties then); not when refused.
	if m.Taken() != 2 {
		t.Errorf("taken %d times, want 2", m.Taken())
	}
	in := m.Inputs()
	if len(in) != 2 || in[0].Name != "pasted text" || in[1].Name != "pasted text 2" || in[1].Formats[0] != "kernel_page_tables" || m.Layout() != before {
		t.Fatalf("gathered %+v", in)
	}
	m.RemoveInput(1)
	if len(m.Inputs()) != 1 {
		t.Fatalf("after remove: %d", len(m.Inputs()))
	}
	// The text still in the box goes with what was gathered.
	if err := m.ImportPasted(File{Data: readTestdata(t, androidPtdump)}); err != nil {
		t.Fatal(err)
	}
	if a, _ := assumption(m.Layout(), "kernel.page_size"); !strings.HasPrefix(a.Source, "pasted text 2:") || len(m.Inputs()) != 0 {
		t.Errorf("imported from %+v, %d still pending", a, len(m.Inputs()))
	}
	m.AddInputs(File{Data: readTestdata(t, androidPtdump)})
	m.ClearInputs()
	if len(m.Inputs()) != 0 || len(m.SourceInputs()) != 2 {
		t.Errorf("clear: %d pending, %d source", len(m.Inputs()), len(m.SourceInputs()))
	}
}

// A device tree whose /memory the boot loader fills in gives no banks: the
// layout stays, the notice says how to add them, the DT stays gathered,
// and a file with one bank, dropped next, completes it.
func TestDTWithoutMemory(t *testing.T) {
	m := open(t, "arm-juno-r2")
	before := m.Layout()
	dts := File{Name: "board.dts", Data: []byte(`/dts-v1/;
/ { #address-cells = <2>; #size-cells = <2>;
	reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
		tee@8e000000 { reg = <0 0x8e000000 0 0x2000000>; no-map; };
	};
};`)}
	if err := m.Import(dts); err == nil || m.Layout() != before {
		t.Fatalf("imported a DT without memory: %v", err)
	}
	n := lastNotice(m)
	for _, want := range []string{"board.dts has no memory banks", "1 range (1 no-map)", "40000000-bfffffff : System RAM", "Add text"} {
		if n.Code != CodeNoMemory || n.Severity != Error || !strings.Contains(n.Text, want) {
			t.Errorf("notice %q lacks %q", n.Text, want)
		}
	}
	if in := m.Inputs(); len(in) != 1 || in[0].Name != "board.dts" || m.Hint() != n.Text {
		t.Fatalf("the DT is not kept with the hint: %+v, %q", in, m.Hint())
	}
	// A file dropped next joins what is gathered.
	if err := m.Import(File{Name: "iomem", Data: []byte("80000000-ffffffff : System RAM\n")}); err != nil {
		t.Fatal(err)
	}
	l := m.Layout()
	if m.Hint() != "" || len(m.Inputs()) != 0 {
		t.Errorf("after the import: hint %q, %d inputs", m.Hint(), len(m.Inputs()))
	}
	if len(l.Memory) != 1 || l.Memory[0].Base != 0x80000000 || len(l.Reserved) != 1 || !l.Reserved[0].NoMap {
		t.Errorf("memory %+v reserved %+v", l.Memory, l.Reserved)
	}
	for _, n := range m.Notices() {
		if n.Code == CodeNoMemory {
			t.Error("the how-to-add-banks notice stays after the banks came")
		}
	}
}
