package kernel

import (
	"sort"

	"linmap/sim/geom"
	"linmap/sim/layout"
	"linmap/sim/memblock"
	"linmap/sim/result"
)

// Finish fills the result from the final state: mappings, memblock,
// lost memory with reasons, statistics.
func (b *Boot) Finish() {
	r := b.Res
	if b.PT != nil {
		for _, l := range b.PT.Leaves() {
			if l.Purpose == result.PurposeKernelImage {
				continue
			}
			es := b.G.EntrySize(l.Level)
			m := result.Mapping{VA: addr(b.PT.VA(l.Off)), PA: addr(l.Off + l.Delta), Size: addr(l.End - l.Off),
				Page: b.sizeName(es), LeafBytes: addr(es), Level: geom.LeafLevelName(l.Level), Cont: l.Cont, Prot: l.Prot, Purpose: l.Purpose, Why: l.Why}
			if n := len(r.Mappings); n > 0 {
				p := &r.Mappings[n-1]
				if p.VA+p.Size == m.VA && p.PA+p.Size == m.PA && p.Page == m.Page && p.Cont == m.Cont && p.Prot == m.Prot && p.Purpose == m.Purpose && p.Why == m.Why {
					p.Size += m.Size
					continue
				}
			}
			r.Mappings = append(r.Mappings, m)
		}
	}
	b.finishMemblock()
	b.finishLost()
	b.finishStats()
	if r.Mappings == nil {
		r.Mappings = []result.Mapping{}
	}
	if r.Tables == nil {
		r.Tables = []result.Tables{}
	}
	if r.Warnings == nil {
		r.Warnings = []string{}
	}
}

// finishMemblock assigns NUMA nodes as memblock_set_node() does after
// paging_init, and copies the arrays out.
func (b *Boot) finishMemblock() {
	for _, m := range b.L.Memory {
		b.MB.Memory.SetNode(uint64(m.Base), uint64(m.Size), m.NID)
	}
	conv := func(rs []memblock.Region, nid bool) []result.Region {
		out := []result.Region{}
		for _, x := range rs {
			n := x.NID
			if !nid || n < 0 {
				n = 0
			}
			out = append(out, result.Region{Base: addr(x.Base), Size: addr(x.Size), Flags: x.Flags.String(), NID: n})
		}
		return out
	}
	b.Res.Memblock.Memory = conv(b.MB.Memory.Regions, true)
	b.Res.Memblock.Reserved = conv(b.MB.Reserved.Regions, false)
}

// finishLost lists declared memory that is not linear mapped, with the
// reason recorded where it was taken away.
func (b *Boot) finishLost() {
	var mapped [][2]uint64
	if b.PT != nil {
		for _, l := range b.PT.Leaves() {
			if l.Purpose != result.PurposeKernelImage {
				mapped = append(mapped, [2]uint64{l.Off + l.Delta, l.End + l.Delta})
			}
		}
	}
	sort.Slice(mapped, func(i, j int) bool { return mapped[i][0] < mapped[j][0] })
	banks := append([]layout.Bank(nil), b.L.Memory...)
	sort.Slice(banks, func(i, j int) bool { return banks[i].Base < banks[j].Base })
	lost := []result.Lost{}
	for _, m := range banks {
		for _, piece := range subtract(uint64(m.Base), uint64(m.End()), mapped) {
			lost = append(lost, b.explain(piece[0], piece[1])...)
		}
	}
	// Merge neighbours with the same reason and detail.
	var out []result.Lost
	for _, l := range lost {
		if n := len(out); n > 0 && out[n-1].Base+out[n-1].Size == l.Base && out[n-1].Reason == l.Reason && out[n-1].Detail == l.Detail {
			out[n-1].Size += l.Size
			continue
		}
		out = append(out, l)
	}
	if out == nil {
		out = []result.Lost{}
	}
	b.Res.Lost = out
}

func sortSpans(s [][2]uint64) { sort.Slice(s, func(i, j int) bool { return s[i][0] < s[j][0] }) }

// subtract returns [lo, hi) minus the sorted spans.
func subtract(lo, hi uint64, spans [][2]uint64) [][2]uint64 {
	var out [][2]uint64
	cur := lo
	i := sort.Search(len(spans), func(i int) bool { return spans[i][1] > lo })
	for ; i < len(spans) && spans[i][0] < hi && cur < hi; i++ {
		if spans[i][0] > cur {
			out = append(out, [2]uint64{cur, spans[i][0]})
		}
		cur = max(cur, spans[i][1])
	}
	if cur < hi {
		out = append(out, [2]uint64{cur, hi})
	}
	return out
}

// explain splits an unmapped piece by the recorded removals; what none
// explains gets the reason the final memblock state gives.
func (b *Boot) explain(lo, hi uint64) []result.Lost {
	var out []result.Lost
	cur := lo
	for cur < hi {
		// The earliest-recorded removal covering cur wins.
		best := -1
		next := hi
		for i, s := range b.removed {
			if s.base <= cur && cur < s.end {
				if best < 0 {
					best = i
				}
			} else if s.base > cur && s.base < next {
				next = s.base
			}
		}
		if best >= 0 {
			s := b.removed[best]
			end := min(s.end, hi)
			out = append(out, result.Lost{Base: addr(cur), Size: addr(end - cur), Reason: s.reason, Detail: s.detail})
			cur = end
			continue
		}
		reason, detail := b.residualReason(cur)
		out = append(out, result.Lost{Base: addr(cur), Size: addr(next - cur), Reason: reason, Detail: detail})
		cur = next
	}
	return out
}

func (b *Boot) residualReason(pa uint64) (string, string) {
	for _, r := range b.MB.Memory.Regions {
		if pa >= r.Base && pa < r.End() && r.Flags&memblock.NoMap != 0 {
			return result.ReasonNoMap, "marked NOMAP in memblock (no-map reserved memory or firmware-owned), so map_mem() skips it"
		}
	}
	if b.fatal {
		return result.ReasonNotReached, "boot stopped before map_mem() reached this memory"
	}
	return result.ReasonNotReached, "not mapped by map_mem()"
}

func (b *Boot) finishStats() {
	r := b.Res
	s := result.Stats{BytesByPage: map[string]layout.Addr{}, TablesByLevel: map[string]int64{}, LostByReason: map[string]layout.Addr{}}
	for _, m := range r.Mappings {
		s.MappedBytes += m.Size
		key := m.Page
		if m.Cont {
			key += "+cont"
		}
		s.BytesByPage[key] += m.Size
		n := uint64(m.Size / m.LeafBytes)
		if m.Cont {
			group := uint64(16)
			lvl := geom.LevelPTE
			if m.Level != "PTE" {
				lvl = geom.LevelPMD
			}
			group = uint64(1) << b.G.ContShift(lvl)
			n = (n + group - 1) / group
		}
		s.TLBEntries += n
	}
	for _, t := range r.Tables {
		if t.InImage {
			continue
		}
		s.TablesByLevel[t.Level] += t.Count
		s.TableBytes += addr(uint64(t.Count) * b.page())
	}
	for _, l := range r.Lost {
		s.LostBytes += l.Size
		s.LostByReason[l.Reason] += l.Size
	}
	r.Stats = s
}
