package check

import (
	"bytes"
	"strings"
	"testing"

	"linmap/formats"
	"linmap/sim"
	"linmap/sim/layout"
)

func check(t *testing.T, files ...string) *Report {
	t.Helper()
	var in []formats.Input
	for i := 0; i+1 < len(files); i += 2 {
		in = append(in, formats.Input{Name: files[i], Data: []byte(files[i+1])})
	}
	rep, err := Run(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// facts returns the report's facts of one kind.
func facts(r *Report, kind string) []Fact {
	var out []Fact
	for _, f := range r.Facts {
		if f.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}

func one(t *testing.T, r *Report, kind string) Fact {
	t.Helper()
	fs := facts(r, kind)
	if len(fs) != 1 {
		var b bytes.Buffer
		WriteText(&b, r)
		t.Fatalf("%d %s facts, want 1:\n%s", len(fs), kind, b.String())
	}
	return fs[0]
}

const juno414 = `[    0.000000] Linux version 4.14.154-rc1 (oe-user@oe-host) (gcc version 7.3.0 (GCC)) #1 SMP PREEMPT
[    0.000000] Early memory node ranges
[    0.000000]   node   0: [mem 0x0000000080000000-0x00000000feffffff]
[    0.000000]   node   0: [mem 0x0000000880000000-0x00000009ffffffff]
[    0.000000] percpu: Embedded 25 pages/cpu s62280 r8192 d31928 u102400
[    0.000000] Memory: 8123672K/8372224K available (12988K kernel code, 1878K rwdata, 5196K rodata, 1728K init, 12356K bss, 232168K reserved, 16384K cma-reserved)
[    0.000000] Virtual kernel memory layout:
[    0.000000]     modules : 0xffff000000000000 - 0xffff000008000000   (   128 MB)
[    0.000000]     memory  : 0xffff800000000000 - 0xffff800980000000   ( 38912 MB)
`

// The Juno r2 (4.14): the linear range, PHYS_OFFSET, Y and the node ranges
// agree; X is only bounded.
func TestJuno(t *testing.T) {
	r := check(t, "juno.txt", juno414)
	if r.Summary.Differs != 0 {
		var b bytes.Buffer
		WriteText(&b, r)
		t.Errorf("differences:\n%s", b.String())
	}
	lr := one(t, r, KindLinearRange)
	if lr.Verdict != Agrees || lr.Model != "0xffff800000000000-0xffff800980000000" || lr.Printed.Source.Line != 9 {
		t.Errorf("linear range %+v", lr)
	}
	po := one(t, r, KindPhysOffset)
	if po.Verdict != Agrees || po.Printed.Value != "0x80000000" {
		t.Errorf("PHYS_OFFSET %+v", po)
	}
	if f := one(t, r, KindMemoryTotal); f.Verdict != Agrees || f.Model != "8372224K" {
		t.Errorf("Y %+v", f)
	}
	if f := one(t, r, KindMemoryAvailable); f.Verdict != Unchecked || !strings.HasPrefix(f.Model, "at most ") {
		t.Errorf("X %+v", f)
	}
	// With KASLR moving the linear map by 1 GiB the range is shifted.
	shifted := strings.Replace(juno414, "0xffff800000000000 - 0xffff800980000000", "0xffff800040000000 - 0xffff8009c0000000", 1)
	r = check(t, "juno.txt", "[    0.000000] KASLR enabled\n"+shifted)
	lr = one(t, r, KindLinearRange)
	if lr.Verdict != Differs || !strings.Contains(lr.Cause, "KASLR") {
		t.Errorf("shifted range %+v", lr)
	}
}

// Warnings both ways: one printed that the model predicts; one printed
// from memory the kernel had already dropped; a boot failure the model
// predicts that the log contradicts.
func TestMessages(t *testing.T) {
	l := &layout.Layout{Kernel: layout.Kernel{Era: "v4.19", PageSize: "4K", VABits: 39},
		Memory: []layout.Bank{{Base: 0x80000000, Size: 0x40000000}, {Base: 0x8000000000, Size: 0x100000000}}}
	js, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(l)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) == 0 {
		t.Skip("the engine prints no warning for this layout")
	}
	log := "[    0.000000] Linux version 4.19.0\n[    0.000000] " + res.Warnings[0] + "\n[    0.000000] Kernel panic - not syncing: VFS: Unable to mount root fs\n"
	r := check(t, "layout.json", string(js), "dmesg", log)
	ws := facts(r, KindWarning)
	if len(ws) == 0 || ws[0].Verdict != Agrees {
		t.Errorf("warnings %+v", ws)
	}
	if f := one(t, r, KindFatal); f.Verdict != Unchecked || !strings.Contains(f.Cause, "not raised while building the linear map") {
		t.Errorf("fatal %+v", f)
	}
}

// The engine's own ptdump of a layout checks out against the layout range
// by range; a block split after boot does not.
func TestPtdumpRoundTrip(t *testing.T) {
	for _, era := range []string{"v4.19", "v5.15", "v6.12", "v7.2"} {
		t.Run(era, func(t *testing.T) {
			off := false
			l := &layout.Layout{Kernel: layout.Kernel{Era: era, PageSize: "4K", VABits: 48, Cmdline: "rodata=off", Config: layout.Config{KFENCE: &off}},
				Memory:   []layout.Bank{{Base: 0x40000000, Size: 0x80000000}},
				Reserved: []layout.Reserved{{Base: 0x60000000, Size: 0x200000, NoMap: true}}}
			js, err := l.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			res, err := sim.Run(l)
			if err != nil {
				t.Fatal(err)
			}
			var pt bytes.Buffer
			if err := sim.Ptdump(&pt, res); err != nil {
				t.Fatal(err)
			}
			r := check(t, "layout.json", string(js), "kernel_page_tables", pt.String())
			pts := facts(r, KindPtdump)
			if len(pts) == 0 || r.Summary.Differs != 0 {
				var b bytes.Buffer
				WriteText(&b, r)
				t.Fatalf("%d ptdump facts, %d differ:\n%s\n%s", len(pts), r.Summary.Differs, b.String(), pt.String())
			}
			// Split the last PMD blocks (far from the image) into pages,
			// as set_memory_*() would.
			lines := strings.Split(pt.String(), "\n")
			for i := len(lines) - 1; i >= 0; i-- {
				if line := lines[i]; strings.Contains(line, " PMD ") && strings.Contains(line, "BLK") {
					lines[i] = strings.Replace(strings.Replace(line, " PMD", " PTE", 1), "BLK", "   ", 1)
					break
				}
			}
			r = check(t, "layout.json", string(js), "kernel_page_tables", strings.Join(lines, "\n"))
			var split []Fact
			for _, f := range facts(r, KindPtdump) {
				if f.Verdict == Differs {
					split = append(split, f)
				}
			}
			if len(split) != 1 || !strings.Contains(split[0].Cause, "split after boot") || !strings.Contains(split[0].Model, "2M blocks") || len(split[0].Ranges) != 2 {
				t.Errorf("split block: %+v", split)
			}
		})
	}
}

// Inputs that give no memory still give a report: the facts they print,
// unchecked.
func TestNoMemory(t *testing.T) {
	r := check(t, "dmesg", "[    0.000000] Linux version 6.1.0\n[    0.000000] Memory: 1K/2K available\n")
	if r.Result != nil || !strings.Contains(r.Problem, "no input gives the memory") {
		t.Fatalf("result %v, problem %q", r.Result != nil, r.Problem)
	}
	for _, f := range r.Facts {
		if f.Verdict != Unchecked {
			t.Errorf("%+v", f)
		}
	}
	if _, err := Run([]formats.Input{{Name: "x", Data: []byte("hello")}}, Options{}); err == nil {
		t.Error("an unrecognised input is not an error")
	}
}
