// Package memblock reads the kernel's debugfs memblock lists,
// /sys/kernel/debug/memblock/memory and …/reserved: one region per line,
// "   0: 0x0000000040000000..0x000000007fffffff" (end inclusive), and from
// v6.5 with the node id ("x" when none) and the first flag:
// "   0: 0x0000000040000000..0x000000007fffffff    0 NONE".
package memblock

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"linmap/formats/logtext"
	"linmap/sim/layout"
)

var reHeader = regexp.MustCompile(`(?i)memblock/(memory|reserved)|^\s*(memory|reserved)\s*:?\s*$`)

var reLine = regexp.MustCompile(`^\s*(\d+):\s+0x([0-9a-fA-F]+)\.\.0x([0-9a-fA-F]+)(?:\s+(\d+|x)\s+([A-Z_|]+))?\s*$`)

// Flag names as memblock_debug_show prints them (enum memblock_flags).
var knownFlags = map[string]bool{"NONE": true, "HOTPLUG": true, "MIRROR": true, "NOMAP": true, "DRV_MNG": true, "RSV_NIT": true, "RSV_KERN": true, "KHO_SCRATCH": true, "UNKNOWN": true}

// Region is one parsed line.
type Region struct {
	Base, Size layout.Addr
	NID        int // -1 when printed as "x" or absent
	Flags      []string
	Line       int
}

// Has reports whether the region carries the flag ("NOMAP", "HOTPLUG",
// "DRV_MNG", …).
func (r Region) Has(flag string) bool {
	for _, f := range r.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

// Lists are the memblock.memory and memblock.reserved regions found.
type Lists struct {
	Memory, Reserved []Region
	Flagged          bool // the newer format with node and flags
	// Replaced are the lines where a list named again by its header (a
	// later "cat …/memory") replaced an earlier one.
	Replaced []int
	// Lines are the numbers of every region line read, replaced ones too.
	Lines []int
}

// Detect reports whether text looks like a debugfs memblock list.
func Detect(text string) bool {
	for _, l := range logtext.Lines(text) {
		if reLine.MatchString(l.Text) {
			return true
		}
	}
	return false
}

// Parse splits text into lists: a list is a run of lines numbered from 0.
// A header line naming "reserved" or "memory" (a prompt like
// "# cat /sys/kernel/debug/memblock/reserved") says which list follows;
// otherwise the first list is memory and the second reserved. hint is the
// file name, used when a lone list has no header.
func Parse(text, hint string) (*Lists, error) {
	var ls Lists
	var cur *[]Region
	next := ""
	if strings.Contains(strings.ToLower(hint), "reserved") {
		next = "reserved"
	}
	lists := 0
	for _, l := range logtext.Lines(text) {
		line, n := l.Text, l.N
		m := reLine.FindStringSubmatch(line)
		if m == nil {
			if h := reHeader.FindStringSubmatch(line); h != nil {
				next = strings.ToLower(h[1] + h[2])
			}
			continue
		}
		idx, _ := strconv.Atoi(m[1])
		if idx == 0 || cur == nil {
			lists++
			switch {
			case next == "reserved" || next == "" && lists > 1:
				cur = &ls.Reserved
			default:
				cur = &ls.Memory
			}
			if len(*cur) > 0 {
				if next == "" {
					return nil, fmt.Errorf("line %d: a second %s list starts here; paste one memory and one reserved list", n, map[bool]string{true: "memory", false: "reserved"}[cur == &ls.Memory])
				}
				// A list named again by its header is a later dump of the
				// same file: it replaces the first.
				*cur = nil
				ls.Replaced = append(ls.Replaced, n)
				if cur == &ls.Memory {
					ls.Flagged = false
				}
			}
			next = ""
		}
		base, err1 := strconv.ParseUint(m[2], 16, 64)
		last, err2 := strconv.ParseUint(m[3], 16, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: %q: address does not fit in 64 bits", n, strings.TrimSpace(line))
		}
		if last < base {
			return nil, fmt.Errorf("line %d: end 0x%x is below start 0x%x", n, last, base)
		}
		if last == ^uint64(0) && base == 0 {
			return nil, fmt.Errorf("line %d: a region covering the whole 64-bit space has no size", n)
		}
		r := Region{Base: layout.Addr(base), Size: layout.Addr(last - base + 1), NID: -1, Line: n}
		if m[4] != "" {
			ls.Flagged = true
			if m[4] != "x" {
				r.NID, _ = strconv.Atoi(m[4])
			}
			for _, f := range strings.Split(m[5], "|") {
				if !knownFlags[f] {
					return nil, fmt.Errorf("line %d: unknown memblock flag %q (known: NONE, HOTPLUG, MIRROR, NOMAP, DRV_MNG, RSV_NIT, RSV_KERN, KHO_SCRATCH, UNKNOWN)", n, f)
				}
				if f != "NONE" {
					r.Flags = append(r.Flags, f)
				}
			}
		}
		*cur = append(*cur, r)
		ls.Lines = append(ls.Lines, n)
	}
	return &ls, nil
}
