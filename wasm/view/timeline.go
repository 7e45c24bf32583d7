package view

import (
	"fmt"
	"image"
	"math"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/inpututil"

	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/numfmt"
	"linmap/wasm/compareview"
	"linmap/wasm/edit"
	"linmap/wasm/timeline"
)

// Timeline and compare: the scrubber replays the engine's trace (the view
// draws the boot as it stood after one step), and the compare view runs the
// same layout a second time with another era or command line and marks
// where the two linear maps differ.

// Compare modes.
const (
	CompareOff     = ""
	CompareOverlay = "overlay" // differing ranges highlighted over the physical column
	CompareSide    = "side"    // B's leaves in a lane beside A's, plus the highlights
)

// CompareSpec says what B is: the current layout with another era and/or
// another command line ("" keeps A's).
type CompareSpec struct {
	Mode    string `json:"mode" js:"mode"`
	Era     string `json:"era" js:"era"`
	Cmdline string `json:"cmdline" js:"cmdline"`
}

// tlState is the game's timeline and compare state.
type tlState struct {
	tl      *timeline.Timeline // built on first use for the current result
	step    int                // the step shown; -1 is the end (the whole result)
	part    *result.Result     // the result at step (nil at the end)
	st      timeline.State
	playing bool
	speed   float64 // steps per second while playing
	acc     float64 // steps owed to the player, fractional

	dirty bool // the timeline host has not seen the latest state

	spec     CompareSpec
	resB     *result.Result
	errB     string
	cmp      *compareview.Model
	cmpStale bool

	// stepTime accumulates Go time spent changing steps since
	// TakeStepTime, and steps counts the changes.
	stepTime time.Duration
	steps    int
}

// TimelineHost is implemented by hosts that show the timeline and compare
// panels (the JS bridge); the game tells it after every change.
type TimelineHost interface{ TimelineChanged(TimelineSnapshot) }

// TimelineSnapshot is what the scrubber and the compare panel show.
type TimelineSnapshot struct {
	Step     int // shown step (End when at the end)
	End      int
	Failure  int
	Playing  bool
	Speed    float64
	Scrubbed bool           // State is the replay's (else only the last step is filled in)
	State    timeline.State // State.Current is the shown step
	CallText string         // the mapping call in force, in the engine's words
	Compare  CompareSpec
	CompareB *result.Result
	ErrB     string
	Model    *compareview.Model
}

// DefaultSpeed is the player's speed: a v3.18 trace of twenty steps takes
// four seconds, a 64-bank trace is skimmed with the speed control.
const DefaultSpeed = 5

// shown is the result the view draws: the one at the scrubber's step.
func (g *Game) shown() *result.Result {
	if g.tls.part != nil {
		return g.tls.part
	}
	return g.res
}

// timelineReset forgets the replay of the previous result (the layout or
// its options changed) and marks B for a re-run.
func (g *Game) timelineReset() {
	speed := g.tls.speed
	if speed == 0 {
		speed = DefaultSpeed
	}
	g.tls.tl, g.tls.part, g.tls.step, g.tls.playing, g.tls.acc, g.tls.speed = nil, nil, -1, false, 0, speed
	g.tls.st = timeline.State{}
	g.tls.cmpStale = true
	g.tlDirty()
}

func (g *Game) tline() *timeline.Timeline {
	if g.tls.tl == nil && g.res != nil {
		g.tls.tl = timeline.New(g.res)
	}
	return g.tls.tl
}

// SeekStep shows the state right after step k (clamped); the last step is
// the whole result.
func (g *Game) SeekStep(k int) {
	tl := g.tline()
	if tl == nil || tl.End() < 0 {
		return
	}
	start := time.Now()
	k = tl.Clamp(k)
	if k == tl.End() {
		g.tls.step, g.tls.part = -1, nil
		g.tls.st = tl.At(k)
	} else {
		g.tls.step = k
		g.tls.part, g.tls.st = tl.Partial(k)
	}
	g.rebuild()
	g.tls.stepTime += time.Since(start)
	g.tls.steps++
	g.tlDirty()
}

// Step returns the shown step's index.
func (g *Game) Step() int {
	if g.tls.step >= 0 {
		return g.tls.step
	}
	if g.res != nil {
		return len(g.res.Trace) - 1
	}
	return -1
}

// StepBy moves the scrubber by d steps and stops the player.
func (g *Game) StepBy(d int) {
	g.tls.playing = false
	g.SeekStep(g.Step() + d)
}

// Jump goes to "start", "end" or "failure" (the end when boot succeeds).
func (g *Game) Jump(where string) {
	tl := g.tline()
	if tl == nil {
		return
	}
	g.tls.playing = false
	switch where {
	case "start":
		g.SeekStep(0)
	case "failure":
		if f := tl.Failure(); f >= 0 {
			g.SeekStep(f)
			return
		}
		g.Notify("this boot does not fail")
		g.SeekStep(tl.End())
	default:
		g.SeekStep(tl.End())
	}
}

// Play starts or stops the player; starting at the end replays from the
// beginning.
func (g *Game) Play(on bool) {
	tl := g.tline()
	if tl == nil {
		return
	}
	if on && g.Step() >= tl.End() {
		g.SeekStep(0)
	}
	g.tls.playing, g.tls.acc = on, 0
	g.tlDirty()
}

// SetSpeed sets the player's speed in steps per second.
func (g *Game) SetSpeed(stepsPerSecond float64) {
	if stepsPerSecond > 0 && !math.IsInf(stepsPerSecond, 0) {
		g.tls.speed = stepsPerSecond
		g.tlDirty()
	}
}

// SetCompare chooses B and the compare mode.
func (g *Game) SetCompare(s CompareSpec) {
	g.tls.spec = s
	g.tls.cmpStale = true
	g.tlDirty()
}

// compareRun re-runs the engine for B when the layout or the spec changed.
func (g *Game) compareRun() {
	t := &g.tls
	if !t.cmpStale {
		return
	}
	t.cmpStale = false
	t.resB, t.errB, t.cmp = nil, "", nil
	if t.spec.Mode == CompareOff || g.res == nil {
		return
	}
	start := time.Now()
	rb, err := g.run(CompareRun(g.lay, t.spec))
	g.runTime += time.Since(start)
	if err != nil {
		t.errB = "B cannot run: " + err.Error()
		return
	}
	m := compareview.Build(g.res, rb)
	if m.LabelA == m.LabelB {
		// Same era, two option sets: say which is which.
		m.LabelA += " (A)"
		m.LabelB += " (B)"
	}
	t.resB, t.cmp = rb, &m
	g.tlDirty()
}

// tlDirty marks the scrubber and compare panel for an update. The main
// panel (g.dirty) shows the whole result, which a step change leaves as is.
func (g *Game) tlDirty() { g.tls.dirty = true }

// timelineUpdate runs once per tick after input: the player, the keys, B's
// re-run, and the panel.
func (g *Game) timelineUpdate() {
	g.compareRun()
	if g.tls.playing {
		tl := g.tline()
		g.tls.acc += g.tls.speed / float64(ebiten.TPS())
		if n := int(g.tls.acc); n > 0 && tl != nil {
			g.tls.acc -= float64(n)
			next := g.Step() + n
			if next >= tl.End() {
				next, g.tls.playing = tl.End(), false
			}
			g.SeekStep(next)
		}
	}
	g.timelineKeys()
	g.compareHover()
	if g.tls.dirty {
		g.tls.dirty = false
		if h, ok := g.host.(TimelineHost); ok {
			h.TimelineChanged(g.TimelineSnapshot())
		}
	}
}

// timelineKeys: , and . step, Home and End jump, F goes to the failure,
// Space plays and pauses.
func (g *Game) timelineKeys() {
	switch {
	case repeatKey(ebiten.KeyComma):
		g.StepBy(-1)
	case repeatKey(ebiten.KeyPeriod):
		g.StepBy(1)
	case inpututil.IsKeyJustPressed(ebiten.KeyHome):
		g.Jump("start")
	case inpututil.IsKeyJustPressed(ebiten.KeyEnd):
		g.Jump("end")
	case inpututil.IsKeyJustPressed(ebiten.KeyF):
		g.Jump("failure")
	case inpututil.IsKeyJustPressed(ebiten.KeySpace):
		g.Play(!g.tls.playing)
	}
}

// TimelineSnapshot returns the scrubber's and compare panel's view.
func (g *Game) TimelineSnapshot() TimelineSnapshot {
	s := TimelineSnapshot{Step: -1, End: -1, Failure: -1, Playing: g.tls.playing, Speed: g.tls.speed,
		Compare: g.tls.spec, CompareB: g.tls.resB, ErrB: g.tls.errB, Model: g.tls.cmp}
	r := g.res
	if r == nil || len(r.Trace) == 0 {
		return s
	}
	s.Step, s.End = g.Step(), len(r.Trace)-1
	if r.Fatal != nil {
		s.Failure = r.Fatal.Step
	}
	if g.scrubbed() {
		s.Scrubbed, s.State = true, g.tls.st
		if c := s.State.Call; c >= 0 {
			s.CallText = r.Trace[c].Text
		}
		return s
	}
	// Not replayed yet: the last step only. Building the replay here
	// would cost every drag tick a pass over the trace.
	s.State = timeline.State{Step: s.End, Current: r.Trace[s.End], Call: -1, LimitStep: -1, Fatal: r.Fatal, Failed: s.End == s.Failure}
	return s
}

// TakeStepTime returns the Go time spent changing steps since the last call
// and how many changes it covers; the wasm main adds the next Draw.
func (g *Game) TakeStepTime() (time.Duration, int) {
	d, n := g.tls.stepTime, g.tls.steps
	g.tls.stepTime, g.tls.steps = 0, 0
	return d, n
}

// Colours of the timeline and compare marks.
var (
	colStep     = rgb(0xe6, 0x00, 0x7e) // the current step's range
	colDiff     = rgb(0xff, 0xd4, 0x00) // a range the two results treat differently
	colDiffEdge = rgb(0x8a, 0x6d, 0x00)
)

// scrubbed says whether the timeline shows a step (the scrubber was used
// since the result changed): then the step's marks and caption are drawn,
// also at the last step. A fresh result is drawn whole, without them.
func (g *Game) scrubbed() bool { return g.tls.st.Current.Kind != "" }

// stepRange is the physical range the shown step is about, if any.
func (g *Game) stepRange() (base, size uint64, ok bool) {
	if !g.scrubbed() {
		return 0, 0, false
	}
	st := g.tls.st.Current
	if st.PA == nil {
		return 0, 0, false
	}
	base = uint64(*st.PA)
	if st.Size != nil {
		size = uint64(*st.Size)
	}
	if size == 0 {
		size = edit.PageBytes(g.lay)
	}
	return base, size, true
}

// compareLane is where side-by-side mode draws B's leaves: a lane right of
// the physical column, over the start of the ribbons.
func (g *Game) compareLane() (x0, x1 float64) {
	cw := g.geo.paX1 - g.geo.paX0
	return g.geo.paX1 + 3*g.geo.s, g.geo.paX1 + 3*g.geo.s + 0.2*cw
}

// diffSpan is where a highlight is drawn: across the physical column (and
// B's lane), at least 3 px high so a 64K difference in a 1G bank shows.
func (g *Game) diffSpan(h compareview.Highlight) (x0, y0, x1, y1 float64) {
	s := g.geo.s
	y0, y1 = span(g.pa, h.PA, h.Size, 3*s)
	x0, x1 = g.geo.paX0-6*s, g.geo.paX1+2*s
	if g.tls.spec.Mode == CompareSide {
		_, x1 = g.compareLane()
	}
	return x0, y0, x1 + 2*s, y1
}

// drawTimeline paints the step's marks, the compare view and the caption.
// Like Draw it reads state only.
func (g *Game) drawTimeline(screen *ebiten.Image) {
	gm := g.geo
	s := gm.s
	var q quads
	var labels []label
	in := func(y float64) bool { return y >= gm.bandTop && y <= gm.bandBot }

	if m := g.tls.cmp; m != nil && g.tls.spec.Mode != CompareOff {
		if g.tls.spec.Mode == CompareSide && g.tls.resB != nil {
			x0, x1 := g.compareLane()
			q.fill(x0-1*s, gm.bandTop, x1+1*s, gm.bandBot, colBackground)
			for _, mp := range g.tls.resB.Mappings {
				y0, y1 := span(g.pa, uint64(mp.PA), uint64(mp.Size), 1*s)
				if y1 < gm.bandTop || y0 > gm.bandBot {
					continue
				}
				q.fill(x0, math.Max(y0, gm.bandTop), x1, math.Min(y1, gm.bandBot), LeafColor(mp.Level))
				if mp.Cont {
					q.fill(x1-3*s, math.Max(y0, gm.bandTop), x1, math.Min(y1, gm.bandBot), colCont)
				}
			}
			for _, lo := range g.tls.resB.Lost {
				y0, y1 := span(g.pa, uint64(lo.Base), uint64(lo.Size), 2*s)
				q.hatch(x0, y0, x1, y1, gm.bandTop, gm.bandBot, 7*s, 1.2*s, colLost)
			}
			lx0, _ := g.compareLane()
			leafX := gm.paX0 + laneLeaf0*(gm.paX1-gm.paX0)
			labels = append(labels,
				label{"A", g.fonts.bold, leafX, gm.bandTop - 16*s, colText, false},
				label{"B", g.fonts.bold, lx0, gm.bandTop - 16*s, colText, false})
		}
		for _, h := range m.Highlights {
			x0, y0, x1, y1 := g.diffSpan(h)
			if y1 < gm.bandTop || y0 > gm.bandBot {
				continue
			}
			y0, y1 = math.Max(y0, gm.bandTop), math.Min(y1, gm.bandBot)
			q.quad([4][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, colDiff, 0.55)
			q.stroke(x0, y0, x1, y1, 1.5*s, colDiffEdge)
		}
	}

	if g.scrubbed() {
		st := g.tls.st
		if st.LimitSet && st.Limit != 0 && st.Limit != math.MaxUint64 {
			if y := g.pa.Y(st.Limit); in(y) {
				q.fill(gm.paX0-10*s, y-1.5*s, gm.paX1+10*s, y+1.5*s, colLimit)
				labels = append(labels, label{"memblock.current_limit " + numfmt.Hex(st.Limit), g.fonts.bold, gm.paX1 + 10*s, y + 3*s, colLimit, false})
			}
		}
		if base, size, ok := g.stepRange(); ok {
			y0, y1 := span(g.pa, base, size, 4*s)
			if y1 >= gm.bandTop && y0 <= gm.bandBot {
				q.stroke(gm.paX0-4*s, y0-2*s, gm.paX1+4*s, y1+2*s, 2.5*s, colStep)
				if st.Current.Kind == result.StepAlloc && st.Current.Mapped != nil {
					note, c := "already mapped", colPMD
					if !*st.Current.Mapped {
						note, c = "NOT mapped yet", colLost
					}
					labels = append(labels, label{st.Current.Level + " table: " + note, g.fonts.bold, gm.paX1 + 8*s, (y0+y1)/2 - 8*s, c, false})
				}
			}
			if st.Current.VA != nil && g.res != nil && inLinear(g.res, uint64(*st.Current.VA)) {
				v0, v1 := span(g.va, uint64(*st.Current.VA), size, 4*s)
				if v1 >= gm.bandTop && v0 <= gm.bandBot {
					q.stroke(gm.vaX0-4*s, v0-2*s, gm.vaX1+4*s, v1+2*s, 2.5*s, colStep)
				}
			}
		}
	}
	band := screen.SubImage(image.Rect(0, int(gm.bandTop), int(gm.w), int(gm.bandBot))).(*ebiten.Image)
	q.draw(band)
	for _, l := range labels {
		g.drawText(screen, l.s, l.face, l.x, l.y, l.c, l.right)
	}
	if cap := g.caption(); cap != "" {
		g.drawText(screen, cap, g.fonts.sans, gm.paX0, gm.bannerY+33*s, colStep, false)
	}
}

// caption is the shown step in one line, drawn above the columns.
func (g *Game) caption() string {
	if !g.scrubbed() {
		return ""
	}
	st := g.tls.st.Current
	c := fmt.Sprintf("step %d/%d · %s · ", g.tls.st.Step, g.tline().End(), st.Kind)
	if st.Func != "" {
		c += st.Func + ": "
	}
	c += st.Text
	if r := []rune(c); len(r) > 170 {
		c = string(r[:169]) + "…"
	}
	return c
}

// compareHover adds to the tooltip what the timeline and the compare view
// know about the thing under the cursor: the why of a mapping, the step
// that allocated a table page, and how A and B differ.
func (g *Game) compareHover() {
	x, y := g.cx, g.cy
	if !g.inBand(y) {
		return
	}
	r := g.shown()
	if r == nil {
		return
	}
	if m := g.tls.cmp; m != nil && g.tls.spec.Mode != CompareOff {
		for _, h := range m.Highlights {
			x0, y0, x1, y1 := g.diffSpan(h)
			if x >= x0 && x < x1 && y >= y0 && y < y1 {
				g.tip = diffLines(m, h)
				return
			}
		}
	}
	var it item
	var ok bool
	if x >= g.geo.paX0 && x < g.geo.paX1 {
		it, ok = hit(g.sc.pa, x, y)
	} else if x >= g.geo.vaX0 && x < g.geo.vaX1 {
		it, ok = hit(g.sc.va, x, y)
	}
	if !ok {
		return
	}
	switch it.kind {
	case kLeafPA, kLeafVA:
		if it.idx < len(r.Mappings) && !containsLine(g.tip, r.Mappings[it.idx].Why) {
			g.tip = append(g.tip, wrap("why: "+r.Mappings[it.idx].Why, 70)...)
		}
	case kTables:
		if it.idx < len(r.Tables) {
			t := r.Tables[it.idx]
			if t.Step >= 0 && t.Step < len(g.res.Trace) {
				st := g.res.Trace[t.Step]
				g.tip = append(g.tip, wrap(fmt.Sprintf("step %d, %s(): %s", t.Step, st.Func, st.Text), 70)...)
			}
		}
	}
}

func containsLine(lines []string, s string) bool {
	if s == "" {
		return true
	}
	for _, l := range lines {
		if len(l) >= 20 && len(s) >= 20 && l[:20] == s[:20] {
			return true
		}
	}
	return false
}

func diffLines(m *compareview.Model, h compareview.Highlight) []string {
	out := rangeLines(fmt.Sprintf("differs (%s): %s in %s, %s in %s", h.Kind, side(h.A), m.LabelA, side(h.B), m.LabelB), h.PA, h.Size)
	out = append(out, wrap(m.LabelA+": "+h.A.Why, 70)...)
	return append(out, wrap(m.LabelB+": "+h.B.Why, 70)...)
}

func side(s compareview.Side) string {
	if s.Purpose != "" && s.Purpose != result.PurposeLinear {
		return s.State + " " + string(s.Purpose)
	}
	return s.State
}

// TimelineProbe tells tests where the step's marks and the compare
// highlights are on screen, in CSS pixels.
type TimelineProbe struct {
	Step       Rect   `json:"step"`  // the current step's physical range (zero when none)
	Limit      Rect   `json:"limit"` // the memblock limit line
	Highlights []Rect `json:"highlights"`
	Lane       Rect   `json:"lane"` // B's lane in side-by-side mode
	// Tip is the tooltip on screen, one line each, so tests can read
	// the why of what the cursor is over.
	Tip []string `json:"tip"`
}

// TimelineProbe returns the timeline's and compare view's geometry.
func (g *Game) TimelineProbe() TimelineProbe {
	gm := g.geo
	s := gm.s
	clip := func(x0, y0, x1, y1 float64) Rect {
		c := func(y float64) float64 { return math.Max(gm.bandTop, math.Min(gm.bandBot, y)) / s }
		return Rect{x0 / s, c(y0), x1 / s, c(y1)}
	}
	p := TimelineProbe{Tip: g.tip}
	if base, size, ok := g.stepRange(); ok {
		y0, y1 := span(g.pa, base, size, 4*s)
		p.Step = clip(gm.paX0-4*s, y0-2*s, gm.paX1+4*s, y1+2*s)
	}
	if st := g.tls.st; g.scrubbed() && st.LimitSet && st.Limit != 0 && st.Limit != math.MaxUint64 {
		y := g.pa.Y(st.Limit)
		p.Limit = clip(gm.paX0-10*s, y-1.5*s, gm.paX1+10*s, y+1.5*s)
	}
	if m := g.tls.cmp; m != nil && g.tls.spec.Mode != CompareOff {
		for _, h := range m.Highlights {
			p.Highlights = append(p.Highlights, clip(g.diffSpan(h)))
		}
		if g.tls.spec.Mode == CompareSide {
			x0, x1 := g.compareLane()
			p.Lane = clip(x0, gm.bandTop, x1, gm.bandBot)
		}
	}
	return p
}

// CompareRun is the layout B runs: A's with the spec's era and command line.
func CompareRun(l *layout.Layout, s CompareSpec) *layout.Layout {
	n := *l
	if s.Era != "" {
		n.Kernel.Era = s.Era
	}
	if s.Cmdline != "" {
		n.Kernel.Cmdline = s.Cmdline
	}
	return &n
}
