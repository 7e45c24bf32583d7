package e2e

import (
	"encoding/json"
	"fmt"
	"image"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// tlView is linmapTest.timeline(): the scrubber's data and where the
// timeline's marks are on the canvas.
type tlView struct {
	Step, End, Failure int
	Playing            bool
	Kind, Func, Text   string
	Failed             bool
	Fatal, Limit       string
	Mapped             int
	Tables             []struct {
		PA     string
		Level  string
		Mapped bool
		Step   int
	}
	NotMapped int `json:"notMapped"`
	Compare   struct {
		Mode, Error string
		LabelA      string `json:"labelA"`
		LabelB      string `json:"labelB"`
		Rows        []struct {
			What, A, B string
			Differs    bool
		}
		Ranges []struct{ PA, End, Kind, A, B, WhyA, WhyB string }
	}
	Probe struct {
		Step, Limit, Lane rect
		Highlights        []rect
		Tip               []string
	}
}

func (a *app) timeline() tlView {
	a.t.Helper()
	var v tlView
	if err := json.Unmarshal([]byte(eval[string](a, "linmapTest.timeline()")), &v); err != nil {
		a.t.Fatal(err)
	}
	return v
}

// waitStep waits until the game shows step k and has drawn it.
func (a *app) waitStep(k int) {
	a.t.Helper()
	a.poll(fmt.Sprintf("JSON.parse(linmapTest.timeline()).step === %d", k))
	a.waitFrames(2)
}

// click presses and releases the mouse at a page position.
func (a *app) click(x, y float64) {
	a.t.Helper()
	a.mouse(chromedp.MouseMoved, x, y)
	a.mouse(chromedp.MousePressed, x, y)
	a.mouse(chromedp.MouseReleased, x, y)
	a.waitFrames(2)
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

func (a *app) clickElement(sel string) {
	a.t.Helper()
	a.click(a.elementRect(sel).mid())
}

// choose sets a select or text input the way a user does, then fires change.
func (a *app) choose(sel, value string) {
	a.t.Helper()
	eval[bool](a, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, sel, value))
	a.waitFrames(3)
}

// Jump calls linmap.jump and waits until the step is drawn.
func (a *app) Jump(where string) {
	a.t.Helper()
	eval[string](a, fmt.Sprintf("linmap.jump(%q)", where))
	a.poll(fmt.Sprintf(`(() => { const v = JSON.parse(linmapTest.timeline()); return %q === "end" ? v.step === v.end : %q === "start" ? v.step === 0 : v.step === v.failure; })()`, where, where))
	a.waitFrames(2)
}

// countFunc counts pixels in r that satisfy f.
func countFunc(img image.Image, r rect, f func(r, g, b uint8) bool) int {
	n := 0
	for y := int(r.Y0); y < int(r.Y1); y++ {
		for x := int(r.X0); x < int(r.X1); x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if f(uint8(cr>>8), uint8(cg>>8), uint8(cb>>8)) {
				n++
			}
		}
	}
	return n
}

func TestTimelineAndCompare(t *testing.T) {
	a := openApp(t)
	pal := a.palette()
	bench := map[string]string{}

	t.Run("scrub the seed's hypothesis 2 to the failure", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "seed-b-hypothesis2")) // era v3.18
		a.poll("JSON.parse(linmapTest.timeline()).failure > 0")
		tl := a.timeline()
		if tl.Step != tl.End || tl.Failure < 0 {
			t.Fatalf("after import: step %d end %d failure %d, want the end of a failing trace", tl.Step, tl.End, tl.Failure)
		}
		// Drag the scrubber with the mouse from its left end to its right.
		r := a.elementRect("#tl-range")
		y := (r.Y0 + r.Y1) / 2
		a.mouse(chromedp.MouseMoved, r.X0+2, y)
		a.mouse(chromedp.MousePressed, r.X0+2, y)
		a.waitStep(0)
		if v := a.timeline(); v.Fatal != "" || v.Mapped != 0 {
			t.Errorf("step 0: fatal %q, %d runs mapped; want nothing yet", v.Fatal, v.Mapped)
		}
		p := a.probe()
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
		a.click(p.PA.X0+5, 12) // the hint row: focuses the canvas, changes nothing
		a.key("Home", "Home", 36)
		a.waitStep(0)
		a.key(".", "Period", 190)
		a.key(".", "Period", 190)
		a.waitStep(2)
		a.key(",", "Comma", 188)
		a.waitStep(1)

		// The limit step: v3.18 confines tables below the first bank's end.
		var limitStep int
		for k := 0; k <= tl.End; k++ {
			eval[string](a, fmt.Sprintf("linmap.seek(%d)", k))
			a.waitStep(k)
			if v := a.timeline(); strings.ReplaceAll(v.Limit, "_", "") == "0x40c00000" {
				limitStep = k
				break
			}
		}
		if limitStep == 0 {
			t.Fatal("no step sets memblock.current_limit to 0x40c00000")
		}
		v := a.timeline()
		if v.Probe.Limit.Y1 <= v.Probe.Limit.Y0 {
			t.Errorf("the limit line is not on screen: %+v", v.Probe.Limit)
		} else if n := count(a.screenshot(), rect{v.Probe.Limit.X0, v.Probe.Limit.Y0 - 1, v.Probe.Limit.X1, v.Probe.Limit.Y1 + 1}, pal["lost"], 10); n < 20 {
			t.Errorf("limit line: %d limit-coloured pixels", n)
		}

		// F jumps to the failure; the view shows it.
		a.key("f", "KeyF", 70)
		a.waitStep(tl.Failure)
		v = a.timeline()
		if !v.Failed || v.Kind != "fatal" || !strings.Contains(v.Text, "Failed to allocate") || v.Fatal == "" {
			t.Errorf("at the failure: %+v", v)
		}
		if len(v.Tables) != 2 || !v.Tables[0].Mapped || v.NotMapped != 0 {
			t.Errorf("tables at the failure: %+v (v3.18's two swapper pages, already mapped)", v.Tables)
		}
		img := a.screenshot()
		if n := count(img, p.Banner, pal["fatal"], 3); n < 1000 {
			t.Errorf("the failing step shows no panic banner (%d px)", n)
		}
		caption := eval[string](a, `document.getElementById("tl-caption").textContent`)
		if !strings.Contains(caption, "Failed to allocate") || eval[string](a, `document.getElementById("tl-caption").className`) != "fatal" {
			t.Errorf("caption %q does not show the failure", caption)
		}
		a.shot("timeline-failure.png")

		// Back one step: no banner, the step before the panic.
		a.clickElement("#tl-prev")
		a.waitStep(tl.Failure - 1)
		if n := count(a.screenshot(), p.Banner, pal["fatal"], 3); n > 0 {
			t.Errorf("the step before the failure shows the banner (%d px)", n)
		}
		// The jump button goes there again, and play runs to the end.
		a.clickElement("#tl-fail")
		a.waitStep(tl.Failure)
		a.clickElement("#tl-start")
		a.waitStep(0)
		a.choose("#tl-speed", "60")
		a.clickElement("#tl-play")
		a.poll(fmt.Sprintf("(() => { const v = JSON.parse(linmapTest.timeline()); return v.step === %d && !v.playing; })()", tl.End))
	})

	t.Run("tables not mapped yet", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "oracle-a-single-1G")) // v6.1: tables come from the top of memory
		a.poll("JSON.parse(linmapTest.timeline()).end > 0")
		tl := a.timeline()
		for k := 0; k <= tl.End; k++ {
			eval[string](a, fmt.Sprintf("linmap.seek(%d)", k))
			a.waitStep(k)
			if v := a.timeline(); v.Kind == "alloc" {
				if v.NotMapped == 0 || !strings.Contains(v.Text, "NOT mapped yet") {
					t.Errorf("first alloc: %+v", v)
				}
				if v.Probe.Step.Y1 <= v.Probe.Step.Y0 {
					t.Errorf("the allocated table is not highlighted: %+v", v.Probe.Step)
				}
				a.shot("timeline-alloc.png")
				// The table page explains itself: the step that allocated it.
				pa := a.probe().PA
				a.mouse(chromedp.MouseMoved, pa.X0+0.64*(pa.X1-pa.X0), (v.Probe.Step.Y0+v.Probe.Step.Y1)/2)
				a.waitFrames(3)
				if tip := strings.Join(a.timeline().Probe.Tip, " "); !strings.Contains(tip, "early_pgtable_alloc()") || !strings.Contains(tip, "NOT mapped yet") {
					t.Errorf("tooltip over the new table page: %q", tip)
				}
				// A leaf run explains its size: the rule and the function.
				a.Jump("end")
				// The leaf lane is the physical column's right fifth.
				a.mouse(chromedp.MouseMoved, pa.X0+0.9*(pa.X1-pa.X0), pa.Y0+0.75*(pa.Y1-pa.Y0))
				a.waitFrames(3)
				if tip := strings.Join(a.timeline().Probe.Tip, " "); !strings.Contains(tip, "why: ") || !strings.Contains(tip, "()") {
					t.Errorf("tooltip over a leaf run: %q", tip)
				}
				return
			}
		}
		t.Error("no alloc step")
	})

	t.Run("compare 6.1 with 6.12: the kernel alias", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "oracle-a-single-1G")) // era v6.1
		a.choose("#cmp-era", "v6.12")
		a.choose("#cmp-mode", "overlay")
		a.poll(`JSON.parse(linmapTest.timeline()).compare.rows.length > 0`)
		a.waitFrames(2)
		v := a.timeline()
		if v.Compare.LabelA != "v6.1" || v.Compare.LabelB != "v6.12" {
			t.Errorf("labels %q %q", v.Compare.LabelA, v.Compare.LabelB)
		}
		var alias bool
		for _, r := range v.Compare.Rows {
			if r.What == "kernel alias starts at" {
				alias = r.A == "0x40210000" && r.B == "0x40200000" && r.Differs
			}
		}
		if !alias {
			t.Errorf("rows %+v: want the kernel alias at 0x40210000 (6.1, _stext) and 0x40200000 (6.12, _text)", v.Compare.Rows)
		}
		if len(v.Compare.Ranges) == 0 || !strings.Contains(strings.ReplaceAll(v.Compare.Ranges[0].PA, "_", ""), "40200000") ||
			!strings.Contains(v.Compare.Ranges[0].B, "kernel-alias") || !strings.Contains(v.Compare.Ranges[0].WhyA, "()") {
			t.Errorf("first differing range %+v: want 0x40200000, kernel alias in B, a why naming a function", v.Compare.Ranges)
		}
		if len(v.Probe.Highlights) != len(v.Compare.Ranges) {
			t.Fatalf("%d highlights on the canvas, %d ranges listed", len(v.Probe.Highlights), len(v.Compare.Ranges))
		}
		img := a.screenshot()
		yellow := func(r, g, b uint8) bool { return r > 200 && g > 150 && b < 120 && int(r)-int(b) > 120 }
		h := v.Probe.Highlights[0]
		if n := countFunc(img, h, yellow); n < 20 {
			t.Errorf("highlight at %+v: %d highlighted pixels", h, n)
		}
		panel := eval[string](a, `document.getElementById("cmp-out").textContent`)
		if !strings.Contains(panel, "kernel alias starts at") || !strings.Contains(panel, "0x40210000") || !strings.Contains(panel, "0x40200000") {
			t.Errorf("compare table: %q", panel)
		}
		a.shot("compare-overlay.png")

		// The highlight explains itself under the cursor.
		a.mouse(chromedp.MouseMoved, (h.X0+h.X1)/2, (h.Y0+h.Y1)/2)
		a.waitFrames(3)
		tip := strings.Join(a.timeline().Probe.Tip, " ")
		if !strings.Contains(tip, "v6.1") || !strings.Contains(tip, "v6.12") || !strings.Contains(tip, "kernel-alias") || !strings.Contains(tip, "()") {
			t.Errorf("tooltip over the highlight: %q", tip)
		}
		a.shot("compare-tooltip.png")

		// Side by side: B's leaves in their own lane.
		a.choose("#cmp-mode", "side")
		a.waitFrames(2)
		v = a.timeline()
		if v.Probe.Lane.X1 <= v.Probe.Lane.X0 {
			t.Fatalf("no lane for B: %+v", v.Probe.Lane)
		}
		leaf := 0
		for _, k := range []string{"pmd", "page"} {
			leaf += count(a.screenshot(), v.Probe.Lane, pal[k], 3)
		}
		if leaf < 200 {
			t.Errorf("B's lane: %d leaf-coloured pixels", leaf)
		}
		a.shot("compare-side.png")
		a.choose("#cmp-mode", "")
		if v := a.timeline(); len(v.Probe.Highlights) != 0 {
			t.Errorf("compare off still highlights %d ranges", len(v.Probe.Highlights))
		}
	})

	t.Run("compare two command lines", func(t *testing.T) {
		a.t = t
		a.choose("#cmp-era", "")
		a.choose("#cmp-cmdline", "rodata=full")
		a.choose("#cmp-mode", "overlay")
		a.poll(`JSON.parse(linmapTest.timeline()).compare.labelB === "v6.1 (B)"`)
		v := a.timeline()
		if len(v.Compare.Ranges) == 0 {
			t.Fatal("rodata=full maps with pages: some range must differ")
		}
		for _, r := range v.Compare.Rows {
			if r.What == "TLB entries" && !r.Differs {
				t.Errorf("TLB entries row %+v should differ", r)
			}
		}
		a.choose("#cmp-mode", "")
		a.choose("#cmp-cmdline", "")
	})

	t.Run("bench: a timeline step on 64 banks", func(t *testing.T) {
		a.t = t
		a.importText(banks64())
		a.poll("JSON.parse(linmapTest.timeline()).end > 100")
		end := a.timeline().End
		eval[any](a, "linmapTest.resetStepPerf()")
		const n = 60
		for i := 0; i < n; i++ {
			k := (i * 7919) % end // spread over the trace, not in order
			eval[string](a, fmt.Sprintf("linmap.seek(%d)", k))
			a.waitStep(k)
		}
		var perf map[string]json.RawMessage
		json.Unmarshal([]byte(eval[string](a, "linmapTest.stepPerf()")), &perf)
		var cnt int
		json.Unmarshal(perf["count"], &cnt)
		if cnt < n/2 {
			t.Fatalf("only %d step changes recorded: %s", cnt, eval[string](a, "linmapTest.stepPerf()"))
		}
		for _, k := range []string{"change", "draw", "total"} {
			var s struct {
				Mean float64 `json:"mean_ms"`
				P50  float64 `json:"p50_ms"`
				P95  float64 `json:"p95_ms"`
				Max  float64 `json:"max_ms"`
			}
			json.Unmarshal(perf[k], &s)
			bench["64-bank timeline step, "+k+" ms (mean/p50/p95/max)"] = fmt.Sprintf("%.2f / %.2f / %.2f / %.2f", s.Mean, s.P50, s.P95, s.Max)
		}
		bench["64-bank timeline: steps in the trace"] = fmt.Sprint(end + 1)
		bench["64-bank timeline: step changes measured"] = fmt.Sprint(cnt)
		a.shot("timeline-64.png")
	})
	for k, v := range bench {
		t.Logf("BENCH %s: %s", k, v)
	}
}
