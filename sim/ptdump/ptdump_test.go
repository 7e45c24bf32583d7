package ptdump_test

import (
	"os"
	"strings"
	"testing"

	"linmap/sim"
	"linmap/sim/layout"
)

func run(t *testing.T, preset, era string) string {
	t.Helper()
	data, err := os.ReadFile("../../assets/presets/" + preset + ".json")
	if err != nil {
		t.Fatal(err)
	}
	l, err := layout.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	l.Kernel.Era = era
	r, err := sim.Run(l)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := sim.Ptdump(&sb, r); err != nil {
		t.Fatal(err)
	}
	return sb.String()
}

// The columns follow arm64's ptdump (compare the AmpereOne dump in
// shared/spec/geometry-presets.md §D1): address range, size in the largest
// exact unit, level, then one column per attribute bit.
func TestLinearMappingSection(t *testing.T) {
	want := `---[ Linear Mapping start ]---
0xffff000000000000-0xffff000000200000           2M PMD       RW NX SHD AF        BLK UXN MEM/NORMAL-TAGGED
0xffff000000200000-0xffff000000210000          64K PTE       RW NX SHD AF    CON     UXN MEM/NORMAL-TAGGED
0xffff000000210000-0xffff000000400000        1984K PTE       ro NX SHD AF            UXN MEM/NORMAL
0xffff000000400000-0xffff000001800000          20M PMD       ro NX SHD AF        BLK UXN MEM/NORMAL
0xffff000001800000-0xffff000001860000         384K PTE       ro NX SHD AF            UXN MEM/NORMAL
0xffff000001860000-0xffff000001a00000        1664K PTE       RW NX SHD AF    CON     UXN MEM/NORMAL-TAGGED
0xffff000001a00000-0xffff000002000000           6M PMD       RW NX SHD AF        BLK UXN MEM/NORMAL-TAGGED
0xffff000002000000-0xffff000040000000         992M PMD       RW NX SHD AF    CON BLK UXN MEM/NORMAL-TAGGED
0xffff000040000000-0xffff008000000000         511G PUD
0xffff008000000000-0xffff800000000000      130560G PGD
---[ Linear Mapping end ]---
`
	if got := run(t, "oracle-a-single-1G", "v6.1"); got != want {
		t.Errorf("ptdump differs:\n%s\nwant:\n%s", got, want)
	}
}

// v6.18 adds the GP column; pre-v5.10 eras print only mapped ranges under
// a single marker.
func TestEraVariants(t *testing.T) {
	got := run(t, "oracle-a-single-1G", "v6.18")
	if !strings.Contains(got, "UXN    MEM/NORMAL-TAGGED") || !strings.Contains(got, "PTE       RW NX SHD AF            UXN") {
		t.Errorf("v6.18 lacks the GP column:\n%s", got)
	}
	old := run(t, "oracle-a-single-1G", "v4.19")
	if !strings.HasPrefix(old, "---[ Linear Mapping ]---\n0xffff8") || strings.Contains(old, " PGD\n") {
		t.Errorf("v4.19 should print only mapped ranges under one marker:\n%s", old)
	}
}
