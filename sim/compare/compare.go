// Package compare lines up two results of the same layout (two eras, or
// two option sets) by physical address and reports where the linear map
// differs: leaf size, contiguous bit, or mapped versus lost.
package compare

import (
	"sort"

	"linmap/sim/layout"
	"linmap/sim/result"
)

// Range is a physical range whose treatment differs.
type Range struct {
	PA   layout.Addr `json:"pa"`
	Size layout.Addr `json:"size"`
	A    string      `json:"a"` // e.g. "2M", "4K+cont", "lost: no-map", "unmapped"
	B    string      `json:"b"`
}

// Row is one line of the summary table.
type Row struct {
	What string `json:"what"`
	A    string `json:"a"`
	B    string `json:"b"`
}

// Diff is the comparison of result A with result B.
type Diff struct {
	A, B    string  `json:"-"`
	Ranges  []Range `json:"ranges"`
	Summary []Row   `json:"summary"`
}

// Side is how one result treats a physical range.
type Side struct {
	State   string         `json:"state"`   // leaf size ("2M", "4K+cont"), "lost: <reason>" or "not memory"
	Purpose result.Purpose `json:"purpose"` // the mapping's purpose; "" when not mapped
	Why     string         `json:"why"`     // mapping.why or lost.detail: the rule and the kernel function
}

type piece struct {
	lo, hi uint64
	side   Side
}

// pieces flattens a result into sorted, disjoint PA pieces.
func pieces(r *result.Result) []piece {
	var ps []piece
	for _, m := range r.Mappings {
		st := m.Page
		if m.Cont {
			st += "+cont"
		}
		ps = append(ps, piece{uint64(m.PA), uint64(m.PA + m.Size), Side{st, m.Purpose, m.Why}})
	}
	for _, l := range r.Lost {
		ps = append(ps, piece{uint64(l.Base), uint64(l.Base + l.Size), Side{"lost: " + l.Reason, "", l.Detail}})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].lo < ps[j].lo })
	return ps
}

// sideAt returns the side covering x ("not memory" when none does).
func sideAt(ps []piece, x uint64) Side {
	i := sort.Search(len(ps), func(i int) bool { return ps[i].hi > x })
	if i == len(ps) || ps[i].lo > x {
		return Side{State: "not memory"}
	}
	return ps[i].side
}

// Walk calls f, in PA order, for every range over which each result keeps
// one mapping run or one loss: the pieces both sides can be compared by.
func Walk(a, b *result.Result, f func(lo, hi uint64, sa, sb Side)) {
	pa, pb := pieces(a), pieces(b)
	var cuts []uint64
	for _, ps := range [][]piece{pa, pb} {
		for _, p := range ps {
			cuts = append(cuts, p.lo, p.hi)
		}
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i] < cuts[j] })
	for i := 0; i+1 < len(cuts); i++ {
		if lo, hi := cuts[i], cuts[i+1]; lo < hi {
			f(lo, hi, sideAt(pa, lo), sideAt(pb, lo))
		}
	}
}

// Results compares two results.
func Results(a, b *result.Result) Diff {
	d := Diff{A: a.Era, B: b.Era}
	Walk(a, b, func(lo, hi uint64, sa, sb Side) {
		if sa.State == sb.State {
			return
		}
		if n := len(d.Ranges); n > 0 {
			p := &d.Ranges[n-1]
			if uint64(p.PA+p.Size) == lo && p.A == sa.State && p.B == sb.State {
				p.Size += layout.Addr(hi - lo)
				return
			}
		}
		d.Ranges = append(d.Ranges, Range{PA: layout.Addr(lo), Size: layout.Addr(hi - lo), A: sa.State, B: sb.State})
	})
	if d.Ranges == nil {
		d.Ranges = []Range{}
	}
	row := func(what, x, y string) { d.Summary = append(d.Summary, Row{what, x, y}) }
	row("era", a.EraLabel, b.EraLabel)
	row("PHYS_OFFSET", a.PhysOffset.String(), b.PhysOffset.String())
	row("PAGE_OFFSET", a.PageOffset.String(), b.PageOffset.String())
	keys := map[string]bool{}
	for k := range a.Stats.BytesByPage {
		keys[k] = true
	}
	for k := range b.Stats.BytesByPage {
		keys[k] = true
	}
	var ks []string
	for k := range keys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		row("mapped with "+k, size(a.Stats.BytesByPage[k]), size(b.Stats.BytesByPage[k]))
	}
	row("TLB entries", itoa(a.Stats.TLBEntries), itoa(b.Stats.TLBEntries))
	row("page-table pages", itoa(sum(a.Stats.TablesByLevel)), itoa(sum(b.Stats.TablesByLevel)))
	row("lost memory", size(a.Stats.LostBytes), size(b.Stats.LostBytes))
	row("kernel alias starts at", aliasStart(a), aliasStart(b))
	row("outcome", outcome(a), outcome(b))
	return d
}

func aliasStart(r *result.Result) string {
	for _, m := range r.Mappings {
		if m.Purpose == result.PurposeKernelAlias {
			return m.PA.String()
		}
	}
	return "(inside the linear map)"
}

func outcome(r *result.Result) string {
	if r.Fatal != nil {
		return "fails: " + r.Fatal.Message
	}
	return "boots"
}

func size(a layout.Addr) string {
	if a == 0 {
		return "0"
	}
	return layout.FormatSize(uint64(a))
}

func sum(m map[string]int64) uint64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return uint64(n)
}

func itoa(n uint64) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{digits[n%10]}, b...)
		n /= 10
	}
	return string(b)
}
