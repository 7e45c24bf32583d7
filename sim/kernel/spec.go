package kernel

import (
	"fmt"

	"linmap/sim/geom"
	"linmap/sim/layout"
	"linmap/sim/memblock"
	"linmap/sim/pgtable"
	"linmap/sim/result"
)

// Spec is what the engine needs of one era: its boot policy, the Kconfig
// choices it offered, its typical builds where a layout is silent, and its
// messages. The era registry (package sim) holds one per era.
type Spec struct {
	ID       string
	Policy   Era
	Kconfig  Kconfig
	Builds   Builds
	Messages Messages
}

// Kconfig is what an era's Kconfig offered: VA_BITS per page size ("4K",
// "16K", "64K") and the defaults.
type Kconfig struct {
	VABits          map[string][]int
	DefaultPageSize string
	DefaultVABits   map[string]int
}

// Build is a typical kernel build of an era: image section offsets from
// _text and the Kconfig values a layout may leave out.
type Build struct {
	TextOffset                   uint64
	Stext, Etext, InitBegin, End uint64
	InitEnd, BssStop             uint64 // v7.2 maps [__init_end, __bss_stop) first
	KFENCE                       bool
	KFENCESampleInterval         uint64
	RodataFullDefault, Randomize bool
	DebugPagealloc               bool // CONFIG_DEBUG_PAGEALLOC
}

// Builds gives the typical build per page size; Default serves the page
// sizes not listed.
type Builds struct {
	Default Build
	ByPage  map[string]Build
}

// For returns the build for a page size name ("4K", "16K", "64K").
func (b Builds) For(page string) Build {
	if x, ok := b.ByPage[page]; ok {
		return x
	}
	return b.Default
}

// Run simulates one boot. The layout must have passed layout.Check.
func Run(l *layout.Layout, s *Spec) (*result.Result, error) {
	cfg, err := Resolve(l, s)
	if err != nil {
		return nil, err
	}
	cpu52 := l.CPU.LPA2
	if cfg.PageShift == 16 {
		cpu52 = l.CPU.VA52
	}
	g, err := geom.New(cfg.PageShift, cfg.VABits, cpu52)
	if err != nil {
		return nil, err
	}
	// Roughly a dozen steps, a few table runs and mappings per bank.
	n := len(l.Memory) + len(l.Reserved) + 8
	res := &result.Result{Era: s.ID, PageSize: g.PageName(), VABits: g.VABits, VABitsActual: g.VABitsActual, Levels: g.Levels,
		Trace: make([]result.Step, 0, 12*n), Tables: make([]result.Tables, 0, 3*n), Mappings: make([]result.Mapping, 0, 4*n)}
	b := &Boot{L: l, Cfg: cfg, G: g, Res: res, MB: memblock.Memblock{}, msg: s.Messages}
	s.Policy.Boot(b)
	b.Finish()
	return res, nil
}

// Messages are an era's words for failures in its table code.
type Messages struct {
	// AllocFail is the panic of the page-table allocator for one page.
	AllocFail func(page uint64) string
	// Sites tells where each BUG_ON/WARN_ON is, per check and level.
	Sites func(check pgtable.Check, level int) Site
}

// Site is where a kernel check sits: arch/arm64/mm/mmu.c:Line in Func,
// testing Expr. Line 0: not known for this era.
type Site struct {
	Line int
	Func string
	Expr string
}

func (s Site) where() string {
	if s.Line == 0 {
		return "arch/arm64/mm/mmu.c"
	}
	return fmt.Sprintf("arch/arm64/mm/mmu.c:%d", s.Line)
}

// allocFailPre54 is memblock_alloc_base()'s panic before v5.4: the
// max_addr argument printed is MEMBLOCK_ALLOC_ACCESSIBLE, i.e. 0; K4.19
// prints both numbers with %pa.
func allocFailPre54(pa bool) func(uint64) string {
	return func(page uint64) string {
		if pa {
			return fmt.Sprintf("ERROR: Failed to allocate 0x%016x bytes below 0x%016x.", page, 0)
		}
		return fmt.Sprintf("ERROR: Failed to allocate %#x bytes below 0x0.", page)
	}
}

func allocFailPageTable(uint64) string { return "Failed to allocate page table page" }
