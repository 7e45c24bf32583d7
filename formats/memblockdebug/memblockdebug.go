// Package memblockdebug reads the memblock dump a kernel booted with
// memblock=debug prints (__memblock_dump_all, at the end of
// arm64_memblock_init, so before the linear map is built):
//
//	MEMBLOCK configuration:
//	 memory size = 0x… reserved size = 0x…
//	 memory.cnt  = 0x2
//	 memory[0x0]	[0x0000000040000000-0x000000005fffffff], 0x20000000 bytes on node 0 flags: 0x0
//	 reserved.cnt  = 0x1
//	 reserved[0x0]	[0x0000000040080000-0x00000000409fffff], 0x980000 bytes flags: 0x0
//
// The node is printed from v3.x with NUMA ("on node N"), the flags from
// v4.x; both are optional here. The "Early memory node ranges" every
// kernel prints are read by package dmesg.
package memblockdebug

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"linmap/formats/logtext"
)

var reRegion = regexp.MustCompile(`^\s*(memory|reserved|physmem)\[0x([0-9a-fA-F]+)\]\s*\[0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\],\s*0x([0-9a-fA-F]+) bytes(?: on node (\d+))?(?:\s+flags: 0x([0-9a-fA-F]+))?\s*$`)

// memblock_flags bits (include/linux/memblock.h).
const (
	FlagHotplug       = 0x1
	FlagMirror        = 0x2
	FlagNoMap         = 0x4
	FlagDriverManaged = 0x8
)

// Region is one dumped region.
type Region struct {
	Base, Size uint64
	NID        int
	Flags      uint64
	Line       int
}

// Dump is the last "MEMBLOCK configuration:" block of a log (some paths
// print it more than once; the last is the latest state).
type Dump struct {
	Memory, Reserved []Region
	Line             int // the header line
}

// Detect reports whether text holds a memblock=debug dump.
func Detect(text string) bool {
	return strings.Contains(text, "MEMBLOCK configuration:")
}

// Parse reads the last dump. Errors name the line: a region whose byte
// count disagrees with its range, or a range that is not one.
func Parse(text string) (*Dump, error) {
	var d *Dump
	for _, l := range logtext.Lines(text) {
		if strings.Contains(l.Text, "MEMBLOCK configuration:") {
			d = &Dump{Line: l.N}
			continue
		}
		m := reRegion.FindStringSubmatch(l.Text)
		if m == nil || d == nil {
			continue
		}
		base, err1 := strconv.ParseUint(m[3], 16, 64)
		last, err2 := strconv.ParseUint(m[4], 16, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("line %d: [0x%s-0x%s]: address does not fit in 64 bits", l.N, m[3], m[4])
		}
		if last < base || base == 0 && last == ^uint64(0) {
			return nil, fmt.Errorf("line %d: [0x%s-0x%s] is not a range", l.N, m[3], m[4])
		}
		r := Region{Base: base, Size: last - base + 1, Line: l.N}
		if size, err := strconv.ParseUint(m[5], 16, 64); err != nil || size != r.Size {
			return nil, fmt.Errorf("line %d: %s[0x%s] spans 0x%x bytes but says 0x%s bytes", l.N, m[1], m[2], r.Size, m[5])
		}
		if m[6] != "" {
			r.NID, _ = strconv.Atoi(m[6])
		}
		if m[7] != "" {
			r.Flags, _ = strconv.ParseUint(m[7], 16, 64)
		}
		switch m[1] {
		case "memory":
			d.Memory = append(d.Memory, r)
		case "reserved":
			d.Reserved = append(d.Reserved, r)
		}
	}
	if d == nil {
		return nil, fmt.Errorf("no \"MEMBLOCK configuration:\" line: boot with memblock=debug and paste the log")
	}
	if len(d.Memory) == 0 {
		return nil, fmt.Errorf("line %d: no memory[0x…] lines after \"MEMBLOCK configuration:\"", d.Line)
	}
	return d, nil
}
