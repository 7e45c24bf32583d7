package sim

import (
	"os"
	"strings"
	"testing"

	"linmap/sim/layout"
	"linmap/sim/result"
)

// The three scenarios of the Nov 2014 thread (shared/spec/seed-thread.md),
// as shipped in assets/presets.
func seed(t *testing.T, name string) *layout.Layout {
	t.Helper()
	data, err := os.ReadFile("../assets/presets/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	l, err := layout.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func runEra(t *testing.T, l *layout.Layout, era string) *result.Result {
	t.Helper()
	c := l.Clone()
	c.Kernel.Era = era
	r, err := Run(c)
	if err != nil {
		t.Fatalf("%s: %v", era, err)
	}
	if err := checkInvariants(c, r); err != nil {
		t.Fatalf("%s: %v", era, err)
	}
	return r
}

var laterEras = []string{"v4.6", "v4.19", "v5.15", "v6.1", "v6.12", "v6.18"}

// (a) kernel loaded in the second block: v3.18 derives PHYS_OFFSET from the
// load address and ignores the first block; from v4.6 it is mapped.
func TestSeedKernelInSecondBlock(t *testing.T) {
	l := seed(t, "seed-a-kernel-in-second-block")
	r := runEra(t, l, "v3.18")
	if r.PhysOffset != 0x40000000 {
		t.Errorf("PHYS_OFFSET = %s, want 0x40000000", r.PhysOffset)
	}
	if !contains(r.Warnings, "Ignoring memory block 0x100000 - 0x20200000") {
		t.Errorf("warnings %q lack the kernel's \"Ignoring memory block\"", r.Warnings)
	}
	if len(r.Lost) != 1 || r.Lost[0].Base != 0x100000 || r.Lost[0].Size != 0x20100000 || r.Lost[0].Reason != result.ReasonBelowPhysOffset {
		t.Errorf("lost = %+v, want the whole first block below PHYS_OFFSET", r.Lost)
	}
	for _, era := range laterEras {
		r := runEra(t, l, era)
		if r.Fatal != nil || len(r.Lost) != 0 {
			t.Errorf("%s: fatal %v, lost %+v; want the first block mapped", era, r.Fatal, r.Lost)
		}
		if r.PhysOffset != 0 {
			t.Errorf("%s: PHYS_OFFSET = %s, want 0 (round_down(0x100000, 1G))", era, r.PhysOffset)
		}
	}
}

// (b) hypothesis 2: the kernel fills the first bank, so no mapped page is
// left below the memblock limit for the last bank's tables.
func TestSeedHypothesis2(t *testing.T) {
	l := seed(t, "seed-b-hypothesis2")
	r := runEra(t, l, "v3.18")
	if r.Fatal == nil || r.Fatal.Message != "ERROR: Failed to allocate 0x1000 bytes below 0x0." {
		t.Fatalf("fatal = %+v, want memblock's allocation panic", r.Fatal)
	}
	var limitSeen, noMemory bool
	for _, s := range r.Trace[:r.Fatal.Step] {
		if s.Kind == result.StepLimit && s.Limit != nil && *s.Limit == 0x40c00000 {
			limitSeen = true
		}
		if s.Func == "early_alloc" && strings.Contains(s.Text, "no free page below memblock.current_limit 0x40c00000") {
			noMemory = true
		}
	}
	if !limitSeen || !noMemory {
		t.Errorf("trace lacks the limit drop to 0x40c00000 (%v) or the failed search below it (%v)", limitSeen, noMemory)
	}
	if r.Trace[len(r.Trace)-1].Kind != result.StepFatal {
		t.Errorf("trace does not end with the fatal step")
	}
	if rfc := runEra(t, l, "rfc-2014"); rfc.Fatal != nil {
		t.Errorf("rfc-2014: %s; the RFC takes tables from any mapped memory", rfc.Fatal.Message)
	}
	for _, era := range laterEras {
		if r := runEra(t, l, era); r.Fatal != nil {
			t.Errorf("%s: %s; want a successful boot", era, r.Fatal.Message)
		}
	}
}

// (c) first bank 1 MiB past a 2 MiB boundary: v3.18 rounds its start up
// and the head is reachable only through head.S's boot section (which also
// maps the non-RAM below the bank); later eras map the head with pages.
func TestSeedUnalignedHead(t *testing.T) {
	l := seed(t, "seed-c-unaligned-head")
	r := runEra(t, l, "v3.18")
	boot := r.Mappings[0]
	if boot.Purpose != result.PurposeHeadS || boot.PA != 0x40000000 || boot.Size != 0x200000 || boot.Page != "2M" {
		t.Errorf("first run %+v, want head.S's 2M boot section at 0x40000000", boot)
	}
	var nonRAM bool
	for _, s := range r.Trace {
		nonRAM = nonRAM || strings.Contains(s.Text, "[0x40000000-0x40100000), which is not RAM")
	}
	if !nonRAM {
		t.Error("trace does not say the boot section covers non-RAM [0x40000000-0x40100000)")
	}
	for _, era := range append([]string{"rfc-2014"}, laterEras...) {
		r := runEra(t, l, era)
		var head *result.Mapping
		for i := range r.Mappings {
			if r.Mappings[i].PA == 0x40100000 {
				head = &r.Mappings[i]
			}
		}
		if head == nil || head.Level != "PTE" || head.Purpose != "linear" {
			t.Errorf("%s: the head at 0x40100000 is not page-mapped by map_mem: %+v", era, head)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Every run explains its leaf size with the rule and the kernel function.
func TestWhyNamesRuleAndFunction(t *testing.T) {
	l := seed(t, "oracle-f-default-rodata")
	for _, c := range []struct {
		era, cmdline string
		pa           layout.Addr
		want         string
	}{
		{"v6.1", "", 0x41a00000, "rodata=full"},
		{"v6.1", "rodata=on kfence.sample_interval=100", 0x41a00000, "only part of the 1G-aligned PUD entry"},
		{"v6.1", "rodata=on kfence.sample_interval=100", 0x40400000, "only part of the 1G-aligned PUD entry"},
		{"v6.12", "rodata=on kfence.sample_interval=0", 0x41f00000, "arm64_kfence_can_set_direct_map()"},
		{"v6.18", "rodata=on kfence.sample_interval=100", 0x41f00000, "force_pte_mapping()"},
		{"v5.15", "rodata=on crashkernel=128M nokfence", 0x41a00000, "crashkernel="},
		{"v6.1", "rodata=on debug_pagealloc=on", 0x41a00000, "debug_pagealloc"},
	} {
		c2 := l.Clone()
		c2.Kernel.Cmdline = c.cmdline
		// v5.15 pages the whole map for CONFIG_KFENCE alone; "nokfence"
		// here (not a kernel option) builds that case without it.
		kfence := !strings.Contains(c.cmdline, "nokfence")
		c2.Kernel.Config.KFENCE = &kfence
		debug := true
		c2.Kernel.Config.DebugPagealloc = &debug
		c2.Kernel.Config.KFENCESampleInterval = nil
		r := runEra(t, c2, c.era)
		var got string
		for _, m := range r.Mappings {
			if c.pa >= m.PA && c.pa < m.PA+m.Size {
				got = m.Why
			}
		}
		if !strings.Contains(got, c.want) || !strings.Contains(got, "(") {
			t.Errorf("%s %q at %s: why = %q, want it to mention %q and a kernel function", c.era, c.cmdline, c.pa, got, c.want)
		}
	}
}
