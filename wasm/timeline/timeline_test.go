package timeline

import (
	"sort"
	"strings"
	"testing"

	"linmap/assets"
	"linmap/sim"
	"linmap/sim/layout"
	"linmap/sim/result"
)

func run(t testing.TB, preset, era string) *result.Result {
	t.Helper()
	p, ok := assets.Lookup(preset)
	if !ok {
		t.Fatalf("preset %s not embedded", preset)
	}
	l, err := layout.Parse(p.Layout)
	if err != nil {
		t.Fatal(err)
	}
	if era != "" {
		l.Kernel.Era = era
	}
	r, err := sim.Run(l)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// stepWhere returns the first step of kind whose text contains sub.
func stepWhere(t *testing.T, r *result.Result, kind, sub string) int {
	t.Helper()
	for i, st := range r.Trace {
		if st.Kind == kind && strings.Contains(st.Text, sub) {
			return i
		}
	}
	t.Fatalf("no %s step containing %q", kind, sub)
	return -1
}

type span struct {
	va, pa, size uint64
	leaf, what   string
}

func spans(ms []result.Mapping) []span {
	var out []span
	sorted := append([]result.Mapping(nil), ms...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].VA < sorted[b].VA })
	for _, m := range sorted {
		leaf := m.Page + " " + m.Level
		if m.Cont {
			leaf += "+cont"
		}
		if n := len(out); n > 0 {
			p := &out[n-1]
			if p.va+p.size == uint64(m.VA) && p.pa+p.size == uint64(m.PA) && p.leaf == leaf && p.what == string(m.Purpose) {
				p.size += uint64(m.Size)
				continue
			}
		}
		out = append(out, span{uint64(m.VA), uint64(m.PA), uint64(m.Size), leaf, string(m.Purpose)})
	}
	return out
}

func TestSeedHypothesis2(t *testing.T) {
	r := run(t, "seed-b-hypothesis2", "v3.18")
	tl := New(r)
	if tl.Failure() < 0 || tl.Failure() != r.Fatal.Step {
		t.Fatalf("Failure() = %d, want %v", tl.Failure(), r.Fatal)
	}
	boot := stepWhere(t, r, result.StepLeaves, "(boot)")
	firstLinear := stepWhere(t, r, result.StepLeaves, "(linear)")
	lastCall := stepWhere(t, r, result.StepMap, "0x80000000-")
	tests := []struct {
		name      string
		step      int
		mapped    []span
		tables    int
		limitSet  bool
		limit     uint64
		call      int
		failed    bool
		fatal     bool
		lostAtEnd bool
	}{
		{name: "before anything", step: 0, call: -1},
		{name: "head.S boot blocks", step: boot, tables: 2, call: -1, mapped: []span{
			{0xffffffc000000000, 0x40000000, 0xe00000, "2M PMD", "boot"}}},
		{name: "map_mem's first bank replaces head.S's blocks it covers", step: firstLinear, tables: 2, limitSet: true, limit: 0x40c00000,
			call: firstLinear - 1, mapped: []span{
				{0xffffffc000000000, 0x40000000, 0xc00000, "2M PMD", "linear"},
				{0xffffffc000c00000, 0x40c00000, 0x200000, "2M PMD", "boot"}}},
		{name: "the failure", step: tl.Failure(), tables: 2, limitSet: true, limit: 0x40c00000, call: lastCall, failed: true, fatal: true, lostAtEnd: true,
			mapped: []span{
				{0xffffffc000000000, 0x40000000, 0xc00000, "2M PMD", "linear"},
				{0xffffffc000c00000, 0x40c00000, 0x200000, "2M PMD", "boot"},
				{0xffffffc020000000, 0x60000000, 0x1f000000, "2M PMD", "linear"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tl.At(tc.step)
			var ms []result.Mapping
			for _, p := range s.Mapped {
				ms = append(ms, p.Mapping)
				if p.Why == "" {
					t.Errorf("piece %#x has no why", uint64(p.VA))
				}
			}
			got := spans(ms)
			if len(got) != len(tc.mapped) {
				t.Fatalf("mapped %+v, want %+v", got, tc.mapped)
			}
			for i := range got {
				if got[i] != tc.mapped[i] {
					t.Errorf("mapped[%d] = %+v, want %+v", i, got[i], tc.mapped[i])
				}
			}
			if len(s.Tables) != tc.tables {
				t.Errorf("%d tables, want %d", len(s.Tables), tc.tables)
			}
			for _, tb := range s.Tables {
				if !tb.Mapped || tb.Cause == "" {
					t.Errorf("table %+v: v3.18's swapper tables sit in the mapped image and have a cause", tb)
				}
			}
			if s.LimitSet != tc.limitSet || s.Limit != tc.limit {
				t.Errorf("limit (%v, %#x), want (%v, %#x)", s.LimitSet, s.Limit, tc.limitSet, tc.limit)
			}
			if s.Call != tc.call {
				t.Errorf("call %d, want %d", s.Call, tc.call)
			}
			if s.Failed != tc.failed || (s.Fatal != nil) != tc.fatal {
				t.Errorf("failed %v fatal %v, want %v %v", s.Failed, s.Fatal, tc.failed, tc.fatal)
			}
			if (len(s.Lost) > 0) != tc.lostAtEnd {
				t.Errorf("lost %v, want some: %v", s.Lost, tc.lostAtEnd)
			}
		})
	}
	// The boot piece that survives explains itself with head.S's rule.
	s := tl.At(tl.End())
	for _, p := range s.Mapped {
		if p.Purpose == result.PurposeHeadS && !strings.Contains(p.Why, "__create_page_tables") {
			t.Errorf("boot piece why = %q", p.Why)
		}
	}
}

func TestTablesNotMappedYet(t *testing.T) {
	r := run(t, "oracle-a-single-1G", "v6.12")
	tl := New(r)
	first := tl.Next(-1, result.StepAlloc)
	if first < 0 {
		t.Fatal("no alloc step")
	}
	s := tl.At(first)
	if len(s.Tables) != 1 || s.Tables[0].Mapped || s.Tables[0].Step != first || !strings.HasPrefix(s.Tables[0].Cause, "linear map [") || s.Tables[0].Purpose != result.PurposeLinear {
		t.Fatalf("tables at the first alloc = %+v", s.Tables)
	}
	if s.Call < 0 || r.Trace[s.Call].Func != "__map_memblock" {
		t.Errorf("call %d, want __map_memblock", s.Call)
	}
	if before := tl.At(first - 1); len(before.Tables) != 0 {
		t.Errorf("tables before the first alloc: %+v", before.Tables)
	}
	// Every alloc step is one table record, and together they are the
	// result's pages.
	var pages, steps int64
	for _, tb := range r.Tables {
		pages += tb.Count
	}
	for _, tb := range tl.At(tl.End()).Tables {
		steps += tb.Count
	}
	if pages != steps {
		t.Errorf("tables at the end hold %d pages, result has %d", steps, pages)
	}
}

func TestNavigation(t *testing.T) {
	r := run(t, "seed-b-hypothesis2", "v3.18")
	tl := New(r)
	end := tl.End()
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"next of any kind", tl.Next(3), 4},
		{"next past the end", tl.Next(end), -1},
		{"prev of any kind", tl.Prev(3), 2},
		{"prev before the start", tl.Prev(0), -1},
		{"first limit", tl.Next(-1, result.StepLimit), stepWhere(t, r, result.StepLimit, "")},
		{"next leaves or alloc after the start", tl.Next(0, result.StepLeaves, result.StepAlloc), stepWhere(t, r, result.StepAlloc, "")},
		{"prev map from the end", tl.Prev(end, result.StepMap), stepWhere(t, r, result.StepMap, "0x80000000-")},
		{"no free steps", tl.Next(-1, result.StepFree), -1},
		{"clamp low", tl.Clamp(-5), 0},
		{"clamp high", tl.Clamp(end + 5), end},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

// At the last step, the replayed linear map is the result's mappings,
// for every preset and era the engine accepts.
func TestEndMatchesResult(t *testing.T) {
	for _, p := range assets.Presets() {
		for _, e := range sim.Eras() {
			l, err := layout.Parse(p.Layout)
			if err != nil {
				t.Fatal(err)
			}
			l.Kernel.Era = e.ID
			r, err := sim.Run(l)
			if err != nil {
				continue // the era cannot take this layout
			}
			tl := New(r)
			part, s := tl.Partial(tl.End())
			got, want := spans(part.Mappings), spans(r.Mappings)
			if len(got) != len(want) {
				t.Errorf("%s %s: %d runs at the end, result has %d\n got %+v\nwant %+v", p.ID, e.ID, len(got), len(want), got, want)
				continue
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s %s: run %d = %+v, want %+v", p.ID, e.ID, i, got[i], want[i])
				}
			}
			for _, m := range s.Mapped {
				if m.Why == "" {
					t.Errorf("%s %s: piece at %#x has no why", p.ID, e.ID, uint64(m.VA))
				}
			}
			if (s.Fatal != nil) != (r.Fatal != nil) {
				t.Errorf("%s %s: fatal at the end %v, result %v", p.ID, e.ID, s.Fatal, r.Fatal)
			}
		}
	}
}

// Banks64 is the 64-bank server layout the browser benchmarks use.
func Banks64() *layout.Layout {
	l := &layout.Layout{Kernel: layout.Kernel{Era: "v6.1", PageSize: "4K", VABits: 48}, Image: layout.Image{Base: 0x40200000}}
	for i := uint64(0); i < 64; i++ {
		l.Memory = append(l.Memory, layout.Bank{Base: layout.Addr(0x40000000 + i<<30), Size: 768 << 20})
	}
	return l
}

func BenchmarkAt64Banks(b *testing.B) {
	r, err := sim.Run(Banks64())
	if err != nil {
		b.Fatal(err)
	}
	tl := New(r)
	b.ReportMetric(float64(tl.Len()), "steps")
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tl.Partial(i % tl.Len())
	}
}

func BenchmarkNew64Banks(b *testing.B) {
	r, err := sim.Run(Banks64())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		New(r)
	}
}
