// Package edit applies the app's direct-manipulation edits to a layout. Every
// edit works on a clone and returns either the new layout or a *Refused
// error saying why, so the current layout is never half-changed.
package edit

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"linmap/sim"
	"linmap/sim/layout"
)

// Refused is an edit the app will not make, with the reason shown to the
// user.
type Refused struct{ Reason string }

func (r *Refused) Error() string { return r.Reason }

func refuse(format string, args ...any) error { return &Refused{Reason: fmt.Sprintf(format, args...)} }

// Snap units for dragging: the page size by default, 2M with Shift (a PMD
// block with 4K pages), 1G with Alt (a PUD block with 4K pages).
const (
	Snap2M = 2 << 20
	Snap1G = 1 << 30
)

// PageBytes returns the layout's page size in bytes (the era default is 4K
// in every era).
func PageBytes(l *layout.Layout) uint64 {
	shift, err := layout.ParsePageSize(l.Kernel.PageSize)
	if err != nil {
		return 4096
	}
	return 1 << shift
}

// SnapUnit picks the drag granularity from the modifier keys.
func SnapUnit(l *layout.Layout, shift, alt bool) uint64 {
	switch {
	case alt:
		return Snap1G
	case shift:
		return Snap2M
	}
	return PageBytes(l)
}

// Round rounds v to the nearest multiple of unit (a power of two).
func Round(v, unit uint64) uint64 {
	r := (v + unit/2) &^ (unit - 1)
	if r < v && v-r > unit { // wrapped past 2^64
		return v &^ (unit - 1)
	}
	return r
}

// cow copies what edits write: the layout's own fields, its banks and
// reservations, DTB and initrd. The rest (unknown fields kept for round
// trips, the kernel config's pointers) is shared with l. That is safe
// because a layout is never changed once made (the engine reads it, the
// model replaces it), and it keeps a drag, which makes a layout per move,
// free of layout.Clone's JSON round trip.
func cow(l *layout.Layout) *layout.Layout {
	n := *l
	n.Memory = slices.Clone(l.Memory)
	n.Reserved = slices.Clone(l.Reserved)
	if l.DTB != nil {
		d := *l.DTB
		n.DTB = &d
	}
	if l.Initrd != nil {
		d := *l.Initrd
		n.Initrd = &d
	}
	return &n
}

func within(base, size, bankBase, bankEnd uint64) bool {
	return base >= bankBase && base+size <= bankEnd && base+size >= base
}

// MoveBank moves bank i so that it starts at base (rounded to unit). What
// lies wholly inside the bank (reserved ranges, the image, DTB, initrd)
// moves with it, as when firmware places the same contents elsewhere.
func MoveBank(l *layout.Layout, i int, base, unit uint64) (*layout.Layout, error) {
	if i < 0 || i >= len(l.Memory) {
		return nil, refuse("no bank %d", i)
	}
	old := l.Memory[i]
	nb := Round(base, unit)
	if nb+uint64(old.Size) < nb {
		return nil, refuse("bank would run past the top of the 64-bit space")
	}
	if nb == uint64(old.Base) {
		return l, nil
	}
	n := cow(l)
	ob, oe := uint64(old.Base), uint64(old.End())
	shiftAddr := func(a layout.Addr, size layout.Addr) layout.Addr {
		if within(uint64(a), uint64(size), ob, oe) {
			return layout.Addr(uint64(a) - ob + nb)
		}
		return a
	}
	for k := range n.Reserved {
		n.Reserved[k].Base = shiftAddr(n.Reserved[k].Base, n.Reserved[k].Size)
	}
	if n.DTB != nil {
		n.DTB.Base = shiftAddr(n.DTB.Base, n.DTB.Size)
	}
	if n.Initrd != nil {
		n.Initrd.Base = shiftAddr(n.Initrd.Base, n.Initrd.Size)
	}
	n.Image.Base = shiftAddr(n.Image.Base, 1)
	n.Memory[i].Base = layout.Addr(nb)
	return n, check(n, i)
}

// Edge names the end of a bank being resized.
type Edge int

const (
	Low  Edge = iota // the base
	High             // the end
)

// ResizeBank moves one edge of bank i to addr (rounded to unit); the other
// edge stays. A bank keeps at least one unit.
func ResizeBank(l *layout.Layout, i int, e Edge, addr, unit uint64) (*layout.Layout, error) {
	if i < 0 || i >= len(l.Memory) {
		return nil, refuse("no bank %d", i)
	}
	b := l.Memory[i]
	a := Round(addr, unit)
	base, end := uint64(b.Base), uint64(b.End())
	switch e {
	case Low:
		if a+unit > end || a >= end {
			return nil, refuse("a bank must keep at least %s", layout.FormatSize(unit))
		}
		base = a
	case High:
		if a < base+unit {
			return nil, refuse("a bank must keep at least %s", layout.FormatSize(unit))
		}
		end = a
	}
	if base == uint64(b.Base) && end == uint64(b.End()) {
		return l, nil
	}
	n := cow(l)
	n.Memory[i].Base, n.Memory[i].Size = layout.Addr(base), layout.Addr(end-base)
	return n, check(n, i)
}

// MaxNewBank caps a bank added by double-clicking a gap: a gigabyte,
// one PUD block with 4K pages, is big enough to show blocks and small
// enough to keep a gap's neighbours in view.
const MaxNewBank = 1 << 30

// AddBank adds a bank in the empty gap around addr. Its size is the largest
// power of two up to half the gap (at most MaxNewBank, at least a page), and
// it is aligned to that size, so the kernel can map it with the largest
// blocks that fit: a sensible machine, not an arbitrary address inside the
// collapsed gap. It sits at the aligned slot nearest addr. It returns the
// new layout and the new bank's index.
func AddBank(l *layout.Layout, addr uint64) (*layout.Layout, int, error) {
	page := PageBytes(l)
	lo, hi := uint64(0), uint64(math.MaxUint64)
	for _, b := range l.Memory {
		if addr >= uint64(b.Base) && addr < uint64(b.End()) {
			return nil, -1, refuse("%s is inside a bank already", layout.Addr(addr))
		}
		if e := uint64(b.End()); e <= addr && e > lo {
			lo = e
		}
		if s := uint64(b.Base); s > addr && s < hi {
			hi = s
		}
	}
	lo = (lo + page - 1) &^ (page - 1)
	hi &^= page - 1
	if hi <= lo || hi-lo < page {
		return nil, -1, refuse("the gap %s..%s is smaller than a %s page", layout.Addr(lo), layout.Addr(hi), layout.FormatSize(page))
	}
	size := uint64(MaxNewBank)
	for size > page && size > (hi-lo)/2 {
		size >>= 1
	}
	// Aligned to its size: the slot nearest addr that lies in the gap.
	first := (lo + size - 1) &^ (size - 1)
	last := (hi - size) &^ (size - 1)
	if last < first || hi-size < lo {
		first, last = lo, lo // a gap of one page
	}
	base := max(first, min(last, addr&^(size-1)))
	n := cow(l)
	n.Memory = append(n.Memory, layout.Bank{Base: layout.Addr(base), Size: layout.Addr(size)})
	sortBanks(n)
	idx := 0
	for k, b := range n.Memory {
		if uint64(b.Base) == base {
			idx = k
		}
	}
	return n, idx, check(n, idx)
}

func sortBanks(l *layout.Layout) {
	sort.SliceStable(l.Memory, func(i, j int) bool { return l.Memory[i].Base < l.Memory[j].Base })
}

// DeleteBank removes bank i. The last bank and the bank holding the kernel
// image cannot go: the kernel needs both.
func DeleteBank(l *layout.Layout, i int) (*layout.Layout, error) {
	if i < 0 || i >= len(l.Memory) {
		return nil, refuse("no bank %d", i)
	}
	if len(l.Memory) == 1 {
		return nil, refuse("the last memory bank cannot be deleted")
	}
	b := l.Memory[i]
	if l.Image.Base >= b.Base && l.Image.Base < b.End() {
		return nil, refuse("bank %d holds the kernel image: move the image first", i)
	}
	n := cow(l)
	n.Memory = append(n.Memory[:i], n.Memory[i+1:]...)
	return n, check(n, -1)
}

// ImageAlign is the load alignment booting.txt asks of the Image: "text_offset
// bytes from a 2MB aligned base address".
const ImageAlign = 2 << 20

// TextOffset is the Image's text_offset: the layout's when it says, else
// the era's typical build's (0x80000 before v5.7, 0 after).
func TextOffset(l *layout.Layout) uint64 {
	if l.Image.TextOffset != nil {
		return uint64(*l.Image.TextOffset)
	}
	era := l.Kernel.Era
	if era == "" {
		era = sim.DefaultEra
	}
	if e, ok := sim.LookupEra(era); ok {
		return e.Builds.For(l.Kernel.PageSize).TextOffset
	}
	return 0
}

// MoveImage reloads the kernel so that _text is at base, snapped to a load
// address the kernel can use: a multiple of unit (at least 2 MiB) plus
// text_offset. The image must start in a bank.
func MoveImage(l *layout.Layout, base, unit uint64) (*layout.Layout, error) {
	off := TextOffset(l)
	unit = max(unit, ImageAlign)
	nb := Round(base-min(base, off), unit) + off
	if nb == uint64(l.Image.Base) {
		return l, nil
	}
	if !l.InMemory(layout.Addr(nb)) {
		return nil, refuse("the kernel image must be loaded into a memory bank (%s is not in one)", layout.Addr(nb))
	}
	n := cow(l)
	n.Image.Base = layout.Addr(nb)
	return n, check(n, -1)
}

// check refuses layouts the format rejects (overlapping banks, an image
// outside memory), naming the bank that was being edited.
func check(l *layout.Layout, edited int) error {
	if edited >= 0 {
		b := l.Memory[edited]
		for k, o := range l.Memory {
			if k != edited && b.Base < o.End() && o.Base < b.End() {
				return refuse("refused: %s..%s would overlap bank %d (%s..%s)", b.Base, b.End(), k, o.Base, o.End())
			}
		}
	}
	if err := l.Check(); err != nil {
		return refuse("refused: %v", err)
	}
	return nil
}

// Controls are the HTML panel's settings.
type Controls struct {
	Era      string `js:"era" json:"era"`
	PageSize string `js:"pageSize" json:"pageSize"`
	VABits   int    `js:"vaBits" json:"vaBits"`
	Cmdline  string `js:"cmdline" json:"cmdline"`
	VA52     bool   `js:"va52" json:"va52"`
	LPA2     bool   `js:"lpa2" json:"lpa2"`
	BBML2    bool   `js:"bbml2" json:"bbml2"`
	Realm    bool   `js:"realm" json:"realm"`
	PABits   int    `js:"paBits" json:"paBits"`
	Name     string `js:"name" json:"name"`
}

// ControlsOf reads the panel settings from a layout, with era defaults
// filled in so the panel shows what the engine will use.
func ControlsOf(l *layout.Layout) Controls {
	c := Controls{
		Era: l.Kernel.Era, PageSize: l.Kernel.PageSize, VABits: l.Kernel.VABits,
		Cmdline: l.Kernel.Cmdline, VA52: l.CPU.VA52, LPA2: l.CPU.LPA2, BBML2: l.CPU.BBML2NoAbort,
		Realm: l.CPU.Realm, PABits: l.CPU.PABits, Name: l.Name,
	}
	c.PageSize, c.VABits = Normalize(c.Era, c.PageSize, c.VABits)
	if c.PABits == 0 {
		c.PABits = 48
	}
	return c
}

// Normalize returns a page size and VA_BITS the era's Kconfig offers: the
// given ones if allowed, else the era's defaults.
func Normalize(era, pageSize string, vaBits int) (string, int) {
	e, ok := sim.LookupEra(era)
	if !ok {
		return pageSize, vaBits
	}
	if _, ok := e.Kconfig.VABits[pageSize]; !ok {
		pageSize = e.Kconfig.DefaultPageSize
	}
	for _, v := range e.Kconfig.VABits[pageSize] {
		if v == vaBits {
			return pageSize, vaBits
		}
	}
	return pageSize, e.Kconfig.DefaultVABits[pageSize]
}

// PageSizes lists the page sizes an era offers, smallest first.
func PageSizes(era string) []string {
	e, ok := sim.LookupEra(era)
	if !ok {
		return nil
	}
	var out []string
	for _, p := range []string{"4K", "16K", "64K"} {
		if _, ok := e.Kconfig.VABits[p]; ok {
			out = append(out, p)
		}
	}
	return out
}

// VABitsFor lists the VA_BITS an era offers with a page size.
func VABitsFor(era, pageSize string) []int {
	e, ok := sim.LookupEra(era)
	if !ok {
		return nil
	}
	return append([]int(nil), e.Kconfig.VABits[pageSize]...)
}

// ApplyControls returns the layout with the panel's settings, the page
// size and VA_BITS normalised to what the era allows.
func ApplyControls(l *layout.Layout, c Controls) (*layout.Layout, error) {
	if _, ok := sim.LookupEra(c.Era); !ok {
		return nil, refuse("unknown era %q", c.Era)
	}
	if c.PABits != 0 && (c.PABits < 32 || c.PABits > 52) {
		return nil, refuse("PA bits must be between 32 and 52, not %d", c.PABits)
	}
	n := cow(l)
	n.Kernel.Era = c.Era
	n.Kernel.PageSize, n.Kernel.VABits = Normalize(c.Era, c.PageSize, c.VABits)
	n.Kernel.Cmdline = c.Cmdline
	n.CPU.VA52, n.CPU.LPA2, n.CPU.BBML2NoAbort, n.CPU.Realm = c.VA52, c.LPA2, c.BBML2, c.Realm
	n.CPU.PABits = c.PABits
	if n.CPU.PABits == 48 && l.CPU.PABits == 0 {
		n.CPU.PABits = 0 // keep "default" in the exported file
	}
	n.Name = c.Name
	return n, check(n, -1)
}
