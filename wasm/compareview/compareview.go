// Package compareview is what the app's compare panel shows for two results
// of one layout (two eras, or two option sets): the physical ranges to
// highlight, each explaining itself on both sides, and the summary table.
// It adds to sim/compare the kernel alias (which linear-map range each side
// maps as the image's alias) and one sentence of why per side per range.
package compareview

import (
	"sort"

	"linmap/sim/compare"
	"linmap/sim/result"
)

// Kinds of difference, for colour and legend.
const (
	KindLeaf   = "leaf"   // both mapped, with different leaf sizes
	KindCont   = "cont"   // same leaf size, contiguous bit differs
	KindMapped = "mapped" // mapped on one side, lost or absent on the other
	KindAlias  = "alias"  // same leaves, but only one side maps it as the kernel alias
)

// Side is one result's treatment of a highlighted range.
type Side = compare.Side

// Highlight is a physical range treated differently by A and B, cut so
// that each side is one mapping (or one loss) and has one explanation.
type Highlight struct {
	PA   uint64 `json:"-"`
	Size uint64 `json:"-"`
	Kind string `json:"kind"`
	A    Side   `json:"a"`
	B    Side   `json:"b"`
}

// Row is one line of the difference table.
type Row struct {
	What    string `json:"what"`
	A       string `json:"a"`
	B       string `json:"b"`
	Differs bool   `json:"differs"`
}

// Model is the compare view of A against B.
type Model struct {
	LabelA, LabelB string
	Highlights     []Highlight // sorted by PA
	Rows           []Row
}

// Build compares a with b.
func Build(a, b *result.Result) Model {
	d := compare.Results(a, b)
	m := Model{LabelA: a.EraLabel, LabelB: b.EraLabel}
	// One explanation per side per highlight: a range is highlighted where
	// the sides differ in leaf, cont bit or mapped state, and also where
	// only one side maps it as the kernel alias (the alias moving from
	// _stext to _text keeps its leaves).
	compare.Walk(a, b, func(lo, hi uint64, sa, sb Side) {
		kind := classify(sa, sb)
		if kind == "" {
			return
		}
		if n := len(m.Highlights); n > 0 {
			h := &m.Highlights[n-1]
			if h.PA+h.Size == lo && h.A == sa && h.B == sb {
				h.Size += hi - lo
				return
			}
		}
		m.Highlights = append(m.Highlights, Highlight{PA: lo, Size: hi - lo, Kind: kind, A: sa, B: sb})
	})
	for _, r := range d.Summary {
		m.Rows = append(m.Rows, Row{What: r.What, A: r.A, B: r.B, Differs: r.A != r.B})
	}
	return m
}

// classify names how two sides differ, or "" when they do not.
func classify(a, b Side) string {
	mapped := func(s Side) bool { return s.Purpose != "" }
	switch {
	case mapped(a) != mapped(b):
		return KindMapped
	case !mapped(a):
		if a.State != b.State {
			return KindMapped // lost for different reasons
		}
		return ""
	case leaf(a.State) != leaf(b.State):
		return KindLeaf
	case a.State != b.State:
		return KindCont
	case (a.Purpose == result.PurposeKernelAlias) != (b.Purpose == result.PurposeKernelAlias):
		return KindAlias
	}
	return ""
}

// leaf strips "+cont" from a state.
func leaf(s string) string {
	if n := len(s) - len("+cont"); n > 0 && s[n:] == "+cont" {
		return s[:n]
	}
	return s
}

// Alias returns the physical start of each side's kernel alias (0, false
// when a side maps the image inside the linear map, before v4.6).
func Alias(r *result.Result) (uint64, bool) {
	lo, ok := uint64(0), false
	for _, m := range r.Mappings {
		if m.Purpose == result.PurposeKernelAlias && (!ok || uint64(m.PA) < lo) {
			lo, ok = uint64(m.PA), true
		}
	}
	return lo, ok
}

// At returns the highlight covering physical address x, for tooltips.
func (m *Model) At(x uint64) (Highlight, bool) {
	i := sort.Search(len(m.Highlights), func(i int) bool { h := m.Highlights[i]; return h.PA+h.Size > x })
	if i < len(m.Highlights) && m.Highlights[i].PA <= x {
		return m.Highlights[i], true
	}
	return Highlight{}, false
}
