package view

import (
	"fmt"
	"strings"

	"linmap/sim/result"
	"linmap/wasm/model"
	"linmap/wasm/numfmt"
)

// Tooltips: what a kernel engineer wants to know about the thing under the
// pointer, one fact per line, all from the engine's fields.

func rangeLines(what string, base, size uint64) []string {
	return []string{
		what,
		fmt.Sprintf("base %s  end %s", numfmt.Hex(base), numfmt.Hex(base+size)),
		fmt.Sprintf("size %s (%s)", numfmt.Size(size), numfmt.Hex(size)),
	}
}

func mappingLines(r *result.Result, i int) []string {
	m := r.Mappings[i]
	leaf := fmt.Sprintf("leaf %s at %s level", m.Page, m.Level)
	if m.Cont {
		leaf += ", contiguous bit set"
	}
	out := []string{
		fmt.Sprintf("%s mapping (%s)", m.Purpose, m.Prot),
		fmt.Sprintf("PA %s..%s", numfmt.Hex(uint64(m.PA)), numfmt.Hex(uint64(m.PA+m.Size))),
		fmt.Sprintf("VA %s..%s", numfmt.Hex(uint64(m.VA)), numfmt.Hex(uint64(m.VA+m.Size))),
		leaf,
	}
	return append(out, wrap("why: "+m.Why, 70)...)
}

// tooltip describes it, drawn from c (the pane's layout and result) and m
// (marks, the step that allocated a table).
func tooltip(m *model.Model, sc *scene, c model.Pane, it item) []string {
	l, r := c.Layout, c.Result
	switch it.kind {
	case kMark:
		mk := sc.marks[it.idx]
		out := rangeLines(mk.Label, mk.Base, mk.Size)
		for _, d := range mk.Detail {
			out = append(out, wrap(d, 70)...)
		}
		return out
	case kBank:
		b := l.Memory[it.idx]
		name := fmt.Sprintf("memory bank %d", it.idx)
		if b.Name != "" {
			name += " " + b.Name
		}
		out := rangeLines(name, uint64(b.Base), uint64(b.Size))
		if r != nil && r.PhysOffset >= 0 && uint64(b.Base) >= uint64(r.PhysOffset) {
			va := uint64(b.Base) - uint64(r.PhysOffset) + uint64(r.PageOffset)
			out = append(out, "__va(base) = "+numfmt.Hex(va))
		}
		return append(out, "drag to move · drag an edge to resize · Delete removes")
	case kLost:
		lo := r.Lost[it.idx]
		return append(rangeLines("lost: "+lo.Reason, uint64(lo.Base), uint64(lo.Size)), wrap(lo.Detail, 70)...)
	case kLeafPA, kLeafVA:
		return mappingLines(r, it.idx)
	case kReserved:
		rv := l.Reserved[it.idx]
		what := "reserved"
		if rv.NoMap {
			what = "reserved, no-map"
		}
		if rv.Name != "" {
			what += " " + rv.Name
		}
		return rangeLines(what, uint64(rv.Base), uint64(rv.Size))
	case kImage:
		for _, sec := range imageSections(l, r) {
			if sec.name == it.section {
				out := rangeLines("kernel image "+sec.name, sec.base, sec.size)
				if r != nil && r.KernelImage.Size != 0 {
					out = append(out, "VA "+numfmt.Hex(uint64(r.KernelImage.VA)+sec.base-uint64(r.KernelImage.PA)))
				}
				return append(out, "drag to reload it: it lands on 2M + text_offset")
			}
		}
	case kDTB:
		return rangeLines("device tree blob", uint64(l.DTB.Base), uint64(l.DTB.Size))
	case kInitrd:
		return rangeLines("initrd", uint64(l.Initrd.Base), uint64(l.Initrd.Size))
	case kTables:
		t := r.Tables[it.idx]
		out := rangeLines(fmt.Sprintf("%s of page tables holding %s entries", numfmt.Plural(uint64(t.Count), "page"), t.Level),
			uint64(t.PA), uint64(t.Count)*pageBytes(l))
		out = append(out, wrap("for: "+t.Cause, 70)...)
		if !t.Mapped {
			out = append(out, "allocated from memory NOT mapped yet")
		}
		if full := m.Result(); full != nil && t.Step >= 0 && t.Step < len(full.Trace) {
			st := full.Trace[t.Step]
			out = append(out, wrap(fmt.Sprintf("step %d, %s(): %s", t.Step, st.Func, st.Text), 70)...)
		}
		for _, tm := range sc.panes[it.pane].tables {
			if uint64(t.PA) >= tm.base && uint64(t.PA) < tm.base+tm.size && tm.runs > 1 {
				out = append(out, fmt.Sprintf("one of %s here: %s", numfmt.Plural(uint64(tm.runs), "run"), tm.label))
			}
		}
		return out
	case kTableCluster:
		tm := sc.panes[it.pane].tables[it.idx]
		out := rangeLines(fmt.Sprintf("%s: %s in %s", tm.label, numfmt.Plural(tm.pages, "page"), numfmt.Plural(uint64(tm.runs), "run")), tm.base, tm.size)
		if tm.notMapped {
			out = append(out, "some allocated from memory NOT mapped yet (red outline)")
		}
		return out
	case kLinear:
		return []string{"linear region",
			"PAGE_OFFSET " + numfmt.Hex(uint64(r.PageOffset)),
			numfmt.Hex(uint64(r.LinearStart)) + ".." + numfmt.Hex(uint64(r.LinearEnd))}
	case kImageVA:
		ki := r.KernelImage
		return []string{"kernel image mapping (vmalloc area)",
			fmt.Sprintf("VA %s..%s", numfmt.Hex(uint64(ki.VA)), numfmt.Hex(uint64(ki.VA+ki.Size))),
			fmt.Sprintf("PA %s  size %s", numfmt.Hex(uint64(ki.PA)), numfmt.Size(uint64(ki.Size)))}
	}
	return nil
}

func gapLines(start, end uint64, physical bool) []string {
	out := []string{"empty: " + numfmt.Size(end-start) + " collapsed", numfmt.Hex(start) + ".." + numfmt.Hex(end)}
	if physical {
		out = append(out, "double-click to add a bank here")
	}
	return out
}

func wrap(s string, n int) []string {
	var out []string
	var line strings.Builder
	for _, w := range strings.Fields(s) {
		if line.Len() > 0 && line.Len()+1+len(w) > n {
			out = append(out, line.String())
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(w)
	}
	if line.Len() > 0 {
		out = append(out, line.String())
	}
	return out
}
