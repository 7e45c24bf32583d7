package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// tlPanel is the timeline part of the panel (bridge.Timeline).
type tlPanel struct {
	Step, End, Failure int
	Playing, Scrubbed  bool
	Current            struct {
		Index            int
		Kind, Func, Text string
	}
	Failed             bool
	Fatal, Limit, Call string
	Mapped, Tables     int
	NotMapped          int `json:"notMapped"`
	Explain            []struct {
		Index           int
		Kind, Func, Why string
		Text            string
	}
}

func (a *app) tl() tlPanel {
	a.t.Helper()
	var p struct{ Timeline tlPanel }
	a.panel(&p)
	return p.Timeline
}

// waitStep waits until the panel shows step k and the canvas has drawn it.
func (a *app) waitStep(k int) {
	a.t.Helper()
	a.poll(fmt.Sprintf("JSON.parse(linmapTest.panel()).timeline.step === %d", k))
	a.waitFrames(2)
}

// seek shows step k, as the scrubber's input does.
func (a *app) seek(k int) {
	a.t.Helper()
	eval[string](a, fmt.Sprintf("linmap.seek(%d)", k))
	a.waitStep(k)
}

func (a *app) elementRect(sel string) rect {
	a.t.Helper()
	var r rect
	js := fmt.Sprintf(`(() => { const b = document.querySelector(%q).getBoundingClientRect(); return JSON.stringify({X0: b.left, Y0: b.top, X1: b.right, Y1: b.bottom}); })()`, sel)
	if err := json.Unmarshal([]byte(eval[string](a, js)), &r); err != nil {
		a.t.Fatal(err)
	}
	return r
}

// The boot timeline replays the engine's trace: scrub, step, jump and play
// reach the failure of the seed thread's hypothesis 2 under v3.18, the
// canvas shows the boot as it stood at each step, and at the failure the
// panel lists the steps that explain it.
func TestTimeline(t *testing.T) {
	a := openApp(t)
	pal := a.palette()
	bench := map[string]string{}

	t.Run("scrub, step and jump to the failure of hypothesis 2 on v3.18", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "seed-b-hypothesis2")) // era v3.18
		a.poll("JSON.parse(linmapTest.panel()).timeline.failure > 0")
		tl := a.tl()
		if tl.Step != tl.End || tl.Scrubbed {
			t.Fatalf("after import: step %d of %d, scrubbed %v; want the whole boot", tl.Step, tl.End, tl.Scrubbed)
		}
		p := a.probe()
		// Drag the scrubber with the mouse from its left end to its right.
		r := a.elementRect("#tl-range")
		y := (r.Y0 + r.Y1) / 2
		a.mouse(chromedp.MouseMoved, r.X0+2, y)
		a.mouse(chromedp.MousePressed, r.X0+2, y)
		a.waitStep(0)
		if v := a.tl(); v.Fatal != "" || v.Mapped != 0 || !v.Scrubbed {
			t.Errorf("step 0: fatal %q, %d runs mapped; want nothing yet", v.Fatal, v.Mapped)
		}
		if n := count(a.screenshot(), p.Banner, pal["fatal"], 3); n > 0 {
			t.Errorf("step 0 shows the panic banner (%d px): the view must show the state at the step", n)
		}
		for i := 1; i <= 8; i++ {
			a.mouse(chromedp.MouseMoved, r.X0+2+(r.X1-r.X0-4)*float64(i)/8, y)
			a.waitFrames(1)
		}
		a.mouse(chromedp.MouseReleased, r.X1-2, y)
		a.waitStep(tl.End)

		// Keys on the canvas: Home, then . steps forward, , steps back.
		a.click(p.PA.X0+5, 12) // the header: focuses the canvas, changes nothing
		a.key("Home", "Home", 36)
		a.waitStep(0)
		a.key(".", "Period", 190)
		a.key(".", "Period", 190)
		a.waitStep(2)
		a.key(",", "Comma", 188)
		a.waitStep(1)

		// v3.18 confines the tables below the first bank's end.
		limitStep := -1
		for k := 0; k <= tl.End && limitStep < 0; k++ {
			a.seek(k)
			if a.tl().Limit == "0x40c0_0000" {
				limitStep = k
			}
		}
		if limitStep < 0 {
			t.Fatal("no step sets memblock.current_limit to 0x40c0_0000")
		}
		var lp struct{ Limit rect }
		json.Unmarshal([]byte(eval[string](a, "linmapTest.probe()")), &lp)
		if lp.Limit.Y1 <= lp.Limit.Y0 {
			t.Errorf("the limit line is not on screen: %+v", lp.Limit)
		} else if n := count(a.screenshot(), rect{lp.Limit.X0, lp.Limit.Y0 - 1, lp.Limit.X1, lp.Limit.Y1 + 1}, pal["lost"], 10); n < 20 {
			t.Errorf("limit line: %d limit-coloured pixels", n)
		}
		a.shot("timeline-limit.png")

		// F jumps to the failure: the banner, the caption, and the steps
		// that explain it, in full.
		a.key("f", "KeyF", 70)
		a.waitStep(tl.Failure)
		v := a.tl()
		if !v.Failed || v.Current.Kind != "fatal" || !strings.Contains(v.Current.Text, "Failed to allocate") || v.Fatal == "" {
			t.Errorf("at the failure: %+v", v)
		}
		if n := count(a.screenshot(), p.Banner, pal["fatal"], 3); n < 1000 {
			t.Errorf("the failing step shows no panic banner (%d px)", n)
		}
		if len(v.Explain) < 3 || v.Explain[0].Why != "the memblock limit in force" || v.Explain[len(v.Explain)-1].Why != "the failure" {
			t.Errorf("explaining steps %+v", v.Explain)
		}
		items := eval[[]string](a, `[...document.querySelectorAll("#explain li")].map(l => l.textContent)`)
		if len(items) != len(v.Explain) || !strings.Contains(items[len(items)-1], "Failed to allocate") ||
			!strings.Contains(strings.Join(items, " "), "memblock_set_current_limit(0x40c00000)") {
			t.Errorf("the panel explains the failure as %q", items)
		}
		caption := eval[string](a, `document.getElementById("tl-caption").textContent`)
		if !strings.Contains(caption, "Failed to allocate") || eval[string](a, `document.getElementById("tl-caption").className`) != "fatal" {
			t.Errorf("caption %q does not show the failure", caption)
		}
		a.shot("timeline-failure.png")

		// Back one step: no banner, no explanation.
		a.clickSel("#tl-prev")
		a.waitStep(tl.Failure - 1)
		if n := count(a.screenshot(), p.Banner, pal["fatal"], 3); n > 0 {
			t.Errorf("the step before the failure shows the banner (%d px)", n)
		}
		if n := eval[int](a, `document.querySelectorAll("#explain li").length`); n != 0 {
			t.Errorf("%d explaining steps before the failure", n)
		}
		// The jump button goes there again, and play runs to the end.
		a.clickSel("#tl-fail")
		a.waitStep(tl.Failure)
		a.clickSel("#tl-start")
		a.waitStep(0)
		a.choose("#tl-speed", "60")
		a.clickSel("#tl-play")
		a.poll(fmt.Sprintf("(() => { const v = JSON.parse(linmapTest.panel()).timeline; return v.step === %d && !v.playing; })()", tl.End))
	})

	t.Run("a table allocated before its memory is mapped", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "oracle-a-single-1G")) // v6.1: tables come from the top of memory
		a.poll("JSON.parse(linmapTest.panel()).timeline.end > 0")
		end := a.tl().End
		for k := 0; k <= end; k++ {
			a.seek(k)
			v := a.tl()
			if v.Current.Kind != "alloc" {
				continue
			}
			if v.NotMapped == 0 || !strings.Contains(v.Current.Text, "NOT mapped yet") {
				t.Errorf("first alloc: %+v", v)
			}
			var sp struct{ Step, PA rect }
			json.Unmarshal([]byte(eval[string](a, "linmapTest.probe()")), &sp)
			if sp.Step.Y1 <= sp.Step.Y0 {
				t.Fatalf("the allocated table is not outlined: %+v", sp.Step)
			}
			if n := countFunc(a.screenshot(), sp.Step, func(r, g, b uint8) bool { return r > 200 && g < 60 && b > 90 }); n < 20 {
				t.Errorf("the step's outline: %d magenta pixels", n)
			}
			a.shot("timeline-alloc.png")
			// The table page explains itself: the step that allocated it.
			a.mouse(chromedp.MouseMoved, sp.PA.X0+0.64*(sp.PA.X1-sp.PA.X0), (sp.Step.Y0+sp.Step.Y1)/2)
			a.waitFrames(3)
			if tip := strings.Join(a.probeX().Tip, " "); !strings.Contains(tip, "early_pgtable_alloc()") || !strings.Contains(tip, "NOT mapped yet") {
				t.Errorf("tooltip over the new table page: %q", tip)
			}
			return
		}
		t.Error("no alloc step")
	})

	t.Run("bench: a timeline step on 64 banks", func(t *testing.T) {
		a.t = t
		a.importText(banks64())
		a.poll("JSON.parse(linmapTest.panel()).timeline.end > 100")
		end := a.tl().End
		eval[any](a, "linmapTest.resetStepPerf()")
		const n = 60
		for i := 0; i < n; i++ {
			a.seek((i * 7919) % end) // spread over the trace, not in order
		}
		var perf struct {
			Count                       int
			Total, Update, Draw, Bridge struct {
				Mean float64 `json:"mean_ms"`
				P50  float64 `json:"p50_ms"`
				P95  float64 `json:"p95_ms"`
				Max  float64 `json:"max_ms"`
			}
		}
		if err := json.Unmarshal([]byte(eval[string](a, "linmapTest.stepPerf()")), &perf); err != nil {
			t.Fatal(err)
		}
		if perf.Count < n/2 {
			t.Fatalf("only %d step changes recorded", perf.Count)
		}
		for name, s := range map[string]msStat{
			"total": perf.Total, "change (Update)": perf.Update, "Draw": perf.Draw, "bridge (panel)": perf.Bridge,
		} {
			bench["64-bank timeline step, "+name+" mean/p50/p95/max, ms"] = fmt.Sprintf("%.2f / %.2f / %.2f / %.2f", s.Mean, s.P50, s.P95, s.Max)
		}
		bench["64-bank timeline: steps in the trace / step changes measured"] = fmt.Sprintf("%d / %d", end+1, perf.Count)
		a.shot("timeline-64.png")
	})
	for k, v := range bench {
		t.Logf("BENCH %s: %s", k, v)
	}
}
