// Package memblock imports the kernel's debugfs memblock lists,
// /sys/kernel/debug/memblock/memory and …/reserved: one region per line,
// "   0: 0x0000000040000000..0x000000007fffffff" (end inclusive), and in
// newer kernels (v6.12 prints it, v6.1 does not) with the node id ("x" when
// none) and flags:
// "   0: 0x0000000040000000..0x000000007fffffff    0 NONE".
package memblock

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"linmap/formats/internal/guess"
	"linmap/sim"
	"linmap/sim/layout"
)

var reHeader = regexp.MustCompile(`(?i)memblock/(memory|reserved)|^\s*(memory|reserved)\s*:?\s*$`)

var reLine = regexp.MustCompile(`^\s*(\d+):\s+0x([0-9a-fA-F]+)\.\.0x([0-9a-fA-F]+)(?:\s+(\d+|x)\s+([A-Z_|]+))?\s*$`)

// Flag names as memblock_debug_show prints them (enum memblock_flags).
var knownFlags = map[string]bool{"NONE": true, "HOTPLUG": true, "MIRROR": true, "NOMAP": true, "DRV_MNG": true, "RSV_NIT": true, "RSV_KERN": true, "KHO_SCR": true}

// Region is one parsed line.
type Region struct {
	Base, Size layout.Addr
	NID        int // -1 when printed as "x" or absent
	Flags      []string
	Line       int
}

func (r Region) has(flag string) bool {
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
}

// Detect reports whether text looks like a debugfs memblock list.
func Detect(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		if reLine.MatchString(guess.StripDmesg(line)) {
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
	for i, raw := range strings.Split(text, "\n") {
		line := guess.StripDmesg(raw)
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
				return nil, fmt.Errorf("line %d: a second %s list starts here; paste one memory and one reserved list", i+1, map[bool]string{true: "memory", false: "reserved"}[cur == &ls.Memory])
			}
			next = ""
		}
		base, err1 := strconv.ParseUint(m[2], 16, 64)
		last, err2 := strconv.ParseUint(m[3], 16, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: %q: address does not fit in 64 bits", i+1, strings.TrimSpace(line))
		}
		if last < base {
			return nil, fmt.Errorf("line %d: end 0x%x is below start 0x%x", i+1, last, base)
		}
		if last == ^uint64(0) && base == 0 {
			return nil, fmt.Errorf("line %d: a region covering the whole 64-bit space has no size", i+1)
		}
		r := Region{Base: layout.Addr(base), Size: layout.Addr(last - base + 1), NID: -1, Line: i + 1}
		if m[4] != "" {
			ls.Flagged = true
			if m[4] != "x" {
				r.NID, _ = strconv.Atoi(m[4])
			}
			for _, f := range strings.Split(m[5], "|") {
				if !knownFlags[f] {
					return nil, fmt.Errorf("line %d: unknown memblock flag %q (known: NONE, HOTPLUG, MIRROR, NOMAP, DRV_MNG, RSV_NIT, RSV_KERN, KHO_SCR)", i+1, f)
				}
				if f != "NONE" {
					r.Flags = append(r.Flags, f)
				}
			}
		}
		*cur = append(*cur, r)
	}
	return &ls, nil
}

// Import turns the lists into a layout: memory regions become banks
// (NOMAP ones also a no-map reserved range, so the simulated kernel leaves
// them out of the linear map as the real one did), reserved regions become
// reserved ranges.
func Import(name string, data []byte) (*layout.Layout, error) {
	text := string(data)
	ls, err := Parse(text, name)
	if err != nil {
		return nil, err
	}
	if len(ls.Memory) == 0 {
		return nil, fmt.Errorf("only memblock.reserved was found: paste /sys/kernel/debug/memblock/memory too (the memory list comes first)")
	}
	l := &layout.Layout{}
	var notes []string
	for i, r := range ls.Memory {
		b := layout.Bank{Base: r.Base, Size: r.Size, Name: fmt.Sprintf("memblock.memory[%d]", i), Hotplug: r.has("HOTPLUG")}
		if r.NID > 0 {
			b.NID = r.NID
		}
		l.Memory = append(l.Memory, b)
		if r.has("NOMAP") {
			l.Reserved = append(l.Reserved, layout.Reserved{Base: r.Base, Size: r.Size, Name: fmt.Sprintf("memblock.memory[%d] NOMAP", i), NoMap: true})
		}
	}
	for i, r := range ls.Reserved {
		l.Reserved = append(l.Reserved, layout.Reserved{Base: r.Base, Size: r.Size, Name: fmt.Sprintf("memblock.reserved[%d]", i)})
	}
	if len(ls.Reserved) > 0 {
		notes = append(notes, "memblock.reserved is the state at the end of boot: it also holds the kernel image, DTB, initrd and the kernel's own allocations (page tables, CMA, per-cpu areas)")
	}
	if !ls.Flagged {
		notes = append(notes, "this list format has no flags column (v6.1 prints none, v6.12 does): NOMAP regions cannot be told apart and are imported as ordinary memory")
		// The flags and node columns came with v6.4; an unflagged list is
		// older, and v6.3 stands for it.
		if e, ok := sim.EraForVersion(sim.Version{Major: 6, Minor: 3}); ok {
			l.Kernel.Era = e.ID
			notes = append(notes, "era "+e.ID+" assumed: the list has no flags column, which memblock debugfs prints from v6.4")
		}
	}
	if r, ok := guess.KernelReservation(l.Reserved); ok {
		guess.ImageAt(l, r.Base, r.End())
		notes = append(notes, fmt.Sprintf("the kernel image is taken to be %s (%s..%s)", r.Name, r.Base, r.End()))
	}
	d := guess.ScanDmesg(text)
	if d.Era != "" {
		l.Kernel.Era = ""
	}
	d.Apply(l, &notes)
	what := "memblock debugfs lists"
	if name != "" && name != "-" {
		what += " " + name
	}
	if err := guess.Finish(l, what, notes); err != nil {
		return nil, err
	}
	return l, nil
}
