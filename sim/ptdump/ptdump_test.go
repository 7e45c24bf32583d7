package ptdump_test

import (
	"os"
	"strings"
	"testing"

	"linmap/sim"
	"linmap/sim/kernel"
	"linmap/sim/layout"
	"linmap/sim/result"
)

func dump(t *testing.T, l *layout.Layout) string {
	t.Helper()
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

func preset(t *testing.T, name, era string) *layout.Layout {
	t.Helper()
	data, err := os.ReadFile("../../assets/presets/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	l, err := layout.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	l.Kernel.Era = era
	return l
}

// The columns follow arm64's ptdump from v5.8 (blank GP column), v5.10
// (MEM/NORMAL-TAGGED) and v5.6 (holes listed with their level only).
func TestLinearMappingSection(t *testing.T) {
	want := `---[ Linear Mapping start ]---
0xffff000000000000-0xffff000000200000           2M PMD       RW NX SHD AF        BLK UXN    MEM/NORMAL-TAGGED
0xffff000000200000-0xffff000000210000          64K PTE       RW NX SHD AF    CON     UXN    MEM/NORMAL-TAGGED
0xffff000000210000-0xffff000000400000        1984K PTE       ro NX SHD AF            UXN    MEM/NORMAL
0xffff000000400000-0xffff000001800000          20M PMD       ro NX SHD AF        BLK UXN    MEM/NORMAL
0xffff000001800000-0xffff000001860000         384K PTE       ro NX SHD AF            UXN    MEM/NORMAL
0xffff000001860000-0xffff000001a00000        1664K PTE       RW NX SHD AF    CON     UXN    MEM/NORMAL-TAGGED
0xffff000001a00000-0xffff000002000000           6M PMD       RW NX SHD AF        BLK UXN    MEM/NORMAL-TAGGED
0xffff000002000000-0xffff000040000000         992M PMD       RW NX SHD AF    CON BLK UXN    MEM/NORMAL-TAGGED
0xffff000040000000-0xffff008000000000         511G PUD
0xffff008000000000-0xffff800000000000      130560G PGD
---[ Linear Mapping end ]---
`
	if got := dump(t, preset(t, "oracle-a-single-1G", "v6.1")); got != want {
		t.Errorf("ptdump differs:\n%s\nwant:\n%s", got, want)
	}
}

// A real Android 4.14 board (4K/39, 2 GiB, TEXT_OFFSET 0x80000; formats/
// testdata/real/android-4.14-39bit-ptdump.txt, from wenboshen.github.io):
// the v4.19 era reproduces its linear map line for line. The board ran
// with KPTI, so its entries are non-global (NG), which linmap does not
// print.
func TestRealAndroid414(t *testing.T) {
	l := &layout.Layout{Kernel: layout.Kernel{Era: "v4.19", PageSize: "4K", VABits: 39, Cmdline: "nokaslr"},
		Memory: []layout.Bank{{Base: 0x80000000, Size: 0x80000000}}}
	to := layout.Addr(0x80000)
	l.Image = layout.Image{Base: 0x80080000, TextOffset: &to, InitBegin: 0x1160000, End: 0x1400000}
	real, err := os.ReadFile("../../formats/testdata/real/android-4.14-39bit-ptdump.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := string(real)
	start := strings.Index(text, "---[ Linear Mapping ]---")
	if start < 0 {
		t.Fatal("no Linear Mapping section in the sample")
	}
	want := strings.ReplaceAll(strings.TrimSpace(strings.Split(text[start:], "```")[0]), " NG ", "    ") + "\n"
	if got := dump(t, l); got != want {
		t.Errorf("got:\n%s\nwant (the board's, NG blanked):\n%s", got, want)
	}
}

// Lines of real dumps, rendered from a mapping with the same attributes:
// AmpereOne under 6.16 (formats/testdata/real/ampereone-vm-6.16-bbml2-ptdump-mailquoted.txt)
// and QEMU -cpu max with 52-bit LPA2 6.x, whose shareability bits are gone
// (formats/testdata/real/qemu-virt-cpumax-6.x-52bit-ptdump-partial.txt).
func TestRealLines(t *testing.T) {
	for _, c := range []struct {
		line   string
		r      result.Result
		m      result.Mapping
		styles string
	}{
		{"0xffff000000200000-0xffff000000210000          64K PTE       RW NX SHD AF    CON     UXN    MEM/NORMAL-TAGGED",
			result.Result{Era: "v6.18", PageSize: "4K", VABits: 48, VABitsActual: 48, Levels: 4, LinearStart: 0xffff000000000000, LinearEnd: 0xffff800000000000},
			result.Mapping{VA: 0xffff000000200000, Size: 0x10000, Level: "PTE", Cont: true, Prot: "RW NX"}, "v6.18"},
		{"0xffff000040000000-0xffff000140000000           4G PUD       RW NX SHD AF        BLK UXN    MEM/NORMAL-TAGGED",
			result.Result{Era: "v6.18", PageSize: "4K", VABits: 48, VABitsActual: 48, Levels: 4, LinearStart: 0xffff000000000000, LinearEnd: 0xffff800000000000},
			result.Mapping{VA: 0xffff000040000000, Size: 0x100000000, Level: "PUD", Prot: "RW NX"}, "v6.18"},
		{"0xfff0000000210000-0xfff0000000400000        1984K PTE       ro NX     AF            UXN    MEM/NORMAL",
			result.Result{Era: "v6.12", PageSize: "4K", VABits: 52, VABitsActual: 52, Levels: 5, LinearStart: 0xfff0000000000000, LinearEnd: 0xffff800000000000},
			result.Mapping{VA: 0xfff0000000210000, Size: 0x1f0000, Level: "PTE", Prot: "ro NX"}, "v6.12"},
		{"0xfff0000000400000-0xfff0000002200000          30M PMD       ro NX     AF        BLK UXN    MEM/NORMAL",
			result.Result{Era: "v6.12", PageSize: "4K", VABits: 52, VABitsActual: 52, Levels: 5, LinearStart: 0xfff0000000000000, LinearEnd: 0xffff800000000000},
			result.Mapping{VA: 0xfff0000000400000, Size: 0x1e00000, Level: "PMD", Prot: "ro NX"}, "v6.12"},
	} {
		r := c.r
		r.Mappings = []result.Mapping{c.m}
		var sb strings.Builder
		if err := sim.Ptdump(&sb, &r); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(sb.String(), "\n"+c.line+"\n") {
			t.Errorf("%s: no line\n%s\nin\n%s", c.styles, c.line, sb.String())
		}
	}
}

// Era styles: v3.18 has no level, F, CON or BLK columns under "Kernel
// Mapping"; v4.6 adds F, CON and BLK but no level; up to v5.3 only mapped
// ranges are listed; a 3-level table's root blocks print PGD in every era;
// a 2-level table's root blocks print PMD from v6.9 (its holes PGD).
func TestEraStyles(t *testing.T) {
	one := func(era, page string, va int) *layout.Layout {
		// Blocks allowed: rodata not full, KFENCE with its early pool.
		rodata := "rodata=on"
		if e, _ := sim.LookupEra(era); e.Policy.Cmdline().Rodata == kernel.RodataOnNoaliasOff {
			rodata = "rodata=noalias"
		}
		return &layout.Layout{Kernel: layout.Kernel{Era: era, PageSize: page, VABits: va, Cmdline: rodata + " kfence.sample_interval=100"},
			Memory: []layout.Bank{{Base: 0x40000000, Size: 0x80000000}}}
	}
	for _, c := range []struct {
		l            *layout.Layout
		want, unwant []string
	}{
		{one("v3.18", "4K", 39), []string{"---[ Kernel Mapping ]---\n", "2G     RW x  SHD AF    UXN MEM/NORMAL\n"}, []string{" PMD ", "BLK", " F "}},
		{one("v4.6", "4K", 48), []string{"---[ Linear Mapping ]---\n", "1016M       RW NX SHD AF        BLK UXN MEM/NORMAL\n"}, []string{" PMD ", "end ]", "GP"}},
		{one("v4.19", "4K", 39), []string{" 1G PGD       RW NX SHD AF        BLK UXN MEM/NORMAL\n"}, []string{" PUD ", "TAGGED"}},
		{one("v6.1", "4K", 39), []string{" 1G PGD       RW NX SHD AF        BLK UXN    MEM/NORMAL-TAGGED\n"}, []string{" PUD"}},
		{one("v7.2", "64K", 42), []string{" 1G PMD ", "2046G PGD\n---[ Linear Mapping end ]---"}, []string{"CON BLK", "M PGD"}},
		{one("v6.1", "64K", 42), []string{" 1536M PGD ", "2046G PGD\n"}, []string{"M PMD "}},
	} {
		got := dump(t, c.l)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s %s/%d: lacks %q:\n%s", c.l.Kernel.Era, c.l.Kernel.PageSize, c.l.Kernel.VABits, w, got)
			}
		}
		for _, w := range c.unwant {
			if strings.Contains(got, w) {
				t.Errorf("%s %s/%d: has %q:\n%s", c.l.Kernel.Era, c.l.Kernel.PageSize, c.l.Kernel.VABits, w, got)
			}
		}
	}
}
