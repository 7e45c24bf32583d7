package pgtable

import (
	"slices"
	"sort"

	"linmap/sim/result"
)

// span is a half-open range [A, B) of VA offsets.
type span struct{ A, B uint64 }

// spanSet is a sorted set of disjoint, merged spans.
type spanSet struct{ s []span }

// add inserts [a, b), merging with touching neighbours.
func (t *spanSet) add(a, b uint64) {
	if a >= b {
		return
	}
	i := sort.Search(len(t.s), func(i int) bool { return t.s[i].B >= a })
	j := i
	for j < len(t.s) && t.s[j].A <= b {
		a = min(a, t.s[j].A)
		b = max(b, t.s[j].B)
		j++
	}
	if i == j {
		t.s = append(t.s, span{})
		copy(t.s[i+1:], t.s[i:])
		t.s[i] = span{a, b}
		return
	}
	t.s[i] = span{a, b}
	t.s = append(t.s[:i+1], t.s[j:]...)
}

// remove deletes [a, b) from the set.
func (t *spanSet) remove(a, b uint64) {
	var out []span
	for _, x := range t.s {
		if x.B <= a || x.A >= b {
			out = append(out, x)
			continue
		}
		if x.A < a {
			out = append(out, span{x.A, a})
		}
		if x.B > b {
			out = append(out, span{b, x.B})
		}
	}
	t.s = out
}

// contains reports whether x lies in the set.
func (t *spanSet) contains(x uint64) bool {
	i := sort.Search(len(t.s), func(i int) bool { return t.s[i].B > x })
	return i < len(t.s) && t.s[i].A <= x
}

// overlaps returns the parts of [a, b) inside the set, in order.
func (t *spanSet) overlaps(a, b uint64) []span {
	var out []span
	i := sort.Search(len(t.s), func(i int) bool { return t.s[i].B > a })
	for ; i < len(t.s) && t.s[i].A < b; i++ {
		out = append(out, span{max(a, t.s[i].A), min(b, t.s[i].B)})
	}
	return out
}

// total is the sum of span lengths.
func (t *spanSet) total() uint64 {
	var n uint64
	for _, x := range t.s {
		n += x.B - x.A
	}
	return n
}

// Leaf is a run of leaf entries written by one mapping call: equal level,
// contiguous bit and attributes, VA offsets [Off, End) mapping PA Off+Delta.
type Leaf struct {
	Off, End uint64
	Level    int
	Cont     bool
	Prot     string
	Purpose  result.Purpose
	Delta    uint64 // PA = offset + Delta
	Why      string // why the leaves are this size: the rule and the kernel function
}

// leafStore keeps leaves sorted by offset, never overlapping.
type leafStore struct{ l []Leaf }

// find returns the index of the first leaf ending after off.
func (s *leafStore) find(off uint64) int {
	return sort.Search(len(s.l), func(i int) bool { return s.l[i].End > off })
}

// overlapping returns leaves intersecting [a, b), clipped to it.
func (s *leafStore) overlapping(a, b uint64) []Leaf {
	var out []Leaf
	for i := s.find(a); i < len(s.l) && s.l[i].Off < b; i++ {
		x := s.l[i]
		x.Off, x.End = max(x.Off, a), min(x.End, b)
		out = append(out, x)
	}
	return out
}

// cut removes [a, b) from every leaf, splitting those that straddle it.
func (s *leafStore) cut(a, b uint64) {
	i := s.find(a)
	j := i
	for j < len(s.l) && s.l[j].Off < b {
		j++
	}
	if i == j {
		return
	}
	var keep [2]Leaf
	n := 0
	if first := s.l[i]; first.Off < a {
		first.End = a
		keep[n] = first
		n++
	}
	if last := s.l[j-1]; last.End > b {
		last.Off = b
		keep[n] = last
		n++
	}
	s.l = slices.Replace(s.l, i, j, keep[:n]...)
}

// splitAt splits the leaf run holding x strictly inside it into two.
func (s *leafStore) splitAt(x uint64) {
	i := s.find(x)
	if i == len(s.l) || s.l[i].Off >= x {
		return
	}
	right := s.l[i]
	right.Off = x
	s.l[i].End = x
	s.l = slices.Insert(s.l, i+1, right)
}

// insert adds a leaf run; the caller has cut [Off, End) first.
func (s *leafStore) insert(x Leaf) {
	i := s.find(x.Off)
	if i == len(s.l) {
		s.l = append(s.l, x)
		return
	}
	s.l = append(s.l, Leaf{})
	copy(s.l[i+1:], s.l[i:])
	s.l[i] = x
}
