package model

import (
	"math"

	"linmap/sim/result"
	"linmap/wasm/timeline"
)

// DefaultSpeed is the player's speed in steps per second: a v3.18 trace
// of twenty steps takes four seconds; a 64-bank trace is skimmed with the
// speed control.
const DefaultSpeed = 5

// replay is the boot timeline: the step shown and the player.
type replay struct {
	tl      *timeline.Timeline // built on first use for the current result
	step    int                // the step shown; -1 is the end (the whole result)
	part    *result.Result     // the result at step (nil at the end)
	st      timeline.State
	playing bool
	speed   float64
	acc     float64 // steps owed to the player, fractional
	// changes counts step changes since TakeStepChanges (for the bench).
	changes int
}

func (r *replay) reset() {
	r.tl, r.part, r.step, r.playing, r.acc = nil, nil, -1, false, 0
	r.st = timeline.State{}
}

func (m *Model) timeline() *timeline.Timeline {
	if m.replay.tl == nil && m.res != nil {
		m.replay.tl = timeline.New(m.res)
	}
	return m.replay.tl
}

// Shown is the result the canvas draws: the boot as it stood at the
// timeline's step (the whole result unless the timeline was used).
func (m *Model) Shown() *result.Result {
	if m.replay.part != nil {
		return m.replay.part
	}
	return m.res
}

// Scrubbed says whether the timeline shows a step (it was used since the
// result changed): then the step's marks are drawn, also at the last step.
func (m *Model) Scrubbed() bool { return m.replay.st.Current.Kind != "" }

// StepState is the replay's state at the shown step (zero unless Scrubbed).
func (m *Model) StepState() timeline.State { return m.replay.st }

// Step is the shown step's index (the last when the whole result shows).
func (m *Model) Step() int {
	if m.replay.step >= 0 {
		return m.replay.step
	}
	if m.res != nil {
		return len(m.res.Trace) - 1
	}
	return -1
}

// Seek shows the state right after step k (clamped); the last step is the
// whole result.
func (m *Model) Seek(k int) {
	tl := m.timeline()
	if tl == nil || tl.End() < 0 {
		return
	}
	k = tl.Clamp(k)
	if k == tl.End() {
		m.replay.step, m.replay.part = -1, nil
		m.replay.st = tl.At(k)
	} else {
		m.replay.step = k
		m.replay.part, m.replay.st = tl.Partial(k)
	}
	m.replay.changes++
	m.changed()
}

// StepBy moves by d steps and stops the player.
func (m *Model) StepBy(d int) {
	m.replay.playing = false
	m.Seek(m.Step() + d)
}

// Jump goes to "start", "end" or "failure".
func (m *Model) Jump(where string) {
	tl := m.timeline()
	if tl == nil {
		return
	}
	m.replay.playing = false
	switch where {
	case "start":
		m.Seek(0)
	case "failure":
		if f := tl.Failure(); f >= 0 {
			m.Seek(f)
			return
		}
		m.Notify(CodeNoFailure, Info, "This boot does not fail.")
		m.Seek(tl.End())
	default:
		m.Seek(tl.End())
	}
}

// Play starts or stops the player; starting at the end replays from the
// beginning.
func (m *Model) Play(on bool) {
	tl := m.timeline()
	if tl == nil {
		return
	}
	if on && m.Step() >= tl.End() {
		m.Seek(0)
	}
	m.replay.playing, m.replay.acc = on, 0
	m.changed()
}

// Playing reports the player running.
func (m *Model) Playing() bool { return m.replay.playing }

// SetSpeed sets the player's speed in steps per second.
func (m *Model) SetSpeed(stepsPerSecond float64) {
	if stepsPerSecond > 0 && !math.IsInf(stepsPerSecond, 0) {
		m.replay.speed = stepsPerSecond
		m.changed()
	}
}

// Speed is the player's speed.
func (m *Model) Speed() float64 { return m.replay.speed }

// Advance runs the player for dt seconds.
func (m *Model) Advance(dt float64) {
	r := &m.replay
	if !r.playing {
		return
	}
	tl := m.timeline()
	r.acc += r.speed * dt
	if n := int(r.acc); n > 0 && tl != nil {
		r.acc -= float64(n)
		next := m.Step() + n
		if next >= tl.End() {
			next, r.playing = tl.End(), false
		}
		m.Seek(next)
	}
}

// TakeStepChanges returns how many step changes happened since the last
// call.
func (m *Model) TakeStepChanges() int {
	n := m.replay.changes
	m.replay.changes = 0
	return n
}

// Explain lists, at the failing step, the steps that explain it, oldest
// first and in full: the memblock limit in force, the mapping call in
// force, the page-table allocations that call made, and the failure
// itself. It is empty anywhere else.
func (m *Model) Explain() []ExplainedStep {
	st := m.replay.st
	if !st.Failed || m.res == nil {
		return nil
	}
	tr := m.res.Trace
	var out []ExplainedStep
	add := func(i int, why string) {
		if i >= 0 && i < len(tr) {
			out = append(out, ExplainedStep{Index: i, Why: why, Step: tr[i]})
		}
	}
	add(st.LimitStep, "the memblock limit in force")
	add(st.Call, "the mapping call in force")
	for _, t := range st.Tables {
		if t.Step > st.Call && t.Step < st.Step {
			add(t.Step, "a page-table allocation of this call")
		}
	}
	add(st.Step, "the failure")
	return out
}

// ExplainedStep is one step that explains a failure.
type ExplainedStep struct {
	Index int
	Why   string // its part in the failure
	Step  result.Step
}
