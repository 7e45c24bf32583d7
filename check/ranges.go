package check

import (
	"fmt"
	"sort"
	"strings"
)

// span is a half-open range [a, b).
type iv struct{ a, b uint64 }

// ivs is a set of addresses as sorted, disjoint, non-touching ranges.
type ivs []iv

// norm sorts and merges the ranges.
func norm(xs []iv) ivs {
	var in []iv
	for _, x := range xs {
		if x.b > x.a {
			in = append(in, x)
		}
	}
	sort.Slice(in, func(i, j int) bool { return in[i].a < in[j].a })
	var out ivs
	for _, x := range in {
		if n := len(out); n > 0 && x.a <= out[n-1].b {
			if x.b > out[n-1].b {
				out[n-1].b = x.b
			}
			continue
		}
		out = append(out, x)
	}
	return out
}

// minus is s without t.
func (s ivs) minus(t ivs) ivs {
	var out ivs
	for _, x := range s {
		cur := x.a
		for _, y := range t {
			if y.b <= cur || y.a >= x.b {
				continue
			}
			if y.a > cur {
				out = append(out, iv{cur, y.a})
			}
			if y.b > cur {
				cur = y.b
			}
		}
		if cur < x.b {
			out = append(out, iv{cur, x.b})
		}
	}
	return out
}

func (s ivs) total() uint64 {
	var n uint64
	for _, x := range s {
		n += x.b - x.a
	}
	return n
}

func (s ivs) String() string {
	var parts []string
	for i, x := range s {
		if i == 4 {
			parts = append(parts, fmt.Sprintf("… (%d ranges)", len(s)))
			break
		}
		parts = append(parts, span(x.a, x.b))
	}
	return strings.Join(parts, ", ")
}

// ranges lists the set for a fact.
func (s ivs) ranges(space string) []Range {
	var out []Range
	for _, x := range s {
		out = append(out, Range{Space: space, Start: Addr(x.a), End: Addr(x.b)})
	}
	return out
}

// mib writes a size for people.
func mib(b uint64) string {
	switch {
	case b >= 1<<30 && b%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", b>>30)
	case b >= 1<<20 && b%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", b>>20)
	case b%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", b>>10)
	}
	return fmt.Sprintf("%d bytes", b)
}
