// Package geom is arm64 translation-table geometry: how many levels a
// page size / VA_BITS pair uses, what each level's entry covers, where
// blocks and contiguous hints are possible. Differences between
// configurations are values here, not branches elsewhere.
package geom

import "fmt"

// Levels are numbered as the architecture does: 3 is the last level (PTE),
// 2 holds PMD entries, 1 PUD, 0 P4D, and -1 exists only with 52-bit LPA2
// and 4K pages.
const (
	LevelPTE = 3
	LevelPMD = 2
	LevelPUD = 1
	LevelP4D = 0
)

// Geometry is one granule + VA size as the kernel runs it.
type Geometry struct {
	PageShift int // 12, 14, 16
	VABits    int // CONFIG_ARM64_VA_BITS
	// VABitsActual is what the CPU runs with: VA_BITS, or 48 (47 for 16K)
	// when a 52-bit kernel meets a CPU without LVA/LPA2.
	VABitsActual int
	ConfigLevels int // CONFIG_PGTABLE_LEVELS
	Levels       int // levels in use after run-time folding
	Top          int // architectural level of the root table
}

// New returns the geometry of a page size (PAGE_SHIFT) and VA_BITS, with
// the top level folded when the CPU lacks 52-bit support.
func New(pageShift, vaBits int, cpu52 bool) (Geometry, error) {
	switch pageShift {
	case 12, 14, 16:
	default:
		return Geometry{}, fmt.Errorf("page shift %d: not 12, 14 or 16", pageShift)
	}
	g := Geometry{PageShift: pageShift, VABits: vaBits, VABitsActual: vaBits}
	g.ConfigLevels = levelsFor(pageShift, vaBits)
	if vaBits == 52 && !cpu52 {
		g.VABitsActual = VABitsMin(pageShift, vaBits)
	}
	g.Levels = levelsFor(pageShift, g.VABitsActual)
	if pageShift == 16 && vaBits == 52 {
		// 64K/52 keeps 3 levels on 48-bit CPUs: TTBR1 is offset instead.
		g.Levels = g.ConfigLevels
	}
	g.Top = 4 - g.Levels
	return g, nil
}

// levelsFor is ARM64_HW_PGTABLE_LEVELS(va) = (va - 4) / (PAGE_SHIFT - 3).
func levelsFor(pageShift, va int) int { return (va - 4) / (pageShift - 3) }

// VABitsMin is the VA size a 52-bit kernel falls back to: 48, or 47 with
// 16K pages (VA_BITS_MIN).
func VABitsMin(pageShift, vaBits int) int {
	if vaBits != 52 {
		return vaBits
	}
	if pageShift == 14 {
		return 47
	}
	return 48
}

// PageSize is PAGE_SIZE in bytes.
func (g Geometry) PageSize() uint64 { return 1 << g.PageShift }

// Shift is the number of VA bits an entry at level l covers:
// ARM64_HW_PGTABLE_LEVEL_SHIFT(l) = (PAGE_SHIFT-3)*(4-l) + 3.
func (g Geometry) Shift(l int) int { return (g.PageShift-3)*(4-l) + 3 }

// EntrySize is the bytes one entry at level l maps.
func (g Geometry) EntrySize(l int) uint64 { return 1 << g.Shift(l) }

// TableSpan is the bytes one table at level l maps (all its entries).
func (g Geometry) TableSpan(l int) uint64 {
	if l == g.Top {
		return 1 << g.VABitsActual
	}
	return g.EntrySize(l - 1)
}

// BlockLevel reports whether a leaf may sit at level l in the linear map:
// PMD blocks for every granule, PUD (1G) blocks only with 4K pages
// (use_1G_block() / pud_sect_supported()), pages at level 3.
func (g Geometry) BlockLevel(l int) bool {
	switch l {
	case LevelPTE, LevelPMD:
		return true
	case LevelPUD:
		return g.PageShift == 12
	}
	return false
}

// ContShift is log2 of the entries in a contiguous group at level l
// (CONT_PTE_SHIFT/CONT_PMD_SHIFT: 4/4 for 4K, 7/5 for 16K, 5/5 for 64K),
// or 0 if the level has no contiguous hint.
func (g Geometry) ContShift(l int) int {
	switch {
	case l == LevelPTE && g.PageShift == 12:
		return 4
	case l == LevelPTE && g.PageShift == 14:
		return 7
	case l == LevelPTE && g.PageShift == 16:
		return 5
	case l == LevelPMD && g.PageShift == 12:
		return 4
	case l == LevelPMD:
		return 5
	}
	return 0
}

// ContSpan is the bytes a contiguous group at level l covers (0: none).
func (g Geometry) ContSpan(l int) uint64 {
	s := g.ContShift(l)
	if s == 0 {
		return 0
	}
	return g.EntrySize(l) << s
}

// ContSpanAt is the contiguous span the walker can use at level l: none at
// the root, because __create_pgd_mapping() hands each root entry down on
// its own, so a chunk there never spans the group (2-level 16K/36 and
// 64K/42 tables have their PMDs at the root).
func (g Geometry) ContSpanAt(l int) uint64 {
	if l == g.Top {
		return 0
	}
	return g.ContSpan(l)
}

// LevelName is the kernel's name for entries at level l: "PGD" for the
// root, else P4D/PUD/PMD/PTE (folded levels take the root's name).
func (g Geometry) LevelName(l int) string {
	if l == g.Top && l != LevelPTE {
		return "PGD"
	}
	return LeafLevelName(l)
}

// LeafLevelName names a level by what its entries are in the kernel's
// page-table code (pud_set_huge, pmd_set_huge, set_pte), even when the
// level is folded into the root.
func LeafLevelName(l int) string {
	switch l {
	case LevelPTE:
		return "PTE"
	case LevelPMD:
		return "PMD"
	case LevelPUD:
		return "PUD"
	case LevelP4D:
		return "P4D"
	}
	return "PGD"
}

// SizeName prints a leaf size as ptdump and the kernel docs do: 4K, 2M,
// 32M, 512M, 1G.
func SizeName(n uint64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dG", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dM", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dK", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// PageName is the page size's name ("4K", "16K", "64K").
func (g Geometry) PageName() string { return SizeName(g.PageSize()) }

// TTBR1Base is the lowest VA the kernel's translation tables cover:
// 2^64 − 2^VABitsActual.
func (g Geometry) TTBR1Base() uint64 { return -(uint64(1) << g.VABitsActual) }
