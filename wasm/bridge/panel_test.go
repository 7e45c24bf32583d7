package bridge

import (
	"encoding/json"
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
