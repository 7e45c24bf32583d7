// Package efi imports the UEFI memory map a kernel prints with efi=debug.
// arm64 (drivers/firmware/efi/efi-init.c reserve_regions) prints one line
// per descriptor:
//
//	efi:   0x000040000000-0x00004fffffff [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
//
// (older kernels spell the types out, "Conventional Memory", and mark the
// regions they make NOMAP with a trailing "*"); x86's efi_print_memmap
// form "mem07: [Conventional|…] range=[0x…-0x…] (…MB)" is read too.
//
// A descriptor is memory when it can be mapped cacheable (WB, WT or WC:
// is_memory). Memory that is not usable RAM (runtime services, ACPI NVS,
// reserved, MMIO with WB) is marked NOMAP, so it becomes a bank plus a
// no-map reserved range; ACPI reclaim memory is kept reserved.
package efi

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"linmap/formats/internal/guess"
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

// types maps both spellings of efi_md_typeattr_format's type names.
var types = map[string]kind{
	"Reserved": nomap, "Loader Code": usable, "Loader Data": usable, "Boot Code": usable, "Boot Data": usable,
	"Runtime Code": nomap, "Runtime Data": nomap, "Conventional": usable, "Conventional Memory": usable,
	"Unusable": nomap, "Unusable Memory": nomap, "ACPI Rec": reclaim, "ACPI Reclaim Memory": reclaim,
	"ACPI NVS": nomap, "ACPI Memory NVS": nomap, "MMIO": nomap, "Memory Mapped I/O": nomap,
	"MMIO Port": nomap, "Memory Mapped I/O Port": nomap, "PAL Code": nomap, "Persistent": usable,
	"Persistent Memory": usable, "Unaccepted": nomap,
}

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
	for _, line := range strings.Split(text, "\n") {
		s := guess.StripDmesg(line)
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
	for i, raw := range strings.Split(text, "\n") {
		s := guess.StripDmesg(raw)
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
			return nil, fmt.Errorf("line %d: 0x%s-0x%s: address does not fit in 64 bits", i+1, a, b)
		}
		if last < base || base == 0 && last == ^uint64(0) {
			return nil, fmt.Errorf("line %d: 0x%s-0x%s is not a range", i+1, a, b)
		}
		fields := strings.Split(attr, "|")
		typ := strings.TrimSpace(fields[0])
		if _, ok := types[typ]; !ok {
			return nil, fmt.Errorf("line %d: unknown EFI memory type %q", i+1, typ)
		}
		d := Descriptor{Base: layout.Addr(base), Size: layout.Addr(last - base + 1), Type: typ, Attrs: map[string]bool{}, Star: star == "*", Line: i + 1}
		for _, f := range fields[1:] {
			if f = strings.TrimSpace(f); f != "" {
				d.Attrs[f] = true
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// Import turns the memory map into a layout.
func Import(name string, data []byte) (*layout.Layout, error) {
	text := string(data)
	ds, err := Parse(text)
	if err != nil {
		return nil, err
	}
	starred := false
	for _, d := range ds {
		starred = starred || d.Star
	}
	l := &layout.Layout{}
	var notes []string
	skipped := 0
	for _, d := range ds {
		if !(d.Attrs["WB"] || d.Attrs["WT"] || d.Attrs["WC"]) {
			skipped++ // not is_memory(): MMIO and the like
			continue
		}
		k := types[d.Type]
		if k == usable && !d.Attrs["WB"] {
			k = nomap // is_usable_memory() wants WB
		}
		if d.Attrs["SP"] {
			notes = append(notes, fmt.Sprintf("line %d: %s is special-purpose (SP) memory, which kernels with efi=nosoftreserve treat as RAM and others leave out; imported as RAM", d.Line, d.Type))
		}
		if starred && k == reclaim && d.Star {
			k = nomap // kernels that print "*" made ACPI reclaim NOMAP too
		}
		addBank(l, d)
		switch k {
		case nomap:
			addReserved(l, d, true)
		case reclaim:
			addReserved(l, d, false)
		}
	}
	if len(l.Memory) == 0 {
		return nil, fmt.Errorf("the EFI memory map has no cacheable (WB/WT/WC) descriptor, so no memory")
	}
	if skipped > 0 {
		notes = append(notes, fmt.Sprintf("%d descriptors without a cacheable attribute (MMIO) are not memory and were skipped", skipped))
	}
	notes = append(notes, "descriptors are 4 KiB-granular; with 16K or 64K pages the kernel rounds NOMAP ones out to whole pages (memrange_efi_to_native)")
	guess.ScanDmesg(text).Apply(l, &notes)
	what := "EFI memory map"
	if name != "" && name != "-" {
		what += " " + name
	}
	if err := guess.Finish(l, what, notes); err != nil {
		return nil, err
	}
	return l, nil
}

// addBank extends the last bank when the descriptor follows it directly:
// memblock_add merges them the same way.
func addBank(l *layout.Layout, d Descriptor) {
	if n := len(l.Memory); n > 0 && l.Memory[n-1].End() == d.Base {
		l.Memory[n-1].Size += d.Size
		return
	}
	l.Memory = append(l.Memory, layout.Bank{Base: d.Base, Size: d.Size, Name: fmt.Sprintf("EFI memory@%x", uint64(d.Base))})
}

func addReserved(l *layout.Layout, d Descriptor, noMap bool) {
	if n := len(l.Reserved); n > 0 {
		last := &l.Reserved[n-1]
		if last.End() == d.Base && last.NoMap == noMap {
			last.Size += d.Size
			if !strings.Contains(last.Name, d.Type) {
				last.Name += " + " + d.Type
			}
			return
		}
	}
	l.Reserved = append(l.Reserved, layout.Reserved{Base: d.Base, Size: d.Size, Name: d.Type, NoMap: noMap})
}
