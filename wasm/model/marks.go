package model

import (
	"fmt"
	"math"
	"strings"

	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/compareview"
	"linmap/wasm/numfmt"
)

// Space is an address space.
type Space int

const (
	PA Space = iota // physical
	VA              // kernel virtual
)

// MarkKind says why a range is marked; the view gives each kind its
// outline, never a fill over the leaf colours.
type MarkKind string

const (
	MarkDiff  MarkKind = "diff"  // A and B treat the range differently
	MarkGoTo  MarkKind = "goto"  // the go-to-address box's answer
	MarkCheck MarkKind = "check" // the board printed something else here
	MarkFact  MarkKind = "fact"  // the ranges of the fact selected in the check
)

// Mark is a range marked on one address space with a label. Compare's
// differences, the go-to-address answer and a check against a real
// board's output are all marks, drawn and hit-tested alike.
type Mark struct {
	Space      Space
	Base, Size uint64
	Kind       MarkKind
	Label      string
	// Detail is what a tooltip adds, one line each.
	Detail []string
}

// Marks are the marked ranges, PA and VA, in no particular order.
func (m *Model) Marks() []Mark {
	if m.markVer == m.version {
		return m.marks
	}
	out := append([]Mark(nil), m.goTo...)
	if _, _, d, _ := m.Comparison(); d != nil && m.cmp.spec.Mode != CompareOff {
		for _, h := range d.Highlights {
			out = append(out, diffMark(d, h))
		}
	}
	out = append(out, m.chk.shown()...)
	m.marks, m.markVer = out, m.version
	return out
}

func diffMark(d *compareview.Model, h compareview.Highlight) Mark {
	side := func(s compareview.Side) string {
		if s.Purpose != "" && s.Purpose != result.PurposeLinear {
			return s.State + " " + string(s.Purpose)
		}
		return s.State
	}
	return Mark{Space: PA, Base: h.PA, Size: h.Size, Kind: MarkDiff,
		Label:  fmt.Sprintf("differs (%s): %s in %s, %s in %s", h.Kind, side(h.A), d.LabelA, side(h.B), d.LabelB),
		Detail: []string{d.LabelA + ": " + h.A.Why, d.LabelB + ": " + h.B.Why}}
}

// Focus asks the view to show ranges: the go-to answer, the selection.
// Seq grows with every request; a zero range leaves that axis as it is.
type Focus struct {
	Seq    int
	PA, VA [2]uint64 // [lo, hi)
}

// Focus is the latest request.
func (m *Model) Focus() Focus { return m.focus }

func (m *Model) requestFocus(pa, va [2]uint64) {
	m.focus = Focus{Seq: m.focus.Seq + 1, PA: pa, VA: va}
	m.changed()
}

// ZoomToSelection asks the view to show the selected bank (or the image)
// in the physical column and where it is mapped in the virtual one.
func (m *Model) ZoomToSelection() {
	var base, size uint64
	switch m.sel.Kind {
	case SelBank:
		b := m.lay.Memory[m.sel.Bank]
		base, size = uint64(b.Base), uint64(b.Size)
	case SelImage:
		base, size = uint64(m.lay.Image.Base), 2<<20
		if m.res != nil && m.res.KernelImage.Size != 0 {
			size = uint64(m.res.KernelImage.Size)
		}
	default:
		m.Notify(CodeNoSelection, Info, "Select a bank first (click it, or press ] on the canvas).")
		return
	}
	var va [2]uint64
	if m.res != nil {
		lo, hi := uint64(math.MaxUint64), uint64(0)
		for _, mp := range m.res.Mappings {
			if mp.Purpose != result.PurposeKernelImage && uint64(mp.PA) < base+size && uint64(mp.PA+mp.Size) > base {
				lo, hi = min(lo, uint64(mp.VA)), max(hi, uint64(mp.VA+mp.Size))
			}
		}
		if hi > lo {
			va = [2]uint64{lo, hi}
		}
	}
	m.requestFocus([2]uint64{base, base + size}, va)
}

// GoTo finds an address, physical or virtual, marks where it is on both
// spaces and asks the view to show it. text is an address ("0x4020_0000",
// "40200000", "1G"), optionally after "pa" or "va"; without one an address
// in the linear region is virtual, any other physical. The answer (or why
// there is none) is a notice.
func (m *Model) GoTo(text string) error {
	space, addr, err := parseGoTo(text, m.res)
	if err != nil {
		m.Notify(CodeGoTo, Error, err.Error())
		return err
	}
	m.goTo = nil
	r := m.res
	var found *result.Mapping
	if r != nil {
		for i := range r.Mappings {
			mp := &r.Mappings[i]
			start := uint64(mp.PA)
			if space == VA {
				start = uint64(mp.VA)
			}
			if addr >= start && addr-start < uint64(mp.Size) && (mp.Purpose != result.PurposeKernelImage || space == VA) {
				found = mp
				break
			}
		}
	}
	if found == nil {
		var msg string
		switch {
		case space == PA && m.lay.InMemory(layout.Addr(addr)):
			msg = fmt.Sprintf("PA %s is in memory but not linear mapped", numfmt.Hex(addr))
			if lo := lostAt(r, addr); lo != nil {
				msg += ": " + lo.Reason + " (" + lo.Detail + ")"
			}
			m.goTo = []Mark{{Space: PA, Base: addr &^ 0xfff, Size: 0x1000, Kind: MarkGoTo, Label: msg}}
			m.requestFocus([2]uint64{addr &^ 0xfff, addr&^0xfff + 0x1000}, [2]uint64{})
			m.Notify(CodeGoTo, Info, msg+".")
			return nil
		case space == PA:
			msg = fmt.Sprintf("PA %s is in no memory bank", numfmt.Hex(addr))
		default:
			msg = fmt.Sprintf("VA %s is not in the linear map", numfmt.Hex(addr))
		}
		m.Notify(CodeGoTo, Error, msg+".")
		m.changed()
		return fmt.Errorf("%s", msg)
	}
	off := addr - uint64(found.PA)
	if space == VA {
		off = addr - uint64(found.VA)
	}
	pa, va := uint64(found.PA)+off, uint64(found.VA)+off
	leaf := uint64(found.LeafBytes)
	if leaf == 0 {
		leaf = 0x1000
	}
	// The leaf that maps the address, on both spaces.
	lpa, lva := pa&^(leaf-1), va&^(leaf-1)
	label := fmt.Sprintf("PA %s ↔ VA %s: a %s %s leaf (%s)", numfmt.Hex(pa), numfmt.Hex(va), found.Page, found.Level, found.Purpose)
	pm := Mark{Space: PA, Base: lpa, Size: leaf, Kind: MarkGoTo, Label: label, Detail: []string{"why: " + found.Why}}
	vm := pm
	vm.Space, vm.Base = VA, lva
	m.goTo = []Mark{pm, vm}
	m.requestFocus([2]uint64{lpa, lpa + leaf}, [2]uint64{lva, lva + leaf})
	m.Notify(CodeGoTo, Info, label+".")
	return nil
}

func lostAt(r *result.Result, pa uint64) *result.Lost {
	if r == nil {
		return nil
	}
	for i, lo := range r.Lost {
		if pa >= uint64(lo.Base) && pa-uint64(lo.Base) < uint64(lo.Size) {
			return &r.Lost[i]
		}
	}
	return nil
}

func parseGoTo(text string, r *result.Result) (Space, uint64, error) {
	s := strings.TrimSpace(strings.ToLower(text))
	space, explicit := PA, false
	for _, p := range []struct {
		prefix string
		sp     Space
	}{{"pa", PA}, {"va", VA}} {
		if rest, ok := strings.CutPrefix(s, p.prefix); ok && (rest == "" || rest[0] == ' ' || rest[0] == ':' || rest[0] == '=') {
			space, explicit, s = p.sp, true, strings.TrimLeft(rest, " :=")
		}
	}
	if s == "" {
		return PA, 0, fmt.Errorf("go to: type an address, e.g. 0x40200000 or va 0xffff000000200000")
	}
	if !strings.HasPrefix(s, "0x") && strings.Trim(s, "0123456789abcdef_") == "" {
		s = "0x" + s // bare digits are hex, as the kernel prints addresses
	}
	v, err := layout.ParseAddr(s)
	if err != nil {
		return PA, 0, fmt.Errorf("go to: %q is not an address (%v)", text, err)
	}
	addr := uint64(v)
	if !explicit && r != nil && addr >= uint64(r.LinearStart) && (r.LinearEnd == 0 || addr < uint64(r.LinearEnd)) {
		space = VA
	}
	return space, addr, nil
}
