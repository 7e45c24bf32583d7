package check

import (
	"fmt"
	"sort"
	"strings"

	"linmap/formats/evidence"
	"linmap/formats/ptdump"
	"linmap/sim"
)

// Leaf sizes a line does not tell exactly.
const (
	// blockUnknown: a block in a dump without the level column (v4.4–v4.6).
	blockUnknown = 1
	// anyLeaf: a mapped line of a dump with neither level nor BLK column
	// (v3.19–v4.3): blocks or pages, the line does not say.
	anyLeaf = 2
)

// run is a stretch of the linear map with one leaf size and contiguous
// bit: leaf 0 is unmapped.
type run struct {
	a, b  uint64
	leaf  uint64
	cont  bool
	line  int    // printed runs: the first line
	lines int    // printed runs: how many lines were merged
	text  string // printed runs: the first line
	why   string // model runs: why the leaves have that size
}

func (r run) same(o run) bool { return r.leaf == o.leaf && r.cont == o.cont }

// describe says what a run maps: "2M blocks, contiguous", "4K pages",
// "unmapped".
func describe(leaf uint64, cont bool, page uint64) string {
	var s string
	switch {
	case leaf == 0:
		return "unmapped"
	case leaf == blockUnknown:
		s = "blocks"
	case leaf == anyLeaf:
		s = "mapped"
	case leaf == page:
		s = sizeName(leaf) + " pages"
	default:
		s = sizeName(leaf) + " blocks"
	}
	if cont {
		s += ", contiguous"
	}
	return s
}

func sizeName(b uint64) string {
	switch {
	case b >= 1<<30:
		return fmt.Sprintf("%dG", b>>30)
	case b >= 1<<20:
		return fmt.Sprintf("%dM", b>>20)
	}
	return fmt.Sprintf("%dK", b>>10)
}

// ptdumps checks every dump's Linear Mapping section against the model's
// linear map, range by range: leaf size and contiguous bit.
func (c *checker) ptdumps() {
	for _, f := range c.ev.Files {
		for i, d := range f.Ptdumps {
			c.ptdump(f, i, len(f.Ptdumps), d)
		}
	}
}

func (c *checker) ptdump(f *evidence.File, idx, n int, d *ptdump.Dump) {
	name := "ptdump"
	if n > 1 {
		name = fmt.Sprintf("ptdump %d of %d", idx+1, n)
	}
	lin := d.Linear()
	if lin == nil || len(lin.Entries) == 0 {
		c.add(Fact{Kind: KindPtdump, What: name, Printed: Printed{"no Linear Mapping section", source(f, d.Line, "")}, Verdict: Unchecked,
			Cause: "the dump has no \"Linear Mapping\" entries to compare"})
		return
	}
	if c.res == nil {
		fact := Fact{Kind: KindPtdump, What: name + " Linear Mapping", Printed: Printed{fmt.Sprintf("%d lines", len(lin.Entries)), source(f, lin.Line, "")}}
		c.unmodelled(&fact)
		return
	}
	page := uint64(1) << c.pageShift()
	printed := c.printedRuns(lin, d.BlockColumn())
	model := c.modelRuns()
	shift, shiftNote := c.ptdumpShift(printed, model)
	for i := range model {
		model[i].a += shift
		model[i].b += shift
	}
	lo, hi := printed[0].a, printed[len(printed)-1].b
	if !lin.Flipped() { // holes are not printed: compare over what either side maps
		for _, m := range model {
			if m.leaf != 0 {
				lo, hi = min(lo, m.a), max(hi, m.b)
				break
			}
		}
		for i := len(model) - 1; i >= 0; i-- {
			if model[i].leaf != 0 {
				hi = max(hi, model[i].b)
				break
			}
		}
		printed = fillHoles(printed, lo, hi)
	}
	allPages := true
	for _, p := range printed {
		if p.leaf > page {
			allPages = false
		}
	}
	for _, p := range printed {
		pieces := clip(model, p.a, p.b)
		fact := Fact{Kind: KindPtdump, What: fmt.Sprintf("%s: linear map %s", name, span(p.a, p.b)),
			Printed: Printed{describe(p.leaf, p.cont, page), source(f, p.line, p.text)}, Verdict: Agrees,
			Ranges: []Range{{Space: "va", Start: Addr(p.a), End: Addr(p.b)}}}
		if p.leaf != 0 {
			fact.Ranges = append(fact.Ranges, Range{Space: "pa", Start: Addr(c.pa(p.a - shift)), End: Addr(c.pa(p.b - shift))})
		}
		if p.line == 0 {
			fact.Printed.Source = source(f, lin.Line, "")
			fact.Printed.Value = "not printed (unmapped)"
		} else if p.lines > 1 {
			fact.Printed.Value += fmt.Sprintf(" (%d lines)", p.lines)
		}
		var descs []string
		for _, m := range pieces {
			if !matches(p, m, page) {
				fact.Verdict = Differs
			}
			if len(descs) < 4 {
				descs = append(descs, describe(m.leaf, m.cont, page)+" "+span(m.a, m.b))
			}
		}
		if len(pieces) == 1 {
			fact.Model = describe(pieces[0].leaf, pieces[0].cont, page)
		} else {
			fact.Model = strings.Join(descs, "; ")
			if len(pieces) > 4 {
				fact.Model += fmt.Sprintf("; … (%d runs)", len(pieces))
			}
		}
		if fact.Verdict == Differs {
			fact.Cause = c.ptdumpCause(p, pieces, page, allPages)
		}
		fact.Cause = joinCause(fact.Cause, shiftNote)
		c.add(fact)
	}
}

// matches compares a printed run and a model piece.
func matches(p, m run, page uint64) bool {
	switch p.leaf {
	case anyLeaf:
		return m.leaf != 0
	case blockUnknown:
		return m.leaf > page && m.cont == p.cont
	}
	return p.same(m)
}

// printedRuns merges the section's lines into runs of one leaf size and
// contiguous bit (permissions split lines, not leaves).
func (c *checker) printedRuns(lin *ptdump.Section, blkColumn bool) []run {
	var out []run
	for _, e := range lin.Entries {
		r := run{a: e.Start, b: e.End, line: e.Line, lines: 1, text: e.Text}
		switch {
		case e.Mapped() && !blkColumn:
			r.leaf = anyLeaf
		case e.Mapped():
			// An invalid leaf ("F", a KFENCE guard page) was built as a
			// leaf of this size; only its valid bit was cleared later.
			r.leaf, r.cont = c.leafOf(e), e.Has("CON")
		}
		if n := len(out); n > 0 && out[n-1].b == r.a && out[n-1].same(r) {
			out[n-1].b = r.b
			out[n-1].lines++
			continue
		}
		out = append(out, r)
	}
	return out
}

// leafOf is the size of one leaf of a printed line: its level in the
// model's geometry (the top level, "PGD", is the root however many levels
// are folded).
func (c *checker) leafOf(e ptdump.Entry) uint64 {
	ps := c.pageShift()
	shift := func(k int) uint64 { return 1 << (ps + k*(ps-3)) }
	switch e.Level {
	case "PTE":
		return shift(0)
	case "PMD":
		return shift(1)
	case "PUD":
		return shift(2)
	case "P4D":
		return shift(3)
	case "PGD":
		return shift(c.res.Levels - 1)
	}
	if e.Block() {
		return blockUnknown
	}
	return shift(0)
}

// modelRuns is the model's linear map as runs, with the holes.
func (c *checker) modelRuns() []run {
	var ms []run
	lo, hi := uint64(c.res.LinearStart), uint64(c.res.LinearEnd)
	for _, m := range c.res.Mappings {
		va := uint64(m.VA)
		if va < lo || hi != 0 && va >= hi {
			continue
		}
		ms = append(ms, run{a: va, b: va + uint64(m.Size), leaf: uint64(m.LeafBytes), cont: m.Cont, why: m.Why})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].a < ms[j].a })
	var out []run
	cur := lo
	for _, m := range ms {
		if m.a > cur {
			out = append(out, run{a: cur, b: m.a})
		}
		if n := len(out); n > 0 && out[n-1].b == m.a && out[n-1].same(m) && out[n-1].leaf != 0 {
			out[n-1].b = m.b
		} else {
			out = append(out, m)
		}
		cur = m.b
	}
	if cur != hi {
		out = append(out, run{a: cur, b: hi})
	}
	return out
}

// fillHoles adds the unmapped stretches a dump without holes leaves out.
func fillHoles(rs []run, lo, hi uint64) []run {
	var out []run
	cur := lo
	for _, r := range rs {
		if r.a > cur {
			out = append(out, run{a: cur, b: r.a})
		}
		out = append(out, r)
		cur = r.b
	}
	if cur < hi {
		out = append(out, run{a: cur, b: hi})
	}
	return out
}

// clip returns the model's runs within [a, b) (an end of 0 is 2^64).
func clip(rs []run, a, b uint64) []run {
	top := func(x uint64) uint64 {
		if x == 0 {
			return ^uint64(0)
		}
		return x
	}
	var out []run
	for _, r := range rs {
		if top(r.b) <= a || r.a >= top(b) {
			continue
		}
		x := r
		x.a, x.b = max(r.a, a), min(top(r.b), top(b))
		out = append(out, x)
	}
	if len(out) == 0 {
		out = append(out, run{a: a, b: b})
	}
	return out
}

// ptdumpShift lines the model up with the dump when linear-map KASLR moved
// the machine's map by a multiple of ARM64_MEMSTART_ALIGN.
func (c *checker) ptdumpShift(printed, model []run) (uint64, string) {
	pf, mf := firstMapped(printed), firstMapped(model)
	if pf == nil || mf == nil || pf.a == mf.a || !c.linearKASLR() {
		return 0, ""
	}
	d := pf.a - mf.a
	if d%(512<<20) != 0 {
		return 0, ""
	}
	return d, fmt.Sprintf("the model is shifted by %#x to line up with the machine, whose linear map KASLR moved (the seed is not in the input)", d)
}

func firstMapped(rs []run) *run {
	for i := range rs {
		if rs[i].leaf != 0 {
			return &rs[i]
		}
	}
	return nil
}

// atAliasStart reports whether a run touches the 2 MiB block that holds
// [_text, _stext), where releases put the start of the kernel alias.
func (c *checker) atAliasStart(p run) bool {
	img := c.res.KernelImage
	if img.Size == 0 {
		return false
	}
	base := uint64(img.PA)
	lo, hi := c.va(base&^(sz2M-1)), c.va((base+0x10000+sz2M-1)&^(sz2M-1))
	return p.a < hi && lo < p.b
}

const sz2M = 2 << 20

// ptdumpCause explains a printed run that differs from the model.
func (c *checker) ptdumpCause(p run, pieces []run, page uint64, allPages bool) string {
	var finer, coarser, unmapped, extra, contOnly bool
	var why string
	for _, m := range pieces {
		switch {
		case matches(p, m, page):
		case p.leaf == 0:
			unmapped = true
		case m.leaf == 0:
			extra = true
		case p.leaf == blockUnknown: // a block where the model has pages
			coarser = true
			why = m.why
		case p.leaf == m.leaf && p.cont && !m.cont:
			contOnly = true
			if why == "" {
				why = m.why
			}
		case p.leaf < m.leaf || p.leaf == m.leaf && m.cont && !p.cont:
			finer = true
		default:
			coarser = true
			if why == "" {
				why = m.why
			}
		}
	}
	const options = "an option the inputs do not show (rodata=, KFENCE and its sample interval, debug_pagealloc, crashkernel=), a boot CPU with BBML2_NOABORT (v6.18+), or a rule of this release that differs from its era's (a stable backport)"
	era, _ := sim.LookupEra(c.res.Era)
	if (finer || coarser) && c.atAliasStart(p) {
		return "at the start of the kernel's linear alias: releases differ on where it starts — _stext (v5.11–v6.17) or _text (v6.18+, and Debian's 6.12.y) — and so on whether [_text, _stext) is mapped with the alias or with the rest; a stable or vendor change the era's rule does not know, or " + map[bool]string{true: "a run-time split", false: "an option the inputs do not show"}[finer]
	}
	switch {
	case unmapped:
		return "the machine leaves it unmapped: a NOMAP or no-map region the inputs do not show (a firmware carve-out), KFENCE guard pages, or memory removed after boot"
	case extra:
		return "the machine maps memory the model does not: memory missing from the inputs, or a region the model drops (" + c.lostWhy(ivs{{c.pa(p.a), c.pa(p.b)}}) + ")"
	case coarser:
		s := "the machine has larger leaves than the model"
		if why != "" {
			s += ", which uses smaller ones because " + why
		}
		return s + ": " + options
	case contOnly && !finer:
		s := "the machine sets the contiguous bit where the model does not"
		if why != "" {
			s += " (the model's leaves: " + why + ")"
		}
		return s + ": " + options
	case finer && allPages && p.leaf == page && era != nil && !era.Since.IsZero() && era.Since.AtLeast(sim.Version{Major: 6, Minor: 18}):
		return "the whole linear map is pages in the machine: linear_map_maybe_split_to_ptes() splits it after boot when a secondary CPU lacks BBML2_NOABORT; or an option that forces pages which the inputs do not show (rodata=full, KFENCE without an early pool, debug_pagealloc)"
	case finer && allPages:
		return "the whole linear map is pages in the machine: an option that forces pages which the inputs do not show (rodata=full, KFENCE without an early pool, debug_pagealloc, crashkernel=)"
	case finer:
		return "split after boot: set_memory_*() (module and BPF permissions, secretmem) and KFENCE break blocks and contiguous groups into pages at run time; the model shows the map as built at boot"
	}
	return "the contiguous bit differs: the era's rule for PTE_CONT differs from the release's, or a later permission change set it apart"
}
