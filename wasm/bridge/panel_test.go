package bridge

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"linmap/sim"
	"linmap/wasm/model"
)

func open(t *testing.T, id string) *model.Model {
	t.Helper()
	m, err := model.OpenPreset(id, sim.Run)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// lookup follows a dotted path through decoded JSON.
func lookup(v any, path string) (any, bool) {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// The panel crosses to site/app.js as JSON: the names app.js reads must be
// the names Go writes, and the failure's explanation must be in it.
func TestPanelJSON(t *testing.T) {
	m := open(t, "seed-b-hypothesis2") // v3.18: panics
	m.Jump("failure")
	m.SetCompare(model.CompareSpec{Mode: model.CompareFlip, Era: "v4.6", Realm: "on"})
	m.FlipAB()
	var p any
	if err := json.Unmarshal([]byte(mustJSON(PanelOf(m))), &p); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"controls.era", "controls.pageSize", "controls.vaBits", "controls.cmdline", "controls.va52", "controls.lpa2",
		"controls.bbml2", "controls.realm", "controls.paBits", "controls.name",
		"eras", "pageSizes", "vaBits", "preset", "selected", "notices", "assumptions",
		"summary.outcome", "summary.fails", "summary.physOffset", "summary.pageOffset", "summary.leaves", "summary.tlb",
		"summary.tablePages", "summary.tableBytes.human", "summary.lost", "summary.warnings",
		"undo.canUndo", "undo.undoLabel",
		"timeline.step", "timeline.end", "timeline.failure", "timeline.playing", "timeline.speed", "timeline.scrubbed",
		"timeline.current.kind", "timeline.explain", "timeline.limit",
		"compare.spec.mode", "compare.spec.realm", "compare.showingB", "compare.rows", "compare.labelA",
	} {
		if _, ok := lookup(p, path); !ok {
			t.Errorf("the panel has no %s", path)
		}
	}
	var panel Panel
	json.Unmarshal([]byte(mustJSON(PanelOf(m))), &panel)
	if ex := panel.Timeline.Explain; len(ex) < 3 || ex[len(ex)-1].Why != "the failure" || !strings.Contains(ex[len(ex)-1].Text, "Failed to allocate") {
		t.Errorf("explained steps %+v", ex)
	}
	if !panel.Compare.ShowingB || panel.Compare.Spec.Realm != "on" || len(panel.Eras) != len(sim.Eras()) {
		t.Errorf("compare %+v, %d eras", panel.Compare, len(panel.Eras))
	}
}

// The check crosses in the same JSON: the board's inputs, the report's
// summary and every fact's fields app.js reads, differing facts first,
// and the assumptions with field, kind, reason and source.
func TestPanelCheckJSON(t *testing.T) {
	m := open(t, "arm-juno-r2")
	read := func(path string) []byte {
		data, err := os.ReadFile("../../formats/testdata/real/" + path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	if err := m.AddInputs(model.File{Name: "dmesg.txt", Data: read("android-4.14-39bit-vmlayout-dmesg.txt")}); err != nil {
		t.Fatal(err)
	}
	var p any
	if err := json.Unmarshal([]byte(mustJSON(PanelOf(m))), &p); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"board.pending", "board.source", "board.taken", "check.ran", "check.facts"} {
		if _, ok := lookup(p, path); !ok {
			t.Errorf("before a check, the panel has no %s", path)
		}
	}
	if err := m.CheckBoard(model.CheckOptions{Era: "v5.15"}, model.File{Name: "ptdump.txt", Data: read("android-4.14-39bit-ptdump.txt")}); err != nil {
		t.Fatal(err)
	}
	m.SelectFact(0)
	if err := json.Unmarshal([]byte(mustJSON(PanelOf(m))), &p); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"check.id", "check.stale", "check.summary", "check.problem", "check.model", "check.inputs", "check.overrides",
		"check.more", "check.selected", "check.drawn", "board.source"} {
		if _, ok := lookup(p, path); !ok {
			t.Errorf("the panel has no %s", path)
		}
	}
	facts, _ := lookup(p, "check.facts")
	first := facts.([]any)[0]
	for _, k := range []string{"index", "verdict", "icon", "kind", "what", "printed", "where", "text", "model", "cause", "ranges"} {
		if _, ok := lookup(first, k); !ok {
			t.Errorf("a fact has no %s", k)
		}
	}
	as, _ := lookup(p, "assumptions")
	for _, k := range []string{"field", "value", "kind", "reason", "source"} {
		if _, ok := lookup(as.([]any)[0], k); !ok {
			t.Errorf("an assumption has no %s", k)
		}
	}
	var panel Panel
	json.Unmarshal([]byte(mustJSON(PanelOf(m))), &panel)
	c := panel.Check
	if !c.Ran || c.Counts.Differs == 0 || c.Drawn != c.Counts.Differs || c.Selected != 0 || len(c.Overrides) != 1 || !strings.Contains(c.Model, "v5.15") {
		t.Fatalf("check %+v", c)
	}
	for i, f := range c.Facts {
		if (i < c.Counts.Differs) != (f.Verdict == "differs") {
			t.Fatalf("fact %d is %s: differing facts come first", i, f.Verdict)
		}
	}
	f := c.Facts[0]
	if f.Icon != "✗" || f.Verdict != "differs" || !strings.HasPrefix(f.Where, "ptdump.txt:") || f.Text == "" || f.Cause == "" || len(f.Ranges) == 0 || !strings.HasPrefix(f.Ranges[0], "VA 0x") && !strings.HasPrefix(f.Ranges[0], "PA 0x") {
		t.Errorf("first fact %+v", f)
	}
	// The machine's linear map was at v4.19's addresses: the row says
	// where the model's leaves for the same memory are outlined.
	if len(f.Outlined) == 0 || !strings.Contains(strings.Join(f.Outlined, " "), "VA 0xffff_ff80_") {
		t.Errorf("outlined at %q", f.Outlined)
	}
	if len(panel.Board.Pending) != 0 || len(panel.Board.Source) != 2 || panel.Board.Source[0].Formats[0] != "kernel log" || panel.Board.Taken != 2 {
		t.Errorf("board %+v", panel.Board)
	}
	// The panels the bridge keeps remember the facts between frames, and
	// follow the selection and the staleness.
	var ps Panels
	if c := ps.Of(m).Check; c.Selected != 0 || c.Stale {
		t.Fatalf("kept panel: selected %d, stale %v", c.Selected, c.Stale)
	}
	m.SelectFact(-1)
	if c := ps.Of(m).Check; c.Selected != -1 {
		t.Errorf("after deselecting: %d", c.Selected)
	}
	m.Select(model.Selection{Kind: model.SelImage})
	m.Nudge(1, 2<<20)
	if c := ps.Of(m).Check; !c.Stale || c.Summary != panel.Check.Summary {
		t.Errorf("after an edit: stale %v, %q", c.Stale, c.Summary)
	}
}
