package model

import (
	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/compareview"
	"linmap/wasm/edit"
	"linmap/wasm/results"
)

// Compare modes.
const (
	CompareOff     = ""
	CompareOutline = "outline" // one view of A, the differing ranges outlined
	CompareSide    = "side"    // A and B as two full views side by side
	CompareFlip    = "flip"    // one full view, of A or of B (FlipAB), the differing ranges outlined
)

// CompareSpec says what B is: the current layout with another era, command
// line, page size, VA_BITS or CPU features ("" or 0 keeps A's).
type CompareSpec struct {
	Mode     string `json:"mode" js:"mode"`
	Era      string `json:"era" js:"era"`
	Cmdline  string `json:"cmdline" js:"cmdline"`
	PageSize string `json:"pageSize" js:"pageSize"`
	VABits   int    `json:"vaBits" js:"vaBits"`
	// CPU features: "" keeps A's, "on" or "off" sets them.
	LPA2  string `json:"lpa2" js:"lpa2"`
	VA52  string `json:"va52" js:"va52"`
	BBML2 string `json:"bbml2" js:"bbml2"`
	Realm string `json:"realm" js:"realm"`
}

type compare struct {
	spec  CompareSpec
	showB bool // flip mode shows B
	stale bool
	lay   *layout.Layout // B's layout
	res   *result.Result
	err   error
	model *compareview.Model
	sum   *results.Summary // of res, made on first use
}

// SetCompare chooses B and the mode.
func (m *Model) SetCompare(s CompareSpec) {
	m.cmp.spec = s
	m.cmp.stale = true
	if s.Mode != CompareFlip {
		m.cmp.showB = false
	}
	m.content++
	m.changed()
}

// FlipAB shows B in the full view instead of A, or A again (flip mode
// only): the same machine under the other kernel, in the same place.
func (m *Model) FlipAB() {
	if m.cmp.spec.Mode != CompareFlip {
		m.Notify(CodeNoFlip, Info, "A/B flip: choose View \"flip A/B\" in Compare first.")
		return
	}
	m.cmp.showB = !m.cmp.showB
	m.content++ // B's ranges are other ranges: the axes follow
	m.changed()
}

// SummaryB is B's result in words and numbers (zero when compare is off).
func (m *Model) SummaryB() results.Summary {
	_, rb, _, err := m.Comparison()
	if rb == nil && err == nil {
		return results.Summary{}
	}
	if m.cmp.sum == nil {
		s := results.Of(rb, err)
		m.cmp.sum = &s
	}
	return *m.cmp.sum
}

// ShowingB reports the flip mode showing B.
func (m *Model) ShowingB() bool { return m.cmp.showB }

// CompareSpec is B's choice.
func (m *Model) CompareSpec() CompareSpec { return m.cmp.spec }

// Comparison is B's layout and result and the differences, re-run when A
// or the spec changed; nil when compare is off or A has no result. err is
// why B could not run.
func (m *Model) Comparison() (lb *layout.Layout, rb *result.Result, diff *compareview.Model, err error) {
	c := &m.cmp
	if c.stale {
		c.stale = false
		c.lay, c.res, c.err, c.model, c.sum = nil, nil, nil, nil, nil
		if c.spec.Mode != CompareOff && m.res != nil {
			c.lay = CompareLayout(m.lay, c.spec)
			c.res, c.err = m.simulate(c.lay)
			if c.err == nil {
				d := compareview.Build(m.res, c.res)
				if d.LabelA == d.LabelB {
					// Same era, two option sets: say which is which.
					d.LabelA += " (A)"
					d.LabelB += " (B)"
				}
				c.model = &d
			}
		}
	}
	return c.lay, c.res, c.model, c.err
}

// CompareLayout is the layout B runs: A's with the spec's choices, page
// size and VA_BITS normalised to what B's era offers.
func CompareLayout(l *layout.Layout, s CompareSpec) *layout.Layout {
	n := l.Clone()
	if s.Era != "" {
		n.Kernel.Era = s.Era
	}
	if s.Cmdline != "" {
		n.Kernel.Cmdline = s.Cmdline
	}
	if s.PageSize != "" {
		n.Kernel.PageSize = s.PageSize
	}
	if s.VABits != 0 {
		n.Kernel.VABits = s.VABits
	}
	if s.Era != "" || s.PageSize != "" || s.VABits != 0 {
		n.Kernel.PageSize, n.Kernel.VABits = edit.Normalize(n.Kernel.Era, n.Kernel.PageSize, n.Kernel.VABits)
	}
	set := func(v string, f *bool) {
		if v != "" {
			*f = v == "on"
		}
	}
	set(s.LPA2, &n.CPU.LPA2)
	set(s.VA52, &n.CPU.VA52)
	set(s.BBML2, &n.CPU.BBML2NoAbort)
	set(s.Realm, &n.CPU.Realm)
	return n
}

// Pane is one full view the canvas draws: a layout, the result drawn for
// it, and which side it is when comparing.
type Pane struct {
	Layout *layout.Layout
	Result *result.Result // nil when the engine refused the layout
	// Label names the side ("A: v6.1", "B: v6.12") when two are compared.
	Label string
	// B: the pane shows B, whose timeline is not replayed (only A's is).
	B bool
}

// Panes are the full views shown: A (as at the timeline's step), B beside
// it when comparing side by side, or one of them in flip mode.
func (m *Model) Panes() []Pane {
	a := Pane{Layout: m.lay, Result: m.Shown()}
	mode := m.cmp.spec.Mode
	if mode != CompareSide && mode != CompareFlip {
		return []Pane{a}
	}
	lb, rb, d, err := m.Comparison()
	if err != nil || rb == nil || d == nil {
		return []Pane{a}
	}
	a.Label = "A: " + d.LabelA
	b := Pane{Layout: lb, Result: rb, Label: "B: " + d.LabelB, B: true}
	switch {
	case mode == CompareSide:
		return []Pane{a, b}
	case m.cmp.showB:
		return []Pane{b}
	}
	return []Pane{a}
}
