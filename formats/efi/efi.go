// Package efi reads the UEFI memory map a kernel prints with efi=debug
// (and, before v4.7, always). arm64 (drivers/firmware/efi/efi-init.c
// reserve_regions) prints one line per descriptor:
//
//	efi:   0x000040000000-0x00004fffffff [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
//
// (kernels before v5.10 spell the types out, "Conventional Memory", and
// before v4.9 mark the regions they make NOMAP with a trailing "*");
// x86's efi_print_memmap form "mem07: [Conventional|…] range=[0x…-0x…]
// (…MB)" is read too.
//
// ReserveRegions does what reserve_regions() does with them: a descriptor
// is memory when it can be mapped cacheable (WB, WT or WC: is_memory);
// memory that is not usable RAM (runtime services, ACPI NVS, reserved,
// MMIO with WB) is marked NOMAP; ACPI reclaim memory is reserved.
package efi

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"linmap/formats/logtext"
	"linmap/sim/layout"
)

var (
	reARM = regexp.MustCompile(`^\s*(?:efi:)?\s*0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+) \[([^\]]*)\](\*?)\s*$`)
	reX86 = regexp.MustCompile(`^\s*(?:efi:)?\s*mem\d+: \[([^\]]*)\] range=\[0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\]`)
)

// kind is what reserve_regions does with a descriptor type.
type kind int

const (
	usable  kind = iota // RAM once boot services exit
	reclaim             // ACPI reclaim: RAM, but memblock_reserve()d
	nomap               // memory the kernel must not map (runtime, NVS, …)
)

// types maps both spellings of efi_md_typeattr_format's type names: the
// long ones (memory_type_name[][20], until v5.x) and the short ones
// (memory_type_name[][13]: "ACPI Reclaim", "ACPI Mem NVS", "MMIO Port").
// A type the kernel has no name for prints as "[type=N"; reserve_regions()
// does not take it as usable memory.
var types = map[string]kind{
	"Reserved": nomap, "Loader Code": usable, "Loader Data": usable, "Boot Code": usable, "Boot Data": usable,
	"Runtime Code": nomap, "Runtime Data": nomap,
	"Conventional": usable, "Conventional Memory": usable,
	"Unusable": nomap, "Unusable Memory": nomap,
	"ACPI Reclaim": reclaim, "ACPI Reclaim Memory": reclaim,
	"ACPI Mem NVS": nomap, "ACPI Memory NVS": nomap,
	"MMIO": nomap, "Memory Mapped I/O": nomap,
	"MMIO Port": nomap, "MMIO Port Space": nomap,
	"PAL Code": nomap, "Persistent": usable, "Persistent Memory": usable, "Unaccepted": nomap,
}

var reUnknownType = regexp.MustCompile(`^type=\d+$`)

// Descriptor is one printed EFI memory descriptor.
type Descriptor struct {
	Base, Size layout.Addr
	Type       string
	Attrs      map[string]bool
	Star       bool // old kernels: "*" after a region made NOMAP
	Line       int
}

// Detect reports whether text holds EFI memory map lines.
func Detect(text string) bool {
	for _, l := range logtext.Lines(text) {
		s := l.Text
		if m := reARM.FindStringSubmatch(s); m != nil && strings.Contains(m[3], "|") {
			return true
		}
		if reX86.MatchString(s) {
			return true
		}
	}
	return false
}

// Parse reads the descriptors.
func Parse(text string) ([]Descriptor, error) {
	var out []Descriptor
	for _, l := range logtext.Lines(text) {
		s := l.Text
		var a, b, attr, star string
		if m := reARM.FindStringSubmatch(s); m != nil && strings.Contains(m[3], "|") {
			a, b, attr, star = m[1], m[2], m[3], m[4]
		} else if m := reX86.FindStringSubmatch(s); m != nil {
			a, b, attr = m[2], m[3], m[1]
		} else {
			continue
		}
		base, err1 := strconv.ParseUint(a, 16, 64)
		last, err2 := strconv.ParseUint(b, 16, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: 0x%s-0x%s: address does not fit in 64 bits", l.N, a, b)
		}
		if last < base || base == 0 && last == ^uint64(0) {
			return nil, fmt.Errorf("line %d: 0x%s-0x%s is not a range", l.N, a, b)
		}
		fields := strings.Split(attr, "|")
		typ := strings.TrimSpace(fields[0])
		if _, ok := types[typ]; !ok && !reUnknownType.MatchString(typ) {
			return nil, fmt.Errorf("line %d: unknown EFI memory type %q", l.N, typ)
		}
		d := Descriptor{Base: layout.Addr(base), Size: layout.Addr(last - base + 1), Type: typ, Attrs: map[string]bool{}, Star: star == "*", Line: l.N}
		for _, f := range fields[1:] {
			if f = strings.TrimSpace(f); f != "" {
				d.Attrs[f] = true
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// Range is a physical range [Base, End) and the descriptor types in it.
type Range struct {
	Base, End uint64
	Types     string // the descriptor types, joined with " + "
	Line      int    // the first descriptor's line
}

// Memblock is what arm64's reserve_regions() (drivers/firmware/efi/efi-init.c)
// makes of the map: every cacheable descriptor (is_memory: WB, WT or WC) is
// memblock_add()ed, those not usable as RAM are marked NOMAP, and ACPI
// reclaim memory is memblock_reserve()d. Each descriptor is first rounded
// out to whole kernel pages (memrange_efi_to_native), so with 16K or 64K
// pages a 4K NOMAP descriptor takes its whole page out of the linear map.
type Memblock struct {
	Memory  []Range // merged where they touch
	NoMap   []Range
	Reserve []Range
	// NotMemory counts the descriptors without a cacheable attribute
	// (MMIO and the like), which are not memory.
	NotMemory int
	// SoftReserved are the lines of special-purpose (SP) descriptors,
	// imported as RAM (what efi=nosoftreserve kernels do).
	SoftReserved []int
	// Starred: the log marks NOMAP regions with "*" (older kernels), and
	// the marks decide.
	Starred bool
}

// ReserveRegions applies reserve_regions() to the descriptors for a kernel
// with the given page size (4096, 16384 or 65536).
func ReserveRegions(ds []Descriptor, pageSize uint64) Memblock {
	var mb Memblock
	for _, d := range ds {
		mb.Starred = mb.Starred || d.Star
	}
	for _, d := range ds {
		if !(d.Attrs["WB"] || d.Attrs["WT"] || d.Attrs["WC"]) {
			mb.NotMemory++ // not is_memory(): MMIO and the like
			continue
		}
		k := types[d.Type]
		if k == usable && !d.Attrs["WB"] {
			k = nomap // is_usable_memory() wants WB
		}
		if mb.Starred && d.Star {
			k = nomap // older kernels mark what they make NOMAP, ACPI reclaim included
		}
		if d.Attrs["SP"] {
			mb.SoftReserved = append(mb.SoftReserved, d.Line)
		}
		base := uint64(d.Base) &^ (pageSize - 1)
		end := (uint64(d.Base+d.Size) + pageSize - 1) &^ (pageSize - 1)
		if end == 0 { // the top page of the 64-bit space
			end = ^uint64(0) &^ (pageSize - 1)
		}
		r := Range{Base: base, End: end, Types: d.Type, Line: d.Line}
		mb.Memory = addRange(mb.Memory, r)
		switch k {
		case nomap:
			mb.NoMap = addRange(mb.NoMap, r)
		case reclaim:
			mb.Reserve = addRange(mb.Reserve, r)
		}
	}
	return mb
}

// addRange appends r, joining it to the last range when they touch or
// overlap (the map is sorted; rounding to pages can make neighbours
// overlap).
func addRange(rs []Range, r Range) []Range {
	if n := len(rs); n > 0 && r.Base <= rs[n-1].End && r.Base >= rs[n-1].Base {
		last := &rs[n-1]
		if r.End > last.End {
			last.End = r.End
		}
		if !strings.Contains(last.Types, r.Types) {
			last.Types += " + " + r.Types
		}
		return rs
	}
	return append(rs, r)
}
