package model

import (
	"strings"
	"testing"

	"linmap/check"
	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/edit"
)

// checkAndroid checks the Android 4.14 board's boot log and ptdump under
// another era: v5.15 flips the VA space and maps everything with pages
// under its rodata=full default, so the ptdump's blocks differ.
func checkAndroid(t *testing.T, m *Model) {
	t.Helper()
	if err := m.AddInputs(File{Name: "dmesg.txt", Data: readTestdata(t, androidDmesg)}); err != nil {
		t.Fatal(err)
	}
	if err := m.CheckBoard(CheckOptions{Era: "v5.15"}, File{Data: readTestdata(t, androidPtdump)}); err != nil {
		t.Fatal(err)
	}
}

// inLinear reports whether [base, base+size) is in r's linear region.
func inLinear(r *result.Result, base, size uint64) bool {
	ls, le := uint64(r.LinearStart), uint64(r.LinearEnd)
	return base >= ls && (le == 0 || base+size <= le)
}

// Check against my board: the report's layout becomes the layout in one
// named undo step, the option replaces the inputs' era and says so, and
// every differing fact is marked on both spaces, the virtual mark being
// where the linear map puts the physical one.
func TestCheckBoard(t *testing.T) {
	m := open(t, "arm-juno-r2")
	checkAndroid(t, m)
	st := m.Check()
	rep := st.Report
	if rep == nil || rep.Summary.Differs == 0 || rep.Summary.Agrees == 0 || rep.Problem != "" {
		t.Fatalf("report %+v", rep)
	}
	l := m.Layout()
	if l != rep.Layout || l.Kernel.Era != "v5.15" || m.Result() != rep.Result || m.Undo().UndoLabel != "check against my board" {
		t.Fatalf("layout %s era %s, undo %+v", l.Name, l.Kernel.Era, m.Undo())
	}
	if len(st.Overrides) != 1 || st.Overrides[0].Field != "kernel.era" || st.Overrides[0].Chosen != "v5.15" || st.Overrides[0].Implied != "v4.19" {
		t.Errorf("overrides %+v", st.Overrides)
	}
	if _, ok := assumption(l, "kernel.era"); ok {
		t.Error("the era chosen for the check is still listed as assumed")
	}
	if len(st.Inputs) != 2 || st.Inputs[1].Name != "pasted text" || len(m.Inputs()) != 0 || len(m.SourceInputs()) != 2 {
		t.Errorf("inputs %+v, %d pending", st.Inputs, len(m.Inputs()))
	}
	if n := lastNotice(m); n.Code != CodeChecked || !strings.Contains(n.Text, "differ") {
		t.Errorf("notice %+v", n)
	}
	r := m.Result()
	pa, va := 0, 0
	for _, mk := range m.Marks() {
		if mk.Kind != MarkCheck {
			t.Errorf("mark %+v", mk)
			continue
		}
		if mk.Space == PA {
			pa++
			continue
		}
		va++
		// The machine's linear map was elsewhere (v4.19's VA space); the
		// mark is on the model's leaves for the same memory.
		if !inLinear(r, mk.Base, mk.Size) {
			t.Errorf("VA mark %#x+%#x outside the linear region %s..%s", mk.Base, mk.Size, r.LinearStart, r.LinearEnd)
		}
	}
	if pa == 0 || pa != va || st.Drawn != rep.Summary.Differs {
		t.Errorf("%d PA and %d VA marks for %d differing facts (%d drawn)", pa, va, rep.Summary.Differs, st.Drawn)
	}
}

// Selecting a fact outlines its ranges (whatever its verdict) and asks the
// view to show them; none selected, they go.
func TestSelectFact(t *testing.T) {
	m := open(t, "arm-juno-r2")
	checkAndroid(t, m)
	facts := m.Check().Report.Facts
	agree := -1
	for i, f := range facts {
		if f.Verdict == check.Agrees && len(f.Ranges) > 0 {
			agree = i
			break
		}
	}
	if agree < 0 {
		t.Fatal("no agreeing fact with ranges")
	}
	seq := m.Focus().Seq
	m.SelectFact(agree)
	var sel []Mark
	for _, mk := range m.Marks() {
		if mk.Kind == MarkFact {
			sel = append(sel, mk)
		}
	}
	f := m.Focus()
	if len(sel) < 2 || f.Seq != seq+1 || f.PA[1] <= f.PA[0] || f.VA[1] <= f.VA[0] || m.Check().Selected != agree {
		t.Fatalf("selected marks %+v, focus %+v", sel, f)
	}
	if !strings.HasPrefix(sel[0].Label, "agrees: ") || !strings.HasPrefix(sel[0].Detail[0], "printed at ") {
		t.Errorf("mark %+v", sel[0])
	}
	m.SelectFact(-1)
	for _, mk := range m.Marks() {
		if mk.Kind == MarkFact {
			t.Fatal("a deselected fact is still marked")
		}
	}
}

// The facts' addresses belong to the checked layout: an edit hides the
// marks and says the check is stale; undoing back to the checked layout
// shows them again; another undo goes back to before the check.
func TestCheckStale(t *testing.T) {
	m := open(t, "arm-juno-r2")
	checkAndroid(t, m)
	marks := len(m.Marks())
	c := edit.ControlsOf(m.Layout())
	c.Cmdline = "rodata=off"
	m.SetControls(c)
	if len(m.Marks()) != 0 || !m.Check().Stale {
		t.Fatalf("after an edit: %d marks, stale %v", len(m.Marks()), m.Check().Stale)
	}
	m.SelectFact(0)
	if n := lastNotice(m); !strings.Contains(n.Text, "not the checked one") {
		t.Errorf("selecting on a stale check: %+v", n)
	}
	m.StepUndo()
	if len(m.Marks()) != marks+len(factMarks(m.Check().Report.Facts[0], m.Result(), MarkFact)) || m.Check().Stale {
		t.Errorf("undo to the checked layout: %d marks (had %d), stale %v", len(m.Marks()), marks, m.Check().Stale)
	}
	m.StepUndo()
	if m.Preset() != "arm-juno-r2" {
		t.Errorf("undo past the check: %q", m.Layout().Name)
	}
	if len(m.Marks()) != 0 || !m.Check().Stale || m.Check().Report == nil {
		t.Errorf("before the check: %d marks; the report stays, stale", len(m.Marks()))
	}
	m.ClearCheck()
	if m.Check().Report != nil {
		t.Error("clear kept the report")
	}
}

// Inputs that cannot be read change nothing; inputs that give no memory
// give a report whose problem says why, and the layout stays.
func TestCheckRefusals(t *testing.T) {
	m := open(t, "arm-juno-r2")
	before := m.Layout()
	if err := m.CheckBoard(CheckOptions{}); err == nil || !strings.Contains(lastNotice(m).Text, "give what the board printed first") {
		t.Errorf("nothing to check: %v %+v", err, lastNotice(m))
	}
	if err := m.CheckBoard(CheckOptions{}, File{Name: "broken.dts", Data: badDTS}); err == nil || !strings.Contains(lastNotice(m).Text, "Not checked: broken.dts (device-tree source): line 3") {
		t.Errorf("bad input: %v %+v", err, lastNotice(m))
	}
	if m.Check().Report != nil || m.Layout() != before {
		t.Fatal("a bad input changed something")
	}
	config := File{Name: "config-6.1.0", Data: []byte("# Linux/arm64 6.1.0 Kernel Configuration\nCONFIG_ARM64_16K_PAGES=y\nCONFIG_ARM64_VA_BITS=47\n")}
	if err := m.CheckBoard(CheckOptions{}, config); err != nil {
		t.Fatal(err)
	}
	st := m.Check()
	if st.Report == nil || !strings.Contains(st.Report.Problem, "no input gives the memory") || st.Stale || m.Layout() != before || m.Undo().CanUndo {
		t.Fatalf("no memory: %+v, layout kept %v", st.Report, m.Layout() == before)
	}
	if n := lastNotice(m); n.Severity != Error || !strings.Contains(n.Text, "The layout was not changed") {
		t.Errorf("notice %+v", n)
	}
	if len(m.Marks()) != 0 || len(m.Inputs()) != 1 {
		t.Errorf("%d marks, %d inputs kept to complete", len(m.Marks()), len(m.Inputs()))
	}
	// An era that cannot take the layout: it is shown with the engine's
	// reason, and every fact is unchecked.
	m.ClearInputs()
	m.AddInputs(File{Name: "dmesg.txt", Data: readTestdata(t, androidDmesg)})
	if err := m.CheckBoard(CheckOptions{Era: "v4.6"}, File{Name: "ptdump.txt", Data: readTestdata(t, androidPtdump)}); err != nil {
		t.Fatal(err)
	}
	st = m.Check()
	if st.Report.Problem == "" || st.Report.Summary.Agrees+st.Report.Summary.Differs != 0 || m.RunError() == nil || m.Layout().Kernel.Era != "v4.6" || st.Stale {
		t.Errorf("refused era: problem %q, %+v, run error %v", st.Report.Problem, st.Report.Summary, m.RunError())
	}
	if n := lastNotice(m); n.Severity != Error || !strings.Contains(n.Text, "no model: the layout built from the inputs cannot be simulated") {
		t.Errorf("notice %+v", n)
	}
	// With nothing gathered, a check takes what the layout was built from.
	m.ClearInputs()
	if err := m.Import(File{Name: "ptdump.txt", Data: readTestdata(t, androidPtdump)}); err != nil {
		t.Fatal(err)
	}
	if err := m.CheckBoard(CheckOptions{}); err != nil {
		t.Fatal(err)
	}
	if st := m.Check(); len(st.Inputs) != 1 || st.Inputs[0].Name != "ptdump.txt" || st.Report.Summary.Agrees == 0 {
		t.Errorf("re-check of the import: %+v", st.Inputs)
	}
}

// factMarks at the edges of the linear map: a physical range is marked
// with its linear alias when the linear region holds it; a virtual range
// with the memory behind it; both are clipped to the region; a range
// outside it (a machine's KASLR-moved linear map) is placed through its
// physical range.
func TestFactMarks(t *testing.T) {
	const po, pg = 0x4000_0000, 0xffff_0000_0000_0000
	r := &result.Result{PhysOffset: po, PageOffset: pg, LinearStart: pg, LinearEnd: pg + 1<<47}
	top := &result.Result{PhysOffset: po, PageOffset: 0xffff_ff80_0000_0000, LinearStart: 0xffff_ff80_0000_0000} // region to 2^64
	rg := func(space string, a, b uint64) check.Range {
		return check.Range{Space: space, Start: layout.Addr(a), End: layout.Addr(b)}
	}
	type m3 struct {
		sp   Space
		base uint64
		size uint64
	}
	for _, tc := range []struct {
		name   string
		r      *result.Result
		ranges []check.Range
		want   []m3
	}{
		{"PA in the linear map", r, []check.Range{rg("pa", po+0x20_0000, po+0x40_0000)},
			[]m3{{PA, po + 0x20_0000, 0x20_0000}, {VA, pg + 0x20_0000, 0x20_0000}}},
		{"PA one page below PHYS_OFFSET: no alias", r, []check.Range{rg("pa", po-0x1000, po)},
			[]m3{{PA, po - 0x1000, 0x1000}}},
		{"PA straddling PHYS_OFFSET: the alias starts at PAGE_OFFSET", r, []check.Range{rg("pa", po-0x1000, po+0x1000)},
			[]m3{{PA, po - 0x1000, 0x2000}, {VA, pg, 0x1000}}},
		{"VA only, inside", r, []check.Range{rg("va", pg+0x1000, pg+0x2000)},
			[]m3{{PA, po + 0x1000, 0x1000}, {VA, pg + 0x1000, 0x1000}}},
		{"VA only, straddling the region's end", r, []check.Range{rg("va", pg+1<<47-0x1000, pg+1<<47+0x1000)},
			[]m3{{PA, po + 1<<47 - 0x1000, 0x1000}, {VA, pg + 1<<47 - 0x1000, 0x1000}}},
		{"VA only, below the region", r, []check.Range{rg("va", pg-0x2000, pg-0x1000)}, nil},
		{"VA to 2^64 in a region to the top", top, []check.Range{rg("va", 0xffff_ffff_ffe0_0000, 0)},
			[]m3{{PA, po + 0x7f_ffe0_0000, 0x20_0000}, {VA, 0xffff_ffff_ffe0_0000, 0x20_0000}}},
		{"PA and a moved VA: the VA is where the model maps the PA", r, []check.Range{rg("va", 0xffff_8000_0000_0000, 0xffff_8000_0020_0000), rg("pa", po, po+0x20_0000)},
			[]m3{{PA, po, 0x20_0000}, {VA, pg, 0x20_0000}}},
		{"empty range", r, []check.Range{rg("pa", po, po)}, nil},
	} {
		got := factMarks(check.Fact{Verdict: check.Differs, What: "x", Ranges: tc.ranges}, tc.r, MarkCheck)
		var g []m3
		for _, mk := range got {
			g = append(g, m3{mk.Space, mk.Base, mk.Size})
		}
		if len(g) != len(tc.want) {
			t.Errorf("%s: %+v, want %+v", tc.name, g, tc.want)
			continue
		}
		for i := range g {
			if g[i] != tc.want[i] {
				t.Errorf("%s: %+v, want %+v", tc.name, g, tc.want)
				break
			}
		}
	}
}
