package evidence

import (
	"fmt"
	"strings"

	"linmap/sim"
	"linmap/sim/layout"
)

// Release is the kernel release the inputs name ("Linux version …" in a
// log, else a .config's header) and where.
func (ev *Evidence) Release() (release, where string) {
	for _, f := range ev.Files {
		if f.Log != nil && f.Log.Release != "" {
			return f.Log.Release, f.Where(f.Log.ReleaseAt.N)
		}
	}
	for _, f := range ev.Files {
		if f.Config != nil && f.Config.Release != "" {
			return f.Config.Release, f.Where(f.Config.ReleaseLine)
		}
	}
	return "", ""
}

// Version is the kernel version the inputs name.
func (ev *Evidence) Version() (sim.Version, string, bool) {
	rel, where := ev.Release()
	v, ok := sim.ParseVersion(rel)
	return v, where, ok
}

// kernel fills in kernel and cpu: era, page size, VA_BITS, command line,
// Kconfig options and CPU features.
func (a *assembler) kernel() {
	a.era()
	a.cmdline()
	a.pageSize()
	a.vaBits()
	a.config()
	a.cpu()
}

// cmdline takes the command line: a log's "Kernel command line:", else a
// /proc/cmdline file, else the device tree's bootargs.
func (a *assembler) cmdline() {
	for _, f := range a.ev.Files {
		if f.Log != nil && f.Log.Cmdline != "" {
			a.l.Kernel.Cmdline = f.Log.Cmdline
			return
		}
	}
	for _, f := range a.ev.Files {
		if f.Cmdline != "" {
			a.l.Kernel.Cmdline = f.Cmdline
			return
		}
	}
	for _, f := range a.ev.Files {
		if f.DT != nil && f.DT.Kernel.Cmdline != "" {
			a.l.Kernel.Cmdline = f.DT.Kernel.Cmdline
			return
		}
	}
}

// config takes Kconfig options from a .config, else from what the log
// shows of them.
func (a *assembler) config() {
	// The first .config given wins: apply them last to first.
	for i := len(a.ev.Files) - 1; i >= 0; i-- {
		if f := a.ev.Files[i]; f.Config != nil {
			f.Config.Apply(&a.l.Kernel.Config)
		}
	}
	a.configFromConfigFile()
	a.configFromLog()
}

// configFromConfigFile applies the options that act through the command
// line: DEBUG_PAGEALLOC_ENABLE_DEFAULT and the crash kernel's reservation.
func (a *assembler) configFromConfigFile() {
	f := a.ev.first(func(f *File) bool { return f.Config != nil })
	if f == nil {
		return
	}
	cfg := f.Config
	cl := a.l.Kernel.Cmdline
	if on, line, ok := cfg.Bool("CONFIG_DEBUG_PAGEALLOC_ENABLE_DEFAULT"); ok && on && !strings.Contains(cl, "debug_pagealloc=") {
		a.l.Kernel.Cmdline = strings.TrimSpace(cl + " debug_pagealloc=on")
		a.note("kernel.cmdline", "debug_pagealloc=on", layout.Inferred, f.Where(line), "CONFIG_DEBUG_PAGEALLOC_ENABLE_DEFAULT=y enables debug_pagealloc without the parameter")
	}
	if strings.Contains(a.l.Kernel.Cmdline, "crashkernel=") {
		// CONFIG_CRASH_RESERVE (v6.9+) or CONFIG_KEXEC_CORE (before)
		// makes crashkernel= reserve anything.
		reserve, _, ok1 := cfg.Bool("CONFIG_CRASH_RESERVE")
		kexec, line, ok2 := cfg.Bool("CONFIG_KEXEC_CORE")
		if (ok1 || ok2) && !reserve && !kexec {
			a.l.Kernel.Cmdline = dropParam(a.l.Kernel.Cmdline, "crashkernel")
			a.note("kernel.cmdline", "", layout.Skipped, f.Where(line), "crashkernel= dropped: neither CONFIG_CRASH_RESERVE nor CONFIG_KEXEC_CORE is set, so nothing is reserved")
		}
	}
	for _, k := range []string{"CONFIG_KASAN_GENERIC", "CONFIG_KASAN_SW_TAGS"} {
		if on, line, ok := cfg.Bool(k); ok && on {
			a.note("kernel.config", "", layout.Skipped, f.Where(line), "%s=y: the linear region then ends where the KASAN shadow starts, which linmap does not model", k)
		}
	}
}

// configFromLog reads options off the log where no .config said them.
func (a *assembler) configFromLog() {
	c := &a.l.Kernel.Config
	for _, f := range a.ev.Logs() {
		lg := f.Log
		if k := lg.KFENCE; k != nil {
			t := true
			if c.KFENCE == nil {
				c.KFENCE = &t
				a.note("kernel.config.kfence", "true", layout.Inferred, f.Where(k.At.N), "KFENCE initialised its pool")
			}
			if c.KFENCENumObjects == nil && k.Objects > 0 {
				n := int(k.Objects)
				c.KFENCENumObjects = &n
				a.note("kernel.config.kfence_num_objects", fmt.Sprint(n), layout.Inferred, f.Where(k.At.N), "the KFENCE pool holds %d objects", n)
			}
			if c.KFENCESampleInterval == nil && !strings.Contains(a.l.Kernel.Cmdline, "kfence.sample_interval=") {
				n := 100
				c.KFENCESampleInterval = &n
				a.note("kernel.config.kfence_sample_interval", "100", layout.Inferred, f.Where(k.At.N), "KFENCE was initialised at boot, so its sample interval was not 0 (100 is Kconfig's default)")
			}
		}
		if len(lg.Zones) > 0 && c.ZoneDMA == nil {
			dma, dma32 := false, false
			for _, z := range lg.Zones {
				dma = dma || z.Name == "DMA"
				dma32 = dma32 || z.Name == "DMA32"
			}
			c.ZoneDMA, c.ZoneDMA32 = &dma, &dma32
			a.note("kernel.config.zone_dma", fmt.Sprintf("%v (DMA32: %v)", dma, dma32), layout.Inferred, f.Where(lg.Zones[0].At.N), "\"Zone ranges\" lists the zones the kernel was built with")
		}
		if lg.KASLR != "" && c.RandomizeBase == nil {
			t := true
			c.RandomizeBase = &t
			a.note("kernel.config.randomize_base", "true", layout.Inferred, f.Where(lg.KASLRAt.N), "the log prints \"KASLR %s\"", lg.KASLR)
		}
		if lg.KASLR == "enabled" && a.l.Kernel.KASLRSeed == 0 && a.linearRandomised() {
			a.note("kernel.kaslr_seed", "0", layout.Defaulted, f.Where(lg.KASLRAt.N), "KASLR was enabled but the seed is not printed: the model does not randomise the linear map (memstart_addr), so PHYS_OFFSET and linear addresses may differ by a multiple of ARM64_MEMSTART_ALIGN")
		}
	}
}

// linearRandomised reports whether the kernel randomises memstart_addr
// (v4.6 to v6.15).
func (a *assembler) linearRandomised() bool {
	if a.versionKnown {
		return a.version.AtLeast(sim.Version{Major: 4, Minor: 6}) && a.version.Less(sim.Version{Major: 6, Minor: 16})
	}
	e := a.eraEntry()
	return !e.Since.IsZero() && e.Since.AtLeast(sim.Version{Major: 4, Minor: 6}) && e.Since.Less(sim.Version{Major: 6, Minor: 16})
}

// dropParam removes every name= parameter from a command line.
func dropParam(cl, name string) string {
	var out []string
	for _, p := range strings.Fields(cl) {
		if k, _, _ := strings.Cut(p, "="); k == name {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, " ")
}

// BBML2 without conflict aborts: cpu_supports_bbml2_noabort()'s MIDR
// allow-list (K6.18 and K7.2 cpufeature.c). Revisions are r0pN: variant
// 0, revision at least minRev.
var bbml2 = []struct {
	impl, part uint32
	minRev     uint32
	allVar     bool
	name       string
}{
	{0x41, 0xd82, 3, false, "Cortex-X4 r0p3+"},
	{0x41, 0xd84, 2, false, "Neoverse-V3 r0p2+"},
	{0x41, 0xd83, 2, false, "Neoverse-V3AE r0p2+"},
	{0x4e, 0x010, 0, true, "NVIDIA Olympus"},
	{0xc0, 0xac3, 0, true, "AmpereOne"},
	{0xc0, 0xac4, 0, true, "AmpereOne-A"},
}

func bbml2CPU(midr uint32) (string, bool) {
	impl, variant, part, rev := midr>>24, (midr>>20)&0xf, (midr>>4)&0xfff, midr&0xf
	for _, c := range bbml2 {
		if impl == c.impl && part == c.part && (c.allVar || variant == 0 && rev >= c.minRev) {
			return c.name, true
		}
	}
	return "", false
}

// cpu reads the boot CPU's features off the log.
func (a *assembler) cpu() {
	for _, f := range a.ev.Logs() {
		lg := f.Log
		for i, feat := range lg.Features {
			if !strings.HasPrefix(feat, "52-bit Virtual Addressing") || strings.Contains(feat, "KVM") {
				continue
			}
			if strings.Contains(feat, "LPA2") {
				a.l.CPU.LPA2 = true
				a.note("cpu.lpa2", "true", layout.Inferred, f.Where(lg.FeaturesAt[i].N), "the CPU has FEAT_LPA2 (\"%s\")", feat)
			} else if a.pageShift == 16 {
				a.l.CPU.VA52 = true
				a.note("cpu.va52", "true", layout.Inferred, f.Where(lg.FeaturesAt[i].N), "the CPU has FEAT_LVA (\"%s\")", feat)
			}
		}
		if lg.MIDR != 0 {
			if name, ok := bbml2CPU(lg.MIDR); ok {
				a.l.CPU.BBML2NoAbort = true
				a.note("cpu.bbml2_noabort", "true", layout.Inferred, f.Where(lg.MIDRAt.N), "the boot CPU (MIDR %#08x, %s) is on cpu_supports_bbml2_noabort()'s allow-list", lg.MIDR, name)
			}
			return
		}
	}
}
