//go:build js && wasm

package bridge

import (
	"syscall/js"
	"time"

	"github.com/norunners/vert"

	"linmap/wasm/view"
)

// stepKeep bounds the step-cost records kept for the test hook.
const stepKeep = 4000

// timelineJS is the bridge's timeline and compare state.
type timelineJS struct {
	panel      TimelinePanel
	probe      view.TimelineProbe
	stepChange []time.Duration
	stepDraw   []time.Duration
}

// TimelineChanged renders the scrubber and the compare section; it is
// called from the game loop.
func (b *Bridge) TimelineChanged(s view.TimelineSnapshot) {
	p := TimelinePanelOf(s)
	b.mu.Lock()
	b.tl.panel = p
	b.mu.Unlock()
	if ui := js.Global().Get("linmapUI"); ui.Truthy() && ui.Get("renderTimeline").Type() == js.TypeFunction {
		ui.Call("renderTimeline", vert.ValueOf(p).JSValue())
	}
}

// TimelineFrame records, after a Draw, where the timeline's marks are and
// what showing a step cost: change is the Go time of the step changes
// since the last frame (n of them), draw the Draw that showed the last.
func (b *Bridge) TimelineFrame(p view.TimelineProbe, change time.Duration, n int, draw time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tl.probe = p
	if n > 0 && len(b.tl.stepChange) < stepKeep {
		// Several changes in one tick (a fast player) share one Draw:
		// count them as one redraw of the last step.
		b.tl.stepChange = append(b.tl.stepChange, change)
		b.tl.stepDraw = append(b.tl.stepDraw, draw)
	}
}

// InstallTimeline adds the scrubber's and compare panel's calls to
// window.linmap and their test hooks to window.linmapTest.
func (b *Bridge) InstallTimeline() {
	api := js.Global().Get("linmap")
	num := func(args []js.Value, i int) (float64, bool) {
		v := arg(args, i)
		if v.Type() != js.TypeNumber {
			return 0, false
		}
		return v.Float(), true
	}
	api.Set("seek", b.fn(func(args []js.Value) any {
		k, ok := num(args, 0)
		if !ok {
			return "seek: expected a step number"
		}
		return b.send(func(g *view.Game) { g.SeekStep(int(k)) })
	}))
	api.Set("stepBy", b.fn(func(args []js.Value) any {
		d, ok := num(args, 0)
		if !ok {
			return "stepBy: expected a number of steps"
		}
		return b.send(func(g *view.Game) { g.StepBy(int(d)) })
	}))
	api.Set("jump", b.fn(func(args []js.Value) any {
		w := arg(args, 0)
		if w.Type() != js.TypeString {
			return "jump: expected start, end or failure"
		}
		where := w.String()
		return b.send(func(g *view.Game) { g.Jump(where) })
	}))
	api.Set("play", b.fn(func(args []js.Value) any {
		on := arg(args, 0).Truthy()
		return b.send(func(g *view.Game) { g.Play(on) })
	}))
	api.Set("setSpeed", b.fn(func(args []js.Value) any {
		v, ok := num(args, 0)
		if !ok {
			return "setSpeed: expected steps per second"
		}
		return b.send(func(g *view.Game) { g.SetSpeed(v) })
	}))
	api.Set("setCompare", b.fn(func(args []js.Value) any {
		var s view.CompareSpec
		if err := (vert.Value{Value: arg(args, 0)}).AssignTo(&s); err != nil {
			return "bad compare choice: " + err.Error()
		}
		return b.send(func(g *view.Game) { g.SetCompare(s) })
	}))

	test := js.Global().Get("linmapTest")
	test.Set("timeline", b.fn(func([]js.Value) any {
		b.mu.Lock()
		defer b.mu.Unlock()
		return mustJSON(struct {
			TimelinePanel
			Probe view.TimelineProbe `json:"probe"`
		}{b.tl.panel, b.tl.probe})
	}))
	test.Set("stepPerf", b.fn(func([]js.Value) any {
		b.mu.Lock()
		defer b.mu.Unlock()
		return mustJSON(stepSummary(b.tl.stepChange, b.tl.stepDraw))
	}))
	test.Set("resetStepPerf", b.fn(func([]js.Value) any {
		b.mu.Lock()
		b.tl.stepChange, b.tl.stepDraw = b.tl.stepChange[:0], b.tl.stepDraw[:0]
		b.mu.Unlock()
		return nil
	}))
}
