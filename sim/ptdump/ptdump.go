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

// Style is how an era's ptdump prints (docs/research/ptdump-and-versions.md
// Part A): its section marker, which columns exist, whether unmapped
// ranges are listed and how folded levels are named. The era registry
// holds one per era.
type Style struct {
	// Title is the marker before the section ("Kernel Mapping" ≤ v4.4,
	// "Linear Mapping" v4.6–v4.19, "Linear mapping" v4.20–v5.3); with
	// StartEnd (v5.4+) it is "Linear Mapping start" … "end".
	Title    string
	StartEnd bool
	Level    bool // the level column (v4.7+)
	Valid    bool // the "F" column for invalid entries (v4.6+)
	ContBlk  bool // the CON and BLK columns (v4.4+)
	Holes    bool // unmapped ranges are listed with their level (v5.6+)
	GP       bool // the BTI "GP" column, blank in the linear map (v5.8+)
	Tagged   bool // RW memory is "MEM/NORMAL-TAGGED" (MTE, v5.10+)
	// PMDAtRoot: blocks in a 2-level table's root print "PMD" (v6.9+, whose
	// note_page() remaps only folded P4D and PUD levels to "PGD").
	PMDAtRoot bool
}

// Write prints the linear-map section of r as an era with style st would.
// With LPA2 in use (4K/16K with 52-bit VAs) the kernel drops the
// shareability bits, so the SHD column is blank; NG depends on KPTI at
// run time and is never printed.
func Write(w io.Writer, r *result.Result, st Style) error {
	shift, err := layout.ParsePageSize(r.PageSize)
	if err != nil {
		return err
	}
	g := geom.Geometry{PageShift: shift, VABits: r.VABits, VABitsActual: r.VABitsActual, Levels: r.Levels, Top: 4 - r.Levels}
	lpa2 := shift != 16 && r.VABitsActual == 52
	d := dumper{w: w, g: g, st: st, shd: !lpa2}
	if st.StartEnd {
		fmt.Fprintln(w, "---[ Linear Mapping start ]---")
	} else {
		fmt.Fprintf(w, "---[ %s ]---\n", st.Title)
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
		d.note(uint64(m.VA), uint64(m.VA+m.Size), d.levelName(m.Level), d.attrs(m))
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

// levelName is ptdump's name for a leaf's level: the root is "PGD" however
// many levels are folded into it, except a 2-level table's PMD blocks from
// v6.9.
func (d *dumper) levelName(level string) string {
	root := geom.LeafLevelName(d.g.Top)
	if level == root && !(d.st.PMDAtRoot && level == "PMD") {
		return "PGD"
	}
	return level
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
	line := fmt.Sprintf("0x%016x-0x%016x   %9d%c", d.start, d.end, delta, units[u])
	if d.st.Level {
		line += " " + d.level
	}
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

// attrs renders the attribute columns of arm64's ptdump for a leaf: each
// column is " " + its set or clear string, in pte_bits[] order.
func (d *dumper) attrs(m result.Mapping) string {
	ro := strings.HasPrefix(m.Prot, "ro")
	nx := strings.Contains(m.Prot, "NX")
	var sb strings.Builder
	col := func(on bool, set, clear string) {
		sb.WriteByte(' ')
		if on {
			sb.WriteString(set)
		} else {
			sb.WriteString(clear)
		}
	}
	if d.st.Valid {
		col(true, " ", "F")
	}
	col(false, "USR", "   ")
	col(ro, "ro", "RW")
	col(nx, "NX", "x ")
	col(d.shd, "SHD", "   ")
	col(true, "AF", "  ")
	col(false, "NG", "  ")
	if d.st.ContBlk {
		col(m.Cont, "CON", "   ")
		col(m.Level == "PTE", "   ", "BLK")
	}
	col(true, "UXN", "   ")
	if d.st.GP {
		col(false, "GP", "  ")
	}
	mem := "MEM/NORMAL"
	if d.st.Tagged && !ro && !strings.Contains(m.Prot, "x") {
		mem = "MEM/NORMAL-TAGGED"
	}
	sb.WriteString(" " + mem)
	return sb.String()
}
