package sim

// EraInfo describes one kernel era the engine can simulate: what the app's
// era picker shows and which page size / VA_BITS pairs its Kconfig allowed.
type EraInfo struct {
	ID       string `json:"id"`
	Label    string `json:"label"`
	Released string `json:"released"`
	// Note is shown wherever the era is: e.g. that rfc-2014 is reconstructed.
	Note    string `json:"note,omitempty"`
	Summary string `json:"summary"` // one line: what this era changed
	// VABits lists, per page size ("4K", "16K", "64K"), the VA_BITS its
	// Kconfig offered.
	VABits          map[string][]int `json:"va_bits"`
	DefaultPageSize string           `json:"default_page_size"`
	DefaultVABits   map[string]int   `json:"default_va_bits"`
}

var (
	vaClassic = map[string][]int{"4K": {39, 48}, "64K": {42, 48}}
	va16K     = map[string][]int{"4K": {39, 48}, "16K": {36, 47, 48}, "64K": {42, 48}}
	va52on64K = map[string][]int{"4K": {39, 48}, "16K": {36, 47, 48}, "64K": {42, 48, 52}}
	vaLPA2    = map[string][]int{"4K": {39, 48, 52}, "16K": {36, 47, 48, 52}, "64K": {42, 48, 52}}
)

// eraTable is ordered oldest first.
var eraTable = []EraInfo{
	{ID: "v3.18", Label: "v3.18", Released: "Dec 2014",
		Summary: "PHYS_OFFSET = image load address − TEXT_OFFSET; tables come from the first bank below a memblock limit; its unaligned head is skipped.",
		VABits:  vaClassic, DefaultPageSize: "4K", DefaultVABits: map[string]int{"4K": 39, "64K": 42}},
	{ID: "rfc-2014", Label: "RFC Nov 2014", Released: "not merged",
		Note:    "reconstructed from the discussion: the patch text is lost",
		Summary: "The kernel's own PMD/PUD region is mapped first, tables come only from memory already mapped, and no unaligned head is skipped.",
		VABits:  vaClassic, DefaultPageSize: "4K", DefaultVABits: map[string]int{"4K": 39, "64K": 42}},
	{ID: "v4.6", Label: "v4.6", Released: "May 2016",
		Summary: "Kernel image decoupled from PAGE_OFFSET: memstart_addr from memblock, tables through fixmap from anywhere, read-only text alias.",
		VABits:  va16K, DefaultPageSize: "4K", DefaultVABits: map[string]int{"4K": 48, "16K": 47, "64K": 48}},
	{ID: "v4.19", Label: "v4.19", Released: "Oct 2018",
		Summary: "Contiguous hints; the kernel alias and crash kernel are marked NOMAP and mapped afterwards; memory above the PA range is removed.",
		VABits:  va16K, DefaultPageSize: "4K", DefaultVABits: map[string]int{"4K": 48, "16K": 47, "64K": 48}},
	{ID: "v5.15", Label: "v5.15", Released: "Oct 2021",
		Summary: "Flipped VA space; rodata=full by default, crashkernel= and KFENCE force a page-granular linear map; DT no-map becomes NOMAP.",
		VABits:  va52on64K, DefaultPageSize: "4K", DefaultVABits: map[string]int{"4K": 48, "16K": 47, "64K": 48}},
	{ID: "v6.1", Label: "v6.1", Released: "Dec 2022",
		Summary: "Early KFENCE pool mapped with pages so the rest may use blocks; crashkernel only forces pages with ZONE_DMA/DMA32.",
		VABits:  va52on64K, DefaultPageSize: "4K", DefaultVABits: map[string]int{"4K": 48, "16K": 47, "64K": 48}},
	{ID: "v6.12", Label: "v6.12", Released: "Nov 2024",
		Summary: "LPA2: 52-bit VA with 4K/16K pages, folded at run time on older CPUs; the image is mapped before paging_init; alias starts at _text.",
		VABits:  vaLPA2, DefaultPageSize: "4K", DefaultVABits: map[string]int{"4K": 52, "16K": 52, "64K": 52}},
	{ID: "v6.18", Label: "v6.18", Released: "Nov 2025",
		Summary: "No linear-map randomisation; rodata=on means full; CPUs with BBML2_NOABORT keep block mappings under rodata=full.",
		VABits:  vaLPA2, DefaultPageSize: "4K", DefaultVABits: map[string]int{"4K": 52, "16K": 52, "64K": 52}},
}

// Eras lists the simulated eras, oldest first.
func Eras() []EraInfo {
	out := make([]EraInfo, len(eraTable))
	copy(out, eraTable)
	return out
}

// LookupEra returns the era with the given id.
func LookupEra(id string) (EraInfo, bool) {
	for _, e := range eraTable {
		if e.ID == id {
			return e, true
		}
	}
	return EraInfo{}, false
}
