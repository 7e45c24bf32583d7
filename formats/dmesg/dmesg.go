// Package dmesg reads what an arm64 kernel log says about memory and the
// linear map: the version (also from /proc/version or "uname -a") and
// command line, "Virtual kernel memory
// layout" (until v4.15), "Memory: X/Y available", the early node and zone
// ranges, reserved-memory and CMA lines, the KFENCE pool, warnings the
// linear-map code prints, panics and BUGs, and the lines that give away
// the page size (per-cpu units, hash tables). Every fact keeps the line
// it was read from. Lines go through logtext, so quoting, timestamps and
// syslog prefixes do not matter.
package dmesg

import (
	"regexp"
	"strconv"
	"strings"

	"linmap/formats/logtext"
)

// At is where a fact was printed: the line number in the input and the
// line as the kernel printed it.
type At = logtext.Line

// Range is a physical range [Start, End) read from a line.
type Range struct {
	Start, End uint64
	At         At
}

// Log is what a kernel log says.
type Log struct {
	Release, Cmdline, Model string
	ReleaseAt, CmdlineAt    At
	// MIDR of the boot CPU ("Booting Linux on physical CPU 0x0 [0x410fd034]",
	// "Boot CPU: AArch64 Processor [410fd034]"); 0 if not printed.
	MIDR   uint32
	MIDRAt At

	VMLayout   *VMLayout
	Memory     *MemoryLine
	NodeRanges []NodeRange // "Early memory node ranges"
	Zones      []Zone      // "Zone ranges:"
	Reserved   []Reserved  // reserved-memory and CMA lines
	KFENCE     *KFENCE
	Messages   []Message // warnings, panics, BUGs, oopses
	// PhysOffset is "PHYS_OFFSET: 0x…" from a panic's dump_kernel_offset().
	PhysOffset *Value
	Percpu     *Percpu
	PageShifts []Value // PAGE_SHIFT from alloc_large_system_hash lines
	Features   []string
	FeaturesAt []At
	KASLR      string // "enabled", "disabled …" as printed; "" if absent
	KASLRAt    At
	ImageLoad  *Value
	// LinearPair is a physical address and its linear-map address printed
	// together ("software IO TLB [mem 0x…-0x…] (64MB) mapped at [ffffffc0…-…]",
	// v3.x – v4.x): it gives PHYS_OFFSET.
	LinearPair *Pair
	// FDTMemory are the memory banks a vendor kernel's device-tree scan
	// prints ("OF: fdt: - 80000000 ,  2c000000", NVIDIA L4T).
	FDTMemory []Range
	// Read holds the numbers of the lines a fact was read from.
	Read map[int]bool
}

// Value is a number read from a line.
type Value struct {
	V  uint64
	At At
}

// Pair is a physical address and the linear address it is mapped at.
type Pair struct {
	PA, VA uint64
	At     At
}

// VMLayout is "Virtual kernel memory layout:" (v3.7 – v4.15): each area's
// [Start, End) by name ("memory", "vmalloc", ".text", "vmemmap", …).
type VMLayout struct {
	At    At
	Areas map[string]Area
}

// Area is one line of the virtual layout.
type Area struct {
	Start, End uint64
	At         At
}

// MemoryLine is "Memory: X/Y available (…)" (mem_init_print_info).
type MemoryLine struct {
	AvailableK, TotalK                   uint64
	CodeK, RWDataK, RODataK, InitK, BSSK uint64
	ReservedK, CMAK                      uint64
	Sizes                                bool // the parenthesised sizes were printed
	At                                   At
}

// NodeRange is one "node N: [mem …]" line.
type NodeRange struct {
	NID        int
	Start, End uint64
	At         At
}

// Zone is one line of "Zone ranges:"; Empty when printed "empty".
type Zone struct {
	Name       string
	Start, End uint64
	Empty      bool
	At         At
}

// Reserved is a reserved-memory region the log names.
type Reserved struct {
	Name       string
	Start, End uint64
	NoMap      bool
	Reusable   bool
	// Kind says which line: "of" ("OF: reserved mem: … nomap …", v6.3+),
	// "pool" ("Reserved memory: created CMA memory pool at …"), "allocated"
	// ("… allocated memory for 'x' node: base …"), "cma" ("cma: Reserved N
	// MiB at …", the Kconfig/command-line CMA area), "qcom-cma" (vendor
	// "cma: Found x, memory base …").
	Kind string
	At   At
}

// KFENCE is "kfence: initialized - using N bytes for M objects".
type KFENCE struct {
	Bytes, Objects uint64
	At             At
}

// Message kinds.
const (
	Warning = "warning" // a message the linear-map code or memblock prints
	Fatal   = "fatal"   // panic, BUG, oops: boot or the system stopped
)

// Message is a warning or a fatal error the log holds.
type Message struct {
	Kind string
	Text string // the message, without "Kernel panic - not syncing: " etc.
	At   At
}

// Percpu is "percpu: Embedded N pages/cpu s… r… d… u…": (s+r+d) is N
// pages exactly, so it gives the page size.
type Percpu struct {
	Pages, Bytes uint64
	At           At
}

var (
	reVersion   = regexp.MustCompile(`^Linux version (\S+)`)
	reUname     = regexp.MustCompile(`^Linux \S+ (\d+\.\d+\S*) #\d+`) // uname -a
	reCmdline   = regexp.MustCompile(`^Kernel command line: (.*)$`)
	reModel     = regexp.MustCompile(`^Machine(?: model)?: (.+)$`)
	reBootCPU   = regexp.MustCompile(`^Booting Linux on physical CPU 0x[0-9a-fA-F]+ \[0x([0-9a-fA-F]{8})\]`)
	reBootCPU2  = regexp.MustCompile(`^(?:Boot )?CPU: AArch64 Processor \[([0-9a-fA-F]{8})\]`)
	reVMArea    = regexp.MustCompile(`^\s*([.\w][\w .()/-]*?)\s*:\s*0x([0-9a-fA-F]{8,16})\s*-\s*0x([0-9a-fA-F]{8,16})\s*\(\s*(\d+)\s*([KMG]B)(?:\s+(maximum|actual))?\s*\)`)
	reVMCont    = regexp.MustCompile(`^\s+0x([0-9a-fA-F]{8,16})\s*-\s*0x([0-9a-fA-F]{8,16})\s*\(\s*(\d+)\s*([KMG]B)\s+actual\s*\)`)
	reMemory    = regexp.MustCompile(`^Memory: (\d+)K/(\d+)K available`)
	reMemSizes  = regexp.MustCompile(`\((\d+)K kernel code, (\d+)K rwdata, (\d+)K rodata, (\d+)K init, (\d+)K bss, (\d+)K reserved(?:, (\d+)K cma-reserved)?`)
	reNode      = regexp.MustCompile(`^\s*node\s+(\d+): \[mem 0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\]`)
	reZone      = regexp.MustCompile(`^\s+(DMA|DMA32|Normal|Movable|HighMem|ExtMem|Device)\s+(?:\[mem 0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)\]|(empty))\s*$`)
	reOFRsv     = regexp.MustCompile(`^OF: reserved mem: 0x([0-9a-fA-F]+)\.\.0x([0-9a-fA-F]+) \(\d+ KiB\) (nomap|map) (reusable|non-reusable) (\S+)`)
	rePool      = regexp.MustCompile(`Reserved memory: created (\w+) memory pool at 0x([0-9a-fA-F]+), size (\d+) MiB`)
	reAlloc     = regexp.MustCompile(`(?:Reserved memory|OF: reserved mem): allocated memory for '([^']+)' node: base 0x([0-9a-fA-F]+), size (\d+) MiB`)
	reInitNode  = regexp.MustCompile(`(?:OF: reserved mem|Reserved memory): initialized node (\S+), compatible id`)
	reCMA       = regexp.MustCompile(`^cma: Reserved (\d+) MiB at 0x([0-9a-fA-F]+)`)
	reQcomCMA   = regexp.MustCompile(`^cma: Found ([^,]+), memory base 0x([0-9a-fA-F]+), size (\d+) MiB`)
	reKFENCE    = regexp.MustCompile(`^kfence: initialized - using (\d+) bytes for (\d+) objects`)
	rePhysOff   = regexp.MustCompile(`^PHYS_OFFSET: 0x([0-9a-fA-F]+)`)
	rePercpu    = regexp.MustCompile(`^(?:percpu|PERCPU): Embedded (\d+) pages/cpu (?:@\S+ )?s(\d+) r(\d+) d(\d+) u(\d+)`)
	reHash      = regexp.MustCompile(`hash table entries: \d+ \(order: (\d+), (\d+) bytes`)
	reFeature   = regexp.MustCompile(`^CPU features: detected: (.*)$`)
	reKASLR     = regexp.MustCompile(`^KASLR (enabled|disabled.*)$`)
	reMoving    = regexp.MustCompile(`Moving Image from 0x([0-9a-fA-F]+) to 0x([0-9a-fA-F]+)`)
	rePcpuAlloc = regexp.MustCompile(`^pcpu-alloc: s\d+ r\d+ d\d+ u\d+ alloc=\d+\*(\d+)`)
	reFDTMem    = regexp.MustCompile(`^OF: fdt: - ([0-9a-fA-F]+) ,\s*([0-9a-fA-F]+)\s*$`)
	reSWIOTLB   = regexp.MustCompile(`^software IO TLB \[mem 0x([0-9a-fA-F]+)-0x[0-9a-fA-F]+\] \(\d+MB\) mapped at \[([0-9a-fA-F]{16})-`)

	// Messages linear-map and memblock code prints (spec §10), matched
	// anywhere in the line.
	reWarnings = []*regexp.Regexp{
		regexp.MustCompile(`Ignoring memory (?:block|range) 0x[0-9a-fA-F]+ - 0x[0-9a-fA-F]+`),
		regexp.MustCompile(`Memory doesn't fit in the linear mapping, VA_BITS too small`),
		regexp.MustCompile(`Memory limited to \d+MB`),
		regexp.MustCompile(`initrd not fully accessible via the linear mapping`),
		regexp.MustCompile(`Capping linear region to \d+ bits`),
		regexp.MustCompile(`failed to allocate kfence pool`),
		regexp.MustCompile(`Invalid option string for rodata: '[^']*'`),
		regexp.MustCompile(`Malformed early option '[^']*'`),
		regexp.MustCompile(`Reserved memory: node '[^']*' has \d+ <base size> entries, only the first is used`),
		regexp.MustCompile(`Reserved memory: failed to reserve memory for node '[^']*': base 0x[0-9a-fA-F]+, size \d+ MiB`),
		regexp.MustCompile(`cannot allocate crashkernel \(size:0x[0-9a-fA-F]+\)`),
		regexp.MustCompile(`BUG: not creating mapping for \S+ at 0x[0-9a-fA-F]+ - outside kernel range`),
	}
	reFatals = []*regexp.Regexp{
		regexp.MustCompile(`Kernel panic - not syncing: (.*)$`),
		regexp.MustCompile(`(kernel BUG at \S+!)`),
		regexp.MustCompile(`^(Internal error: .*)$`),
		regexp.MustCompile(`^(Unable to handle kernel .*)$`),
		regexp.MustCompile(`^(BUG: .*)$`),
		regexp.MustCompile(`^(WARNING: CPU: \d+ PID: \d+ at .*)$`),
	}
)

// Parse reads every fact it recognises in text. It never fails: a log is
// whatever lines it has.
func Parse(text string) *Log {
	lg := &Log{Read: map[int]bool{}}
	var section string    // "layout" or "zones" while inside that block
	var lastArea string   // the layout line a "… actual" line continues
	var pendingPool []int // pools waiting for their "initialized node" name
	for _, l := range logtext.Lines(text) {
		s := l.Text
		if strings.TrimSpace(s) == "" {
			continue
		}
		switch section {
		case "layout":
			if m := match(reVMArea, s); m != nil {
				lastArea = strings.TrimSpace(m[1])
				lg.VMLayout.Areas[lastArea] = Area{Start: hex(m[2]), End: hex(m[3]), At: l}
				lg.Read[l.N] = true
				continue
			}
			if m := match(reVMCont, s); m != nil && lastArea != "" {
				lg.VMLayout.Areas[lastArea+" actual"] = Area{Start: hex(m[1]), End: hex(m[2]), At: l}
				lg.Read[l.N] = true
				continue
			}
		case "zones":
			if m := match(reZone, s); m != nil {
				z := Zone{Name: m[1], Empty: m[4] != "", At: l}
				if !z.Empty {
					z.Start, z.End = hex(m[2]), hex(m[3])+1
				}
				lg.Zones = append(lg.Zones, z)
				lg.Read[l.N] = true
				continue
			}
		}
		section = ""
		if lg.line(s, l, &section, &pendingPool) {
			lg.Read[l.N] = true
		}
	}
	return lg
}

// line reads one line outside the layout and zone blocks.
func (lg *Log) line(s string, l At, section *string, pendingPool *[]int) bool {
	if m := match(reVersion, s); m != nil {
		if lg.Release == "" {
			lg.Release, lg.ReleaseAt = m[1], l
		}
		return true
	}
	if m := match(reUname, s); m != nil {
		if lg.Release == "" {
			lg.Release, lg.ReleaseAt = m[1], l
		}
		return true
	}
	if m := match(reCmdline, s); m != nil {
		lg.Cmdline, lg.CmdlineAt = strings.TrimSpace(m[1]), l
		return true
	}
	if m := match(reModel, s); m != nil {
		if lg.Model == "" {
			lg.Model = strings.TrimSpace(m[1])
		}
		return true
	}
	if m := match(reBootCPU, s); m != nil {
		lg.setMIDR(m[1], l)
		return true
	}
	if m := match(reBootCPU2, s); m != nil {
		lg.setMIDR(m[1], l)
		return true
	}
	switch {
	case strings.HasPrefix(s, "Virtual kernel memory layout:"):
		lg.VMLayout, *section = &VMLayout{At: l, Areas: map[string]Area{}}, "layout"
		return true
	case strings.HasPrefix(s, "Zone ranges:"):
		lg.Zones, *section = nil, "zones"
		return true
	}
	if m := match(reMemory, s); m != nil {
		lg.Memory = parseMemory(s, l)
		return true
	}
	if m := match(reNode, s); m != nil {
		nid, _ := strconv.Atoi(m[1])
		if end := hex(m[3]); end >= hex(m[2]) && end != ^uint64(0) {
			lg.NodeRanges = append(lg.NodeRanges, NodeRange{NID: nid, Start: hex(m[2]), End: end + 1, At: l})
		}
		return true
	}
	if m := match(reOFRsv, s); m != nil {
		if end := hex(m[2]); end != ^uint64(0) {
			lg.addReserved(Reserved{Name: m[5], Start: hex(m[1]), End: end + 1, NoMap: m[3] == "nomap", Reusable: m[4] == "reusable", Kind: "of", At: l})
		}
		return true
	}
	if m := match(rePool, s); m != nil {
		base, mib := hex(m[2]), dec(m[3])
		if lg.addReserved(Reserved{Name: strings.ToLower(m[1]) + " pool", Start: base, End: base + mib<<20, Reusable: m[1] == "CMA", Kind: "pool", At: l}) {
			*pendingPool = append(*pendingPool, len(lg.Reserved)-1)
		}
		return true
	}
	if m := match(reInitNode, s); m != nil {
		if p := *pendingPool; len(p) > 0 {
			lg.Reserved[p[0]].Name = strings.TrimSpace(m[1])
			*pendingPool = p[1:]
		}
		return true
	}
	if m := match(reAlloc, s); m != nil {
		base, mib := hex(m[2]), dec(m[3])
		lg.addReserved(Reserved{Name: m[1], Start: base, End: base + mib<<20, Kind: "allocated", At: l})
		return true
	}
	if m := match(reCMA, s); m != nil {
		base, mib := hex(m[2]), dec(m[1])
		lg.addReserved(Reserved{Name: "cma", Start: base, End: base + mib<<20, Reusable: true, Kind: "cma", At: l})
		return true
	}
	if m := match(reQcomCMA, s); m != nil {
		base, mib := hex(m[2]), dec(m[3])
		if base == 0 {
			return true // "memory base 0": placed later, where it lands is printed elsewhere
		}
		lg.addReserved(Reserved{Name: m[1], Start: base, End: base + mib<<20, Reusable: true, Kind: "qcom-cma", At: l})
		return true
	}
	if m := match(reKFENCE, s); m != nil {
		lg.KFENCE = &KFENCE{Bytes: dec(m[1]), Objects: dec(m[2]), At: l}
		return true
	}
	if m := match(rePhysOff, s); m != nil {
		lg.PhysOffset = &Value{V: hex(m[1]), At: l}
		return true
	}
	if m := match(rePercpu, s); m != nil {
		lg.Percpu = &Percpu{Pages: dec(m[1]), Bytes: dec(m[2]) + dec(m[3]) + dec(m[4]), At: l}
		return true
	}
	if m := match(reHash, s); m != nil {
		order, bytes := dec(m[1]), dec(m[2])
		if bytes > 0 && bytes&(bytes-1) == 0 && order < 40 && uint64(log2(bytes)) >= order {
			lg.PageShifts = append(lg.PageShifts, Value{V: uint64(log2(bytes)) - order, At: l})
		}
		return true
	}
	if m := match(reFeature, s); m != nil {
		lg.Features = append(lg.Features, strings.TrimSpace(m[1]))
		lg.FeaturesAt = append(lg.FeaturesAt, l)
		return true
	}
	if m := match(reKASLR, s); m != nil {
		lg.KASLR, lg.KASLRAt = m[1], l
		return true
	}
	if m := match(reMoving, s); m != nil {
		lg.ImageLoad = &Value{V: hex(m[2]), At: l}
		return true
	}
	if m := match(rePcpuAlloc, s); m != nil {
		if size := dec(m[1]); size > 0 && size&(size-1) == 0 {
			lg.PageShifts = append(lg.PageShifts, Value{V: uint64(log2(size)), At: l})
		}
		return true
	}
	if m := match(reFDTMem, s); m != nil {
		if base, size := hex(m[1]), hex(m[2]); size > 0 && base+size > base {
			lg.FDTMemory = append(lg.FDTMemory, Range{Start: base, End: base + size, At: l})
		}
		return true
	}
	if m := match(reSWIOTLB, s); m != nil {
		lg.LinearPair = &Pair{PA: hex(m[1]), VA: hex(m[2]), At: l}
		return true
	}
	return lg.message(s, l)
}

// message records a warning or fatal line; it reports whether the line
// was one.
func (lg *Log) message(s string, l At) bool {
	for _, re := range reWarnings {
		if m := re.FindString(s); m != "" {
			lg.Messages = append(lg.Messages, Message{Kind: Warning, Text: m, At: l})
			return true
		}
	}
	for _, re := range reFatals {
		if m := re.FindStringSubmatch(s); m != nil {
			lg.Messages = append(lg.Messages, Message{Kind: Fatal, Text: strings.TrimSpace(m[1]), At: l})
			return true
		}
	}
	return false
}

// addReserved records a region, once: 6.3+ kernels print a pool twice
// ("created CMA memory pool" and "OF: reserved mem: … reusable"). It
// reports whether the region is new.
func (lg *Log) addReserved(r Reserved) bool {
	if r.End <= r.Start {
		return false
	}
	for i, o := range lg.Reserved {
		if o.Start == r.Start && o.End == r.End {
			if r.Kind == "of" { // the most precise line wins
				lg.Reserved[i] = r
			}
			return false
		}
	}
	lg.Reserved = append(lg.Reserved, r)
	return true
}

func (lg *Log) setMIDR(h string, l At) {
	if lg.MIDR != 0 {
		return
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err == nil {
		lg.MIDR, lg.MIDRAt = uint32(v), l
	}
}

func parseMemory(s string, l At) *MemoryLine {
	m := reMemory.FindStringSubmatch(s)
	ml := &MemoryLine{AvailableK: dec(m[1]), TotalK: dec(m[2]), At: l}
	if z := reMemSizes.FindStringSubmatch(s); z != nil {
		ml.Sizes = true
		ml.CodeK, ml.RWDataK, ml.RODataK, ml.InitK, ml.BSSK, ml.ReservedK = dec(z[1]), dec(z[2]), dec(z[3]), dec(z[4]), dec(z[5]), dec(z[6])
		if z[7] != "" {
			ml.CMAK = dec(z[7])
		}
	}
	return ml
}

// PageShift is the page size the log gives away, and the line that does:
// the per-cpu first chunk (s+r+d is a whole number of pages), else the
// hash tables ("order: O, B bytes": B = 2^O pages). ok is false when the
// log has neither, or they disagree.
func (lg *Log) PageShift() (shift int, at At, ok bool) {
	if p := lg.Percpu; p != nil && p.Pages > 0 && p.Bytes%p.Pages == 0 {
		switch sz := p.Bytes / p.Pages; sz {
		case 4 << 10, 16 << 10, 64 << 10:
			return log2(sz), p.At, true
		}
	}
	if len(lg.PageShifts) == 0 {
		return 0, At{}, false
	}
	v := lg.PageShifts[0]
	for _, o := range lg.PageShifts[1:] {
		if o.V != v.V {
			return 0, At{}, false
		}
	}
	switch v.V {
	case 12, 14, 16:
		return int(v.V), v.At, true
	}
	return 0, At{}, false
}

// HasFeature reports whether "CPU features: detected: <name>" was printed
// (name is matched as a prefix, e.g. "52-bit Virtual Addressing (LPA2)").
func (lg *Log) HasFeature(name string) (At, bool) {
	for i, f := range lg.Features {
		if strings.HasPrefix(f, name) {
			return lg.FeaturesAt[i], true
		}
	}
	return At{}, false
}

// Fatals are the fatal messages.
func (lg *Log) Fatals() []Message {
	var out []Message
	for _, m := range lg.Messages {
		if m.Kind == Fatal {
			out = append(out, m)
		}
	}
	return out
}

// BootLog reports whether the text is a kernel boot log that covers the
// linear map's construction: it has the version line or the memory
// layout lines printed around map_mem, not just a few pasted lines.
func (lg *Log) BootLog() bool {
	return lg.Release != "" && (lg.Memory != nil || len(lg.NodeRanges) > 0 || len(lg.Zones) > 0)
}

func match(re *regexp.Regexp, s string) []string { return re.FindStringSubmatch(s) }

func hex(s string) uint64 {
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0
	}
	return v
}

func dec(s string) uint64 {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0
	}
	return v
}

func log2(x uint64) int {
	n := 0
	for x > 1 {
		x >>= 1
		n++
	}
	return n
}

// Found reports whether the text held anything this package reads.
func (lg *Log) Found() bool {
	return lg.Release != "" || lg.Cmdline != "" || lg.VMLayout != nil || lg.Memory != nil || len(lg.NodeRanges) > 0 ||
		len(lg.Zones) > 0 || len(lg.Reserved) > 0 || lg.KFENCE != nil || len(lg.Messages) > 0 ||
		lg.PhysOffset != nil || lg.Percpu != nil || len(lg.PageShifts) > 0 || lg.ImageLoad != nil || lg.LinearPair != nil || len(lg.FDTMemory) > 0
}
