// Package result is the engine's output format: what one kernel era built
// for one layout. Its JSON field names are the contract of `linmap -format
// json`, the browser app and every export.
package result

import "linmap/sim/layout"

// Addr and SAddr marshal as hex strings (see package layout).
type (
	Addr  = layout.Addr
	SAddr = layout.SAddr
)

// Result is everything the simulated kernel did to build its linear map.
type Result struct {
	Era          string `json:"era"`
	EraLabel     string `json:"era_label"`          // human name, e.g. "RFC Nov 2014"
	EraNote      string `json:"era_note,omitempty"` // e.g. "reconstructed from the discussion"
	PageSize     string `json:"page_size"`
	VABits       int    `json:"va_bits"`
	VABitsActual int    `json:"va_bits_actual"`
	Levels       int    `json:"levels"` // translation levels in use (after run-time folding)

	PhysOffset  SAddr `json:"phys_offset"` // memstart_addr as the kernel stores it
	PageOffset  Addr  `json:"page_offset"`
	LinearStart Addr  `json:"linear_start"` // first VA of the linear region
	LinearEnd   Addr  `json:"linear_end"`   // first VA past it (0 means 2^64)

	// KernelImage is where the image itself is mapped: inside the linear map
	// before v4.6, at KIMAGE_VADDR in the vmalloc area from v4.6.
	KernelImage Span `json:"kernel_image"`

	Memblock Memblock  `json:"memblock"`
	Mappings []Mapping `json:"mappings"`
	Tables   []Tables  `json:"tables"`
	Lost     []Lost    `json:"lost"`
	Warnings []string  `json:"warnings"`
	Fatal    *Fatal    `json:"fatal"`
	Stats    Stats     `json:"stats"`
	Trace    []Step    `json:"trace"`
}

// LinearEndText prints LinearEnd for people: "2^64" for the top of the
// address space (stored as 0).
func (r *Result) LinearEndText() string {
	if r.LinearEnd == 0 {
		return "2^64"
	}
	return r.LinearEnd.String()
}

// Span is a virtual range and the physical range behind it.
type Span struct {
	VA   Addr `json:"va"`
	PA   Addr `json:"pa"`
	Size Addr `json:"size"`
}

// Memblock is memblock.memory and memblock.reserved after map_mem.
type Memblock struct {
	Memory   []Region `json:"memory"`
	Reserved []Region `json:"reserved"`
}

// Region is one memblock region. Flags uses the kernel's names: "NONE",
// "HOTPLUG", "NOMAP" (joined with "|" when several are set).
type Region struct {
	Base  Addr   `json:"base"`
	Size  Addr   `json:"size"`
	Flags string `json:"flags"`
	NID   int    `json:"nid"`
}

// Mapping is a run of equal leaves in the linear map: contiguous in VA and
// PA, same leaf size, level, contiguous bit and permissions.
type Mapping struct {
	VA    Addr   `json:"va"`
	PA    Addr   `json:"pa"`
	Size  Addr   `json:"size"`
	Page  string `json:"page"`  // leaf size: "4K", "16K", "64K", "2M", "32M", "512M", "1G"
	Level string `json:"level"` // "PUD", "PMD" or "PTE" (ptdump's names)
	Cont  bool   `json:"cont"`
	// LeafBytes is the size of one leaf (Page as a number).
	LeafBytes Addr   `json:"leaf_bytes"`
	Prot      string `json:"prot"` // after boot: e.g. "RW NX", "ro NX", "RW x"
	// Purpose is the mapping call that wrote these leaves.
	Purpose Purpose `json:"purpose"`
	// Why explains the leaf size in one sentence: the rule and the kernel
	// function (e.g. rodata=full forcing pages in map_mem()).
	Why string `json:"why"`
}

// Purpose says which of the kernel's mapping calls wrote a mapping or
// needed a table: map_mem()'s loop, the kernel's linear alias, …
type Purpose string

// Purposes.
const (
	PurposeLinear      Purpose = "linear"       // map_mem()'s loop over memblock.memory
	PurposeKernelAlias Purpose = "kernel-alias" // the linear alias of [_text or _stext, __init_begin or _etext)
	PurposeKernelData  Purpose = "kernel-data"  // v7.2: the linear alias of [__init_end, __bss_stop), mapped first
	PurposeKFENCEPool  Purpose = "kfence-pool"  // the early KFENCE pool, mapped with pages
	PurposeCrashKernel Purpose = "crashkernel"  // the crash kernel, mapped with pages (v4.19–v6.1)
	PurposeKernelImage Purpose = "kernel-image" // the image at KIMAGE_VADDR (map_kernel); not in the linear map
	PurposeHeadS       Purpose = "boot"         // v3.18: head.S's boot sections, before map_mem()
	PurposeTempPGD     Purpose = "temporary-pgd"
)

// Tables is a run of page-table pages allocated one after another at
// consecutive descending (top-down memblock) physical pages.
type Tables struct {
	PA    Addr   `json:"pa"`    // lowest physical address of the run
	Count int64  `json:"count"` // pages in the run
	Level string `json:"level"` // the level of entries the tables hold: "PUD", "PMD", "PTE", …
	// Purpose is the mapping call that needed them; Cause says it in words
	// with its range.
	Purpose Purpose `json:"purpose"`
	Cause   string  `json:"cause"`
	// InImage: the pages lie inside the kernel image (v3.18's swapper_pg_dir,
	// built by head.S), not taken from free memory.
	InImage bool `json:"in_image,omitempty"`
	// Mapped says whether the memory holding the tables was already in the
	// linear map when they were allocated (v3.18 zeroes them through it).
	Mapped bool `json:"mapped"`
	Step   int  `json:"step"` // index of the trace step that allocated them
}

// Lost is memory present in the layout but not linear mapped.
type Lost struct {
	Base   Addr   `json:"base"`
	Size   Addr   `json:"size"`
	Reason string `json:"reason"` // one of the Reason* constants
	Detail string `json:"detail"` // one sentence: the rule and the kernel function
}

// Reasons for lost memory.
const (
	ReasonBelowPhysOffset = "below-phys-offset"
	ReasonBeyondLinear    = "beyond-linear-window"
	ReasonAbovePARange    = "above-pa-range"
	ReasonMemLimit        = "mem-limit"
	ReasonNoMap           = "no-map"
	ReasonUnalignedHead   = "unaligned-head"
	ReasonSubPage         = "sub-page"
	ReasonNotReached      = "not-reached" // boot stopped before this memory was mapped
)

// Fatal is the first panic or BUG, in the kernel's words.
type Fatal struct {
	Message string `json:"message"`
	Step    int    `json:"step"` // index into Trace
}

// Stats are the numbers the results panel shows.
type Stats struct {
	MappedBytes   Addr             `json:"mapped_bytes"`
	BytesByPage   map[string]Addr  `json:"bytes_by_page"`   // leaf size (with "+cont") → bytes
	TLBEntries    uint64           `json:"tlb_entries"`     // leaves, a contiguous group counting once
	TablesByLevel map[string]int64 `json:"tables_by_level"` // level → pages
	TableBytes    Addr             `json:"table_bytes"`
	LostBytes     Addr             `json:"lost_bytes"`
	LostByReason  map[string]Addr  `json:"lost_by_reason"`
}

// Step is one event of the boot, in order. The app's timeline plays them.
type Step struct {
	Kind string `json:"kind"` // one of the Step* constants
	Text string `json:"text"` // one sentence for people
	// Optional details, present where they make sense for the kind.
	Func string `json:"func,omitempty"` // kernel function doing it
	// Purpose: for map, alloc and leaves steps, the mapping call's purpose.
	Purpose Purpose `json:"purpose,omitempty"`
	VA      *Addr   `json:"va,omitempty"`
	PA      *Addr   `json:"pa,omitempty"`
	Size    *Addr   `json:"size,omitempty"`
	Page    string  `json:"page,omitempty"`
	Level   string  `json:"level,omitempty"`
	Cont    bool    `json:"cont,omitempty"`
	Count   int64   `json:"count,omitempty"`
	// Why and Prot: for leaves steps, why the leaves have this size (the
	// rule and the kernel function) and their permissions when written,
	// as the final Mapping says them.
	Why    string `json:"why,omitempty"`
	Prot   string `json:"prot,omitempty"`
	Mapped *bool  `json:"mapped,omitempty"` // alloc: was the table's memory mapped yet
	Limit  *Addr  `json:"limit,omitempty"`  // limit: the new memblock.current_limit
}

// Step kinds.
const (
	StepInfo     = "info"     // a computed value (PHYS_OFFSET, linear size, …)
	StepMemblock = "memblock" // memblock changed (add, remove, reserve, mark NOMAP)
	StepLimit    = "limit"    // memblock_set_current_limit
	StepMap      = "map"      // a create_mapping / __create_pgd_mapping call begins
	StepAlloc    = "alloc"    // page-table pages allocated
	StepLeaves   = "leaves"   // a run of blocks or pages written
	StepFree     = "free"     // a table page freed (replaced by a block)
	StepWarn     = "warn"     // a kernel warning printed
	StepFatal    = "fatal"    // panic or BUG: boot stops here
)
