package evidence

import (
	"fmt"

	"linmap/sim"
	"linmap/sim/layout"
)

// reserved adds what was reserved before the linear map was built: the
// device tree's /memreserve/ and /reserved-memory (or the log's "OF:
// reserved mem" and pool lines, which are the same), a memblock=debug
// dump's reserved list, EFI ACPI reclaim memory. Lists taken at the end
// of boot (debugfs memblock.reserved, /proc/iomem's nested "reserved")
// also hold what the kernel allocated after map_mem — its own page tables
// among them — so they are not reservations; they only place the image
// and are checked against.
func (a *assembler) reserved() {
	for _, f := range a.ev.Files {
		if f.DT != nil {
			for _, r := range f.DT.Reserved {
				a.addReserved(r)
			}
			for _, n := range f.DTNotes {
				a.note("device tree", "", layout.Skipped, f.Where(0), "%s", n)
			}
		}
	}
	a.reservedFromLog()
	for _, f := range a.ev.Files {
		if d := f.MemblockDump; d != nil {
			n := 0
			for i, r := range d.Reserved {
				if a.addReserved(layout.Reserved{Base: layout.Addr(r.Base), Size: layout.Addr(r.Size), Name: fmt.Sprintf("reserved[%#x]", i)}) {
					n++
				}
			}
			if n > 0 {
				a.note("reserved", fmt.Sprintf("%d ranges", n), layout.Inferred, f.Where(d.Line), "memblock.reserved as dumped before map_mem(): the image, DTB and initrd are among them")
			}
		}
		if len(f.EFI) > 0 {
			for _, r := range efiReclaim(f, a.pageShift) {
				a.addReserved(r)
			}
		}
	}
	for _, f := range a.ev.Files {
		n := 0
		if ls := f.Memblock; ls != nil {
			n += len(ls.Reserved)
		}
		for _, r := range f.IOMem {
			if r.Depth == 1 && r.Name == "reserved" {
				n++
			}
		}
		if n > 0 {
			a.note("reserved", "", layout.Skipped, f.Where(0), "%d memblock.reserved ranges of %s are the state at the end of boot (with the kernel's own page tables, per-cpu areas, CMA): not imported as reservations, only used to place the image and to check", n, f.Where(0))
		}
	}
}

// reservedFromLog adds the reserved-memory regions a log names.
func (a *assembler) reservedFromLog() {
	cmaEarly := !a.eraEntry().Since.IsZero() && a.eraEntry().Since.Less(sim.Version{Major: 5, Minor: 4})
	for _, f := range a.ev.Logs() {
		for _, r := range f.Log.Reserved {
			res := layout.Reserved{Base: layout.Addr(r.Start), Size: layout.Addr(r.End - r.Start), Name: r.Name, NoMap: r.NoMap, Reusable: r.Reusable}
			switch r.Kind {
			case "cma", "qcom-cma":
				// dma_contiguous_reserve() ran in arm64_memblock_init()
				// before map_mem() until v5.x, in bootmem_init() after it
				// since.
				if !cmaEarly {
					a.note("reserved", "", layout.Skipped, f.Where(r.At.N), "the CMA area %#x..%#x is reserved after map_mem() in this era, so it does not shape the linear map", r.Start, r.End)
					continue
				}
			}
			if !a.inMemory(res) {
				continue
			}
			if a.addReserved(res) {
				a.note("reserved", fmt.Sprintf("%s %#x..%#x", r.Name, r.Start, r.End), layout.Inferred, f.Where(r.At.N), "a reserved-memory region the log names (no-map %v, reusable %v)", r.NoMap, r.Reusable)
			}
		}
	}
}

// addReserved adds r unless a range already there covers it with the same
// no-map flag (the same carve-out from two inputs). It reports whether r
// was added.
func (a *assembler) addReserved(r layout.Reserved) bool {
	if r.Size == 0 {
		return false
	}
	for _, o := range a.l.Reserved {
		if o.Base <= r.Base && r.End() <= o.End() && (o.NoMap || !r.NoMap) {
			return false
		}
	}
	a.l.Reserved = append(a.l.Reserved, r)
	return true
}

// inMemory reports whether r overlaps a bank.
func (a *assembler) inMemory(r layout.Reserved) bool {
	for _, b := range a.l.Memory {
		if r.Base < b.End() && b.Base < r.End() {
			return true
		}
	}
	return len(a.l.Memory) == 0 // no memory yet: keep everything
}
