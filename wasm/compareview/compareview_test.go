package compareview

import (
	"strings"
	"testing"

	"linmap/assets"
	"linmap/sim"
	"linmap/sim/compare"
	"linmap/sim/layout"
	"linmap/sim/result"
)

func run(t *testing.T, preset, era, cmdline string) *result.Result {
	t.Helper()
	p, ok := assets.Lookup(preset)
	if !ok {
		t.Fatalf("preset %s not embedded", preset)
	}
	l, err := layout.Parse(p.Layout)
	if err != nil {
		t.Fatal(err)
	}
	l.Kernel.Era = era
	if cmdline != "" {
		l.Kernel.Cmdline = cmdline
	}
	r, err := sim.Run(l)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// v6.12 starts the kernel alias at _text (0x40200000), v6.1 at _stext
// (0x40210000): the first 64K of the image is linear in 6.1, alias in 6.12.
func TestAliasStartOracleA(t *testing.T) {
	a := run(t, "oracle-a-single-1G", "v6.1", "")
	b := run(t, "oracle-a-single-1G", "v6.12", "")
	m := Build(a, b)
	if m.LabelA != "v6.1" || m.LabelB != "v6.12" {
		t.Errorf("labels %q %q", m.LabelA, m.LabelB)
	}
	want := []struct {
		pa, size uint64
		kind     string
		a, b     string
		whatA    string
		whatB    string
	}{
		{0x40200000, 0x10000, KindLeaf, "4K+cont", "2M", "linear", "kernel-alias"},
		{0x40210000, 0x1f0000, KindLeaf, "4K", "2M", "kernel-alias", "kernel-alias"},
	}
	if len(m.Highlights) != len(want) {
		t.Fatalf("highlights %+v", m.Highlights)
	}
	for i, w := range want {
		h := m.Highlights[i]
		if h.PA != w.pa || h.Size != w.size || h.Kind != w.kind || h.A.State != w.a || h.B.State != w.b || string(h.A.Purpose) != w.whatA || string(h.B.Purpose) != w.whatB {
			t.Errorf("highlight %d = %+v, want %+v", i, h, w)
		}
		for _, s := range []Side{h.A, h.B} {
			if !strings.Contains(s.Why, "()") {
				t.Errorf("highlight %d: why %q does not name a kernel function", i, s.Why)
			}
		}
	}
	sa, _ := Alias(a)
	sb, _ := Alias(b)
	if sa != 0x40210000 || sb != 0x40200000 {
		t.Errorf("alias starts %#x %#x, want 0x40210000 0x40200000", sa, sb)
	}
	rows := map[string]Row{}
	for _, r := range m.Rows {
		rows[r.What] = r
	}
	for what, w := range map[string]Row{
		"kernel alias starts at": {A: "0x40210000", B: "0x40200000", Differs: true},
		"TLB entries":            {A: "664", B: "168", Differs: true},
		"page-table pages":       {A: "10", B: "3", Differs: true},
		"lost memory":            {A: "0", B: "0"},
		"outcome":                {A: "boots", B: "boots"},
	} {
		r := rows[what]
		if r.A != w.A || r.B != w.B || r.Differs != w.Differs {
			t.Errorf("row %q = %+v, want %+v", what, r, w)
		}
	}
	if h, ok := m.At(0x40208000); !ok || h.PA != 0x40200000 {
		t.Errorf("At(0x40208000) = %+v, %v", h, ok)
	}
	if _, ok := m.At(0x40000000); ok {
		t.Error("At(0x40000000): same in both, nothing to highlight")
	}
}

func TestClassify(t *testing.T) {
	lin := func(st string) Side { return Side{State: st, Purpose: "linear"} }
	tests := []struct {
		a, b Side
		want string
	}{
		{lin("2M"), lin("2M"), ""},
		{lin("2M"), lin("4K"), KindLeaf},
		{lin("4K"), lin("4K+cont"), KindCont},
		{lin("2M"), Side{State: "lost: no-map"}, KindMapped},
		{Side{State: "not memory"}, lin("4K"), KindMapped},
		{Side{State: "lost: no-map"}, Side{State: "lost: mem-limit"}, KindMapped},
		{Side{State: "lost: no-map"}, Side{State: "lost: no-map"}, ""},
		{lin("2M"), Side{State: "2M", Purpose: "kernel-alias"}, KindAlias},
	}
	for _, tc := range tests {
		if got := classify(tc.a, tc.b); got != tc.want {
			t.Errorf("classify(%+v, %+v) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

// Every range sim/compare reports is highlighted, for option sets of one
// layout and eras of another (with a failure on one side).
func TestCoversCompare(t *testing.T) {
	cases := []struct {
		preset   string
		eraA     string
		cmdA     string
		eraB     string
		cmdB     string
		outcomes [2]string
	}{
		{"oracle-a-single-1G", "v6.1", "", "v6.1", "rodata=full", [2]string{"boots", "boots"}},
		{"seed-b-hypothesis2", "v3.18", "", "v4.6", "", [2]string{"fails", "boots"}},
		{"oracle-h-reserved-nomap", "v4.6", "", "v4.19", "", [2]string{"boots", "boots"}},
	}
	for _, tc := range cases {
		a := run(t, tc.preset, tc.eraA, tc.cmdA)
		b := run(t, tc.preset, tc.eraB, tc.cmdB)
		m := Build(a, b)
		d := compare.Results(a, b)
		if len(d.Ranges) == 0 {
			t.Errorf("%s: sim/compare found no difference; the case proves nothing", tc.preset)
		}
		for _, r := range d.Ranges {
			for x := uint64(r.PA); x < uint64(r.PA+r.Size); {
				h, ok := m.At(x)
				if !ok {
					t.Errorf("%s: %#x (in %+v) not highlighted", tc.preset, x, r)
					break
				}
				if h.A.Why == "" && h.A.State != "not memory" || h.B.Why == "" && h.B.State != "not memory" {
					t.Errorf("%s: highlight %+v lacks a why", tc.preset, h)
				}
				x = h.PA + h.Size
			}
		}
		for _, r := range m.Rows {
			if r.What == "outcome" && (!strings.HasPrefix(r.A, tc.outcomes[0]) || !strings.HasPrefix(r.B, tc.outcomes[1])) {
				t.Errorf("%s: outcome row %+v, want %v", tc.preset, r, tc.outcomes)
			}
		}
	}
}
