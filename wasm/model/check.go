package model

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"linmap/check"
	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/numfmt"
)

// CheckOptions override what the inputs imply, to test a hypothesis, as
// linmap check's -era and -cmdline do; "" keeps what the inputs say.
type CheckOptions struct {
	Era     string `json:"era" js:"era"`
	Cmdline string `json:"cmdline" js:"cmdline"`
}

// Override is a layout field an option set against what the inputs
// imply.
type Override struct {
	Field   string // "kernel.era"
	Chosen  string // the option's value
	Implied string // what the inputs implied ("" when nothing did)
	Reason  string // why the inputs implied it
}

// checkRun is a check against the board and how it stands against the
// layout shown.
type checkRun struct {
	id        int // the check's number: the page redraws its list for a new one
	rep       *check.Report
	inputs    []Input
	overrides []Override
	// lay is the layout the check simulated (nil when it had no model).
	// Its facts' addresses belong to its result; while the layout shown
	// is another machine they are not drawn (stale), and undoing back
	// to it draws them again.
	lay   *layout.Layout
	fresh bool
	marks []Mark // of every differing fact, on both spaces
	drawn int    // differing facts with a mark
	sel   int    // the selected fact, -1 for none
}

// follow notes whether l, now shown, is still the checked layout: the
// same machine and kernel, whatever its name. It is called for every
// layout change, so it costs no more than the comparison.
func (c *checkRun) follow(l *layout.Layout) {
	if c == nil {
		return
	}
	c.fresh = c.lay != nil && (l == c.lay || sameMachine(l, c.lay) &&
		reflect.DeepEqual(l.Kernel, c.lay.Kernel) && reflect.DeepEqual(l.CPU, c.lay.CPU))
}

// CheckState is the last check, as the panel shows it.
type CheckState struct {
	Report *check.Report // nil when no check ran
	Inputs []Input
	// Overrides are the options that set fields against the inputs.
	Overrides []Override
	// Stale: the layout shown is not the checked one (an edit, an undo,
	// another import): the facts' marks are not drawn.
	Stale bool
	// Selected is the selected fact's index in Report.Facts, or -1.
	Selected int
	// Drawn counts the differing facts marked on the canvas.
	Drawn int
	// ID numbers the checks run: a new report has a new one.
	ID int
}

// Check reports the last check against the board.
func (m *Model) Check() CheckState {
	c := m.chk
	if c == nil {
		return CheckState{Selected: -1}
	}
	return CheckState{Report: c.rep, Inputs: c.inputs, Overrides: c.overrides, Stale: c.lay != nil && !c.fresh, Selected: c.sel, Drawn: c.drawn, ID: c.id}
}

// shown are the check's marks while the checked layout is on screen:
// every differing fact's, and the selected fact's.
func (c *checkRun) shown() []Mark {
	if c == nil || !c.fresh || c.rep.Result == nil {
		return nil
	}
	if c.sel < 0 {
		return c.marks
	}
	return append(append([]Mark(nil), c.marks...), factMarks(c.rep.Facts[c.sel], c.rep.Result, MarkFact)...)
}

// CheckBoard is "Check against my board": it builds the layout from what
// was gathered and files (the text in the paste box) — or, when nothing
// is, from the inputs the layout was last built from — simulates it and
// sets every fact the board printed beside the model's answer
// (check.Run, as linmap check does). The report's layout becomes the
// layout, as one undo step; its differing facts are marked on both
// address spaces. Inputs that cannot be read change nothing; inputs that
// give no memory leave the layout as it is and the report says why.
func (m *Model) CheckBoard(opts CheckOptions, files ...File) error {
	set, failed, skipped := readSet(m.in.pending, files)
	if len(failed) > 0 {
		err := &ImportError{Files: failed}
		m.Notify(CodeCheckFailed, Error, "Not checked: "+strings.Join(failed, "; "))
		return err
	}
	if len(set) == 0 && len(files) == 0 {
		set = m.in.source
	}
	if len(set) == 0 {
		msg := "Check against my board: give what the board printed first — paste a boot log, kernel_page_tables, /proc/iomem or memblock lists (Add text gathers several), or drop the files."
		if len(skipped) > 0 {
			msg = "Not checked: " + skipped[0].Source + ": " + strings.TrimPrefix(skipped[0].Reason, "not used: ")
		}
		m.Notify(CodeCheckFailed, Error, msg)
		return fmt.Errorf("%s", msg)
	}
	o := check.Options{Era: opts.Era}
	if opts.Cmdline != "" {
		o.Cmdline = &opts.Cmdline
	}
	rep, err := check.Run(formatsInputs(set), o)
	if err != nil {
		m.Notify(CodeCheckFailed, Error, "Not checked: "+err.Error())
		return err
	}
	m.checks++
	c := &checkRun{id: m.checks, rep: rep, inputs: set, sel: -1}
	m.chk = c
	if len(files) > 0 {
		m.in.taken++
	}
	sum := fmt.Sprintf("%d agree, %d differ, %d unchecked", rep.Summary.Agrees, rep.Summary.Differs, rep.Summary.Unchecked)
	m.dismissCode(CodeCheckFailed)
	if l := rep.Layout; l != nil && len(l.Memory) > 0 {
		l.Assumptions = append(l.Assumptions, skipped...)
		c.overrides = overrides(l, opts)
		nameLayout(l, set)
		c.lay = l
		if rep.Result != nil {
			c.marks, c.drawn = checkMarks(rep, rep.Result)
		}
		// The report ran the engine on l: its result is the layout's.
		m.setLayout(l, "check against my board", "", rep.Result)
		m.in.source, m.in.pending, m.in.hint = set, nil, ""
		m.dismissCode(CodeNoMemory)
		if rep.Problem != "" {
			// The era refuses the layout: it is shown with the reason.
			m.Notify(CodeChecked, Error, fmt.Sprintf("Checked %s: %s; no model: %s.", names(set, false), sum, rep.Problem))
			return nil
		}
		m.Notify(CodeChecked, Info, fmt.Sprintf("Checked %s against the model: %s.", names(set, false), sum))
		return nil
	}
	// No memory: there is no model, and a layout needs banks, so the
	// layout stays; the inputs stay gathered, to add what gives memory.
	m.in.pending = set
	m.in.hint = "Checked without a model: " + rep.Problem + ". " + addBanks
	m.Notify(CodeChecked, Error, fmt.Sprintf("Checked %s: %s; no model: %s. The layout was not changed.", names(set, false), sum, rep.Problem))
	return nil
}

// overrides removes from l's assumptions those the options overrode
// (the user chose the value; the inputs' guess no longer applies) and
// says what each option replaced.
func overrides(l *layout.Layout, opts CheckOptions) []Override {
	set := map[string]string{}
	if opts.Era != "" {
		set["kernel.era"] = opts.Era
	}
	if opts.Cmdline != "" {
		set["kernel.cmdline"] = opts.Cmdline
	}
	var out []Override
	kept := l.Assumptions[:0:0]
	for _, a := range l.Assumptions {
		if v, ok := set[a.Field]; ok {
			out = append(out, Override{Field: a.Field, Chosen: v, Implied: a.Value, Reason: a.Reason})
			delete(set, a.Field)
			continue
		}
		kept = append(kept, a)
	}
	// Fields the inputs stated outright have no assumption to replace.
	for _, f := range []string{"kernel.era", "kernel.cmdline"} {
		if v, ok := set[f]; ok {
			out = append(out, Override{Field: f, Chosen: v})
		}
	}
	l.Assumptions = kept
	return out
}

// SelectFact selects the i-th fact of the check (−1: none): its ranges
// are outlined on both spaces, whatever its verdict, and the view is
// asked to show them.
func (m *Model) SelectFact(i int) {
	c := m.chk
	if c == nil {
		return
	}
	if i < 0 || i >= len(c.rep.Facts) {
		i = -1
	}
	c.sel = i
	var sel []Mark
	if i >= 0 && c.fresh && c.rep.Result != nil {
		sel = factMarks(c.rep.Facts[i], c.rep.Result, MarkFact)
	}
	switch {
	case i < 0:
	case c.lay == nil || c.rep.Result == nil:
		m.Notify(CodeChecked, Info, "There is no model to show this fact on: "+c.rep.Problem)
	case !c.fresh:
		m.Notify(CodeChecked, Info, "The layout is not the checked one any more: undo back to it, or check again, to see this fact's ranges.")
	case len(sel) == 0:
		m.Notify(CodeChecked, Info, "This fact has no address range on the model's spaces.")
	default:
		m.requestFocus(extent(sel, PA), extent(sel, VA))
	}
	m.changed()
}

// FactMarks are where the i-th fact's ranges are on the model's spaces
// (for a ptdump of a machine whose linear map KASLR moved, not where the
// machine printed them); nil without a model.
func (m *Model) FactMarks(i int) []Mark {
	c := m.chk
	if c == nil || c.rep.Result == nil || i < 0 || i >= len(c.rep.Facts) {
		return nil
	}
	return factMarks(c.rep.Facts[i], c.rep.Result, MarkFact)
}

// ClearCheck closes the check: its report and marks go.
func (m *Model) ClearCheck() {
	if m.chk != nil {
		m.chk = nil
		m.dismissCode(CodeChecked)
		m.changed()
	}
}

// checkMarks marks every differing fact's ranges; drawn counts the
// facts with a mark.
func checkMarks(rep *check.Report, r *result.Result) (marks []Mark, drawn int) {
	for _, f := range rep.Facts {
		if f.Verdict == check.Differs {
			fm := factMarks(f, r, MarkCheck)
			if len(fm) > 0 {
				drawn++
			}
			marks = append(marks, fm...)
		}
	}
	return marks, drawn
}

// factMarks places a fact's ranges on both address spaces of the model's
// result r. The physical ranges are the memory the fact is about: they
// are marked, and so is where the linear map puts them (VA = PA −
// PHYS_OFFSET + PAGE_OFFSET), which is also where the model's leaves for
// a ptdump line are, even when the machine's linear map was moved by
// KASLR. A fact with only virtual ranges (the "memory :" line of the
// virtual layout, a ptdump run the machine left unmapped) is marked
// where it falls in the model's linear region, and on the memory behind
// it. Ranges outside both spaces are left out: the panel lists them.
func factMarks(f check.Fact, r *result.Result, kind MarkKind) []Mark {
	// Canvas text: words only (the Go fonts have no check marks).
	label := fmt.Sprintf("%s: %s: printed %s", f.Verdict, f.What, f.Printed.Value)
	if f.Model != "" {
		label += ", model " + f.Model
	}
	detail := []string{}
	if s := f.Printed.Source; s.File != "" {
		where := s.File
		if s.Line > 0 {
			where += fmt.Sprintf(":%d", s.Line)
		}
		if s.Text != "" {
			where += ": " + s.Text
		}
		detail = append(detail, "printed at "+where)
	}
	if f.Cause != "" {
		detail = append(detail, "cause: "+f.Cause)
	}
	mk := func(sp Space, base, size uint64) Mark {
		return Mark{Space: sp, Base: base, Size: size, Kind: kind, Label: label, Detail: detail}
	}
	var pas, vas []check.Range
	for _, rg := range f.Ranges {
		if rg.End == rg.Start {
			continue
		}
		if rg.Space == "pa" {
			pas = append(pas, rg)
		} else {
			vas = append(vas, rg)
		}
	}
	var out []Mark
	if len(pas) > 0 {
		for _, rg := range pas {
			base, size := uint64(rg.Start), uint64(rg.End-rg.Start)
			out = append(out, mk(PA, base, size))
			if va, vsize, ok := linearClip(r, base-uint64(r.PhysOffset)+uint64(r.PageOffset), size); ok {
				out = append(out, mk(VA, va, vsize))
			}
		}
		return dedupe(out)
	}
	for _, rg := range vas {
		if va, size, ok := linearClip(r, uint64(rg.Start), uint64(rg.End-rg.Start)); ok {
			out = append(out, mk(VA, va, size), mk(PA, va-uint64(r.PageOffset)+uint64(r.PhysOffset), size))
		}
	}
	return dedupe(out)
}

// linearClip is the part of [va, va+size) inside the linear region
// [LinearStart, LinearEnd) (LinearEnd 0 is 2^64). Sizes, not ends, keep
// a range that reaches 2^64 exact; a range computed from a physical
// address beyond the region wraps to below it and is left out.
func linearClip(r *result.Result, va, size uint64) (uint64, uint64, bool) {
	ls := uint64(r.LinearStart)
	rs := uint64(r.LinearEnd) - ls // 2^64 − ls when LinearEnd is 0
	if va < ls {
		if size <= ls-va {
			return 0, 0, false
		}
		size -= ls - va
		va = ls
	}
	off := va - ls
	if off >= rs {
		return 0, 0, false
	}
	return va, min(size, rs-off), true
}

func dedupe(ms []Mark) []Mark {
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Space != ms[j].Space {
			return ms[i].Space < ms[j].Space
		}
		return ms[i].Base < ms[j].Base
	})
	out := ms[:0]
	for i, mk := range ms {
		if i > 0 && mk.Space == ms[i-1].Space && mk.Base == ms[i-1].Base && mk.Size == ms[i-1].Size {
			continue
		}
		out = append(out, mk)
	}
	return out
}

// extent is the smallest range holding the marks on one space.
func extent(ms []Mark, sp Space) [2]uint64 {
	var e [2]uint64
	for _, mk := range ms {
		if mk.Space != sp {
			continue
		}
		end := mk.Base + mk.Size
		if end < mk.Base {
			end = ^uint64(0) // reaches 2^64
		}
		if e[1] == 0 {
			e = [2]uint64{mk.Base, end}
			continue
		}
		e[0], e[1] = min(e[0], mk.Base), max(e[1], end)
	}
	return e
}

// RangeText writes a fact's range for people: "PA 0x4000_0000..0x4020_0000 (2M)".
func RangeText(rg check.Range) string {
	sp := PA
	if rg.Space == "va" {
		sp = VA
	}
	return spanText(sp, uint64(rg.Start), uint64(rg.End-rg.Start))
}

// Text writes a mark's range as RangeText does.
func (mk Mark) Text() string { return spanText(mk.Space, mk.Base, mk.Size) }

func spanText(sp Space, base, size uint64) string {
	name := "PA"
	if sp == VA {
		name = "VA"
	}
	e := numfmt.Hex(base + size)
	if base+size == 0 {
		e = "2^64" // the top of the address space
	}
	return fmt.Sprintf("%s %s..%s (%s)", name, numfmt.Hex(base), e, numfmt.Size(size))
}
