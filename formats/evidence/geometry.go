package evidence

import (
	"fmt"
	"math/bits"
	"regexp"
	"strings"

	"linmap/formats/efi"
	"linmap/formats/ptdump"
	"linmap/sim/layout"
)

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
