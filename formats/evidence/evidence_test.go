package evidence_test

import (
	"errors"
	"strings"
	"testing"

	"linmap/formats"
	"linmap/formats/evidence"
	"linmap/sim"
	"linmap/sim/layout"
)

func importAll(t *testing.T, files ...string) *layout.Layout {
	t.Helper()
	var in []formats.Input
	for i := 0; i+1 < len(files); i += 2 {
		in = append(in, formats.Input{Name: files[i], Data: []byte(files[i+1])})
	}
	l, _, err := formats.ImportAll(in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Run(l); err != nil {
		t.Fatalf("the engine refuses the layout: %v", err)
	}
	return l
}

// assumption returns the first assumption about field.
func assumption(l *layout.Layout, field string) (layout.Assumption, bool) {
	for _, a := range l.Assumptions {
		if a.Field == field {
			return a, true
		}
	}
	return layout.Assumption{}, false
}

func noMap(l *layout.Layout) []layout.Reserved {
	var out []layout.Reserved
	for _, r := range l.Reserved {
		if r.NoMap {
			out = append(out, r)
		}
	}
	return out
}

// A NOMAP memory region shaped like an image (2 MiB aligned, 64 MiB) is
// firmware's, never the kernel.
func TestNoMapIsNeverTheImage(t *testing.T) {
	l := importAll(t, "memory", `   0: 0x0000000040000000..0x0000000043ffffff    0 NOMAP
   1: 0x0000000044000000..0x00000000bfffffff    0 NONE
`)
	if l.Image.Base < 0x44000000 {
		t.Errorf("image.base = %s, inside the NOMAP region", l.Image.Base)
	}
	if a, ok := assumption(l, "image.base"); !ok || a.Kind != layout.Defaulted {
		t.Errorf("image.base assumption %+v", a)
	}
}

// "OF: reserved mem: … nomap" lines carve out of node ranges.
func TestOFReservedNoMap(t *testing.T) {
	l := importAll(t, "dmesg", `[    0.000000] OF: reserved mem: 0x0000000085d00000..0x00000000af2fffff (677888 KiB) nomap non-reusable hyp_mem@85d00000
[    0.000000] OF: reserved mem: 0x00000000b0000000..0x00000000b00fffff (1024 KiB) map reusable linux,cma
[    0.000000] Early memory node ranges
[    0.000000]   node   0: [mem 0x0000000080000000-0x0000000085cfffff]
[    0.000000]   node   0: [mem 0x0000000085d00000-0x00000000af2fffff]
[    0.000000]   node   0: [mem 0x00000000af300000-0x00000000ffffffff]
`)
	if len(l.Memory) != 1 || l.Memory[0].Size != 0x80000000 {
		t.Errorf("memory %+v", l.Memory)
	}
	nm := noMap(l)
	if len(nm) != 1 || nm[0].Base != 0x85d00000 || nm[0].Size != 0x29600000 || nm[0].Name != "hyp_mem@85d00000" {
		t.Errorf("no-map %+v", nm)
	}
}

// The version picks the era by the rules each era covers, and text_offset
// by the version itself; /proc/iomem's "Kernel code" places the image.
func TestVersionAndIOMem(t *testing.T) {
	l := importAll(t, "dmesg", "[    0.000000] Linux version 5.10.3-v8+ (dom@buildbot) #1386 SMP PREEMPT\n",
		"iomem", `00000000-3b3fffff : System RAM
  00000000-00000fff : reserved
  00210000-0103ffff : Kernel code
  01040000-0123ffff : reserved
  01240000-0148ffff : Kernel data
40000000-fbffffff : System RAM
`)
	if l.Kernel.Era != "v5.15" {
		t.Errorf("era %q, want v5.15 (since 5.4)", l.Kernel.Era)
	}
	if l.Image.Base != 0x200000 || l.Image.TextOffset == nil || *l.Image.TextOffset != 0 || l.Image.Stext != 0x10000 || l.Image.InitBegin != 0xe40000 {
		t.Errorf("image %+v", l.Image)
	}
	a, _ := assumption(l, "kernel.era")
	if a.Source != "dmesg:1" || a.Kind != layout.Inferred {
		t.Errorf("era assumption %+v", a)
	}
	// Without "Kernel code", 5.10's text_offset is 0 (TEXT_OFFSET went in v5.8).
	l = importAll(t, "dmesg", "[    0.000000] Linux version 5.10.3\n[    0.000000] Early memory node ranges\n[    0.000000]   node   0: [mem 0x0000000040000000-0x000000007fffffff]\n")
	if l.Image.TextOffset == nil || *l.Image.TextOffset != 0 || l.Image.Base != 0x40000000 {
		t.Errorf("5.10 image %+v", l.Image)
	}
	l = importAll(t, "dmesg", "[    0.000000] Linux version 5.4.0\n[    0.000000] Early memory node ranges\n[    0.000000]   node   0: [mem 0x0000000040000000-0x000000007fffffff]\n")
	if l.Image.TextOffset == nil || *l.Image.TextOffset != 0x80000 {
		t.Errorf("5.4 image %+v", l.Image)
	}
}

// With 64K pages a 4K NOMAP EFI descriptor takes its whole page.
func TestEFI64KRounding(t *testing.T) {
	efi := `efi:   0x000040000000-0x00004000ffff [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
efi:   0x000040010000-0x000040010fff [Runtime Data|RUN|  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
efi:   0x000040011000-0x00007fffffff [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
`
	l := importAll(t, "efi", efi, "config", "CONFIG_ARM64_64K_PAGES=y\nCONFIG_ARM64_VA_BITS=48\n")
	nm := noMap(l)
	if l.Kernel.PageSize != "64K" || len(nm) != 1 || nm[0].Base != 0x40010000 || nm[0].Size != 0x10000 {
		t.Errorf("page size %s, no-map %+v", l.Kernel.PageSize, nm)
	}
	l = importAll(t, "efi", efi)
	if nm := noMap(l); len(nm) != 1 || nm[0].Size != 0x1000 {
		t.Errorf("4K: no-map %+v", nm)
	}
}

// Memory a driver hot-added later is not boot memory.
func TestDriverManaged(t *testing.T) {
	l := importAll(t, "memory", `   0: 0x0000000064005000..0x0000000064023fff    0 NOMAP
   1: 0x0000000068000000..0x000000006fffffff    0 DRV_MNG
   2: 0x0000000088800000..0x0000000094ffefff    0 NONE
`)
	for _, b := range l.Memory {
		if b.Base == 0x68000000 {
			t.Errorf("DRV_MNG region imported: %+v", l.Memory)
		}
	}
	found := false
	for _, a := range l.Assumptions {
		found = found || a.Kind == layout.Skipped && strings.Contains(a.Reason, "DRV_MNG")
	}
	if !found {
		t.Errorf("no note on the DRV_MNG region: %+v", l.Assumptions)
	}
}

// The page size and VA_BITS come from what the log or a ptdump shows.
func TestInferredGeometry(t *testing.T) {
	l := importAll(t, "dmesg", `[    0.000000] Linux version 4.14.0-xilinx-v2018.3 (oe-user@oe-host) #1 SMP
[    0.000000] Early memory node ranges
[    0.000000]   node   0: [mem 0x0000000000000000-0x000000007fefffff]
[    0.000000] percpu: Embedded 21 pages/cpu @ffffffc87ff6e000 s46488 r8192 d31336 u86016
[    0.000000] Virtual kernel memory layout:
[    0.000000]     modules : 0xffffff8000000000 - 0xffffff8008000000   (   128 MB)
[    0.000000]     vmalloc : 0xffffff8008000000 - 0xffffffbebfff0000   (   250 GB)
[    0.000000]     memory  : 0xffffffc000000000 - 0xffffffc880000000   ( 34816 MB)
`)
	if l.Kernel.PageSize != "4K" || l.Kernel.VABits != 39 || l.Kernel.Era != "v4.19" {
		t.Errorf("page size %s, VA_BITS %d, era %s", l.Kernel.PageSize, l.Kernel.VABits, l.Kernel.Era)
	}
	if a, _ := assumption(l, "kernel.va_bits"); a.Kind != layout.Inferred || a.Source != "dmesg:6" {
		t.Errorf("va_bits assumption %+v", a)
	}
	l = importAll(t, "pt", `---[ Linear Mapping start ]---
0xffff000000000000-0xffff000000200000           2M PMD       RW NX SHD AF        BLK UXN    MEM/NORMAL-TAGGED
0xffff000000200000-0xffff000000210000          64K PTE       RW NX SHD AF    CON     UXN    MEM/NORMAL-TAGGED
0xffff000000210000-0xffff000000400000        1984K PTE       ro NX SHD AF            UXN    MEM/NORMAL
0xffff000000400000-0xffff000040000000        1020M PMD       RW NX SHD AF        BLK UXN    MEM/NORMAL-TAGGED
0xffff000040000000-0xffff008000000000         511G PUD
0xffff008000000000-0xffff800000000000      130560G PGD
---[ Linear Mapping end ]---
`)
	if l.Kernel.PageSize != "4K" || l.Kernel.VABits != 48 || len(l.Memory) != 1 || l.Memory[0].Size != 1<<30 || l.Image.Base != 0x40200000 {
		t.Errorf("from a ptdump: %s %d %+v image %s", l.Kernel.PageSize, l.Kernel.VABits, l.Memory, l.Image.Base)
	}
}

// A device tree without memory (the boot loader fills it in) still gives
// its reserved memory, and says what to add.
func TestDTWithoutMemory(t *testing.T) {
	src := `/dts-v1/;
/ { #address-cells = <2>; #size-cells = <2>;
	reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
		tee@8e000000 { reg = <0 0x8e000000 0 0x2000000>; no-map; };
	};
};`
	l, _, err := formats.ImportAll([]formats.Input{{Name: "board.dts", Data: []byte(src)}})
	if !errors.Is(err, evidence.ErrNoMemory) || l == nil || len(l.Reserved) != 1 || !l.Reserved[0].NoMap {
		t.Fatalf("layout %+v, error %v", l, err)
	}
	if !strings.Contains(err.Error(), "add banks") {
		t.Errorf("error %q does not say how to add banks", err)
	}
	// With /proc/iomem the same DT is complete.
	l = importAll(t, "board.dts", src, "iomem", "80000000-8dffffff : System RAM\n8e000000-8fffffff : reserved\n90000000-ffffffff : System RAM\n")
	if len(l.Memory) != 1 || len(noMap(l)) != 1 {
		t.Errorf("memory %+v reserved %+v", l.Memory, l.Reserved)
	}
}

// A .config and a System.map complete a memory dump.
func TestConfigAndSystemMap(t *testing.T) {
	l := importAll(t, "memory", "   0: 0x0000000040000000..0x00000000bfffffff\n",
		"config-6.1.0", `# Linux/arm64 6.1.0 Kernel Configuration
CONFIG_ARM64_16K_PAGES=y
CONFIG_ARM64_VA_BITS=47
# CONFIG_KFENCE is not set
CONFIG_RODATA_FULL_DEFAULT_ENABLED=y
CONFIG_ZONE_DMA=y
CONFIG_ZONE_DMA32=y
CONFIG_DEBUG_PAGEALLOC=y
CONFIG_DEBUG_PAGEALLOC_ENABLE_DEFAULT=y
`,
		"System.map", `ffff800008000000 T _text
ffff800008010000 T _stext
ffff800008d00000 T _etext
ffff800009660000 T __init_begin
ffff800009cb0000 D __init_end
ffff80000a010000 B _end
`)
	c := l.Kernel.Config
	if l.Kernel.Era != "v6.1" || l.Kernel.PageSize != "16K" || l.Kernel.VABits != 47 || c.KFENCE == nil || *c.KFENCE || c.ZoneDMA32 == nil || !*c.ZoneDMA32 || c.DebugPagealloc == nil || !*c.DebugPagealloc {
		t.Errorf("kernel %+v", l.Kernel)
	}
	if !strings.Contains(l.Kernel.Cmdline, "debug_pagealloc=on") {
		t.Errorf("cmdline %q", l.Kernel.Cmdline)
	}
	if im := l.Image; im.InitBegin != 0x1660000 || im.Etext != 0xd00000 || im.End != 0x2010000 || *im.TextOffset != 0 {
		t.Errorf("image %+v", im)
	}
}

// Where a boot loader would put the image when nothing says.
func TestPlaceImage(t *testing.T) {
	nodes := func(rs ...string) string {
		s := "Early memory node ranges\n"
		for _, r := range rs {
			s += "  node   0: [mem " + r + "]\n"
		}
		return s
	}
	tests := []struct {
		name, log string
		want      layout.Addr
	}{
		{"new kernel, text_offset 0", "Linux version 6.12.0\n" + nodes("0x0000000040000000-0x000000007fffffff"), 0x40000000},
		{"old kernel adds text_offset", "Linux version 3.18.0\n" + nodes("0x0000000040000000-0x000000007fffffff"), 0x40080000},
		{"RAM at 0: PA 0 is skipped", "Linux version 6.1.0\n" + nodes("0x0000000000000000-0x000000003fffffff"), 0x200000},
		{"no-map at 0 (Amlogic) is avoided", "Linux version 6.1.0\nOF: reserved mem: 0x0000000000000000..0x0000000000ffffff (16384 KiB) nomap non-reusable hwrom@0\n" +
			"OF: reserved mem: 0x0000000005000000..0x00000000052fffff (3072 KiB) nomap non-reusable secmon@5000000\n" + nodes("0x0000000000000000-0x000000007fffffff"), 0x1000000},
		{"unaligned small first bank is skipped", "Linux version 6.1.0\n" + nodes("0x0000000000100000-0x00000000010fffff", "0x0000000080000000-0x00000000bfffffff"), 0x80000000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if l := importAll(t, "dmesg", tt.log); l.Image.Base != tt.want {
				t.Errorf("image.base = %s, want %s", l.Image.Base, tt.want)
			}
		})
	}
}

// Every era's first kernel version maps to that era.
func TestEraForVersionFollowsRegistry(t *testing.T) {
	for _, e := range sim.Eras() {
		if e.Since.IsZero() {
			continue
		}
		l := importAll(t, "dmesg", "Linux version "+e.Since.String()+".0-1-arm64\nEarly memory node ranges\n  node   0: [mem 0x0000000040000000-0x000000007fffffff]\n")
		if l.Kernel.Era != e.ID {
			t.Errorf("Linux %s: era %q, want %s", e.Since, l.Kernel.Era, e.ID)
		}
	}
}
