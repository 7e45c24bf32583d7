// Package timeline replays the engine's trace: given a result and a step
// index it says what the linear map, the page tables and memblock's limit
// looked like right after that step. The app's scrubber draws that state.
//
// Everything per step is precomputed once per result (New), so moving the
// scrubber costs a scan over leaf runs, never a loop over pages: a 64-bank
// layout has thousands of steps and a scrubber that is dragged.
package timeline

import (
	"sort"

	"linmap/sim/layout"
	"linmap/sim/result"
)

// Piece is a run of leaves written by one leaves step and still in place at
// the step asked about (a later write over the same VA replaces it).
type Piece struct {
	result.Mapping
	Step int    // the leaves step that wrote it
	Func string // the kernel function whose mapping call wrote it ("" for head.S)
}

// Table is one page-table allocation: the pages one alloc step took.
type Table struct {
	result.Tables
	Freed bool // a later step up to the one asked about freed (part of) it
}

// State is the boot as it stood right after step Step.
type State struct {
	Step    int
	Current result.Step
	// Mapped is the linear map so far, sorted by VA.
	Mapped []Piece
	// Tables are the page-table pages allocated so far, in allocation order.
	Tables []Table
	// LimitSet says whether memblock_set_current_limit has run yet; Limit
	// is then its value (0 is MEMBLOCK_ALLOC_ANYWHERE) and LimitStep its step.
	LimitSet  bool
	Limit     uint64
	LimitStep int
	// Call is the index of the mapping call (a map step) in force, or -1
	// before the first one (head.S's boot mapping has none).
	Call int
	// Failed is true at the failing step itself; Fatal is set from it on.
	Failed bool
	Fatal  *result.Fatal
	// Lost is the memory not linear mapped, known once boot has ended
	// (at the last step): before that, it may still be mapped.
	Lost []result.Lost
}

// seg is a piece of a leaves write with the steps during which it was in
// the page tables as it is: [born, died), died < 0 for never.
type seg struct {
	Piece
	born, died int
}

// Timeline is a result prepared for replay.
type Timeline struct {
	r    *result.Result
	segs []seg // sorted by born step
	// allocs are the alloc steps as tables, in step order.
	allocs []Table
	// frees are the steps that freed a table page, with its PA (0 when leaked).
	frees    []freeStep
	limitAt  []int32 // per step: index of the last limit step ≤ it, or -1
	callAt   []int32 // per step: index of the last map step ≤ it, or -1
	kindIdx  map[string][]int
	failure  int
	pageSize uint64
}

type freeStep struct {
	step int
	pa   uint64
}

// New prepares r for replay.
func New(r *result.Result) *Timeline {
	t := &Timeline{r: r, failure: -1, kindIdx: map[string][]int{}}
	if r.Fatal != nil {
		t.failure = r.Fatal.Step
	}
	n := len(r.Trace)
	t.limitAt = make([]int32, n)
	t.callAt = make([]int32, n)
	lim, call := int32(-1), int32(-1)
	for i, st := range r.Trace {
		t.kindIdx[st.Kind] = append(t.kindIdx[st.Kind], i)
		switch st.Kind {
		case result.StepLimit:
			lim = int32(i)
		case result.StepMap:
			call = int32(i)
		case result.StepAlloc:
			t.allocs = append(t.allocs, t.allocTable(i, st))
		case result.StepFree:
			var pa uint64
			if st.PA != nil {
				pa = uint64(*st.PA)
			}
			t.frees = append(t.frees, freeStep{i, pa})
		}
		t.limitAt[i], t.callAt[i] = lim, call
	}
	t.segs = t.replay()
	return t
}

// allocTable turns an alloc step into a table record, taking the cause from
// the result's table run that holds its pages (runs merge several steps).
func (t *Timeline) allocTable(i int, st result.Step) Table {
	tb := result.Tables{Level: st.Level, Count: st.Count, Step: i, Mapped: st.Mapped != nil && *st.Mapped, Purpose: st.Purpose}
	if st.PA != nil {
		tb.PA = *st.PA
	}
	if st.Size != nil && st.Count > 0 && t.pageSize == 0 {
		t.pageSize = uint64(*st.Size) / uint64(st.Count)
	}
	var page layout.Addr
	if st.Size != nil && st.Count > 0 {
		page = *st.Size / layout.Addr(st.Count)
	}
	for _, run := range t.r.Tables {
		if run.Level == tb.Level && run.PA <= tb.PA && tb.PA < run.PA+layout.Addr(run.Count)*page {
			tb.Cause, tb.InImage = run.Cause, run.InImage
			break
		}
	}
	return Table{Tables: tb}
}

// replay writes every leaves step into a VA-ordered map of live pieces;
// a write over live pieces ends (or trims) them at its step.
func (t *Timeline) replay() []seg {
	r := t.r
	var all []seg  // every piece ever written, dead or alive
	var live []int // indexes into all, sorted by VA, non-overlapping
	for i, st := range r.Trace {
		if st.Kind != result.StepLeaves || st.VA == nil || st.PA == nil || st.Size == nil {
			continue
		}
		va, size := uint64(*st.VA), uint64(*st.Size)
		// Only the linear map: the image's own mapping at KIMAGE_VADDR is
		// written through the same tables but is not part of it.
		if va < uint64(r.LinearStart) || (r.LinearEnd != 0 && va >= uint64(r.LinearEnd)) {
			continue
		}
		end := va + size
		p := Piece{Step: i}
		p.VA, p.PA, p.Size = *st.VA, *st.PA, *st.Size
		p.Page, p.Level, p.Cont, p.Purpose, p.Why, p.Prot = st.Page, st.Level, st.Cont, st.Purpose, st.Why, st.Prot
		if c := t.callAt[i]; c >= 0 {
			p.Func = r.Trace[c].Func
		}
		// Find live pieces overlapping [va, end) and cut them.
		lo := sort.Search(len(live), func(k int) bool { s := all[live[k]]; return uint64(s.VA+s.Size) > va })
		hi := lo
		var keep []int
		for hi < len(live) && uint64(all[live[hi]].VA) < end {
			old := all[live[hi]]
			all[live[hi]].died = i
			ov, oe := uint64(old.VA), uint64(old.VA+old.Size)
			// The parts of the old piece outside the new write live on,
			// from this step, as they were (the engine reports a split
			// block as a write of its own).
			var rest []seg
			if ov < va {
				rest = append(rest, old.trim(ov, va, i))
			}
			if oe > end {
				rest = append(rest, old.trim(end, oe, i))
			}
			for _, r := range rest {
				keep = append(keep, len(all))
				all = append(all, r)
			}
			hi++
		}
		// keep holds the remains before the new piece (VA < va) and after
		// it, each in VA order.
		repl := make([]int, 0, len(keep)+1)
		for _, k := range keep {
			if uint64(all[k].VA) < va {
				repl = append(repl, k)
			}
		}
		repl = append(repl, len(all))
		all = append(all, seg{Piece: p, born: i, died: -1})
		for _, k := range keep {
			if uint64(all[k].VA) >= end {
				repl = append(repl, k)
			}
		}
		live = append(live[:lo], append(repl, live[hi:]...)...)
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].born < all[b].born })
	return all
}

// trim returns the part [from, to) of s, alive from step i.
func (s seg) trim(from, to uint64, i int) seg {
	n := s
	n.PA = s.PA + layout.Addr(from-uint64(s.VA))
	n.VA = layout.Addr(from)
	n.Size = layout.Addr(to - from)
	n.born, n.died = i, -1
	return n
}

// Len is the number of steps.
func (t *Timeline) Len() int { return len(t.r.Trace) }

// End is the last step's index (-1 for an empty trace).
func (t *Timeline) End() int { return len(t.r.Trace) - 1 }

// Failure is the failing step's index, or -1 when the boot succeeds.
func (t *Timeline) Failure() int { return t.failure }

// Result is the result being replayed.
func (t *Timeline) Result() *result.Result { return t.r }

// Clamp keeps k inside [0, End()].
func (t *Timeline) Clamp(k int) int { return max(0, min(k, t.End())) }

// Next returns the first step after k of one of the kinds (any kind when
// none are given), or -1.
func (t *Timeline) Next(k int, kinds ...string) int {
	if len(kinds) == 0 {
		if k+1 <= t.End() {
			return k + 1
		}
		return -1
	}
	best := -1
	for _, kd := range kinds {
		idx := t.kindIdx[kd]
		j := sort.SearchInts(idx, k+1)
		if j < len(idx) && (best < 0 || idx[j] < best) {
			best = idx[j]
		}
	}
	return best
}

// Prev returns the last step before k of one of the kinds (any kind when
// none are given), or -1.
func (t *Timeline) Prev(k int, kinds ...string) int {
	if len(kinds) == 0 {
		if k-1 >= 0 && k-1 <= t.End() {
			return k - 1
		}
		return -1
	}
	best := -1
	for _, kd := range kinds {
		idx := t.kindIdx[kd]
		j := sort.SearchInts(idx, k) - 1
		if j >= 0 && idx[j] > best {
			best = idx[j]
		}
	}
	return best
}

// Count returns how many steps of a kind the trace has.
func (t *Timeline) Count(kind string) int { return len(t.kindIdx[kind]) }

// At returns the state right after step k (clamped to the trace).
func (t *Timeline) At(k int) State {
	if t.End() < 0 {
		return State{Step: -1, Call: -1, LimitStep: -1}
	}
	k = t.Clamp(k)
	s := State{Step: k, Current: t.r.Trace[k], Call: int(t.callAt[k]), LimitStep: int(t.limitAt[k])}
	if s.LimitStep >= 0 {
		s.LimitSet = true
		if l := t.r.Trace[s.LimitStep].Limit; l != nil {
			s.Limit = uint64(*l)
		}
	}
	// Pieces are sorted by the step they appeared at: stop at the first
	// one after k.
	n := sort.Search(len(t.segs), func(i int) bool { return t.segs[i].born > k })
	for _, sg := range t.segs[:n] {
		if sg.died < 0 || sg.died > k {
			s.Mapped = append(s.Mapped, sg.Piece)
		}
	}
	sort.Slice(s.Mapped, func(a, b int) bool { return s.Mapped[a].VA < s.Mapped[b].VA })
	na := sort.Search(len(t.allocs), func(i int) bool { return t.allocs[i].Step > k })
	s.Tables = make([]Table, na)
	copy(s.Tables, t.allocs[:na])
	for _, f := range t.frees {
		if f.step > k {
			break
		}
		for i := range s.Tables {
			tb := &s.Tables[i]
			if f.pa >= uint64(tb.PA) && f.pa < uint64(tb.PA)+uint64(tb.Count)*t.page() {
				tb.Freed = true
			}
		}
	}
	if t.failure >= 0 && k >= t.failure {
		s.Fatal = t.r.Fatal
		s.Failed = k == t.failure
	}
	if k == t.End() {
		s.Lost = t.r.Lost
	}
	return s
}

func (t *Timeline) page() uint64 {
	if t.pageSize != 0 {
		return t.pageSize
	}
	if sh, err := layout.ParsePageSize(t.r.PageSize); err == nil {
		return 1 << sh
	}
	return 4 << 10
}

// Partial returns a result holding what existed right after step k: the
// mappings written so far (merged into runs like the engine's), the tables
// allocated so far, the trace up to k, and lost memory and the failure once
// they are known. The app draws it with the same code as a whole result.
func (t *Timeline) Partial(k int) (*result.Result, State) {
	s := t.At(k)
	p := *t.r
	p.Mappings = make([]result.Mapping, 0, len(s.Mapped))
	for _, m := range s.Mapped {
		if n := len(p.Mappings); n > 0 {
			q := &p.Mappings[n-1]
			if q.VA+q.Size == m.VA && q.PA+q.Size == m.PA && q.Page == m.Page && q.Level == m.Level &&
				q.Cont == m.Cont && q.Purpose == m.Purpose && q.Why == m.Why && q.Prot == m.Prot {
				q.Size += m.Size
				continue
			}
		}
		p.Mappings = append(p.Mappings, m.Mapping)
	}
	p.Tables = make([]result.Tables, len(s.Tables))
	for i, tb := range s.Tables {
		p.Tables[i] = tb.Tables
	}
	p.Lost = s.Lost
	p.Fatal = s.Fatal
	if s.Step >= 0 {
		p.Trace = t.r.Trace[:s.Step+1]
	}
	return &p, s
}
