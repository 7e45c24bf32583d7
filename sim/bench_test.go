package sim_test

import (
	"os"
	"path/filepath"
	"testing"

	"linmap/formats/oracle"
	"linmap/sim"
	"linmap/sim/layout"
)

func benchLayout(b *testing.B, l *layout.Layout) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		// A simulated panic (seed B under v3.18) is a result like any other.
		if _, err := sim.Run(l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOracleCases(b *testing.B) {
	for _, dir := range oracleDirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			l, err := oracle.FromCase(data)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(filepath.Base(dir)+"/"+filepath.Base(f), func(b *testing.B) { benchLayout(b, l) })
		}
	}
}

func BenchmarkPresets(b *testing.B) {
	files, _ := filepath.Glob("../assets/presets/*.json")
	for _, f := range files {
		data, _ := os.ReadFile(f)
		l, err := layout.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(f), func(b *testing.B) { benchLayout(b, l) })
	}
}

// 1024 banks of 4 GiB spread over 256 TiB, 52-bit VA with LPA2 so all of it
// fits the linear map; rodata=on so blocks, contiguous runs and the PTE
// edges of every unaligned bank all occur.
// v7.2 also runs with rodata=noalias (its blocks mode; rodata=on is full
// there) and on a BBML2_NOABORT CPU, where its loop walks over the alias,
// data/bss and pool again.
func Benchmark1024Banks(b *testing.B) {
	for _, c := range []struct {
		era, cmdline string
		bbml2        bool
	}{{"v6.12", "rodata=on kfence.sample_interval=100", false}, {"v7.2", "rodata=noalias kfence.sample_interval=100", false}, {"v7.2", "", true}} {
		l := &layout.Layout{Kernel: layout.Kernel{Era: c.era, PageSize: "4K", VABits: 52, Cmdline: c.cmdline},
			CPU: layout.CPU{LPA2: true, PABits: 52, BBML2NoAbort: c.bbml2}}
		for i := uint64(0); i < 1024; i++ {
			base := 0x40000000 + i*(256<<40)/1024 + (i%7)*0x110000
			l.Memory = append(l.Memory, layout.Bank{Base: layout.Addr(base), Size: 4 << 30})
		}
		l.Image = layout.Image{Base: 0x40200000}
		b.Run(benchName(c.era, c.cmdline, c.bbml2), func(b *testing.B) { benchLayout(b, l) })
	}
}

func benchName(era, cmdline string, bbml2 bool) string {
	n := era
	if cmdline != "" {
		n += " " + cmdline
	}
	if bbml2 {
		n += " bbml2"
	}
	return n
}

// One 1 TiB bank mapped with 4K pages (rodata=full): 268M PTEs.
func Benchmark1TiBRodataFull(b *testing.B) {
	for _, c := range []struct{ era, cmdline string }{{"v6.1", "rodata=full"}, {"v7.2", "rodata=on"}} {
		l := &layout.Layout{Kernel: layout.Kernel{Era: c.era, PageSize: "4K", VABits: 48, Cmdline: c.cmdline},
			Memory: []layout.Bank{{Base: 0x40000000, Size: 1 << 40}}, Image: layout.Image{Base: 0x40200000}}
		b.Run(c.era, func(b *testing.B) { benchLayout(b, l) })
	}
}

// The app's drag benchmark layout: 64 banks of 768M on a 1G stride, v6.1
// defaults (rodata=full, so every bank is mapped with 4K pages).
func Benchmark64Banks(b *testing.B) {
	for _, c := range []struct {
		era, cmdline string
		bbml2        bool
	}{{"v6.1", "", false}, {"v7.2", "", false}, {"v7.2", "rodata=noalias kfence.sample_interval=100", false}, {"v7.2", "", true}} {
		l := &layout.Layout{Kernel: layout.Kernel{Era: c.era, PageSize: "4K", VABits: 48, Cmdline: c.cmdline},
			CPU: layout.CPU{BBML2NoAbort: c.bbml2}, Image: layout.Image{Base: 0x80200000}}
		for i := uint64(0); i < 64; i++ {
			l.Memory = append(l.Memory, layout.Bank{Base: layout.Addr(0x80000000 + i<<30), Size: 0x30000000})
		}
		b.Run(benchName(c.era, c.cmdline, c.bbml2), func(b *testing.B) { benchLayout(b, l) })
	}
}
