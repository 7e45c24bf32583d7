package evidence

import (
	"fmt"

	"linmap/formats/systemmap"
	"linmap/sim"
	"linmap/sim/layout"
)

const sz2M = 2 << 20

// image places the kernel Image and sets its section offsets from the best
// evidence: where it lies from /proc/iomem's "Kernel code", a boot
// loader's load line, the image's memblock reservation or the read-only
// alias in a ptdump, else a boot loader's usual place; its sections from a
// System.map, /proc/iomem or the sizes in "Memory: … available (…)", else
// the era's typical build.
func (a *assembler) image() {
	if len(a.l.Memory) == 0 {
		return
	}
	placed := a.placeFromIOMem() || a.placeFromLoader() || a.placeFromReservation() || a.placeFromPtdump()
	if placed && !a.l.InMemory(a.l.Image.Base) {
		a.note("image.base", "", layout.Skipped, "", "the image's evidence puts it at %s, outside the memory banks given; it is placed as a boot loader would instead", a.l.Image.Base)
		a.l.Image = layout.Image{}
		placed = false
	}
	if !placed {
		off := a.textOffset()
		if a.placeImage(off) {
			a.note("image.base", a.l.Image.Base.String(), layout.Defaulted, "", "no input says where the kernel was loaded: the first free 2 MiB boundary (+ text_offset %#x) with room for the image, as UEFI's stub or U-Boot would", uint64(off))
		} else {
			a.note("image.base", "", layout.Skipped, "", "the memory given has no room for a kernel image")
		}
	}
	a.sections()
}

// textOffset is the Image header's text_offset: 0x80000 before v5.8, 0
// from v5.8 (by version when known, else the era's build).
func (a *assembler) textOffset() layout.Addr {
	if a.versionKnown {
		return layout.Addr(sim.TextOffsetFor(a.version))
	}
	return layout.Addr(a.eraEntry().Builds.Default.TextOffset)
}

// placeFromIOMem: "Kernel code" starts at _stext (or _text) and ends at
// __init_begin; "Kernel data" starts at _sdata (= __init_end) and ends at
// _end.
func (a *assembler) placeFromIOMem() bool {
	for _, f := range a.ev.Files {
		var code, data = -1, -1
		for i, r := range f.IOMem {
			if r.Depth == 1 && r.Name == "Kernel code" && code < 0 {
				code = i
			}
			if r.Depth == 1 && r.Name == "Kernel data" && data < 0 {
				data = i
			}
		}
		if code < 0 {
			continue
		}
		c := f.IOMem[code]
		end := uint64(0)
		if data >= 0 {
			end = f.IOMem[data].End + 1
		}
		a.imageAt(c.Start, end)
		im := &a.l.Image
		if init := layout.Addr(c.End+1) - im.Base; im.End == 0 || init <= im.End {
			im.InitBegin = init
		}
		if data >= 0 {
			if ie := layout.Addr(f.IOMem[data].Start) - im.Base; ie >= im.InitBegin {
				im.InitEnd = ie
			}
		}
		a.note("image.base", im.Base.String(), layout.Inferred, f.Where(c.Line), "from \"Kernel code\" (which starts at _text or at _stext = _text + 64 KiB) and \"Kernel data\"")
		return true
	}
	return false
}

// placeFromLoader: U-Boot's booti prints where it moves the Image.
func (a *assembler) placeFromLoader() bool {
	for _, f := range a.ev.Logs() {
		if v := f.Log.ImageLoad; v != nil {
			a.imageAt(v.V, 0)
			a.note("image.base", a.l.Image.Base.String(), layout.Inferred, f.Where(v.At.N), "the boot loader moved the Image there")
			return true
		}
	}
	return false
}

// placeFromReservation finds the image's own memblock reservation
// (memblock_reserve(__pa_symbol(_text or _stext), _end - …)): the first
// reserved region that starts where an image can (a 2 MiB boundary, + 64
// KiB for _stext, + 0x80000 for an old text_offset) and is image-sized.
// Only reserved lists are searched, never memory regions: a NOMAP region
// of that shape is firmware's, not the kernel.
func (a *assembler) placeFromReservation() bool {
	type cand struct {
		base, size  uint64
		where, what string
	}
	var cs []cand
	for _, f := range a.ev.Files {
		if d := f.MemblockDump; d != nil {
			for i, r := range d.Reserved {
				cs = append(cs, cand{r.Base, r.Size, f.Where(r.Line), fmt.Sprintf("reserved[%#x] of the memblock=debug dump", i)})
			}
		}
	}
	for _, f := range a.ev.Files {
		if ls := f.Memblock; ls != nil {
			for i, r := range ls.Reserved {
				cs = append(cs, cand{uint64(r.Base), uint64(r.Size), f.Where(r.Line), fmt.Sprintf("memblock.reserved[%d]", i)})
			}
		}
	}
	for _, c := range cs {
		switch c.base & (sz2M - 1) {
		case 0, 0x10000, 0x80000, 0x90000:
		default:
			continue
		}
		if c.size < 4<<20 || c.size > 256<<20 || a.overlapsNoMap(c.base, c.base+c.size) {
			continue
		}
		a.imageAt(c.base, c.base+c.size)
		a.note("image.base", a.l.Image.Base.String(), layout.Inferred, c.where, "the kernel image is taken to be %s (%#x..%#x): image-sized and starting where an image starts", c.what, c.base, c.base+c.size)
		return true
	}
	return false
}

func (a *assembler) overlapsNoMap(start, end uint64) bool {
	for _, r := range a.l.Reserved {
		if r.NoMap && uint64(r.Base) < end && start < uint64(r.End()) {
			return true
		}
	}
	return false
}

// placeFromPtdump: after boot the linear alias of [_text or _stext,
// __init_begin) is read-only ("ro"); with the memory rebuilt from the same
// dump (PHYS_OFFSET assumed), that gives the image's place.
func (a *assembler) placeFromPtdump() bool {
	for _, ld := range a.linearDumps() {
		f, lin, po := ld.file, ld.lin, ld.pageOffset
		for i, e := range lin.Entries {
			if !e.Mapped() || !e.Has("ro") || e.Start < po {
				continue
			}
			end := e.End
			for _, n := range lin.Entries[i+1:] {
				if n.Start != end || !n.Mapped() || !n.Has("ro") {
					break
				}
				end = n.End
			}
			a.imageAt(e.Start-po+ptdumpPhysOffset, 0)
			a.l.Image.InitBegin = layout.Addr(end-po+ptdumpPhysOffset) - a.l.Image.Base
			a.note("image.base", a.l.Image.Base.String(), layout.Inferred, f.Where(e.Line), "the first read-only stretch of the ptdump's linear map is the kernel's alias [_text or _stext, __init_begin), placed with PHYS_OFFSET %#x", ptdumpPhysOffset)
			return true
		}
	}
	return false
}

// imageAt places the image from the physical range it occupies: it starts
// at _text (2 MiB aligned plus text_offset) or, where the kernel reserves
// or publishes from _stext, 64 KiB further; end, when known, is _end.
func (a *assembler) imageAt(start, end uint64) {
	base, stext := start, uint64(0)
	if off := start & (sz2M - 1); off == 0x10000 || off == 0x90000 {
		base, stext = start-0x10000, 0x10000
	}
	im := &a.l.Image
	im.Base = layout.Addr(base)
	to := layout.Addr(base & (sz2M - 1))
	im.TextOffset = &to
	im.Stext = layout.Addr(stext)
	if end > base {
		im.End = layout.Addr(alignUp(end-base, 0x10000))
	}
}

// placeImage puts the image where UEFI's stub or U-Boot would: the lowest
// 2 MiB boundary (plus text_offset) with room for the image (64 MiB if
// possible) that touches no reserved range. It reports whether it found a
// place.
func (a *assembler) placeImage(off layout.Addr) bool {
	l := a.l
	size := layout.Addr(a.eraEntry().Builds.For(a.l.Kernel.PageSize).End)
	if l.Image.End > size {
		size = l.Image.End
	}
	for _, room := range []layout.Addr{max(64<<20, size), size} {
		for _, b := range l.Memory {
			for p := layout.Addr(alignUp(uint64(b.Base), sz2M)); p+off+room <= b.End() && p+off >= b.Base; p += sz2M {
				if p+off == 0 {
					continue // image.base 0 means "not placed"; loaders avoid PA 0 anyway
				}
				hit := layout.Addr(0)
				for _, r := range l.Reserved {
					if r.Base < p+off+room && p < r.End() {
						hit = r.End()
						break
					}
				}
				if hit == 0 {
					l.Image.Base = p + off
					l.Image.TextOffset = &off
					return true
				}
				if hit > p {
					next := layout.Addr(alignUp(uint64(hit), sz2M))
					if next <= p {
						break // the reservation runs to the top of the address space
					}
					p = next - sz2M
				}
				if p+sz2M < p {
					break
				}
			}
		}
	}
	return false
}

// sections sets the image's section offsets: a System.map, else the sizes
// of the "Memory:" line, for the offsets iomem did not give.
func (a *assembler) sections() {
	im := &a.l.Image
	gap := a.eraEntry().Builds.For(a.l.Kernel.PageSize).Stext
	for _, f := range a.ev.Files {
		if f.Symbols == nil {
			continue
		}
		s, err := f.Symbols.Sections(gap)
		if err != nil {
			a.note("image", "", layout.Skipped, f.Where(0), "the System.map is not used: %v", err)
			continue
		}
		a.fromSymbols(f, s)
		return
	}
	for _, f := range a.ev.Logs() {
		m := f.Log.Memory
		if m == nil || !m.Sizes || im.InitBegin != 0 && im.End != 0 {
			continue
		}
		const seg = 0x10000 // SEGMENT_ALIGN
		stext := uint64(im.Stext)
		if stext == 0 {
			stext = gap
		}
		etext := alignUp(stext+m.CodeK<<10, seg)
		initBegin := alignUp(etext+m.RODataK<<10, seg) + seg // + the page-table pages at the end of rodata
		initEnd := alignUp(initBegin+m.InitK<<10, seg)
		bssStop := alignUp(initEnd+(m.RWDataK+m.BSSK)<<10, 0x1000)
		end := alignUp(bssStop, seg)
		if im.InitBegin == 0 {
			im.Stext, im.Etext, im.InitBegin = layout.Addr(stext), layout.Addr(etext), layout.Addr(initBegin)
		}
		if im.End == 0 {
			im.InitEnd, im.BssStop, im.End = layout.Addr(initEnd), layout.Addr(bssStop), layout.Addr(end)
		}
		a.note("image", fmt.Sprintf("etext %s, init_begin %s, end %s", im.Etext, im.InitBegin, im.End), layout.Inferred, f.Where(m.At.N), "section offsets from the sizes in the Memory: line (kernel code, rodata, init, rwdata, bss), within 64 KiB; give System.map for exact ones")
		return
	}
	if im.InitBegin == 0 {
		b := a.eraEntry().Builds.For(a.l.Kernel.PageSize)
		a.note("image", fmt.Sprintf("init_begin %#x, end %#x", b.InitBegin, b.End), layout.Defaulted, "", "no System.map, /proc/iomem or Memory: line gives the image's sections: era %s's typical build", a.l.Kernel.Era)
	}
}

func (a *assembler) fromSymbols(f *File, s systemmap.Sections) {
	im := &a.l.Image
	set := func(dst *layout.Addr, v uint64) {
		if v != 0 {
			*dst = layout.Addr(v)
		}
	}
	set(&im.Stext, s.Stext)
	set(&im.Etext, s.Etext)
	set(&im.InitBegin, s.InitBegin)
	set(&im.InitEnd, s.InitEnd)
	set(&im.BssStop, s.BssStop)
	set(&im.End, s.End)
	// Link-time _text lies text_offset above a 2 MiB boundary (KASLR
	// moves it by multiples of 2 MiB).
	to := layout.Addr(s.TextOffset)
	if im.TextOffset == nil || *im.TextOffset != to {
		if im.Base != 0 && im.Base&(sz2M-1) != to {
			a.note("image.text_offset", to.String(), layout.Inferred, f.Where(s.Lines["_text"]), "_text in the System.map is %#x above a 2 MiB boundary; the image's place was moved to match", uint64(to))
			im.Base = im.Base&^(sz2M-1) + to
		}
		im.TextOffset = &to
	}
	if s.TextFromStext {
		a.note("image.stext", im.Stext.String(), layout.Defaulted, f.Where(s.Lines["_stext"]), "the symbol list has no _text (kallsyms without KALLSYMS_ALL): _text is taken to be _stext − %#x, the era's usual gap", im.Stext)
	}
}
