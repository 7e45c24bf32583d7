package bridge

import (
	"strings"
	"testing"
	"time"

	"linmap/sim"
	"linmap/wasm/compareview"
	"linmap/wasm/timeline"
	"linmap/wasm/view"
)

func TestTimelinePanelAtFailure(t *testing.T) {
	r, err := sim.Run(preset(t, "seed-b-hypothesis2"))
	if err != nil {
		t.Fatal(err)
	}
	tl := timeline.New(r)
	st := tl.At(tl.Failure())
	p := TimelinePanelOf(view.TimelineSnapshot{Step: tl.Failure(), End: tl.End(), Failure: tl.Failure(), State: st,
		CallText: r.Trace[st.Call].Text})
	if !p.Failed || p.Kind != "fatal" || p.Fatal == "" || p.Func != "create_mapping" {
		t.Errorf("panel at the failure: %+v", p)
	}
	if p.Limit != "0x40c0_0000" {
		t.Errorf("limit %q, want 0x40c0_0000", p.Limit)
	}
	if len(p.Tables) != 2 || p.NotMapped != 0 || p.Tables[0].Cause == "" {
		t.Errorf("tables %+v", p.Tables)
	}
	if !strings.Contains(p.Call, "0x80000000") {
		t.Errorf("call %q: want the last bank's create_mapping", p.Call)
	}
	if p.Compare.Mode != "" || len(p.Compare.Rows) != 0 {
		t.Errorf("compare off, got %+v", p.Compare)
	}
}

func TestComparePanel(t *testing.T) {
	la, lb := preset(t, "oracle-a-single-1G"), preset(t, "oracle-a-single-1G")
	lb.Kernel.Era = "v6.12"
	a, err := sim.Run(la)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sim.Run(lb)
	if err != nil {
		t.Fatal(err)
	}
	m := compareview.Build(a, b)
	p := TimelinePanelOf(view.TimelineSnapshot{Step: -1, End: -1, Failure: -1, Model: &m,
		Compare: view.CompareSpec{Mode: view.CompareOverlay, Era: "v6.12"}})
	c := p.Compare
	if c.LabelA != "v6.1" || c.LabelB != "v6.12" || len(c.Ranges) != len(m.Highlights) {
		t.Fatalf("compare panel %+v", c)
	}
	if r := c.Ranges[0]; r.PA != "0x4020_0000" || r.End != "0x4021_0000" || r.B != "2M (kernel-alias)" || r.WhyA == "" || r.WhyB == "" {
		t.Errorf("first range %+v", r)
	}
}

func TestStepSummary(t *testing.T) {
	s := stepSummary([]time.Duration{time.Millisecond, 3 * time.Millisecond}, []time.Duration{2 * time.Millisecond, 2 * time.Millisecond})
	if s["count"] != 2 || s["total"].(Stat).MaxMs != 5 {
		t.Errorf("summary %+v", s)
	}
}
