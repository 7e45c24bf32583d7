// Package memblockdebug imports the memblock dump a kernel booted with
// memblock=debug prints (__memblock_dump_all, called at the end of
// arm64_memblock_init, so before the linear map is built):
//
//	MEMBLOCK configuration:
//	 memory size = 0x… reserved size = 0x…
//	 memory.cnt  = 0x2
//	 memory[0x0]	[0x0000000040000000-0x000000005fffffff], 0x20000000 bytes on node 0 flags: 0x0
//	 reserved.cnt  = 0x1
//	 reserved[0x0]	[0x0000000040080000-0x00000000409fffff], 0x980000 bytes flags: 0x0
//
// Without that block it falls back to the "Early memory node ranges" lines
// every kernel prints ("  node   0: [mem 0x…-0x…]").
package memblockdebug

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"linmap/formats/internal/guess"
	"linmap/sim/layout"
)

var (
	reRegion = regexp.MustCompile(`^\s*(memory|reserved|physmem)\[0x([0-9a-fA-F]+)\]\s*\[0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\],\s*0x([0-9a-fA-F]+) bytes(?: on node (\d+))?\s+flags: 0x([0-9a-fA-F]+)\s*$`)
	reNode   = regexp.MustCompile(`^\s*node\s+(\d+): \[mem 0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\]\s*$`)
)

// memblock_flags bits (include/linux/memblock.h).
const (
	flagHotplug = 0x1
	flagNoMap   = 0x4
)

// Detect reports whether text holds a memblock=debug dump or the early
// node ranges.
func Detect(text string) bool {
	return strings.Contains(text, "MEMBLOCK configuration:") || strings.Contains(text, "Early memory node ranges")
}

type region struct {
	base, size layout.Addr
	nid        int
	flags      uint64
}

// Import reads the last MEMBLOCK configuration block of the log (x86 and
// some debug paths print it more than once; the last is the latest state).
func Import(name string, data []byte) (*layout.Layout, error) {
	text := string(data)
	var mem, rsv []region
	var nodes []region
	inBlock := false
	for i, raw := range strings.Split(text, "\n") {
		line := guess.StripDmesg(raw)
		if strings.Contains(line, "MEMBLOCK configuration:") {
			mem, rsv, inBlock = nil, nil, true
			continue
		}
		if m := reNode.FindStringSubmatch(line); m != nil {
			r, err := parseRange(i+1, m[2], m[3])
			if err != nil {
				return nil, err
			}
			r.nid, _ = strconv.Atoi(m[1])
			nodes = append(nodes, r)
			continue
		}
		if !inBlock {
			continue
		}
		m := reRegion.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		r, err := parseRange(i+1, m[3], m[4])
		if err != nil {
			return nil, err
		}
		if size, err := strconv.ParseUint(m[5], 16, 64); err != nil || layout.Addr(size) != r.size {
			return nil, fmt.Errorf("line %d: %s[0x%s] spans 0x%x bytes but says 0x%s bytes", i+1, m[1], m[2], uint64(r.size), m[5])
		}
		if m[6] != "" {
			r.nid, _ = strconv.Atoi(m[6])
		}
		r.flags, _ = strconv.ParseUint(m[7], 16, 64)
		switch m[1] {
		case "memory":
			mem = append(mem, r)
		case "reserved":
			rsv = append(rsv, r)
		}
	}
	l := &layout.Layout{}
	var notes []string
	what := "memblock=debug dump"
	switch {
	case len(mem) > 0:
		for i, r := range mem {
			l.Memory = append(l.Memory, layout.Bank{Base: r.base, Size: r.size, NID: r.nid, Hotplug: r.flags&flagHotplug != 0, Name: fmt.Sprintf("memory[%#x]", i)})
			if r.flags&flagNoMap != 0 {
				l.Reserved = append(l.Reserved, layout.Reserved{Base: r.base, Size: r.size, NoMap: true, Name: fmt.Sprintf("memory[%#x] NOMAP", i)})
			}
		}
		for i, r := range rsv {
			l.Reserved = append(l.Reserved, layout.Reserved{Base: r.base, Size: r.size, Name: fmt.Sprintf("reserved[%#x]", i)})
		}
		if len(rsv) > 0 {
			notes = append(notes, "memblock.reserved as dumped before the linear map was built: it includes the kernel image, DTB, initrd and CMA")
		}
	case len(nodes) > 0:
		what = "\"Early memory node ranges\" of a kernel log"
		for _, r := range nodes {
			l.Memory = append(l.Memory, layout.Bank{Base: r.base, Size: r.size, NID: r.nid, Name: fmt.Sprintf("node %d", r.nid)})
		}
		notes = append(notes, "the node ranges show memory after NOMAP regions were taken out and list no reservations")
	default:
		return nil, fmt.Errorf("no memory[0x…] lines after \"MEMBLOCK configuration:\" and no \"node N: [mem …]\" lines: boot with memblock=debug and paste the log")
	}
	if r, ok := guess.KernelReservation(l.Reserved); ok {
		guess.ImageAt(l, r.Base, r.End())
		notes = append(notes, fmt.Sprintf("the kernel image is taken to be %s (%s..%s)", r.Name, r.Base, r.End()))
	}
	guess.ScanDmesg(text).Apply(l, &notes)
	if name != "" && name != "-" {
		what += " " + name
	}
	if err := guess.Finish(l, what, notes); err != nil {
		return nil, err
	}
	return l, nil
}

func parseRange(line int, a, b string) (region, error) {
	base, err1 := strconv.ParseUint(a, 16, 64)
	last, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil {
		return region{}, fmt.Errorf("line %d: [0x%s-0x%s]: address does not fit in 64 bits", line, a, b)
	}
	if last < base {
		return region{}, fmt.Errorf("line %d: end 0x%x is below start 0x%x", line, last, base)
	}
	if base == 0 && last == ^uint64(0) {
		return region{}, fmt.Errorf("line %d: a range covering the whole 64-bit space has no size", line)
	}
	return region{base: layout.Addr(base), size: layout.Addr(last - base + 1)}, nil
}
