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

// Write prints the "Linear Mapping" section of r. Eras from v5.10 print
// unmapped ranges too (with only the level name); older ones do not.
func Write(w io.Writer, r *result.Result) error {
	shift, err := layout.ParsePageSize(r.PageSize)
	if err != nil {
		return err
	}
	g := geom.Geometry{PageShift: shift, VABits: r.VABits, VABitsActual: r.VABitsActual, Levels: r.Levels, Top: 4 - r.Levels}
	modern := r.Era != "v3.18" && r.Era != "rfc-2014" && r.Era != "v4.6" && r.Era != "v4.19"
	gp := r.Era == "v6.18"
	d := dumper{w: w, g: g, gp: gp, classic: r.Era == "v3.18" || r.Era == "rfc-2014"}
	if modern {
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
		if uint64(m.VA) > cur && modern {
			d.gap(g.Top, cur, uint64(m.VA))
		}
		d.note(uint64(m.VA), uint64(m.VA+m.Size), m.Level, attrs(m, gp, d.classic))
		cur = uint64(m.VA + m.Size)
	}
	if modern && cur != end {
		d.gap(g.Top, cur, end)
	}
	d.flush()
	if modern {
		fmt.Fprintln(w, "---[ Linear Mapping end ]---")
	}
	return d.err
}

type dumper struct {
	w           io.Writer
	g           geom.Geometry
	gp, classic bool
	leaves      []result.Mapping
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
func attrs(m result.Mapping, gp, classic bool) string {
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
	sb.WriteString(col(true, "SHD", "   "))
	sb.WriteString(col(true, "AF", "  "))
	sb.WriteString(col(false, "NG", "  "))
	sb.WriteString(col(m.Cont, "CON", "   "))
	sb.WriteString(col(m.Level == "PTE", "   ", "BLK"))
	sb.WriteString(col(true, "UXN", "   "))
	if gp {
		sb.WriteString(col(false, "GP", "  "))
	}
	mem := "MEM/NORMAL-TAGGED"
	if ro || classic {
		mem = "MEM/NORMAL"
	}
	sb.WriteString(" " + mem)
	return sb.String()
}
