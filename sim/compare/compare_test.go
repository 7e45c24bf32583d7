package compare

import (
	"os"
	"testing"

	"linmap/sim"
	"linmap/sim/layout"
	"linmap/sim/result"
)

func runPreset(t *testing.T, id, era, cmdline string) *result.Result {
	t.Helper()
	data, err := os.ReadFile("../../assets/presets/" + id + ".json")
	if err != nil {
		t.Fatal(err)
	}
	l, err := layout.Parse(data)
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

func row(d Diff, what string) Row {
	for _, r := range d.Summary {
		if r.What == what {
			return r
		}
	}
	return Row{}
}

// 6.1 starts the kernel alias at _stext, 6.12 at _text: the 64K between
// them is pages in 6.1 and part of a 2M block in 6.12.
func TestAliasStartDiffers(t *testing.T) {
	d := Results(runPreset(t, "oracle-a-single-1G", "v6.1", ""), runPreset(t, "oracle-a-single-1G", "v6.12", ""))
	if r := row(d, "kernel alias starts at"); r.A != "0x40210000" || r.B != "0x40200000" {
		t.Errorf("alias start row %+v", r)
	}
	if len(d.Ranges) == 0 || d.Ranges[0].PA != 0x40200000 || d.Ranges[0].A != "4K+cont" || d.Ranges[0].B != "2M" {
		t.Errorf("first differing range %+v, want 0x40200000 4K+cont → 2M", d.Ranges)
	}
}

func TestSameResultHasNoRanges(t *testing.T) {
	a := runPreset(t, "arm-juno-r2", "v6.1", "")
	if d := Results(a, a); len(d.Ranges) != 0 {
		t.Errorf("a result differs from itself: %+v", d.Ranges)
	}
}

// Options of one era: rodata=full turns every block into pages, and the
// lost/mapped state and outcome rows say what changed.
func TestOptionSets(t *testing.T) {
	d := Results(runPreset(t, "seed-b-hypothesis2", "v3.18", ""), runPreset(t, "seed-b-hypothesis2", "v6.12", "rodata=full"))
	if r := row(d, "outcome"); r.A == "boots" || r.B != "boots" {
		t.Errorf("outcome row %+v", r)
	}
	found := false
	for _, x := range d.Ranges {
		found = found || (x.A == "lost: not-reached" && x.B == "4K")
	}
	if !found {
		t.Errorf("no range going from lost (not reached) to 4K pages: %+v", d.Ranges)
	}
}
