// Package bridge is the app's only link to JavaScript: it installs
// window.linmap (the page's controls call it), window.linmapTest (test
// hooks) and the readiness and frame markers, and renders the HTML panel
// through window.linmapUI. 64-bit values cross as hex strings because
// JavaScript numbers lose precision above 2^53.
//
// What the panel shows is built here in plain Go from the model, so it is
// tested natively; the syscall/js code is in the _js.go files.
package bridge

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"linmap/assets"
	"linmap/check"
	"linmap/sim"
	"linmap/sim/layout"
	"linmap/wasm/edit"
	"linmap/wasm/model"
	"linmap/wasm/numfmt"
	"linmap/wasm/results"
)

// PresetEntry is one entry of the preset picker and gallery.
type PresetEntry struct {
	ID          string `js:"id" json:"id"`
	Name        string `js:"name" json:"name"`
	Description string `js:"description" json:"description"`
	Group       string `js:"group" json:"group"`
}

// Preset groups, in gallery order.
const (
	GroupPlatforms = "Platforms"
	GroupSeed      = "The 2014 thread's scenarios"
)

// presetGroup puts oracle cases under their kernel: the case files say
// which (Debian 6.1/6.12, Debian 7.2, 7.2 built here), and the ids carry it.
func presetGroup(id string) string {
	switch {
	case strings.HasPrefix(id, "seed-"):
		return GroupSeed
	case strings.HasPrefix(id, "oracle-built-"):
		return "Oracle: v7.2 kernels built for each page size"
	case strings.HasPrefix(id, "oracle-7.2-"):
		return "Oracle: Debian v7.2 kernel"
	case strings.HasPrefix(id, "oracle-"):
		return "Oracle: Debian v6.1 and v6.12 kernels"
	}
	return GroupPlatforms
}

// Presets lists the embedded presets, grouped, in gallery order.
func Presets() []PresetEntry {
	var out []PresetEntry
	order := map[string]int{}
	for _, p := range assets.Presets() {
		g := presetGroup(p.ID)
		if _, ok := order[g]; !ok {
			order[g] = len(order)
		}
		out = append(out, PresetEntry{ID: p.ID, Name: p.Name, Description: p.Description, Group: g})
	}
	// Stable: within a group the assets' order stays.
	rank := func(g string) int {
		switch g {
		case GroupPlatforms:
			return 0
		case GroupSeed:
			return 1
		}
		return 2 + order[g]
	}
	sorted := make([]PresetEntry, 0, len(out))
	for r := 0; len(sorted) < len(out); r++ {
		for _, p := range out {
			if rank(p.Group) == r {
				sorted = append(sorted, p)
			}
		}
	}
	return sorted
}

// Era is one entry of the era picker, from the registry.
type Era struct {
	ID      string `js:"id" json:"id"`
	Label   string `js:"label" json:"label"`
	Note    string `js:"note" json:"note"`
	Summary string `js:"summary" json:"summary"`
}

// Eras lists the registry's eras, oldest first.
func Eras() []Era { return eras() }

// eras is made once: the registry is fixed at build time.
var eras = sync.OnceValue(func() []Era {
	var out []Era
	for _, e := range sim.Eras() {
		i := e.Info()
		out = append(out, Era{ID: i.ID, Label: i.Label + " (" + i.Released + ")", Note: i.Note, Summary: i.Summary})
	}
	return out
})

// Step is a trace step as the timeline shows it.
type Step struct {
	Index int    `js:"index" json:"index"`
	Kind  string `js:"kind" json:"kind"`
	Func  string `js:"func" json:"func"`
	Text  string `js:"text" json:"text"`
	Why   string `js:"why" json:"why"` // its part in a failure
}

// Timeline is the scrubber and the failure's explanation.
type Timeline struct {
	Step     int    `js:"step" json:"step"`
	End      int    `js:"end" json:"end"`
	Failure  int    `js:"failure" json:"failure"` // -1 when boot succeeds
	Playing  bool   `js:"playing" json:"playing"`
	Speed    string `js:"speed" json:"speed"`
	Scrubbed bool   `js:"scrubbed" json:"scrubbed"`
	Current  Step   `js:"current" json:"current"`
	Failed   bool   `js:"failed" json:"failed"`
	Fatal    string `js:"fatal" json:"fatal"`
	Limit    string `js:"limit" json:"limit"`
	Call     string `js:"call" json:"call"`
	Mapped   int    `js:"mapped" json:"mapped"`
	Tables   int    `js:"tables" json:"tables"`
	// NotMapped counts the allocations whose memory was not mapped yet.
	NotMapped int `js:"notMapped" json:"notMapped"`
	// Explain is, at the failure, the steps that explain it, in full.
	Explain []Step `js:"explain" json:"explain"`
}

// Compare is the compare section: B's choice, the table and the ranges.
type Compare struct {
	Spec   model.CompareSpec `js:"spec" json:"spec"`
	Error  string            `js:"error" json:"error"`
	LabelA string            `js:"labelA" json:"labelA"`
	LabelB string            `js:"labelB" json:"labelB"`
	Rows   []CompareRow      `js:"rows" json:"rows"`
	Ranges []DiffRange       `js:"ranges" json:"ranges"`
	More   int               `js:"more" json:"more"` // ranges not listed
	// ShowingB: flip mode shows B in the full view.
	ShowingB bool `js:"showingB" json:"showingB"`
}

// CompareRow is one row of the table of differences.
type CompareRow struct {
	What    string `js:"what" json:"what"`
	A       string `js:"a" json:"a"`
	B       string `js:"b" json:"b"`
	Differs bool   `js:"differs" json:"differs"`
}

// DiffRange is one differing physical range.
type DiffRange struct {
	PA    string   `js:"pa" json:"pa"`
	Size  string   `js:"size" json:"size"`
	Label string   `js:"label" json:"label"`
	Why   []string `js:"why" json:"why"`
}

// maxRanges bounds the ranges listed: a 64-bank diff can have hundreds,
// and the canvas outlines them all anyway.
const maxRanges = 100

// Panel is everything the HTML side shows, built from the model in one
// go so that canvas and panel always agree.
type Panel struct {
	Version     uint64              `js:"version" json:"version"`
	Controls    edit.Controls       `js:"controls" json:"controls"`
	Eras        []Era               `js:"eras" json:"eras"`
	PageSizes   []string            `js:"pageSizes" json:"pageSizes"`
	VABits      []int               `js:"vaBits" json:"vaBits"`
	Preset      string              `js:"preset" json:"preset"`
	Banks       int                 `js:"banks" json:"banks"`
	Selected    string              `js:"selected" json:"selected"`
	Notices     []Notice            `js:"notices" json:"notices"`
	Summary     results.Summary     `js:"summary" json:"summary"`
	Assumptions []layout.Assumption `js:"assumptions" json:"assumptions"`
	Undo        model.UndoState     `js:"undo" json:"undo"`
	Timeline    Timeline            `js:"timeline" json:"timeline"`
	Compare     Compare             `js:"compare" json:"compare"`
	Board       Board               `js:"board" json:"board"`
	Check       Check               `js:"check" json:"check"`
}

// Panels builds panels and keeps the part that changes rarely: a check's
// facts change with a new check, its staleness or the selection, not with
// every drag move, and a few hundred of them cost a frame's budget.
type Panels struct {
	check struct {
		rep   *check.Report
		stale bool
		sel   int
		c     Check
	}
}

// PanelOf builds the panel from the model.
func PanelOf(m *model.Model) Panel { return new(Panels).Of(m) }

// Of builds the panel from the model.
func (ps *Panels) Of(m *model.Model) Panel {
	c := edit.ControlsOf(m.Layout())
	p := Panel{
		Version:     m.Version(),
		Controls:    c,
		Eras:        Eras(),
		PageSizes:   edit.PageSizes(c.Era),
		VABits:      edit.VABitsFor(c.Era, c.PageSize),
		Preset:      m.Preset(),
		Banks:       len(m.Layout().Memory),
		Selected:    m.SelectedName(),
		Notices:     noticesOf(m),
		Summary:     m.Summary(),
		Assumptions: m.Assumptions(),
		Undo:        m.Undo(),
		Timeline:    timelineOf(m),
		Compare:     compareOf(m),
		Board:       Board{Pending: boardInputs(m.Inputs()), Source: boardInputs(m.SourceInputs()), Taken: m.Taken(), Hint: m.Hint()},
		Check:       ps.checkOf(m),
	}
	return p
}

// Notice is a model.Notice with plain strings: the JS bridge converts
// only Go's basic types, not named ones.
type Notice struct {
	ID       int    `js:"id" json:"id"`
	Code     string `js:"code" json:"code"`
	Severity string `js:"severity" json:"severity"`
	Text     string `js:"text" json:"text"`
}

func noticesOf(m *model.Model) []Notice {
	var out []Notice
	for _, n := range m.Notices() {
		out = append(out, Notice{ID: n.ID, Code: string(n.Code), Severity: string(n.Severity), Text: n.Text})
	}
	return out
}

func timelineOf(m *model.Model) Timeline {
	t := Timeline{Step: -1, End: -1, Failure: -1, Playing: m.Playing(), Speed: numfmt.Count(uint64(m.Speed()))}
	r := m.Result()
	if r == nil || len(r.Trace) == 0 {
		return t
	}
	t.Step, t.End = m.Step(), len(r.Trace)-1
	if r.Fatal != nil {
		t.Failure = r.Fatal.Step
	}
	if !m.Scrubbed() {
		return t
	}
	st := m.StepState()
	t.Scrubbed = true
	t.Current = Step{Index: st.Step, Kind: st.Current.Kind, Func: st.Current.Func, Text: st.Current.Text}
	t.Failed, t.Mapped, t.Tables = st.Failed, len(st.Mapped), len(st.Tables)
	if st.Fatal != nil {
		t.Fatal = st.Fatal.Message
	}
	if st.LimitSet {
		t.Limit = "MEMBLOCK_ALLOC_ANYWHERE"
		if st.Limit != 0 {
			t.Limit = numfmt.Hex(st.Limit)
		}
	}
	if st.Call >= 0 {
		t.Call = r.Trace[st.Call].Text
	}
	for _, tb := range st.Tables {
		if !tb.Mapped {
			t.NotMapped++
		}
	}
	for _, e := range m.Explain() {
		t.Explain = append(t.Explain, Step{Index: e.Index, Kind: e.Step.Kind, Func: e.Step.Func, Text: e.Step.Text, Why: e.Why})
	}
	return t
}

func compareOf(m *model.Model) Compare {
	c := Compare{Spec: m.CompareSpec(), ShowingB: m.ShowingB()}
	if c.Spec.Mode == model.CompareOff {
		return c
	}
	_, _, d, err := m.Comparison()
	if err != nil {
		c.Error = "B cannot run: " + err.Error()
		return c
	}
	if d == nil {
		return c
	}
	c.LabelA, c.LabelB = d.LabelA, d.LabelB
	for _, r := range d.Rows {
		c.Rows = append(c.Rows, CompareRow(r))
	}
	for _, mk := range m.Marks() {
		if mk.Kind != model.MarkDiff {
			continue
		}
		if len(c.Ranges) == maxRanges {
			c.More++
			continue
		}
		c.Ranges = append(c.Ranges, DiffRange{PA: numfmt.Hex(mk.Base), Size: numfmt.Size(mk.Size), Label: mk.Label, Why: mk.Detail})
	}
	return c
}

// Board is the inputs about the board: gathered to import or check
// together, and what the layout was last built from.
type Board struct {
	Pending []BoardInput `json:"pending"`
	Source  []BoardInput `json:"source"`
	// Taken grows when the paste box's text was used: the page empties
	// the box then.
	Taken int `json:"taken"`
	// Hint says what the gathered inputs lack (the memory) and how to
	// add it; "" when nothing.
	Hint string `json:"hint"`
}

// BoardInput is one input as the list shows it.
type BoardInput struct {
	Name    string   `json:"name"`
	Formats []string `json:"formats"` // what was found in it
	Size    string   `json:"size"`    // "12.3K"
	Lines   int      `json:"lines"`
}

func boardInputs(in []model.Input) []BoardInput {
	out := []BoardInput{}
	for _, i := range in {
		out = append(out, BoardInput{Name: i.Name, Formats: i.Formats, Size: numfmt.Size(uint64(len(i.Data))), Lines: strings.Count(string(i.Data), "\n") + 1})
	}
	return out
}

// Check is the check against the board as the panel shows it.
type Check struct {
	ID      int           `json:"id"` // a new check has a new one
	Ran     bool          `json:"ran"`
	Stale   bool          `json:"stale"` // the layout shown is not the checked one
	Counts  check.Summary `json:"counts"`
	Summary string        `json:"summary"` // "5 differ · 3 agree · 1 unchecked"
	Problem string        `json:"problem"`
	Model   string        `json:"model"`  // the model the facts were set beside
	Inputs  []string      `json:"inputs"` // "dmesg.txt: kernel log"
	// Overrides are the options that set fields against the inputs.
	Overrides []string  `json:"overrides"`
	Facts     []FactRow `json:"facts"` // differing first, then as the report lists them
	More      int       `json:"more"`  // facts not listed
	Selected  int       `json:"selected"`
	Drawn     int       `json:"drawn"` // differing facts outlined on the canvas
}

// FactRow is one fact.
type FactRow struct {
	Index   int      `json:"index"`   // in the report, for selectFact
	Verdict string   `json:"verdict"` // agrees, differs, unchecked
	Icon    string   `json:"icon"`    // "✗": beside the verdict's word, never a colour alone
	Kind    string   `json:"kind"`
	What    string   `json:"what"`
	Printed string   `json:"printed"`
	Where   string   `json:"where"` // "dmesg.txt:41"
	Text    string   `json:"text"`  // the line as printed
	Model   string   `json:"model"`
	Cause   string   `json:"cause"`
	Ranges  []string `json:"ranges"`
	// Outlined is where the ranges are on the model's spaces, when that
	// is not where the machine printed them (its linear map moved).
	Outlined []string `json:"outlined"`
}

// verdictIcon is the sign the panel puts before a verdict's word.
func verdictIcon(v string) string {
	switch v {
	case check.Agrees:
		return "✓"
	case check.Differs:
		return "✗"
	}
	return "?"
}

// maxFacts bounds the facts listed: a ptdump of a large machine gives
// hundreds of runs, and the canvas marks every differing one anyway.
const maxFacts = 200

func (ps *Panels) checkOf(m *model.Model) Check {
	st := m.Check()
	memo := &ps.check
	if st.Report != nil && st.Report == memo.rep && st.Stale == memo.stale && st.Selected == memo.sel {
		return memo.c
	}
	c := buildCheck(m, st)
	memo.rep, memo.stale, memo.sel, memo.c = st.Report, st.Stale, st.Selected, c
	return c
}

func buildCheck(m *model.Model, st model.CheckState) Check {
	rep := st.Report
	c := Check{Selected: st.Selected, Facts: []FactRow{}}
	if rep == nil {
		return c
	}
	c.ID, c.Ran, c.Stale, c.Counts, c.Problem, c.Drawn = st.ID, true, st.Stale, rep.Summary, rep.Problem, st.Drawn
	c.Summary = fmt.Sprintf("%d differ · %d agree · %d unchecked", rep.Summary.Differs, rep.Summary.Agrees, rep.Summary.Unchecked)
	if r := rep.Result; r != nil {
		outcome := "boots"
		if r.Fatal != nil {
			outcome = "boot fails: " + r.Fatal.Message
		}
		c.Model = fmt.Sprintf("era %s, %s pages, VA_BITS %d, PHYS_OFFSET %s, PAGE_OFFSET %s; %s",
			r.EraLabel, r.PageSize, r.VABits, numfmt.Hex(uint64(r.PhysOffset)), numfmt.Hex(uint64(r.PageOffset)), outcome)
	}
	for _, in := range rep.Inputs {
		c.Inputs = append(c.Inputs, in.Name+": "+strings.Join(in.Formats, ", "))
	}
	for _, o := range st.Overrides {
		s := o.Field + " = " + o.Chosen + " (chosen for the check"
		if o.Implied != "" {
			s += "; the inputs imply " + o.Implied
		}
		c.Overrides = append(c.Overrides, s+")")
	}
	// Differing facts first: they are what the check is for.
	order := make([]int, len(rep.Facts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return rep.Facts[order[a]].Verdict == check.Differs && rep.Facts[order[b]].Verdict != check.Differs
	})
	for _, i := range order {
		if len(c.Facts) == maxFacts {
			c.More++
			continue
		}
		f := rep.Facts[i]
		row := FactRow{Index: i, Verdict: f.Verdict, Icon: verdictIcon(f.Verdict), Kind: f.Kind, What: f.What,
			Printed: f.Printed.Value, Where: f.Printed.Source.File, Text: f.Printed.Source.Text, Model: f.Model, Cause: f.Cause}
		if f.Printed.Source.Line > 0 {
			row.Where += fmt.Sprintf(":%d", f.Printed.Source.Line)
		}
		given := map[string]bool{}
		for _, rg := range f.Ranges {
			t := model.RangeText(rg)
			row.Ranges = append(row.Ranges, t)
			given[t] = true
		}
		var moved bool
		var at []string
		for _, mk := range m.FactMarks(i) {
			t := mk.Text()
			at = append(at, t)
			moved = moved || !given[t]
		}
		if moved {
			row.Outlined = at
		}
		c.Facts = append(c.Facts, row)
	}
	return c
}
