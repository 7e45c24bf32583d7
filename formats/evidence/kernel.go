package evidence

import (
	"fmt"
	"math/bits"
	"regexp"
	"strings"

	"linmap/formats/efi"
	"linmap/formats/ptdump"
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

// bound is a version limit a format implies when no version is printed.
type bound struct {
	v     sim.Version
	upper bool // the kernel is at most v (else at least v)
	why   string
	where string
}

func (a *assembler) era() {
	if v, where, ok := a.ev.Version(); ok {
		a.version, a.versionKnown = v, true
		rel, _ := a.ev.Release()
		if e, ok := sim.EraForVersion(v); ok {
			a.l.Kernel.Era = e.ID
			a.note("kernel.era", e.ID, layout.Inferred, where, "Linux %s follows the rules of era %s (since %s)", rel, e.ID, e.Since)
			return
		}
		first := sim.Eras()[0]
		a.l.Kernel.Era = first.ID
		a.note("kernel.era", first.ID, layout.Inferred, where, "Linux %s is older than every era; the oldest, %s (since %s), is the closest", rel, first.ID, first.Since)
		return
	}
	var lo, hi *bound
	for _, b := range a.formatBounds() {
		b := b
		if b.upper && (hi == nil || b.v.Less(hi.v)) {
			hi = &b
		}
		if !b.upper && (lo == nil || lo.v.Less(b.v)) {
			lo = &b
		}
	}
	if hi != nil {
		if e, ok := sim.EraForVersion(hi.v); ok && (lo == nil || !e.Since.Less(lo.v) || !hi.v.Less(lo.v)) {
			a.l.Kernel.Era = e.ID
			a.note("kernel.era", e.ID, layout.Inferred, hi.where, "no \"Linux version\" line; %s, so the kernel is %s or older: the era of %s, %s (since %s)", hi.why, hi.v, hi.v, e.ID, e.Since)
			return
		}
	}
	a.l.Kernel.Era = sim.DefaultEra
	why := "no input names the kernel version"
	if lo != nil {
		why += fmt.Sprintf(" (%s, so it is %s or newer)", lo.why, lo.v)
	}
	a.note("kernel.era", sim.DefaultEra, layout.Defaulted, "", "%s: the newest era, %s, is assumed; paste the \"Linux version\" line or the .config to choose", why, sim.DefaultEra)
}

// formatBounds are the versions the inputs' formats imply.
func (a *assembler) formatBounds() []bound {
	var bs []bound
	for _, f := range a.ev.Files {
		if f.Memblock != nil && len(f.Memblock.Memory) > 0 {
			if f.Memblock.Flagged {
				bs = append(bs, bound{sim.Version{Major: 6, Minor: 5}, false, "the memblock debugfs list has the node and flags columns (added in v6.5)", f.Where(f.Memblock.Memory[0].Line)})
			} else {
				bs = append(bs, bound{sim.Version{Major: 6, Minor: 4}, true, "the memblock debugfs list has no flags column (added in v6.5)", f.Where(f.Memblock.Memory[0].Line)})
			}
		}
		if lg := f.Log; lg != nil {
			if lg.VMLayout != nil {
				bs = append(bs, bound{sim.Version{Major: 4, Minor: 15}, true, "the log prints \"Virtual kernel memory layout\" (removed in v4.16)", f.Where(lg.VMLayout.At.N)})
			}
			if at, ok := lg.HasFeature("52-bit Virtual Addressing (LPA2)"); ok {
				bs = append(bs, bound{sim.Version{Major: 6, Minor: 9}, false, "LPA2 is detected (supported from v6.9)", f.Where(at.N)})
			}
			for _, r := range lg.Reserved {
				if r.Kind == "of" {
					bs = append(bs, bound{sim.Version{Major: 6, Minor: 3}, false, "\"OF: reserved mem: 0x…..0x… (N KiB) …\" lines are printed (from v6.3)", f.Where(r.At.N)})
					break
				}
			}
		}
		if at, ok := oldTextOffset(f); ok {
			bs = append(bs, bound{sim.Version{Major: 5, Minor: 7}, true, "the image starts 0x80000 above a 2 MiB boundary (TEXT_OFFSET, removed in v5.8)", f.Where(at)})
		}
		for _, d := range f.Ptdumps {
			if lin := d.Linear(); lin != nil {
				if lin.Flipped() {
					bs = append(bs, bound{sim.Version{Major: 5, Minor: 4}, false, "the ptdump has \"Linear Mapping start/end\" markers (from v5.4)", f.Where(lin.Line)})
				} else {
					bs = append(bs, bound{sim.Version{Major: 5, Minor: 3}, true, "the ptdump has one \"Linear Mapping\" marker (before v5.4)", f.Where(lin.Line)})
				}
			}
		}
	}
	return bs
}

// oldTextOffset finds an image placed at TEXT_OFFSET 0x80000: "Kernel
// code" of /proc/iomem, or an image-sized reservation, 0x80000 (_text) or
// 0x90000 (_stext) above a 2 MiB boundary.
func oldTextOffset(f *File) (int, bool) {
	at := func(base, size uint64) bool {
		off := base & (sz2M - 1)
		return (off == 0x80000 || off == 0x90000) && size >= 4<<20 && size <= 256<<20
	}
	for _, r := range f.IOMem {
		if r.Depth == 1 && r.Name == "Kernel code" {
			if off := r.Start & (sz2M - 1); off == 0x80000 || off == 0x90000 {
				return r.Line, true
			}
		}
	}
	if d := f.MemblockDump; d != nil {
		for _, r := range d.Reserved {
			if at(r.Base, r.Size) {
				return r.Line, true
			}
		}
	}
	if ls := f.Memblock; ls != nil {
		for _, r := range ls.Reserved {
			if at(uint64(r.Base), uint64(r.Size)) {
				return r.Line, true
			}
		}
	}
	return 0, false
}

// era returns the chosen era's registry entry.
func (a *assembler) eraEntry() *sim.Era {
	e, _ := sim.LookupEra(a.l.Kernel.Era)
	return e
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

var reSuffixPage = regexp.MustCompile(`(?i)[-_+](4|16|64)k(?:[-_+.]|$)`)

func (a *assembler) pageSize() {
	set := func(shift int, kind, where, format string, args ...any) {
		a.pageShift = shift
		a.l.Kernel.PageSize = pageName(shift)
		if kind != "" {
			a.note("kernel.page_size", pageName(shift), kind, where, format, args...)
		}
	}
	for _, f := range a.ev.Files {
		if f.Config != nil {
			if ps, o, ok := f.Config.PageSize(); ok {
				shift, _ := layout.ParsePageSize(ps)
				set(shift, "", "", "")
				_ = o
				return
			}
		}
	}
	for _, f := range a.ev.Files {
		if f.Log == nil {
			continue
		}
		if shift, at, ok := f.Log.PageShift(); ok {
			what := "the per-cpu first chunk (s+r+d bytes in whole pages)"
			if f.Log.Percpu == nil || f.Log.Percpu.At.N != at.N {
				what = "the hash table sizes (order: O, 2^O pages)"
			}
			set(shift, layout.Inferred, f.Where(at.N), "read off %s", what)
			return
		}
	}
	if rel, where := a.ev.Release(); rel != "" {
		if m := reSuffixPage.FindStringSubmatch(rel); m != nil {
			shift, _ := layout.ParsePageSize(m[1] + "K")
			set(shift, layout.Inferred, where, "the release %q names its page size", rel)
			return
		}
		if strings.Contains(rel, "asahi") {
			set(14, layout.Inferred, where, "%q is an Asahi (Apple silicon) kernel, built with 16K pages", rel)
			return
		}
	}
	if shift, where, ok := a.efiRoundingPageShift(); ok {
		set(shift, layout.Inferred, where, "the kernel's memblock.memory splits where the EFI map's NOMAP descriptors end when rounded out to %s pages, not 4K ones (reserve_regions(), memrange_efi_to_native)", pageName(shift))
		return
	}
	for _, f := range a.ev.Files {
		if shift, line, ok := iomemPageShift(f); ok {
			set(shift, layout.Inferred, f.Where(line), "every \"reserved\" range of /proc/iomem (memblock.reserved, rounded out to pages) starts and ends on a %s boundary", pageName(shift))
			return
		}
	}
	for _, f := range a.ev.Files {
		for _, d := range f.Ptdumps {
			if shift, ok := ptdumpPageShift(d); ok {
				set(shift, layout.Inferred, f.Where(d.Line), "the ptdump's block and page boundaries allow only this page size")
				return
			}
		}
	}
	e := a.eraEntry()
	shift, _ := layout.ParsePageSize(e.Kconfig.DefaultPageSize)
	set(shift, layout.Defaulted, "", "no input shows the page size (.config, a per-cpu or hash-table line of the log, a ptdump): the era's default")
}

// efiRoundingPageShift: with an EFI map and the kernel's own memblock list
// from the same boot, each page size rounds the map's NOMAP descriptors to
// its own boundaries (memrange_efi_to_native), which split memblock's
// regions. The page size is the one whose NOMAP edges are all region edges
// of the kernel's list, when 4K's are not.
func (a *assembler) efiRoundingPageShift() (int, string, bool) {
	var ds []efi.Descriptor
	for _, f := range a.ev.Files {
		ds = append(ds, f.EFI...)
	}
	if len(ds) == 0 {
		return 0, "", false
	}
	for _, f := range a.ev.Files {
		edges := map[uint64]bool{}
		var lo, hi uint64 = ^uint64(0), 0
		add := func(base, end uint64) {
			edges[base], edges[end] = true, true
			lo, hi = min(lo, base), max(hi, end)
		}
		if d := f.MemblockDump; d != nil {
			for _, r := range d.Memory {
				add(r.Base, r.Base+r.Size)
			}
		}
		if ls := f.Memblock; ls != nil {
			for _, r := range ls.Memory {
				add(uint64(r.Base), uint64(r.Base+r.Size))
			}
		}
		if f.Log != nil {
			for _, r := range f.Log.NodeRanges {
				add(r.Start, r.End)
			}
		}
		if len(edges) == 0 {
			continue
		}
		misses := func(shift int) int {
			n := 0
			for _, r := range efi.ReserveRegions(ds, 1<<shift).NoMap {
				for _, e := range []uint64{r.Base, r.End} {
					if e > lo && e < hi && !edges[e] {
						n++
					}
				}
			}
			return n
		}
		if misses(12) == 0 {
			return 0, "", false
		}
		for _, shift := range []int{14, 16} {
			if misses(shift) == 0 {
				return shift, f.Where(0), true
			}
		}
	}
	return 0, "", false
}

// iomemPageShift reads the page size off /proc/iomem's nested "reserved"
// lines: request_standard_resources() rounds each memblock.reserved region
// out to pages, while the regions themselves fall anywhere. Eight or more
// boundaries that all sit on 16K (or 64K) make 4K pages all but
// impossible (4^-8).
func iomemPageShift(f *File) (int, int, bool) {
	var or uint64
	n, line := 0, 0
	for _, r := range f.IOMem {
		if r.Depth == 1 && r.Name == "reserved" {
			or |= r.Start | (r.End + 1)
			n += 2
			if line == 0 {
				line = r.Line
			}
		}
	}
	if n < 8 {
		return 0, 0, false
	}
	switch tz := bits.TrailingZeros64(or); {
	case tz >= 16:
		return 16, line, true
	case tz >= 14:
		return 14, line, true
	case tz >= 12:
		return 12, line, true
	}
	return 0, 0, false
}

// ptdumpPageShift finds the one page size a linear-map dump allows:
// every PTE run starts and ends on a page boundary, every PMD block run on
// a PMD boundary, and PUD blocks exist only with 4K pages.
func ptdumpPageShift(d *ptdump.Dump) (int, bool) {
	lin := d.Linear()
	if lin == nil {
		return 0, false
	}
	var pte, pmd uint64
	pud := false
	for _, e := range lin.Entries {
		if !e.Mapped() {
			continue
		}
		switch e.Level {
		case "PTE":
			pte |= e.Start | e.End
		case "PMD":
			pmd |= e.Start | e.End
		case "PUD":
			pud = true
		}
	}
	var ok []int
	for _, shift := range []int{12, 14, 16} {
		pmdShift := shift + shift - 3
		if pte != 0 && bits.TrailingZeros64(pte) < shift || pmd != 0 && bits.TrailingZeros64(pmd) < pmdShift || pud && shift != 12 {
			continue
		}
		if pte == 0 && pmd == 0 && !pud {
			continue
		}
		ok = append(ok, shift)
	}
	if len(ok) == 1 || len(ok) > 0 && ok[0] == 12 && pte != 0 && bits.TrailingZeros64(pte) < 14 {
		return ok[0], true
	}
	return 0, false
}

func pageName(shift int) string {
	switch shift {
	case 14:
		return "16K"
	case 16:
		return "64K"
	}
	return "4K"
}

func (a *assembler) vaBits() {
	e := a.eraEntry()
	allowed := func(va int) bool {
		for _, x := range e.Kconfig.VABits[a.l.Kernel.PageSize] {
			if x == va {
				return true
			}
		}
		return false
	}
	take := func(va int, kind, where, format string, args ...any) bool {
		if !allowed(va) {
			a.note("kernel.va_bits", "", layout.Skipped, where, "%d-bit VAs (%s) are not a choice of era %s with %s pages", va, fmt.Sprintf(format, args...), e.ID, a.l.Kernel.PageSize)
			return false
		}
		a.l.Kernel.VABits = va
		if kind != "" {
			a.note("kernel.va_bits", fmt.Sprint(va), kind, where, format, args...)
		}
		return true
	}
	for _, f := range a.ev.Files {
		if f.Config != nil {
			if va, o, ok := f.Config.VABits(); ok && take(va, "", f.Where(o.Line), "CONFIG_ARM64_VA_BITS") {
				return
			}
		}
	}
	for _, f := range a.ev.Files {
		if lg := f.Log; lg != nil && lg.VMLayout != nil {
			lowest, at := ^uint64(0), 0
			for _, ar := range lg.VMLayout.Areas {
				if ar.Start < lowest {
					lowest, at = ar.Start, ar.At.N
				}
			}
			// The lowest area starts at VA_START = -(1 << VA_BITS).
			if va := bits.TrailingZeros64(lowest); va >= 36 && va <= 52 && take(va, layout.Inferred, f.Where(at),
				"the virtual layout's lowest area starts at %#x = -(1 << VA_BITS)", lowest) {
				return
			}
		}
	}
	for _, f := range a.ev.Files {
		for _, d := range f.Ptdumps {
			lin := d.Linear()
			if lin == nil || len(lin.Entries) == 0 {
				continue
			}
			start := lin.Entries[0].Start
			// v5.4+: the section starts at PAGE_OFFSET = -(1 << VA_BITS);
			// before, PAGE_OFFSET = -(1 << (VA_BITS - 1)) and the first
			// printed range lies in its lower half.
			va := 64 - bits.LeadingZeros64(^start)
			why := "the ptdump's linear map starts at %#x = PAGE_OFFSET = -(1 << VA_BITS)"
			if !lin.Flipped() {
				va++
				why = "the ptdump's linear map starts at %#x, in [PAGE_OFFSET, PAGE_OFFSET + 2^(VA_BITS-2)) with PAGE_OFFSET = -(1 << (VA_BITS - 1))"
			}
			if va >= 36 && va <= 52 && take(va, layout.Inferred, f.Where(lin.Entries[0].Line), why, start) {
				if va == 52 && lin.Flipped() {
					// The section starts at _PAGE_OFFSET(vabits_actual): the
					// CPU ran with 52-bit VAs.
					if a.pageShift == 16 {
						a.l.CPU.VA52 = true
						a.note("cpu.va52", "true", layout.Inferred, f.Where(lin.Entries[0].Line), "the linear map starts at a 52-bit PAGE_OFFSET, so the CPU has FEAT_LVA")
					} else {
						a.l.CPU.LPA2 = true
						a.note("cpu.lpa2", "true", layout.Inferred, f.Where(lin.Entries[0].Line), "the linear map starts at a 52-bit PAGE_OFFSET, so the CPU has FEAT_LPA2")
					}
				}
				return
			}
		}
	}
	va := e.Kconfig.DefaultVABits[a.l.Kernel.PageSize]
	a.note("kernel.va_bits", fmt.Sprint(va), layout.Defaulted, "", "no input shows VA_BITS (.config, the virtual layout, a ptdump): era %s's default for %s pages", e.ID, a.l.Kernel.PageSize)
}

// config takes Kconfig options from a .config, else from what the log
// shows of them.
func (a *assembler) config() {
	c := &a.l.Kernel.Config
	boolOpt := func(dst **bool, name string) {
		for _, f := range a.ev.Files {
			if f.Config == nil {
				continue
			}
			if on, _, ok := f.Config.Bool(name); ok {
				*dst = &on
				return
			}
		}
	}
	intOpt := func(dst **int, name string) {
		for _, f := range a.ev.Files {
			if f.Config == nil {
				continue
			}
			if n, _, ok := f.Config.Int(name); ok {
				v := int(n)
				*dst = &v
				return
			}
		}
	}
	boolOpt(&c.KFENCE, "CONFIG_KFENCE")
	intOpt(&c.KFENCESampleInterval, "CONFIG_KFENCE_SAMPLE_INTERVAL")
	intOpt(&c.KFENCENumObjects, "CONFIG_KFENCE_NUM_OBJECTS")
	boolOpt(&c.ZoneDMA, "CONFIG_ZONE_DMA")
	boolOpt(&c.ZoneDMA32, "CONFIG_ZONE_DMA32")
	boolOpt(&c.RandomizeBase, "CONFIG_RANDOMIZE_BASE")
	boolOpt(&c.RodataFullDefault, "CONFIG_RODATA_FULL_DEFAULT_ENABLED")
	boolOpt(&c.DebugPagealloc, "CONFIG_DEBUG_PAGEALLOC")
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
