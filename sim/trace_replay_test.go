package sim

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"linmap/sim/layout"
	"linmap/sim/result"
)

// replayed is a run of leaves as the trace's leaves steps leave it.
type replayed struct {
	va, end          uint64
	page, level, why string
	prot             string
	cont             bool
}

// replayLeaves writes every leaves step of r in order over the linear
// region: a later write replaces what it covers. Readers of the trace (the
// app's timeline) do exactly this, so the engine must report every write,
// including a block split under a new table.
func replayLeaves(r *result.Result) ([]replayed, error) {
	var live []replayed
	for i, st := range r.Trace {
		if st.Kind != result.StepLeaves {
			continue
		}
		if st.VA == nil || st.PA == nil || st.Size == nil || st.Why == "" || st.Prot == "" {
			return nil, fmt.Errorf("leaves step %d %q lacks VA, PA, size, why or prot", i, st.Text)
		}
		va, end := uint64(*st.VA), uint64(*st.VA)+uint64(*st.Size)
		if va < uint64(r.LinearStart) || (r.LinearEnd != 0 && va >= uint64(r.LinearEnd)) {
			continue
		}
		var next []replayed
		for _, p := range live {
			if p.end <= va || p.va >= end {
				next = append(next, p)
				continue
			}
			if p.va < va {
				q := p
				q.end = va
				next = append(next, q)
			}
			if p.end > end {
				q := p
				q.va = end
				next = append(next, q)
			}
		}
		next = append(next, replayed{va: va, end: end, page: st.Page, level: st.Level, why: st.Why, prot: st.Prot, cont: st.Cont})
		sort.Slice(next, func(a, b int) bool { return next[a].va < next[b].va })
		live = next
	}
	return live, nil
}

// The trace's leaves steps, replayed, give the final linear map: every
// mapping's bytes were last written with its leaf size, level, contiguous
// bit and why. (Permissions may differ: the final ones are after boot's
// mark_rodata_ro(), the step's are those written.)
func TestTraceReplaysToMappings(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	geoms := allGeometries()
	var layouts []*layout.Layout
	// The seeds under every era: the reconstructed RFC splits head.S's
	// sections under the unaligned head's PTE table.
	for _, name := range []string{"seed-a-kernel-in-second-block", "seed-b-hypothesis2", "seed-c-unaligned-head"} {
		for _, e := range Eras() {
			l := seed(t, name)
			l.Kernel.Era = e.ID
			layouts = append(layouts, l)
		}
	}
	for i := 0; i < 6*len(geoms); i++ {
		layouts = append(layouts, randomLayout(rng, geoms[i%len(geoms)]))
	}
	checked := map[string]bool{}
	for _, l := range layouts {
		r, err := Run(l)
		if err != nil || r.Fatal != nil {
			continue
		}
		live, err := replayLeaves(r)
		if err != nil {
			t.Fatalf("%s: %v", r.Era, err)
		}
		for _, m := range r.Mappings {
			if m.Purpose == result.PurposeKernelImage {
				continue
			}
			va, end := uint64(m.VA), uint64(m.VA+m.Size)
			for _, p := range live {
				if p.end <= va || p.va >= end {
					continue
				}
				if p.page != m.Page || p.level != m.Level || p.cont != m.Cont || p.why != m.Why {
					b, _ := l.Marshal()
					t.Fatalf("%s: mapping %+v, but the trace last wrote %+v there\nlayout: %s", r.Era, m, p, b)
				}
			}
		}
		checked[r.Era] = true
	}
	for _, e := range Eras() {
		if !checked[e.ID] {
			t.Errorf("era %s: no random layout booted to check", e.ID)
		}
	}
}
