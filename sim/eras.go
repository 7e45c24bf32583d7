package sim

import (
	"fmt"
	"regexp"
	"strconv"

	"linmap/sim/kernel"
	"linmap/sim/ptdump"
)

// Era is one entry of the era registry: everything linmap knows about a
// kernel era, in one place. The CLI (`linmap eras`), the app's era lists,
// the importers' version→era mapping, ptdump, the JSON schema and the docs
// all read it. Adding an era is one policy file in sim/kernel plus one
// entry here.
type Era struct {
	kernel.Spec `json:"-"`

	Label    string `json:"label"`
	Released string `json:"released"`
	// Note is shown wherever the era is: e.g. that rfc-2014 is reconstructed.
	Note    string `json:"note,omitempty"`
	Summary string `json:"summary"` // one line: what this era changed
	// Since is the first kernel version whose rules this era describes;
	// zero for an era no released kernel has (the RFC).
	Since Version `json:"since"`
	// Checked says what the era's rules were checked on: real kernels
	// booted under QEMU (shared/oracle), or the sources read.
	Checked string `json:"checked"`
	// Ptdump is how the era's /sys/kernel/debug/kernel_page_tables prints.
	Ptdump ptdump.Style `json:"-"`
}

// EraInfo is an era as the CLI and the app list it.
type EraInfo struct {
	ID              string           `json:"id"`
	Label           string           `json:"label"`
	Released        string           `json:"released"`
	Note            string           `json:"note,omitempty"`
	Summary         string           `json:"summary"`
	Since           string           `json:"since,omitempty"`
	Checked         string           `json:"checked"`
	VABits          map[string][]int `json:"va_bits"`
	DefaultPageSize string           `json:"default_page_size"`
	DefaultVABits   map[string]int   `json:"default_va_bits"`
}

// Info is the era's public description.
func (e *Era) Info() EraInfo {
	i := EraInfo{ID: e.ID, Label: e.Label, Released: e.Released, Note: e.Note, Summary: e.Summary, Checked: e.Checked,
		VABits: e.Kconfig.VABits, DefaultPageSize: e.Kconfig.DefaultPageSize, DefaultVABits: e.Kconfig.DefaultVABits}
	if !e.Since.IsZero() {
		i.Since = e.Since.String()
	}
	return i
}

// Version is a kernel version, major.minor.
type Version struct{ Major, Minor int }

func (v Version) IsZero() bool   { return v == Version{} }
func (v Version) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }
func (v Version) Less(o Version) bool {
	return v.Major < o.Major || (v.Major == o.Major && v.Minor < o.Minor)
}
func (v Version) AtLeast(o Version) bool       { return !v.Less(o) }
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

var reVersion = regexp.MustCompile(`^v?(\d+)\.(\d+)`)

// ParseVersion reads the major.minor of a release string such as
// "6.1.0-56-arm64" or "v7.2.13+deb14-arm64".
func ParseVersion(release string) (Version, bool) {
	m := reVersion.FindStringSubmatch(release)
	if m == nil {
		return Version{}, false
	}
	maj, err1 := strconv.Atoi(m[1])
	min, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil || maj > 99 || min > 99 {
		return Version{}, false
	}
	return Version{maj, min}, true
}

// Kconfig VA_BITS choices, per page size.
var (
	vaClassic = map[string][]int{"4K": {39, 48}, "64K": {42, 48}}
	va16K     = map[string][]int{"4K": {39, 48}, "16K": {36, 47, 48}, "64K": {42, 48}}
	va52on64K = map[string][]int{"4K": {39, 48}, "16K": {36, 47, 48}, "64K": {42, 48, 52}}
	vaLPA2    = map[string][]int{"4K": {39, 48, 52}, "16K": {36, 47, 48, 52}, "64K": {42, 48, 52}}

	defClassic = map[string]int{"4K": 39, "64K": 42}
	def48      = map[string]int{"4K": 48, "16K": 47, "64K": 48}
	def52      = map[string]int{"4K": 52, "16K": 52, "64K": 52}
)

// ptdump styles, as each era's kernel_page_tables printed (the columns by
// version are in docs/research/ptdump-and-versions.md, Part A).
var (
	ptdumpV318 = ptdump.Style{Title: "Kernel Mapping"}
	ptdumpV46  = ptdump.Style{Title: "Linear Mapping", Valid: true, ContBlk: true}
	ptdumpV419 = ptdump.Style{Title: "Linear Mapping", Level: true, Valid: true, ContBlk: true}
	ptdumpV515 = ptdump.Style{StartEnd: true, Level: true, Valid: true, ContBlk: true, Holes: true, GP: true, Tagged: true}
	ptdumpV69  = ptdump.Style{StartEnd: true, Level: true, Valid: true, ContBlk: true, Holes: true, GP: true, Tagged: true, PMDAtRoot: true}
)

// eras is the registry, oldest first.
var eras = []Era{
	{Spec: kernel.Spec{ID: "v3.18", Policy: kernel.V3_18, Messages: kernel.MessagesV318,
		Kconfig: kernel.Kconfig{VABits: vaClassic, DefaultPageSize: "4K", DefaultVABits: defClassic},
		Builds:  kernel.Builds{Default: kernel.Build{TextOffset: 0x80000, Stext: 0x1000, Etext: 0x600000, InitBegin: 0x680000, End: 0x800000}}},
		Label: "v3.18", Released: "Dec 2014", Since: Version{3, 7}, Ptdump: ptdumpV318, Checked: "sources of 3.17–4.3",
		Summary: "PHYS_OFFSET = image load address − TEXT_OFFSET; tables come from the first bank below a memblock limit; its unaligned head is skipped."},
	{Spec: kernel.Spec{ID: "rfc-2014", Policy: kernel.RFC2014, Messages: kernel.MessagesV318,
		Kconfig: kernel.Kconfig{VABits: vaClassic, DefaultPageSize: "4K", DefaultVABits: defClassic},
		Builds:  kernel.Builds{Default: kernel.Build{TextOffset: 0x80000, Stext: 0x1000, Etext: 0x600000, InitBegin: 0x680000, End: 0x800000}}},
		Label: "RFC Nov 2014", Released: "not merged", Ptdump: ptdumpV318, Checked: "the seed thread (no patch text)",
		Note:    "reconstructed from the discussion: the patch text is lost",
		Summary: "The kernel's own PMD/PUD region is mapped first, tables come only from memory already mapped, and no unaligned head is skipped."},
	{Spec: kernel.Spec{ID: "v4.6", Policy: kernel.V4_6, Messages: kernel.MessagesV46,
		Kconfig: kernel.Kconfig{VABits: va16K, DefaultPageSize: "4K", DefaultVABits: def48},
		Builds:  kernel.Builds{Default: kernel.Build{TextOffset: 0x80000, Stext: 0x10000, Etext: 0x700000, InitBegin: 0x900000, End: 0xc00000, Randomize: true}}},
		Label: "v4.6", Released: "May 2016", Since: Version{4, 6}, Ptdump: ptdumpV46, Checked: "sources of 4.6–4.9",
		Summary: "Kernel image decoupled from PAGE_OFFSET: memstart_addr from memblock, tables through fixmap from anywhere, read-only text alias."},
	{Spec: kernel.Spec{ID: "v4.19", Policy: kernel.V4_19, Messages: kernel.MessagesV419,
		Kconfig: kernel.Kconfig{VABits: va16K, DefaultPageSize: "4K", DefaultVABits: def48},
		Builds:  kernel.Builds{Default: kernel.Build{TextOffset: 0x80000, Stext: 0x10000, Etext: 0xcb0000, InitBegin: 0x1200000, End: 0x1500000, Randomize: true}}},
		Label: "v4.19", Released: "Oct 2018", Since: Version{4, 12}, Ptdump: ptdumpV419, Checked: "sources of 4.15, 4.19; a real 4.14 ptdump",
		Summary: "Contiguous hints; the kernel alias and crash kernel are marked NOMAP and mapped afterwards; memory above the PA range is removed."},
	{Spec: kernel.Spec{ID: "v5.15", Policy: kernel.V5_15, Messages: kernel.MessagesV54,
		Kconfig: kernel.Kconfig{VABits: va52on64K, DefaultPageSize: "4K", DefaultVABits: def48},
		Builds: kernel.Builds{Default: kernel.Build{Stext: 0x10000, Etext: 0xc00000, InitBegin: 0x1400000, End: 0x1c00000,
			Randomize: true, RodataFullDefault: true}}},
		Label: "v5.15", Released: "Oct 2021", Since: Version{5, 4}, Ptdump: ptdumpV515, Checked: "sources of 5.4–5.15",
		Summary: "Flipped VA space; rodata=full by default, crashkernel= and KFENCE force a page-granular linear map; DT no-map becomes NOMAP."},
	{Spec: kernel.Spec{ID: "v6.1", Policy: kernel.V6_1, Messages: kernel.MessagesV54,
		Kconfig: kernel.Kconfig{VABits: va52on64K, DefaultPageSize: "4K", DefaultVABits: def48},
		Builds: kernel.Builds{Default: kernel.Build{Stext: 0x10000, Etext: 0xd00000, InitBegin: 0x1660000, End: 0x2010000,
			Randomize: true, RodataFullDefault: true}}},
		Label: "v6.1", Released: "Dec 2022", Since: Version{5, 19}, Ptdump: ptdumpV515, Checked: "Debian 6.1.192 under QEMU",
		Summary: "Early KFENCE pool mapped with pages so the rest may use blocks; crashkernel only forces pages with ZONE_DMA/DMA32."},
	{Spec: kernel.Spec{ID: "v6.12", Policy: kernel.V6_12, Messages: kernel.MessagesV54,
		Kconfig: kernel.Kconfig{VABits: vaLPA2, DefaultPageSize: "4K", DefaultVABits: def52},
		Builds:  debian612},
		Label: "v6.12", Released: "Nov 2024", Since: Version{6, 9}, Ptdump: ptdumpV69, Checked: "Debian 6.12.117 (4K, 16K) and 6.12.117 built 4K/39, 64K/48 under QEMU",
		Summary: "LPA2: 52-bit VA with 4K/16K pages, folded at run time on older CPUs; the image is mapped before paging_init; alias starts at _text."},
	{Spec: kernel.Spec{ID: "v6.18", Policy: kernel.V6_18, Messages: kernel.MessagesV54,
		Kconfig: kernel.Kconfig{VABits: vaLPA2, DefaultPageSize: "4K", DefaultVABits: def52},
		Builds:  debian612},
		Label: "v6.18", Released: "Nov 2025", Since: Version{6, 18}, Ptdump: ptdumpV69, Checked: "sources of 6.18.2",
		Summary: "No linear-map randomisation; rodata=on means full; CPUs with BBML2_NOABORT keep block mappings under rodata=full."},
	{Spec: kernel.Spec{ID: "v7.2", Policy: kernel.V7_2, Messages: kernel.MessagesV72,
		Kconfig: kernel.Kconfig{VABits: vaLPA2, DefaultPageSize: "4K", DefaultVABits: def52},
		Builds:  debian72},
		Label: "v7.2", Released: "Aug 2026", Since: Version{7, 2}, Ptdump: ptdumpV69, Checked: "Debian 7.2.13 (4K, 16K) and 7.2.13 built 4K/39, 4K/48, 16K/36, 16K/47, 64K/42, 64K/48, 64K/52 under QEMU",
		Summary: "The kernel alias and data/bss are mapped first with the loop's flags (pages under rodata=on), the KFENCE pool before them; no block over a table, no cont over plain entries."},
}

// Debian's builds: image offsets from their kallsyms, KFENCE on with a
// sample interval of 0. 16K and 64K images are larger.
var (
	debian612 = kernel.Builds{
		Default: kernel.Build{Stext: 0x10000, Etext: 0xf50000, InitBegin: 0x1d00000, End: 0x2b30000,
			KFENCE: true, Randomize: true, RodataFullDefault: true},
		ByPage: map[string]kernel.Build{
			"16K": {Stext: 0x10000, Etext: 0xf50000, InitBegin: 0x1d30000, End: 0x2be0000, KFENCE: true, Randomize: true, RodataFullDefault: true},
			"64K": {Stext: 0x10000, Etext: 0xf50000, InitBegin: 0x1d30000, End: 0x2be0000, KFENCE: true, Randomize: true, RodataFullDefault: true},
		},
	}
	// Debian 7.2.13 (spec §8.6.10). There is no Debian 64K build: its
	// default is the 16K layout with the page-table section 64K aligned.
	debian72 = kernel.Builds{
		Default: kernel.Build{Stext: 0x10000, Etext: 0x12c0000, InitBegin: 0x2510000, InitEnd: 0x28e0000, BssStop: 0x2ee6000, End: 0x2f00000,
			KFENCE: true, Randomize: true},
		ByPage: map[string]kernel.Build{
			"16K": {Stext: 0x10000, Etext: 0x12c0000, InitBegin: 0x2540000, InitEnd: 0x2950000, BssStop: 0x2f68000, End: 0x2fa0000,
				KFENCE: true, Randomize: true},
			"64K": {Stext: 0x10000, Etext: 0x12c0000, InitBegin: 0x2540000, InitEnd: 0x2950000, BssStop: 0x2f70000, End: 0x3000000,
				KFENCE: true, Randomize: true},
		},
	}
)

// DefaultEra is used when a layout names none: the newest era checked
// against real kernels.
const DefaultEra = "v7.2"

// Eras lists the registry, oldest first.
func Eras() []*Era {
	out := make([]*Era, len(eras))
	for i := range eras {
		out[i] = &eras[i]
	}
	return out
}

// EraIDs lists the era ids, oldest first.
func EraIDs() []string {
	ids := make([]string, len(eras))
	for i, e := range eras {
		ids[i] = e.ID
	}
	return ids
}

// LookupEra returns the era with the given id.
func LookupEra(id string) (*Era, bool) {
	for i := range eras {
		if eras[i].ID == id {
			return &eras[i], true
		}
	}
	return nil, false
}

// EraForVersion returns the era whose rules a kernel version follows: the
// one with the latest Since not after it. ok is false for versions older
// than every era.
func EraForVersion(v Version) (*Era, bool) {
	var best *Era
	for i := range eras {
		e := &eras[i]
		if e.Since.IsZero() || v.Less(e.Since) {
			continue
		}
		if best == nil || best.Since.Less(e.Since) {
			best = e
		}
	}
	return best, best != nil
}

// TextOffsetFor is the Image header's text_offset a kernel version's
// builds have: 0x80000 until v5.7, 0 from v5.8 (TEXT_OFFSET removed).
func TextOffsetFor(v Version) uint64 {
	if v.Less(Version{5, 8}) {
		return 0x80000
	}
	return 0
}
