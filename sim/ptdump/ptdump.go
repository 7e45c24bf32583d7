// Package ptdump prints a result's linear map in the format of the
// kernel's /sys/kernel/debug/kernel_page_tables, so it can be diffed
// against a real board.
package ptdump

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"linmap/sim/geom"
	"linmap/sim/layout"
	"linmap/sim/result"
)

// Style is how an era's ptdump prints: its markers, which ranges it
// lists, and its attribute columns. The era registry holds one per era.
type Style struct {
	// StartEnd: "---[ Linear Mapping start ]---" … "end" (v5.4+), else a
	// single "---[ Linear Mapping ]---" before the section.
	StartEnd bool
	// Holes: unmapped ranges are printed with their level only.
	Holes bool
	// GP: the BTI guarded-page column exists (blank in the linear map).
	GP bool
	// SHDWithLPA2: "SHD" is still printed when LPA2 is in use (the
	// shareability bits are repurposed as PA bits with LPA2).
	SHDWithLPA2 bool
	// Tagged: RW linear memory is "MEM/NORMAL-TAGGED" (MTE, v5.10+).
	Tagged bool
}

// Write prints the "Linear Mapping" section of r as an era with style st
// would. lpa2 tells whether the kernel ran with LPA2 (4K/16K with 52-bit
// VAs on a CPU that has it).
func Write(w io.Writer, r *result.Result, st Style) error {
	shift, err := layout.ParsePageSize(r.PageSize)
	if err != nil {
		return err
	}
	g := geom.Geometry{PageShift: shift, VABits: r.VABits, VABitsActual: r.VABitsActual, Levels: r.Levels, Top: 4 - r.Levels}
	lpa2 := shift != 16 && r.VABitsActual == 52
	d := dumper{w: w, g: g, st: st, shd: !lpa2 || st.SHDWithLPA2}
	if st.StartEnd {
		fmt.Fprintln(w, "---[ Linear Mapping start ]---")
	} else {
		fmt.Fprintln(w, "---[ Linear Mapping ]---")
	}
	ms := append([]result.Mapping(nil), r.Mappings...)
	sort.Slice(ms, func(i, j int) bool { return ms[i].VA < ms[j].VA })
	d.leaves = ms
	start := uint64(r.LinearStart)
	end := uint64(r.LinearEnd) // 0 = 2^64
	cur := start
	for _, m := range ms {
		if uint64(m.VA) < start || (end != 0 && uint64(m.VA) >= end) {
			continue
		}
		if uint64(m.VA) > cur && st.Holes {
			d.gap(g.Top, cur, uint64(m.VA))
		}
		d.note(uint64(m.VA), uint64(m.VA+m.Size), m.Level, d.attrs(m))
		cur = uint64(m.VA + m.Size)
	}
	if st.Holes && cur != end {
		d.gap(g.Top, cur, end)
	}
	d.flush()
	if st.StartEnd {
		fmt.Fprintln(w, "---[ Linear Mapping end ]---")
	}
	return d.err
}

type dumper struct {
	w      io.Writer
	g      geom.Geometry
	st     Style
	shd    bool
	leaves []result.Mapping
	// the pending line, merged while level and attributes stay equal
	start, end uint64
	level      string
	attr       string
	pending    bool
	err        error
}

func (d *dumper) note(a, b uint64, level, attr string) {
	if d.pending && d.end == a && d.level == level && d.attr == attr {
		d.end = b
		return
	}
	d.flush()
	d.start, d.end, d.level, d.attr, d.pending = a, b, level, attr, true
}

func (d *dumper) flush() {
	if !d.pending || d.err != nil {
		return
	}
	d.pending = false
	delta := (d.end - d.start) >> 10
	units := "KMGTPE"
	u := 0
	for delta != 0 && delta%1024 == 0 && u < len(units)-1 {
		delta /= 1024
		u++
	}
	line := fmt.Sprintf("0x%016x-0x%016x   %9d%c %s", d.start, d.end, delta, units[u], d.level)
	if d.attr != "" {
		line += d.attr
	}
	_, d.err = fmt.Fprintln(d.w, strings.TrimRight(line, " "))
}

// gap notes the unmapped range [a, b) at the levels ptdump's walker would
// meet it: an entry with no leaf below it is none at that level.
func (d *dumper) gap(level int, a, b uint64) {
	if a == b {
		return
	}
	s := d.g.EntrySize(level)
	name := d.g.LevelName(level)
	if level == geom.LevelPTE {
		d.note(a, b, name, "")
		return
	}
	cur := a
	for cur != b {
		ent := cur &^ (s - 1)
		next := ent + s
		if next == 0 || (b != 0 && next > b) {
			next = b
		}
		if d.hasLeaf(ent, ent+s) {
			d.gap(level+1, cur, next)
			cur = next
			continue
		}
		// Skip ahead over all empty entries at this level at once.
		stop := d.nextLeafEntry(cur, b, s)
		d.note(cur, stop, name, "")
		cur = stop
	}
}

// hasLeaf reports whether a mapping lies in [a, b) (b = 0: 2^64).
func (d *dumper) hasLeaf(a, b uint64) bool {
	i := sort.Search(len(d.leaves), func(i int) bool { return uint64(d.leaves[i].VA+d.leaves[i].Size) > a })
	return i < len(d.leaves) && (b == 0 || uint64(d.leaves[i].VA) < b)
}

// nextLeafEntry is the start of the first entry (size s) at or after cur
// holding a mapping, or b.
func (d *dumper) nextLeafEntry(cur, b, s uint64) uint64 {
	i := sort.Search(len(d.leaves), func(i int) bool { return uint64(d.leaves[i].VA+d.leaves[i].Size) > cur })
	if i == len(d.leaves) {
		return b
	}
	e := uint64(d.leaves[i].VA) &^ (s - 1)
	if e < cur {
		e = cur
	}
	if b != 0 && e > b {
		return b
	}
	return e
}

// attrs renders the attribute columns of arm64's ptdump for a leaf.
func (d *dumper) attrs(m result.Mapping) string {
	ro := strings.HasPrefix(m.Prot, "ro")
	nx := strings.Contains(m.Prot, "NX")
	col := func(on bool, set, clear string) string {
		if on {
			return " " + set
		}
		return " " + clear
	}
	var sb strings.Builder
	sb.WriteString(col(true, " ", "F"))
	sb.WriteString(col(false, "USR", "   "))
	sb.WriteString(col(ro, "ro", "RW"))
	sb.WriteString(col(nx, "NX", "x "))
	sb.WriteString(col(d.shd, "SHD", "   "))
	sb.WriteString(col(true, "AF", "  "))
	sb.WriteString(col(false, "NG", "  "))
	sb.WriteString(col(m.Cont, "CON", "   "))
	sb.WriteString(col(m.Level == "PTE", "   ", "BLK"))
	sb.WriteString(col(true, "UXN", "   "))
	if d.st.GP {
		sb.WriteString(col(false, "GP", "  "))
	}
	mem := "MEM/NORMAL"
	if d.st.Tagged && !ro && !strings.Contains(m.Prot, "x") {
		mem = "MEM/NORMAL-TAGGED"
	}
	sb.WriteString(" " + mem)
	return sb.String()
}
