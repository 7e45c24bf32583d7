package bridge

import (
	"time"

	"linmap/wasm/numfmt"
	"linmap/wasm/view"
)

// TimelinePanel is what the scrubber under the canvas and the compare
// section of the panel show; built from one view.TimelineSnapshot.
type TimelinePanel struct {
	Step    int     `js:"step" json:"step"`
	End     int     `js:"end" json:"end"`
	Failure int     `js:"failure" json:"failure"` // -1 when boot succeeds
	Playing bool    `js:"playing" json:"playing"`
	Speed   float64 `js:"speed" json:"speed"`
	Kind    string  `js:"kind" json:"kind"`
	Func    string  `js:"func" json:"func"`
	Text    string  `js:"text" json:"text"`
	Failed  bool    `js:"failed" json:"failed"` // the shown step is the failure
	// Scrubbed is false until the timeline is used on this result: the
	// canvas shows the whole result and the counts below are not filled in.
	Scrubbed bool   `js:"scrubbed" json:"scrubbed"`
	Fatal    string `js:"fatal" json:"fatal"` // set once the failure is reached
	Limit    string `js:"limit" json:"limit"` // memblock.current_limit in force ("" before the first)
	Call     string `js:"call" json:"call"`   // the mapping call in force
	// Mapped counts runs of leaves written so far; Tables the page-table
	// allocations so far, NotMapped those whose memory was not yet mapped.
	Mapped    int          `js:"mapped" json:"mapped"`
	Tables    []TableAlloc `js:"tables" json:"tables"`
	NotMapped int          `js:"notMapped" json:"notMapped"`
	Compare   ComparePanel `js:"compare" json:"compare"`
}

// TableAlloc is one page-table allocation so far.
type TableAlloc struct {
	PA     string `js:"pa" json:"pa"`
	Level  string `js:"level" json:"level"`
	Count  int64  `js:"count" json:"count"`
	Mapped bool   `js:"mapped" json:"mapped"`
	Step   int    `js:"step" json:"step"`
	Cause  string `js:"cause" json:"cause"`
}

// ComparePanel is the compare section: B's choice, the table of
// differences and the differing ranges, each with both sides' why.
type ComparePanel struct {
	Mode    string       `js:"mode" json:"mode"`
	Era     string       `js:"era" json:"era"`
	Cmdline string       `js:"cmdline" json:"cmdline"`
	Error   string       `js:"error" json:"error"`
	LabelA  string       `js:"labelA" json:"labelA"`
	LabelB  string       `js:"labelB" json:"labelB"`
	Rows    []CompareRow `js:"rows" json:"rows"`
	Ranges  []DiffRange  `js:"ranges" json:"ranges"`
}

// CompareRow is one row of the table of differences.
type CompareRow struct {
	What    string `js:"what" json:"what"`
	A       string `js:"a" json:"a"`
	B       string `js:"b" json:"b"`
	Differs bool   `js:"differs" json:"differs"`
}

// DiffRange is one highlighted physical range.
type DiffRange struct {
	PA   string `js:"pa" json:"pa"`
	End  string `js:"end" json:"end"`
	Size string `js:"size" json:"size"`
	Kind string `js:"kind" json:"kind"`
	A    string `js:"a" json:"a"`
	B    string `js:"b" json:"b"`
	WhyA string `js:"whyA" json:"whyA"`
	WhyB string `js:"whyB" json:"whyB"`
}

// maxRanges bounds the ranges listed in the panel: a 64-bank diff can have
// hundreds, and the canvas shows them all anyway.
const maxRanges = 200

// TimelinePanelOf builds the scrubber's and compare section's data.
func TimelinePanelOf(s view.TimelineSnapshot) TimelinePanel {
	st := s.State
	p := TimelinePanel{Step: s.Step, End: s.End, Failure: s.Failure, Playing: s.Playing, Speed: s.Speed,
		Kind: st.Current.Kind, Func: st.Current.Func, Text: st.Current.Text, Failed: st.Failed, Mapped: len(st.Mapped), Scrubbed: s.Scrubbed}
	if st.Fatal != nil {
		p.Fatal = st.Fatal.Message
	}
	if st.LimitSet {
		p.Limit = "MEMBLOCK_ALLOC_ANYWHERE"
		if st.Limit != 0 {
			p.Limit = numfmt.Hex(st.Limit)
		}
	}
	p.Call = s.CallText
	for _, t := range st.Tables {
		p.Tables = append(p.Tables, TableAlloc{PA: numfmt.Hex(uint64(t.PA)), Level: t.Level, Count: t.Count, Mapped: t.Mapped, Step: t.Step, Cause: t.Cause})
		if !t.Mapped {
			p.NotMapped++
		}
	}
	c := ComparePanel{Mode: s.Compare.Mode, Era: s.Compare.Era, Cmdline: s.Compare.Cmdline, Error: s.ErrB}
	if m := s.Model; m != nil {
		c.LabelA, c.LabelB = m.LabelA, m.LabelB
		for _, r := range m.Rows {
			c.Rows = append(c.Rows, CompareRow(r))
		}
		for i, h := range m.Highlights {
			if i == maxRanges {
				break
			}
			c.Ranges = append(c.Ranges, DiffRange{PA: numfmt.Hex(h.PA), End: numfmt.Hex(h.PA + h.Size), Size: numfmt.Size(h.Size),
				Kind: h.Kind, A: sideText(h.A.State, string(h.A.Purpose)), B: sideText(h.B.State, string(h.B.Purpose)), WhyA: h.A.Why, WhyB: h.B.Why})
		}
	}
	p.Compare = c
	return p
}

func sideText(state, what string) string {
	if what != "" && what != "linear" {
		return state + " (" + what + ")"
	}
	return state
}

// stepSummary summarises the cost of showing timeline steps: the step
// change (replay lookup and scene rebuild), the Draw after it, and both.
func stepSummary(change, draw []time.Duration) map[string]any {
	tot := make([]time.Duration, len(change))
	for i := range change {
		tot[i] = change[i] + draw[i]
	}
	return map[string]any{"count": len(change), "change": stat(change), "draw": stat(draw), "total": stat(tot)}
}
