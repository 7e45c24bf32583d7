// Package check sets what a real machine printed beside what linmap's model
// of it predicts, fact by fact. Given what a board printed — a boot log,
// /proc/iomem, memblock lists, an EFI map, a ptdump, its .config and
// System.map — Run builds the layout from them (package formats), simulates
// it (package sim) and compares every fact the machine printed that the
// model can answer: PHYS_OFFSET and the linear range of "Virtual kernel
// memory layout", the totals of "Memory: X/Y available", the warnings and
// panics of the linear-map code, memblock's lists, and the Linear Mapping
// section of a ptdump range by range. Each fact agrees, differs (with both
// values and the likely cause) or cannot be checked from the input.
//
// The CLI (linmap check) and the browser app call Run and render the
// Report; its JSON field names are stable (docs/formats.md).
package check

import (
	"errors"
	"fmt"

	"linmap/formats"
	"linmap/formats/evidence"
	"linmap/sim"
	"linmap/sim/layout"
	"linmap/sim/result"
)

// Verdicts.
const (
	Agrees    = "agrees"
	Differs   = "differs"
	Unchecked = "unchecked" // the input does not let the model answer
)

// Fact kinds.
const (
	KindPhysOffset      = "phys-offset"      // PHYS_OFFSET (memstart_addr)
	KindLinearRange     = "linear-range"     // "memory :" of Virtual kernel memory layout
	KindMemoryTotal     = "memory-total"     // Y of "Memory: X/Y available"
	KindMemoryAvailable = "memory-available" // X of "Memory: X/Y available"
	KindWarning         = "warning"          // a message of the linear-map or memblock code
	KindFatal           = "fatal"            // a panic, BUG or oops
	KindMemblock        = "memblock-memory"  // a memblock.memory list (debugfs, memblock=debug)
	KindNodeRanges      = "node-ranges"      // "Early memory node ranges"
	KindIOMem           = "iomem"            // /proc/iomem's System RAM and NOMAP "reserved"
	KindEFI             = "efi-memory-map"   // an efi=debug map as reserve_regions() takes it
	KindPtdump          = "ptdump"           // one range of a ptdump's Linear Mapping section
)

// Addr is a 64-bit address, written as a hex string.
type Addr = layout.Addr

// Source is where a machine printed a fact.
type Source struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Text string `json:"text,omitempty"` // the line as printed (prefixes removed)
}

// Printed is what the machine printed.
type Printed struct {
	Value  string `json:"value"`
	Source Source `json:"source"`
}

// Range is an address range a fact is about, for marking it in a view.
type Range struct {
	Space string `json:"space"` // "pa" or "va"
	Start Addr   `json:"start"`
	End   Addr   `json:"end"` // first address past the range
}

// Fact is one thing the machine printed, set beside the model's answer.
type Fact struct {
	Kind    string  `json:"kind"`
	What    string  `json:"what"` // the subject, for people: "PHYS_OFFSET", "linear map 0x…-0x…"
	Printed Printed `json:"printed"`
	Model   string  `json:"model"` // what the model says ("" when it cannot say)
	Verdict string  `json:"verdict"`
	// Cause is the likely reason for a difference, or why the fact cannot
	// be checked; for an agreeing fact, any caveat.
	Cause  string  `json:"cause,omitempty"`
	Ranges []Range `json:"ranges,omitempty"`
}

// InputInfo names one input and what was read from it.
type InputInfo struct {
	Name    string   `json:"name"`
	Formats []string `json:"formats"`
}

// Summary counts the verdicts.
type Summary struct {
	Agrees    int `json:"agrees"`
	Differs   int `json:"differs"`
	Unchecked int `json:"unchecked"`
}

// Report is everything Run found.
type Report struct {
	Inputs  []InputInfo    `json:"inputs"`
	Layout  *layout.Layout `json:"layout"` // what was simulated, with its assumptions
	Result  *result.Result `json:"result"`
	Facts   []Fact         `json:"facts"`
	Summary Summary        `json:"summary"`
	// Problem says why there is no model (Result is null): no input gives
	// the memory, or the engine refuses the layout they give. The facts
	// the inputs print are then all unchecked.
	Problem string `json:"problem,omitempty"`
}

// Options override what the inputs imply, to test a hypothesis ("what if
// this were era v6.18?"). Zero values override nothing.
type Options struct {
	Era      string  `json:"era,omitempty"`
	PageSize string  `json:"page_size,omitempty"`
	VABits   int     `json:"va_bits,omitempty"`
	Cmdline  *string `json:"cmdline,omitempty"`
}

func (o Options) apply(l *layout.Layout) {
	if o.Era != "" {
		l.Kernel.Era = o.Era
	}
	if o.PageSize != "" {
		l.Kernel.PageSize = o.PageSize
	}
	if o.VABits != 0 {
		l.Kernel.VABits = o.VABits
	}
	if o.Cmdline != nil {
		l.Kernel.Cmdline = *o.Cmdline
	}
}

// Run reads the inputs, builds the layout (with opts applied), simulates
// it, and checks every fact the inputs print. It returns an error only for
// input it cannot read (a syntax error, an unrecognised file); inputs that
// give no memory, or a layout the era refuses, give a report whose facts
// are unchecked and whose Problem says why. A simulated panic or a
// machine that disagrees is a report too.
func Run(inputs []formats.Input, opts Options) (*Report, error) {
	if len(inputs) == 0 {
		return nil, errors.New("no input: give a boot log, /proc/iomem, memblock lists, an EFI map, a ptdump, a .config or System.map")
	}
	l, ev, err := formats.ImportAll(inputs)
	c := &checker{ev: ev, l: l}
	rep := &Report{Layout: l}
	switch {
	case errors.Is(err, evidence.ErrNoMemory):
		rep.Problem = err.Error()
		c.noModel = "no input gives the memory, so there is no model to compare with"
	case err != nil:
		return nil, err
	default:
		opts.apply(l)
		if c.res, err = sim.Run(l); err != nil {
			// The inputs are readable but not enough for this era (an
			// image with no room, a page size the era lacks): report what
			// they print, unchecked.
			rep.Problem = fmt.Sprintf("the layout built from the inputs cannot be simulated: %v", err)
			c.noModel = "the layout built from the inputs cannot be simulated (see the problem above), so there is no model to compare with"
		}
	}
	c.run()
	rep.Result, rep.Facts = c.res, c.facts
	for _, f := range ev.Files {
		rep.Inputs = append(rep.Inputs, InputInfo{Name: formats.DisplayName(f.Name), Formats: f.Formats})
	}
	for _, f := range c.facts {
		switch f.Verdict {
		case Agrees:
			rep.Summary.Agrees++
		case Differs:
			rep.Summary.Differs++
		default:
			rep.Summary.Unchecked++
		}
	}
	return rep, nil
}

// checker holds one check's state.
type checker struct {
	ev  *evidence.Evidence
	l   *layout.Layout
	res *result.Result // nil when there is no model
	// noModel is the cause given to every fact when res is nil.
	noModel string
	facts   []Fact
}

func (c *checker) run() {
	c.physOffset()
	c.vmLayout()
	c.memoryLine()
	c.messages()
	c.memblockLists()
	c.iomem()
	c.nodeRanges()
	c.efiMap()
	c.ptdumps()
}

func (c *checker) add(f Fact) {
	if f.Verdict == Differs && c.eraDefaulted() {
		f.Cause = joinCause(f.Cause, "the era ("+c.l.Kernel.Era+") is a default, not read from the inputs: give the kernel version (a \"Linux version\" line, /proc/version, the .config) or -era")
	}
	c.facts = append(c.facts, f)
}

// eraDefaulted reports whether the layout's era is a default rather than
// read off the inputs.
func (c *checker) eraDefaulted() bool {
	if c.l == nil {
		return false
	}
	for _, a := range c.l.Assumptions {
		if a.Field == "kernel.era" {
			return a.Kind == layout.Defaulted
		}
	}
	return false
}

// source names a line of a file.
func source(f *evidence.File, line int, text string) Source {
	return Source{File: formats.DisplayName(f.Name), Line: line, Text: text}
}

// va is the model's linear address of pa: __phys_to_virt().
func (c *checker) va(pa uint64) uint64 {
	return pa - uint64(c.res.PhysOffset) + uint64(c.res.PageOffset)
}

// pa is the model's physical address behind a linear address.
func (c *checker) pa(va uint64) uint64 {
	return va - uint64(c.res.PageOffset) + uint64(c.res.PhysOffset)
}

// dram is [memblock_start_of_DRAM, memblock_end_of_DRAM) of the model.
func (c *checker) dram() (start, end uint64, ok bool) {
	m := c.res.Memblock.Memory
	if len(m) == 0 {
		return 0, 0, false
	}
	return uint64(m[0].Base), uint64(m[len(m)-1].Base + m[len(m)-1].Size), true
}

func hex(x uint64) string { return fmt.Sprintf("%#x", x) }

func span(a, b uint64) string { return fmt.Sprintf("%#x-%#x", a, b) }

// sizeK is a size in KiB as the kernel prints it.
func sizeK(b uint64) string { return fmt.Sprintf("%dK", b>>10) }
