// Package memblock models the kernel's boot-time memory allocator as far as
// the linear map depends on it: the sorted, merged region arrays
// memblock.memory and memblock.reserved, their NOMAP and HOTPLUG flags,
// mem= truncation, and top-down allocation below memblock.current_limit.
// Everything works on ranges; nothing iterates over pages.
package memblock

import (
	"sort"
	"strings"
)

// Flags are the kernel's MEMBLOCK_* region flags.
type Flags uint8

const (
	Hotplug Flags = 1 << iota // MEMBLOCK_HOTPLUG
	NoMap                     // MEMBLOCK_NOMAP
)

// String uses the names of /sys/kernel/debug/memblock ("NONE", "NOMAP", …).
func (f Flags) String() string {
	if f == 0 {
		return "NONE"
	}
	var parts []string
	if f&Hotplug != 0 {
		parts = append(parts, "HOTPLUG")
	}
	if f&NoMap != 0 {
		parts = append(parts, "NOMAP")
	}
	return strings.Join(parts, "|")
}

// NoNode is MAX_NUMNODES: the node id memblock_add uses before NUMA setup.
const NoNode = -1

// Region is one entry of a memblock type. End() may be 2^64 (as 0) only in
// theory; callers keep regions below the top of the space.
type Region struct {
	Base, Size uint64
	Flags      Flags
	NID        int
}

// End is the first address past the region.
func (r Region) End() uint64 { return r.Base + r.Size }

// Type is one sorted, non-overlapping array of regions.
type Type struct{ Regions []Region }

// Memblock is memblock.memory + memblock.reserved + current_limit.
type Memblock struct {
	Memory   Type
	Reserved Type
	// Limit is memblock.current_limit: allocations end below it.
	// 0 means MEMBLOCK_ALLOC_ANYWHERE.
	Limit uint64
}

// clampSize keeps base+size from wrapping past 2^64.
func clampSize(base, size uint64) uint64 {
	if base+size < base {
		return -base
	}
	return size
}

// Add is memblock_add_range: inserts the parts of [base, base+size) not
// already present, then merges neighbours with equal node and flags. Only
// the regions around the range are touched.
func (t *Type) Add(base, size uint64, nid int, flags Flags) {
	size = clampSize(base, size)
	if size == 0 {
		return
	}
	end := base + size
	rs := t.Regions
	lo := sort.Search(len(rs), func(i int) bool { return rs[i].End() > base })
	hi := lo
	for hi < len(rs) && rs[hi].Base < end {
		hi++
	}
	// Fill the gaps between the overlapping regions [lo, hi).
	var ins []Region
	cur := base
	for i := lo; i < hi; i++ {
		if rs[i].Base > cur {
			ins = append(ins, Region{cur, rs[i].Base - cur, flags, nid})
		}
		ins = append(ins, rs[i])
		cur = max(cur, rs[i].End())
	}
	if cur < end {
		ins = append(ins, Region{cur, end - cur, flags, nid})
	}
	t.splice(lo, hi, ins)
	t.mergeAround(lo, lo+len(ins))
}

// splice replaces regions [lo, hi) with ins.
func (t *Type) splice(lo, hi int, ins []Region) {
	rs := t.Regions
	n := len(rs) - (hi - lo) + len(ins)
	if n > cap(rs) {
		grown := make([]Region, len(rs), n+n/2+4)
		copy(grown, rs)
		rs = grown
	}
	old := len(rs)
	rs = rs[:max(old, n)]
	copy(rs[lo+len(ins):], rs[hi:old])
	copy(rs[lo:], ins)
	t.Regions = rs[:n]
}

// mergeAround is memblock_merge_regions limited to regions [lo-1, hi+1):
// touching regions with the same node and flags become one.
func (t *Type) mergeAround(lo, hi int) {
	rs := t.Regions
	i := max(lo-1, 0)
	stop := min(hi+1, len(rs))
	for i+1 < stop {
		a, b := rs[i], rs[i+1]
		if a.End() == b.Base && a.NID == b.NID && a.Flags == b.Flags {
			rs[i].Size += b.Size
			rs = append(rs[:i+1], rs[i+2:]...)
			stop--
			continue
		}
		i++
	}
	t.Regions = rs
}

// merge merges the whole array.
func (t *Type) merge() { t.mergeAround(0, len(t.Regions)) }

// isolate splits regions at base and base+size so the range is made of
// whole regions, and returns the index range [lo, hi) covering it.
func (t *Type) isolate(base, size uint64) (lo, hi int) {
	size = clampSize(base, size)
	end := base + size
	rs := t.Regions
	lo = sort.Search(len(rs), func(i int) bool { return rs[i].End() > base })
	if lo < len(rs) && rs[lo].Base < base && rs[lo].End() > base {
		r := rs[lo]
		t.splice(lo, lo+1, []Region{{r.Base, base - r.Base, r.Flags, r.NID}, {base, r.End() - base, r.Flags, r.NID}})
		lo++
	}
	rs = t.Regions
	hi = lo
	for hi < len(rs) && rs[hi].Base < end {
		if rs[hi].End() > end {
			r := rs[hi]
			t.splice(hi, hi+1, []Region{{r.Base, end - r.Base, r.Flags, r.NID}, {end, r.End() - end, r.Flags, r.NID}})
			rs = t.Regions
		}
		hi++
	}
	return lo, hi
}

// Remove is memblock_remove_range.
func (t *Type) Remove(base, size uint64) {
	lo, hi := t.isolate(base, size)
	t.splice(lo, hi, nil)
}

// SetFlag is memblock_setclr_flag: sets or clears flag on the range, then
// merges.
func (t *Type) SetFlag(base, size uint64, flag Flags, set bool) {
	lo, hi := t.isolate(base, size)
	for i := lo; i < hi; i++ {
		if set {
			t.Regions[i].Flags |= flag
		} else {
			t.Regions[i].Flags &^= flag
		}
	}
	t.mergeAround(lo, hi)
}

// SetNode is memblock_set_node: assigns a NUMA node to the range.
func (t *Type) SetNode(base, size uint64, nid int) {
	lo, hi := t.isolate(base, size)
	for i := lo; i < hi; i++ {
		t.Regions[i].NID = nid
	}
	t.mergeAround(lo, hi)
}

// Total is the sum of region sizes.
func (t *Type) Total() uint64 {
	var n uint64
	for _, r := range t.Regions {
		n += r.Size
	}
	return n
}

// Start is memblock_start_of_DRAM (0 when empty).
func (m *Memblock) Start() uint64 {
	if len(m.Memory.Regions) == 0 {
		return 0
	}
	return m.Memory.Regions[0].Base
}

// End is memblock_end_of_DRAM (0 when empty).
func (m *Memblock) End() uint64 {
	if len(m.Memory.Regions) == 0 {
		return 0
	}
	return m.Memory.Regions[len(m.Memory.Regions)-1].End()
}

// FindMaxAddr is __find_max_addr: the address at which the first limit
// bytes of memory (NOMAP regions included) end; ~0 if memory is smaller.
func (m *Memblock) FindMaxAddr(limit uint64) uint64 {
	for _, r := range m.Memory.Regions {
		if limit <= r.Size {
			return r.Base + limit
		}
		limit -= r.Size
	}
	return ^uint64(0)
}

// EnforceMemoryLimit is memblock_enforce_memory_limit (≤ v4.7's mem=):
// memory and reserved above the limit address are removed. It returns the
// cut-off address.
func (m *Memblock) EnforceMemoryLimit(limit uint64) uint64 {
	max := m.FindMaxAddr(limit)
	if max == ^uint64(0) {
		return max
	}
	m.Memory.Remove(max, ^uint64(0)-max)
	m.Reserved.Remove(max, ^uint64(0)-max)
	return max
}

// MemLimitRemoveMap is memblock_mem_limit_remove_map (v4.8+'s mem=): like
// EnforceMemoryLimit but NOMAP regions survive.
func (m *Memblock) MemLimitRemoveMap(limit uint64) uint64 {
	max := m.FindMaxAddr(limit)
	if max == ^uint64(0) {
		return max
	}
	lo, hi := m.Memory.isolate(0, max)
	var keep []Region
	for i, r := range m.Memory.Regions {
		if (i >= lo && i < hi) || r.Flags&NoMap != 0 {
			keep = append(keep, r)
		}
	}
	m.Memory.Regions = keep
	m.Reserved.Remove(max, ^uint64(0)-max)
	return max
}

// IsMemory reports whether [base, base+size) lies entirely in memory.
func (m *Memblock) IsMemory(base, size uint64) bool {
	return covered(m.Memory.Regions, base, base+size)
}

// IsReserved reports whether any byte of [base, base+size) is reserved.
func (m *Memblock) IsReserved(base, size uint64) bool {
	for _, r := range m.Reserved.Regions {
		if r.Base < base+size && base < r.End() {
			return true
		}
	}
	return false
}

func covered(rs []Region, base, end uint64) bool {
	for _, r := range rs {
		if r.End() <= base {
			continue
		}
		if r.Base > base {
			return false
		}
		base = r.End()
		if base >= end {
			return true
		}
	}
	return base >= end
}

// AllocPolicy says which free memory the allocator may use.
type AllocPolicy struct {
	SkipNoMap   bool // v4.5+: NOMAP memory is not free memory
	SkipHotplug bool // movable_node: hot-pluggable memory is not used
}

// Run is a range of consecutive pages handed out one by one from the top
// down: the first page allocated is at Base+Size-page.
type Run struct{ Base, Size uint64 }

// AllocPages performs n successive memblock_alloc(page, page) calls below
// end (0: current_limit, or anywhere if that is 0) and returns the pages
// as runs in allocation order. Fewer than n pages means the next call
// would have failed. Each allocation is reserved at once, as memblock does.
func (m *Memblock) AllocPages(n uint64, page uint64, end uint64, p AllocPolicy) []Run {
	return m.AllocPagesIn(n, page, 0, end, p)
}

// AllocPagesIn is AllocPages restricted to [start, end).
func (m *Memblock) AllocPagesIn(n uint64, page uint64, start, end uint64, p AllocPolicy) []Run {
	if end == 0 {
		end = m.Limit
	}
	if end == 0 {
		end = ^uint64(0)
	}
	var runs []Run
	for n > 0 {
		base, size, ok := m.topFree(page, max(start, page), end, p)
		if !ok {
			break
		}
		// Take as many pages as fit at the top of this free range.
		take := size / page
		if take > n {
			take = n
		}
		top := base + size
		r := Run{Base: top - take*page, Size: take * page}
		m.Reserved.Add(r.Base, r.Size, NoNode, 0)
		runs = append(runs, r)
		n -= take
	}
	return runs
}

// Alloc is one memblock_alloc(size, align) below end (0: current_limit).
func (m *Memblock) Alloc(size, align, end uint64, p AllocPolicy) (uint64, bool) {
	if end == 0 {
		end = m.Limit
	}
	if end == 0 {
		end = ^uint64(0)
	}
	base, ok := m.findTopDown(size, align, 0, end, p)
	if ok {
		m.Reserved.Add(base, size, NoNode, 0)
	}
	return base, ok
}

// topFree finds the highest free range below end and returns its usable,
// page-aligned part (top-down candidate logic of
// __memblock_find_range_top_down with size = align = page).
func (m *Memblock) topFree(page, start, end uint64, p AllocPolicy) (base, size uint64, ok bool) {
	var found bool
	m.freeRangesReverse(start, end, p, func(s, e uint64) bool {
		s = alignUp(s, page)
		e &^= page - 1
		if e <= s {
			return true
		}
		base, size, found = s, e-s, true
		return false
	})
	return base, size, found
}

// FindTopDown is memblock_find_in_range top-down without reserving.
func (m *Memblock) FindTopDown(size, align, start, end uint64, p AllocPolicy) (uint64, bool) {
	return m.findTopDown(size, align, start, end, p)
}

func (m *Memblock) findTopDown(size, align, start, end uint64, p AllocPolicy) (uint64, bool) {
	if align == 0 {
		align = 1
	}
	var cand uint64
	var ok bool
	m.freeRangesReverse(max(start, align), end, p, func(s, e uint64) bool {
		if s < start {
			s = start
		}
		if e < size {
			return true
		}
		c := (e - size) &^ (align - 1)
		if c >= s {
			cand, ok = c, true
			return false
		}
		return true
	})
	return cand, ok
}

// freeRangesReverse visits free memory (memory minus reserved, filtered by
// policy) from the top, clamped to [minStart, end), calling fn(start, end)
// until it returns false. The first page of the space is never free
// (memblock starts its searches at PAGE_SIZE).
func (m *Memblock) freeRangesReverse(minStart, end uint64, p AllocPolicy, fn func(s, e uint64) bool) {
	mem := m.Memory.Regions
	res := m.Reserved.Regions
	// First memory region starting below end.
	i := sort.Search(len(mem), func(i int) bool { return mem[i].Base >= end }) - 1
	for ; i >= 0; i-- {
		r := mem[i]
		if (p.SkipNoMap && r.Flags&NoMap != 0) || (p.SkipHotplug && r.Flags&Hotplug != 0) {
			continue
		}
		hi := min(r.End(), end)
		lo := max(r.Base, minStart)
		// Walk reserved regions overlapping [lo, hi) from the top.
		j := sort.Search(len(res), func(j int) bool { return res[j].Base >= hi }) - 1
		for hi > lo {
			for j >= 0 && res[j].End() > hi {
				// reserved region covers the top: skip below it
				if res[j].Base < hi {
					hi = res[j].Base
				}
				j--
			}
			if hi <= lo {
				break
			}
			s := lo
			if j >= 0 && res[j].End() > s {
				s = res[j].End()
			}
			if s < hi {
				if !fn(s, hi) {
					return
				}
			}
			if j < 0 || res[j].End() <= lo {
				break
			}
			hi = res[j].Base
			j--
		}
	}
}

func alignUp(x, a uint64) uint64 { return (x + a - 1) &^ (a - 1) }
