package check

import (
	"fmt"

	"linmap/formats/evidence"
	"linmap/sim"
)

// physOffset checks "PHYS_OFFSET: 0x…", which arm64 prints with a panic
// (dump_kernel_offset()), and the PHYS_OFFSET a physical address printed
// with its linear address implies (the software IO TLB line of v3.x–v4.x).
func (c *checker) physOffset() {
	for _, f := range c.ev.Logs() {
		if p := f.Log.LinearPair; p != nil {
			fact := Fact{Kind: KindPhysOffset, What: "PHYS_OFFSET, from the software IO TLB's physical and linear addresses", Printed: Printed{Source: source(f, p.At.N, p.At.Text)}}
			if !c.unmodelled(&fact) {
				derived := p.PA - (p.VA - uint64(c.res.PageOffset))
				fact.Printed.Value = hex(derived)
				fact.Model = c.res.PhysOffset.String()
				fact.Verdict = Agrees
				fact.Ranges = []Range{{Space: "va", Start: Addr(p.VA), End: Addr(p.VA + 1)}, {Space: "pa", Start: Addr(p.PA), End: Addr(p.PA + 1)}}
				if derived != uint64(c.res.PhysOffset) {
					fact.Verdict = Differs
					fact.Cause = c.physOffsetCause(derived)
				}
				c.add(fact)
			}
		}
		v := f.Log.PhysOffset
		if v == nil {
			continue
		}
		fact := Fact{Kind: KindPhysOffset, What: "PHYS_OFFSET (memstart_addr)", Printed: Printed{hex(v.V), source(f, v.At.N, v.At.Text)}}
		if c.unmodelled(&fact) {
			continue
		}
		fact.Model = c.res.PhysOffset.String()
		fact.Verdict = Agrees
		if uint64(c.res.PhysOffset) != v.V {
			fact.Verdict = Differs
			fact.Cause = c.physOffsetCause(v.V)
		}
		c.add(fact)
	}
}

// physOffsetCause explains a PHYS_OFFSET that differs.
func (c *checker) physOffsetCause(printed uint64) string {
	model := uint64(c.res.PhysOffset)
	if c.linearKASLR() && printed < model && (model-printed)%(1<<29) == 0 {
		return fmt.Sprintf("linear-map KASLR lowered memstart_addr by %#x (a multiple of ARM64_MEMSTART_ALIGN); the seed is not in the input, so the model does not randomise", model-printed)
	}
	if start, _, ok := c.dram(); ok && printed > start {
		return "the kernel's PHYS_OFFSET is above the first memory the input gives: memory below it was dropped or not present at boot (the input may show memory added later, or a clipped bank)"
	}
	return "the memory the input gives does not start where the kernel's did: a bank missing from the input, or an era rule (memstart alignment) that differs"
}

// linearKASLR reports whether the model's era randomises the linear map
// and the layout has no seed to reproduce it.
func (c *checker) linearKASLR() bool {
	if c.l.Kernel.KASLRSeed != 0 {
		return false
	}
	v, _, ok := c.ev.Version()
	if ok {
		return v.AtLeast(sim.Version{Major: 4, Minor: 6}) && v.Less(sim.Version{Major: 6, Minor: 16})
	}
	e, ok := sim.LookupEra(c.res.Era)
	return ok && !e.Since.IsZero() && e.Since.AtLeast(sim.Version{Major: 4, Minor: 6}) && e.Since.Less(sim.Version{Major: 6, Minor: 16})
}

// headAtPageOffset: before v4.6 the linear map starts at PAGE_OFFSET =
// PHYS_OFFSET's address, so "memory :" starts at PAGE_OFFSET.
func (c *checker) headAtPageOffset() bool {
	e, ok := sim.LookupEra(c.res.Era)
	return ok && (e.Since.IsZero() || e.Since.Less(sim.Version{Major: 4, Minor: 6}))
}

// vmLayout checks the "memory :" line of "Virtual kernel memory layout"
// (v3.7 – v4.15): [__va(memblock_start_of_DRAM()) (PAGE_OFFSET before
// v4.6), high_memory), and the PHYS_OFFSET it implies.
func (c *checker) vmLayout() {
	for _, f := range c.ev.Logs() {
		vm := f.Log.VMLayout
		if vm == nil {
			continue
		}
		ar, ok := vm.Areas["memory"]
		if !ok {
			continue
		}
		src := source(f, ar.At.N, ar.At.Text)
		fact := Fact{Kind: KindLinearRange, What: "linear map (\"memory\" of Virtual kernel memory layout)", Printed: Printed{span(ar.Start, ar.End), src},
			Ranges: []Range{{Space: "va", Start: Addr(ar.Start), End: Addr(ar.End)}}}
		if c.unmodelled(&fact) {
			continue
		}
		if c.ev.Chosen.Memory == evidence.MemoryVMLayout && c.ev.Chosen.MemoryFile == f {
			fact.Verdict, fact.Model = Unchecked, ""
			fact.Cause = "the layout's memory was derived from this very line, so it cannot test it"
			c.add(fact)
			continue
		}
		start, end, _ := c.dram()
		ms, me := c.va(start), c.va(end)
		if c.headAtPageOffset() {
			ms = uint64(c.res.PageOffset)
		}
		fact.Model = span(ms, me)
		fact.Verdict = Agrees
		if ar.Start != ms || ar.End != me {
			fact.Verdict = Differs
			fact.Ranges = append(fact.Ranges, Range{Space: "va", Start: Addr(ms), End: Addr(me)})
			fact.Cause = c.linearRangeCause(ar.Start, ar.End, ms, me)
		}
		c.add(fact)

		// The PHYS_OFFSET the line implies.
		po := Fact{Kind: KindPhysOffset, What: "PHYS_OFFSET, from \"memory :\" and the memory the input gives", Printed: Printed{Source: src}}
		var derived uint64
		if c.headAtPageOffset() {
			// high_memory = __va(end of DRAM) = end − PHYS_OFFSET + PAGE_OFFSET.
			derived = end - (ar.End - ar.Start)
		} else {
			derived = start - (ar.Start - uint64(c.res.PageOffset))
		}
		po.Printed.Value = hex(derived)
		po.Model = c.res.PhysOffset.String()
		po.Verdict = Agrees
		if derived != uint64(c.res.PhysOffset) {
			po.Verdict = Differs
			po.Cause = c.physOffsetCause(derived)
		}
		po.Cause = joinCause("derived: the kernel does not print PHYS_OFFSET here", po.Cause)
		c.add(po)
	}
}

func (c *checker) linearRangeCause(ps, pe, ms, me uint64) string {
	switch {
	case ps-ms == pe-me && c.linearKASLR():
		return fmt.Sprintf("the whole range is shifted by %#x: linear-map KASLR randomised memstart_addr, and the seed is not in the input", ps-ms)
	case ps-ms == pe-me:
		return fmt.Sprintf("the whole range is shifted by %#x: PAGE_OFFSET (VA_BITS %d in the model) or PHYS_OFFSET differs", ps-ms, c.res.VABits)
	case ps == ms:
		return fmt.Sprintf("it ends %s the model's: the kernel's last memory (memblock_end_of_DRAM) is not the last the input gives — memory added after boot, or cut by mem= or the linear window", relation(pe, me))
	}
	return "both ends differ: the memory the input gives is not the memory the kernel had"
}

func relation(a, b uint64) string {
	if a < b {
		return fmt.Sprintf("%#x below", b-a)
	}
	return fmt.Sprintf("%#x above", a-b)
}

func joinCause(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
