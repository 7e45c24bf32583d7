package sim_test

import (
	"strings"
	"testing"

	"linmap/sim"
	"linmap/sim/layout"
	"linmap/sim/result"
)

// specV72Layout is the worked example of spec §8.6.12: Debian 7.2.13's 4K
// image at 0x40200000 in one 1 GiB bank, default rodata, default KFENCE
// (no early pool).
func specV72Layout(bbml2 bool) *layout.Layout {
	return &layout.Layout{Kernel: layout.Kernel{Era: "v7.2", PageSize: "4K", VABits: 52},
		CPU:    layout.CPU{LPA2: true, PABits: 52, BBML2NoAbort: bbml2},
		Memory: []layout.Bank{{Base: 0x40000000, Size: 0x40000000}},
		// Debian 7.2.13's section offsets (spec §8.6.10), also for v6.18.
		Image: layout.Image{Base: 0x40200000, Stext: 0x10000, Etext: 0x12c0000, InitBegin: 0x2510000, InitEnd: 0x28e0000, BssStop: 0x2ee6000, End: 0x2f00000}}
}

// Spec §8.6.12 without BBML2: everything 4K, no cont; 512 PTE tables, the
// alias's 19 first, then data/bss's 4, then the loop's 489.
func TestSpecV72WorkedExample(t *testing.T) {
	r, err := sim.Run(specV72Layout(false))
	if err != nil || r.Fatal != nil {
		t.Fatal(err, r.Fatal)
	}
	if got := runsText(r); got != "0x40000000-0x80000000 4K" {
		t.Errorf("shape %s, want one 4K run without cont", got)
	}
	var order []string
	pte := map[result.Purpose]int64{}
	for _, tb := range r.Tables {
		if tb.Level == "PTE" {
			pte[tb.Purpose] += tb.Count
			if len(order) == 0 || order[len(order)-1] != string(tb.Purpose) {
				order = append(order, string(tb.Purpose))
			}
		}
	}
	if pte[result.PurposeKernelAlias] != 19 || pte[result.PurposeKernelData] != 4 || pte[result.PurposeLinear] != 489 {
		t.Errorf("PTE tables by purpose %v, want alias 19, data/bss 4, linear 489", pte)
	}
	if strings.Join(order, " ") != "kernel-alias kernel-data linear" {
		t.Errorf("PTE tables allocated in the order %v", order)
	}
	if r.Stats.TablesByLevel["PMD"] != 1 || r.Stats.TablesByLevel["PTE"] != 512 {
		t.Errorf("tables %v", r.Stats.TablesByLevel)
	}
	// The first table of all: the top of the bank, for the alias's upper levels.
	if first := r.Tables[0]; first.PA+layout.Addr(first.Count)*0x1000 != 0x80000000 || first.Purpose != result.PurposeKernelAlias {
		t.Errorf("first tables %+v: want the alias's, ending at the top of the bank", first)
	}

	// v6.18 on the same input: 18 alias blocks kept, 494 PTE tables, loop first.
	l := specV72Layout(false)
	l.Kernel.Era = "v6.18"
	r, _ = sim.Run(l)
	if r.Stats.TablesByLevel["PTE"] != 494 || r.Tables[0].Purpose != result.PurposeLinear {
		t.Errorf("v6.18: %d PTE tables, first for %s; want 494, loop first", r.Stats.TablesByLevel["PTE"], r.Tables[0].Purpose)
	}
}

// Spec §8.6.12 on a BBML2_NOABORT CPU: blocks and cont where each call
// allows them, no cont over chunks an earlier call left plain.
func TestSpecV72WorkedExampleBBML2(t *testing.T) {
	r, err := sim.Run(specV72Layout(true))
	if err != nil || r.Fatal != nil {
		t.Fatal(err, r.Fatal)
	}
	want := strings.Join([]string{
		"0x40000000-0x42600000 2M",   // loop block, then 18 alias blocks (no cont PMD: the chunk is partly covered)
		"0x42600000-0x42800000 4K C", // alias cont chunks to 0x42710000, the loop's after
		"0x42800000-0x42a00000 2M",
		"0x42a00000-0x42c00000 4K C", // loop's cont up to __init_end, data/bss's after
		"0x42c00000-0x43000000 2M",   // data/bss blocks
		"0x43000000-0x430e0000 4K C",
		"0x430e0000-0x430f0000 4K", // 6 data/bss pages up to __bss_stop, 10 of the loop's kept plain
		"0x430f0000-0x43200000 4K C",
		"0x43200000-0x44000000 2M",
		"0x44000000-0x80000000 2M C", // 30 cont-PMD chunks
	}, " | ")
	if got := runsText(r); got != want {
		t.Errorf("shape\n got %s\nwant %s", got, want)
	}
	if n := r.Stats.TablesByLevel["PTE"]; n != 3 {
		t.Errorf("%d PTE tables, want 3 (0x42600000, 0x42a00000, 0x43000000)", n)
	}
}

// runsText merges the result the way the oracle's granularity does.
func runsText(r *result.Result) string {
	var parts []string
	for _, s := range shape(r.Mappings) {
		c := ""
		if s.Cont {
			c = " C"
		}
		parts = append(parts, s.PA.String()+"-"+s.End.String()+" "+s.Page+c)
	}
	return strings.Join(parts, " | ")
}

// Memory above the CPU's PA range under linear-map randomisation would
// map past the linear region: it is lost, with a warning, never mapped.
func TestBeyondWindowIsLostNotMapped(t *testing.T) {
	l := &layout.Layout{Kernel: layout.Kernel{Era: "v6.12", PageSize: "4K", VABits: 48, Cmdline: "rodata=on", KASLRSeed: 0xffff000000000000},
		CPU:    layout.CPU{PABits: 40},
		Memory: []layout.Bank{{Base: 0x40000000, Size: 1 << 30}, {Base: 1 << 44, Size: 1 << 30}},
		Image:  layout.Image{Base: 0x40200000}}
	r, err := sim.Run(l)
	if err != nil || r.Fatal != nil {
		t.Fatal(err, r.Fatal)
	}
	if len(r.Lost) != 1 || r.Lost[0].Base != 1<<44 || r.Lost[0].Size != 1<<30 || r.Lost[0].Reason != result.ReasonBeyondLinear {
		t.Errorf("lost %+v, want the bank at 2^44 beyond the linear window", r.Lost)
	}
	for _, m := range r.Mappings {
		if m.VA+m.Size > r.LinearEnd {
			t.Errorf("mapping %+v lies past the linear region's end %s", m, r.LinearEnd)
		}
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "outside the linear region") {
		t.Errorf("warnings %q", r.Warnings)
	}
}

// v7.2 reserves only the first <base size> pair of a /reserved-memory node.
func TestV72FirstRegPairOnly(t *testing.T) {
	l := &layout.Layout{Kernel: layout.Kernel{Era: "v7.2"},
		Memory: []layout.Bank{{Base: 0x40000000, Size: 1 << 30}},
		Reserved: []layout.Reserved{
			{Base: 0x60000000, Size: 0x200000, Name: "carveout", NoMap: true},
			{Base: 0x70000000, Size: 0x200000, Name: "carveout", NoMap: true, RegIndex: 1},
		}}
	for _, c := range []struct {
		era    string
		lost   int
		warned bool
	}{{"v7.2", 1, true}, {"v6.18", 2, false}} {
		l.Kernel.Era = c.era
		r, err := sim.Run(l)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Lost) != c.lost {
			t.Errorf("%s: lost %+v, want %d no-map range(s)", c.era, r.Lost, c.lost)
		}
		warned := len(r.Warnings) == 1 && r.Warnings[0] == "Reserved memory: node 'carveout' has 2 <base size> entries, only the first is used"
		if warned != c.warned {
			t.Errorf("%s: warnings %q", c.era, r.Warnings)
		}
	}
}

// movable_node keeps tables off hot-pluggable memory but still maps it
// (for_each_mem_range() asks for MEMBLOCK_HOTPLUG regions too).
func TestMovableNodeMapsHotplugBanks(t *testing.T) {
	for _, era := range []string{"v6.1", "v7.2"} {
		l := &layout.Layout{Kernel: layout.Kernel{Era: era, Cmdline: "movable_node rodata=on"},
			Memory: []layout.Bank{{Base: 0x40000000, Size: 1 << 30}, {Base: 0x80000000, Size: 1 << 30, Hotplug: true}},
			Image:  layout.Image{Base: 0x40200000}}
		r, err := sim.Run(l)
		if err != nil || r.Fatal != nil {
			t.Fatal(err, r.Fatal)
		}
		if len(r.Lost) != 0 {
			t.Errorf("%s: lost %+v: hot-pluggable memory is mapped", era, r.Lost)
		}
		for _, tb := range r.Tables {
			if tb.PA >= 0x80000000 {
				t.Errorf("%s: table pages %+v taken from the hot-pluggable bank", era, tb)
			}
		}
	}
}
