package evidence

import (
	"fmt"
	"strings"

	"linmap/formats/efi"
	"linmap/formats/memblockdebug"
	"linmap/formats/ptdump"
	"linmap/sim/layout"
)

// memSource is one complete description of the memory banks.
type memSource struct {
	kind  string // one of the Memory* names
	file  *File
	what  string // for the note: "memblock debugfs list"
	where string
	banks []layout.Bank
	nomap []layout.Reserved // NOMAP regions, as no-map reservations
	// showsNoMap: the source tells NOMAP regions apart (else they are
	// taken from other inputs).
	showsNoMap bool
	// span: the banks are a range the memory lies in, holes included (the
	// virtual layout's "memory" line), not a list of it.
	span bool
	// notes are the source's own assumptions, kept if it is chosen.
	notes []layout.Assumption
}

func (s *memSource) note(field, value, kind, source, format string, args ...any) {
	s.notes = append(s.notes, layout.Assumption{Field: field, Value: value, Kind: kind, Source: source, Reason: fmt.Sprintf(format, args...)})
}

// memory takes the banks from the best source: the device tree (what
// firmware declared), then the kernel's own lists (memblock debugfs with
// flags, memblock=debug, debugfs without flags, /proc/iomem, the log's
// early node ranges: complete, and after EFI's page rounding), the EFI map
// (often pasted in part), and last what a virtual-layout line or a ptdump
// implies.
func (a *assembler) memory() {
	var srcs []memSource
	for _, pick := range []func() []memSource{a.fromDT, a.fromFDTLines, a.fromMemblock, a.fromMemblockDump, a.fromPlainMemblock, a.fromIOMem, a.fromNodeRanges, a.fromEFI, a.fromVMLayout, a.fromPtdump} {
		srcs = append(srcs, pick()...)
	}
	if len(srcs) == 0 {
		return
	}
	// A source that shows less than half of what another shows is an
	// excerpt (a few lines quoted in a mail): the next one is taken.
	var most layout.Addr
	for _, s := range srcs {
		if !s.span {
			most = max(most, s.total())
		}
	}
	for len(srcs) > 1 && srcs[0].total() < most/2 {
		a.note("memory", "", layout.Skipped, srcs[0].where, "the %s shows only %s of the %s another input shows: taken for an excerpt", srcs[0].what, srcs[0].total(), most)
		srcs = append(srcs[1:], srcs[0])
	}
	s := srcs[0]
	a.ev.Chosen = Choices{Memory: s.kind, MemoryFile: s.file}
	a.l.Assumptions = append(a.l.Assumptions, s.notes...)
	a.l.Memory = s.banks
	a.l.Reserved = append(a.l.Reserved, s.nomap...)
	var others []string
	for _, o := range srcs[1:] {
		others = append(others, o.what)
	}
	why := fmt.Sprintf("memory banks from the %s", s.what)
	if len(others) > 0 {
		why += fmt.Sprintf("; also given: %s (used to check, not to build)", strings.Join(dedupe(others), ", "))
	}
	banks := fmt.Sprintf("%d banks", len(s.banks))
	if len(s.banks) == 1 {
		banks = "1 bank"
	}
	a.note("memory", banks, layout.Inferred, s.where, "%s", why)
	if !s.showsNoMap {
		a.noMapFromOthers(s)
	}
}

// joinBank appends b, or grows the last bank when b continues it on the
// same node: memblock_add() merges such regions too.
func joinBank(banks []layout.Bank, b layout.Bank) []layout.Bank {
	if n := len(banks); n > 0 && banks[n-1].End() == b.Base && banks[n-1].NID == b.NID {
		banks[n-1].Size += b.Size
		return banks
	}
	return append(banks, b)
}

func (s memSource) total() layout.Addr {
	var n layout.Addr
	for _, b := range s.banks {
		n += b.Size
	}
	return n
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func (a *assembler) fromDT() []memSource {
	var out []memSource
	for _, f := range a.ev.Files {
		if f.DT != nil && len(f.DT.Memory) > 0 {
			out = append(out, memSource{kind: MemoryDT, file: f, what: "device tree's memory nodes", where: f.Where(0), banks: f.DT.Memory, showsNoMap: true})
		}
	}
	return out
}

// fromFDTLines reads the memory banks a vendor kernel's device-tree scan
// prints (firmware's declaration, like a device tree).
func (a *assembler) fromFDTLines() []memSource {
	var out []memSource
	for _, f := range a.ev.Logs() {
		if len(f.Log.FDTMemory) == 0 {
			continue
		}
		s := memSource{kind: MemoryFDTLines, file: f, what: "device-tree memory lines of the log", where: f.Where(f.Log.FDTMemory[0].At.N)}
		for _, r := range f.Log.FDTMemory {
			s.banks = append(s.banks, layout.Bank{Base: layout.Addr(r.Start), Size: layout.Addr(r.End - r.Start), Name: fmt.Sprintf("memory@%x", r.Start)})
		}
		out = append(out, s)
	}
	return out
}

// fromMemblock reads the debugfs lists with flags (v6.5+); lists without
// flags come after memblock=debug (fromPlainMemblock).
func (a *assembler) fromMemblock() []memSource {
	var out []memSource
	for _, f := range a.ev.Files {
		ls := f.Memblock
		if ls == nil || len(ls.Memory) == 0 || !ls.Flagged {
			continue
		}
		s := memSource{kind: MemoryMemblock, file: f, what: "memblock debugfs list", where: f.Where(ls.Memory[0].Line), showsNoMap: true}
		for _, n := range ls.Replaced {
			s.note("memory", "", layout.Skipped, f.Where(n), "a list named again by its header replaces the one before it (a later read of the same file)")
		}
		for i, r := range ls.Memory {
			name := fmt.Sprintf("memblock.memory[%d]", i)
			if r.Has("DRV_MNG") {
				s.note("memory", "", layout.Skipped, f.Where(r.Line), "%s (%#x..%#x) is DRV_MNG: memory a driver hot-added after boot (add_memory_driver_managed), not there when the linear map was built", name, uint64(r.Base), uint64(r.Base+r.Size))
				continue
			}
			b := layout.Bank{Base: r.Base, Size: r.Size, Name: name, Hotplug: r.Has("HOTPLUG")}
			if r.NID > 0 {
				b.NID = r.NID
			}
			s.banks = append(s.banks, b)
			if r.Has("NOMAP") {
				s.nomap = append(s.nomap, layout.Reserved{Base: r.Base, Size: r.Size, Name: name + " NOMAP", NoMap: true})
			}
		}
		if len(s.banks) > 0 {
			out = append(out, s)
		}
	}
	return out
}

func (a *assembler) fromMemblockDump() []memSource {
	var out []memSource
	for _, f := range a.ev.Files {
		d := f.MemblockDump
		if d == nil {
			continue
		}
		s := memSource{kind: MemoryMemblockDump, file: f, what: "memblock=debug dump", where: f.Where(d.Line), showsNoMap: true}
		for i, r := range d.Memory {
			name := fmt.Sprintf("memory[%#x]", i)
			if r.Flags&memblockdebug.FlagDriverManaged != 0 {
				s.note("memory", "", layout.Skipped, f.Where(r.Line), "%s is driver-managed memory, hot-added after boot", name)
				continue
			}
			s.banks = append(s.banks, layout.Bank{Base: layout.Addr(r.Base), Size: layout.Addr(r.Size), NID: r.NID, Hotplug: r.Flags&memblockdebug.FlagHotplug != 0, Name: name})
			if r.Flags&memblockdebug.FlagNoMap != 0 {
				s.nomap = append(s.nomap, layout.Reserved{Base: layout.Addr(r.Base), Size: layout.Addr(r.Size), NoMap: true, Name: name + " NOMAP"})
			}
		}
		if len(s.banks) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// fromPlainMemblock reads debugfs lists without flags (before v6.5):
// NOMAP regions are there but not marked.
func (a *assembler) fromPlainMemblock() []memSource {
	var out []memSource
	for _, f := range a.ev.Files {
		if ls := f.Memblock; ls != nil && !ls.Flagged && len(ls.Memory) > 0 {
			s := memSource{kind: MemoryPlainMemblock, file: f, what: "memblock debugfs list (without flags)", where: f.Where(ls.Memory[0].Line)}
			for i, r := range ls.Memory {
				s.banks = append(s.banks, layout.Bank{Base: r.Base, Size: r.Size, Name: fmt.Sprintf("memblock.memory[%d]", i)})
			}
			out = append(out, s)
		}
	}
	return out
}

// fromIOMem reads the top level of /proc/iomem: request_standard_resources()
// publishes each memblock.memory region as "System RAM", or "reserved"
// when it is NOMAP. Memory a driver added later is "System RAM (kmem)" and
// the like.
func (a *assembler) fromIOMem() []memSource {
	var out []memSource
	for _, f := range a.ev.Files {
		if len(f.IOMem) == 0 {
			continue
		}
		s := memSource{kind: MemoryIOMem, file: f, what: "/proc/iomem", where: f.Where(f.IOMem[0].Line), showsNoMap: true}
		for _, r := range f.IOMem {
			if r.Depth != 0 {
				continue
			}
			base, size := layout.Addr(r.Start), layout.Addr(r.End-r.Start+1)
			switch {
			case r.Name == "System RAM" || r.Name == "reserved":
				// System RAM is split around NOMAP regions, but it is one bank.
				s.banks = joinBank(s.banks, layout.Bank{Base: base, Size: size, Name: "System RAM"})
				if r.Name == "reserved" {
					s.nomap = append(s.nomap, layout.Reserved{Base: base, Size: size, Name: "reserved (NOMAP)", NoMap: true})
				}
			case strings.HasPrefix(r.Name, "System RAM ("):
				s.note("memory", "", layout.Skipped, f.Where(r.Line), "%q (%#x..%#x) is memory a driver added after boot", r.Name, r.Start, r.End+1)
			}
		}
		if len(s.banks) > 0 {
			out = append(out, s)
		} else {
			a.empty = append(a.empty, fmt.Sprintf("%s has no top-level \"System RAM\" line", f.Where(0)))
		}
	}
	return out
}

// fromEFI applies reserve_regions() to an efi=debug map.
func (a *assembler) fromEFI() []memSource {
	var out []memSource
	for _, f := range a.ev.Files {
		if len(f.EFI) == 0 {
			continue
		}
		page := uint64(1) << a.pageShift
		mb := efi.ReserveRegions(f.EFI, page)
		s := memSource{kind: MemoryEFI, file: f, what: "EFI memory map", where: f.Where(f.EFI[0].Line), showsNoMap: true}
		for _, r := range mb.Memory {
			s.banks = append(s.banks, layout.Bank{Base: layout.Addr(r.Base), Size: layout.Addr(r.End - r.Base), Name: fmt.Sprintf("EFI memory@%x", r.Base)})
		}
		for _, r := range mb.NoMap {
			s.nomap = append(s.nomap, layout.Reserved{Base: layout.Addr(r.Base), Size: layout.Addr(r.End - r.Base), Name: r.Types, NoMap: true})
		}
		if page > 4096 {
			s.note("reserved", "", layout.Inferred, s.where, "EFI descriptors are 4 KiB-granular; with %s pages each is rounded out to whole pages (memrange_efi_to_native), and a NOMAP one takes its whole page out of the linear map", a.l.Kernel.PageSize)
		}
		if mb.NotMemory > 0 {
			s.note("memory", "", layout.Skipped, s.where, "%d EFI descriptors without a cacheable attribute (MMIO) are not memory", mb.NotMemory)
		}
		for _, line := range mb.SoftReserved {
			s.note("memory", "", layout.Inferred, f.Where(line), "special-purpose (SP) memory is imported as RAM, as kernels with efi=nosoftreserve treat it; others leave it out")
		}
		if len(s.banks) > 0 {
			out = append(out, s)
		} else {
			a.empty = append(a.empty, fmt.Sprintf("the EFI memory map of %s has no cacheable (WB/WT/WC) descriptor, so no memory", f.Where(0)))
		}
	}
	return out
}

// fromNodeRanges reads "Early memory node ranges": each memblock.memory
// region, adjacent ones split where their flags differ.
func (a *assembler) fromNodeRanges() []memSource {
	var out []memSource
	for _, f := range a.ev.Logs() {
		nr := f.Log.NodeRanges
		if len(nr) == 0 {
			continue
		}
		s := memSource{kind: MemoryNodeRanges, file: f, what: "early memory node ranges of the log", where: f.Where(nr[0].At.N)}
		for _, r := range nr {
			s.banks = joinBank(s.banks, layout.Bank{Base: layout.Addr(r.Start), Size: layout.Addr(r.End - r.Start), NID: r.NID, Name: fmt.Sprintf("node %d", r.NID)})
		}
		splits := len(nr) - len(s.banks)
		if splits > 0 {
			s.note("reserved", "", layout.Defaulted, s.where, "%d node ranges touch the one before: memblock keeps regions apart only when their flags differ, so some are NOMAP (or MIRROR/HOTPLUG); only those named by other lines (OF: reserved mem … nomap, an EFI map) are imported as no-map", splits)
		}
		out = append(out, s)
	}
	return out
}

// fromVMLayout takes one bank from "memory :" of "Virtual kernel memory
// layout" (v3.7 – v4.15): [__va(start of DRAM), high_memory). PHYS_OFFSET
// comes from a "PHYS_OFFSET:" or software IO TLB line when the log has one;
// holes inside the range are not shown.
func (a *assembler) fromVMLayout() []memSource {
	for _, f := range a.ev.Logs() {
		lg := f.Log
		if lg.VMLayout == nil {
			continue
		}
		ar, ok := lg.VMLayout.Areas["memory"]
		if !ok || ar.End <= ar.Start {
			continue
		}
		va := a.l.Kernel.VABits
		if va == 0 {
			va = a.eraEntry().Kconfig.DefaultVABits[a.l.Kernel.PageSize]
		}
		pageOffset := ^uint64(0) << (va - 1) // before v5.4: the upper half
		if ar.Start < pageOffset {
			continue
		}
		po, how := uint64(ptdumpPhysOffset), fmt.Sprintf("PHYS_OFFSET %#x assumed (only alignment matters to the map's shape)", ptdumpPhysOffset)
		kind, where := layout.Defaulted, f.Where(ar.At.N)
		switch {
		case lg.PhysOffset != nil:
			po, how, kind, where = lg.PhysOffset.V, "PHYS_OFFSET as the log prints it", layout.Inferred, f.Where(lg.PhysOffset.At.N)
		case lg.LinearPair != nil && lg.LinearPair.VA >= pageOffset:
			p := lg.LinearPair
			po, how, kind, where = p.PA-(p.VA-pageOffset), fmt.Sprintf("PHYS_OFFSET %#x from the software IO TLB's physical and linear addresses", p.PA-(p.VA-pageOffset)), layout.Inferred, f.Where(p.At.N)
		}
		base, size := po+(ar.Start-pageOffset), ar.End-ar.Start
		s := memSource{kind: MemoryVMLayout, file: f, what: "\"memory\" line of the virtual kernel memory layout", where: f.Where(ar.At.N), span: true,
			banks: []layout.Bank{{Base: layout.Addr(base), Size: layout.Addr(size), Name: "virtual layout \"memory\""}}}
		s.note("memory", fmt.Sprintf("%#x..%#x", base, base+size), kind, where, "one bank from \"memory :\" of the virtual kernel memory layout, with %s; holes inside it are not shown", how)
		if m := lg.Memory; m != nil && m.TotalK<<10 < size {
			s.note("memory", "", layout.Defaulted, f.Where(m.At.N), "the kernel counts %dK of memory, less than the %dK the range spans: it has holes (NOMAP regions or gaps) the log does not place", m.TotalK, size>>10)
		}
		return []memSource{s}
	}
	return nil
}

// fromPtdump rebuilds memory from the ranges a linear-map dump maps: the
// linear map covers memblock.memory minus NOMAP. PHYS_OFFSET is not in a
// ptdump; 0x40000000 is assumed (only the alignment matters for the map's
// shape, and memstart_addr is 1 GiB aligned).
func (a *assembler) fromPtdump() []memSource {
	for _, ld := range a.linearDumps() {
		f, lin, po := ld.file, ld.lin, ld.pageOffset
		s := memSource{kind: MemoryPtdump, file: f, what: "ranges the ptdump's linear map maps", where: f.Where(lin.Line), showsNoMap: true}
		for _, e := range lin.Entries {
			if !e.Mapped() || e.Start < po {
				continue
			}
			s.banks = joinBank(s.banks, layout.Bank{Base: layout.Addr(e.Start - po + ptdumpPhysOffset), Size: layout.Addr(e.Size()), Name: "mapped"})
		}
		if len(s.banks) == 0 {
			continue
		}
		s.note("memory", fmt.Sprintf("PHYS_OFFSET %#x", ptdumpPhysOffset), layout.Defaulted, s.where, "no input gives the memory: banks are the ranges the linear map maps, placed with PHYS_OFFSET %#x (a ptdump shows no physical addresses; only alignment matters to the map's shape)", ptdumpPhysOffset)
		return []memSource{s}
	}
	return nil
}

const ptdumpPhysOffset = 0x40000000

// linearDump is a ptdump's linear-map section with its PAGE_OFFSET.
type linearDump struct {
	file       *File
	lin        *ptdump.Section
	pageOffset uint64
}

// linearDumps are the linear-map sections of every ptdump given.
func (a *assembler) linearDumps() []linearDump {
	var out []linearDump
	for _, f := range a.ev.Files {
		for _, d := range f.Ptdumps {
			if lin := d.Linear(); lin != nil {
				if po, ok := a.pageOffset(lin); ok {
					out = append(out, linearDump{f, lin, po})
				}
			}
		}
	}
	return out
}

// pageOffset is PAGE_OFFSET for a linear-map dump: where the section
// starts (v5.4+, which prints holes too), or -(1 << (VA_BITS - 1)) before.
func (a *assembler) pageOffset(lin *ptdump.Section) (uint64, bool) {
	if len(lin.Entries) == 0 {
		return 0, false
	}
	if lin.Flipped() {
		return lin.Entries[0].Start, true
	}
	va := a.l.Kernel.VABits
	if va == 0 {
		va = a.eraEntry().Kconfig.DefaultVABits[a.l.Kernel.PageSize]
	}
	return ^uint64(0) << (va - 1), true
}

// noMapFromOthers adds the NOMAP regions other inputs name when the memory
// source cannot show them: iomem's top-level "reserved", an EFI map's
// non-usable descriptors, a memblock=debug dump's flags. DT no-map
// carve-outs named by "OF: reserved mem" lines are reservations (see
// reserved) and need nothing here.
func (a *assembler) noMapFromOthers(s memSource) {
	for _, f := range a.ev.Files {
		var rs []layout.Reserved
		if len(f.IOMem) > 0 {
			for _, r := range f.IOMem {
				if r.Depth == 0 && r.Name == "reserved" {
					rs = append(rs, layout.Reserved{Base: layout.Addr(r.Start), Size: layout.Addr(r.End - r.Start + 1), Name: "reserved (NOMAP)", NoMap: true})
				}
			}
		}
		if len(f.EFI) > 0 {
			for _, r := range efi.ReserveRegions(f.EFI, uint64(1)<<a.pageShift).NoMap {
				rs = append(rs, layout.Reserved{Base: layout.Addr(r.Base), Size: layout.Addr(r.End - r.Base), Name: r.Types, NoMap: true})
			}
		}
		if d := f.MemblockDump; d != nil {
			for i, r := range d.Memory {
				if r.Flags&memblockdebug.FlagNoMap != 0 {
					rs = append(rs, layout.Reserved{Base: layout.Addr(r.Base), Size: layout.Addr(r.Size), Name: fmt.Sprintf("memory[%#x] NOMAP", i), NoMap: true})
				}
			}
		}
		added := 0
		for _, r := range rs {
			if a.inMemory(r) && a.addReserved(r) {
				added++
			}
		}
		if added > 0 {
			a.note("reserved", fmt.Sprintf("%d no-map", added), layout.Inferred, f.Where(0), "the %s does not show NOMAP regions; %d are taken from %s", s.what, added, f.Where(0))
		}
	}
}

// efiReclaim is the ACPI reclaim memory reserve_regions() memblock_reserve()s.
func efiReclaim(f *File, pageShift int) []layout.Reserved {
	var out []layout.Reserved
	for _, r := range efi.ReserveRegions(f.EFI, uint64(1)<<pageShift).Reserve {
		out = append(out, layout.Reserved{Base: layout.Addr(r.Base), Size: layout.Addr(r.End - r.Base), Name: r.Types})
	}
	return out
}
