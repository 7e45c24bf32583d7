// Package ptdump reads the kernel's page-table dump,
// /sys/kernel/debug/kernel_page_tables (arm64 ptdump, every era's form):
//
//	---[ Linear Mapping start ]---
//	0xffff000000000000-0xffff000000200000           2M PMD       RW NX SHD AF        BLK UXN    MEM/NORMAL-TAGGED
//	0xffff000300000000-0xffff008000000000         500G PUD
//	---[ Linear Mapping end ]---
//
// The linear map's section is "Kernel Mapping" (v3.19–v4.4), "Linear
// Mapping" (v4.6–v4.19), "Linear mapping" (v4.20–v5.3), each the last
// section with no end marker, then "Linear Mapping start"/"end" (v5.4+,
// first; v5.6–v5.11 omit the start marker and print a bogus range from 0
// before it). Unmapped ranges are printed, with their level only, from
// v5.6. The level column exists from v4.7, BLK and CON from v4.4, F
// (invalid entry) from v4.6. Each line is a run of entries at one level
// with the same attributes. A file may hold several dumps (taken one
// after another): a section name seen again starts the next dump.
package ptdump

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"linmap/formats/logtext"
)

var (
	reMarker = regexp.MustCompile(`^-+\[ (.+?) \]-+$`)
	reEntry  = regexp.MustCompile(`^0x([0-9a-fA-F]{1,16})-0x([0-9a-fA-F]{1,16})\s+(\d+)([KMGTPE])\s*(.*)$`)
	reLevel  = regexp.MustCompile(`^P[A-Z0-9]{2}$`)
	levels   = map[string]bool{"PGD": true, "P4D": true, "PUD": true, "PMD": true, "PTE": true}
)

// Entry is one line: a run of entries over [Start, End) (End 0 is 2^64).
type Entry struct {
	Start, End uint64
	Level      string   // "PTE", "PMD", "PUD", "P4D", "PGD"; "" in forms without the column
	Attrs      []string // attribute tokens ("RW", "NX", "CON", "BLK", "MEM/NORMAL", …); none for a hole
	Line       int
	Text       string // the line as printed
}

// Mapped reports whether the entries are leaves (a hole has no
// attributes). "F" among the attributes marks leaves whose valid bit is
// clear (a KFENCE guard page): they are still leaves of their size.
func (e Entry) Mapped() bool { return len(e.Attrs) > 0 }

// Has reports whether the attribute token is printed.
func (e Entry) Has(tok string) bool {
	for _, a := range e.Attrs {
		if a == tok {
			return true
		}
	}
	return false
}

// Block reports whether the leaves are blocks (BLK, or a level above PTE).
func (e Entry) Block() bool { return e.Has("BLK") || e.Level != "" && e.Level != "PTE" }

// Size is End − Start.
func (e Entry) Size() uint64 { return e.End - e.Start }

// Section is the entries between one marker and the next.
type Section struct {
	Name    string // "Linear Mapping" ("start"/"end" dropped)
	Line    int
	Entries []Entry
	// Started, Ended: the section's markers say "start" and "end" (the
	// v5.4+ form; v5.6–v5.11 print only the end).
	Started, Ended bool
}

// Flipped reports whether the section is printed in the v5.4+ form: the
// linear map first, from PAGE_OFFSET = -(1 << VA_BITS), with start/end
// markers.
func (s *Section) Flipped() bool { return s.Started || s.Ended }

// Dump is one whole kernel_page_tables text.
type Dump struct {
	Line     int // first line
	Sections []*Section
}

// Section returns the named section, or nil.
func (d *Dump) Section(name string) *Section {
	for _, s := range d.Sections {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Linear is the linear map's section ("Linear Mapping", "Linear
// mapping" or, before v4.6, "Kernel Mapping"), or nil.
func (d *Dump) Linear() *Section {
	for _, s := range d.Sections {
		if IsLinear(s.Name) {
			return s
		}
	}
	return nil
}

// IsLinear reports whether a section name is the linear map's.
func IsLinear(name string) bool {
	return strings.EqualFold(name, "Linear Mapping") || name == "Kernel Mapping"
}

// BlockColumn reports whether the dump prints the BLK column (v4.4+):
// without it, a line without a level does not say whether it is blocks.
func (d *Dump) BlockColumn() bool {
	for _, s := range d.Sections {
		for _, e := range s.Entries {
			if e.Level != "" || e.Has("BLK") || e.Has("CON") {
				return true
			}
		}
	}
	return false
}

// Detect reports whether text holds a ptdump section marker followed by an
// entry line.
func Detect(text string) bool {
	marker := false
	for _, l := range logtext.Lines(text) {
		s := strings.TrimSpace(l.Text)
		if reMarker.MatchString(s) {
			marker = true
		} else if marker && reEntry.MatchString(s) {
			return true
		}
	}
	return false
}

// Parse reads every dump in text. Entry lines before the first marker are
// ignored (they belong to no section). Errors name the line: a range that
// ends before it starts, a size column that disagrees with the range, an
// unknown level.
func Parse(text string) ([]*Dump, error) {
	var dumps []*Dump
	var cur *Dump
	var sec *Section
	var orphans []Entry // lines before any marker: v5.6–v5.11's linear map
	for _, l := range logtext.Lines(text) {
		s := strings.TrimSpace(l.Text)
		if m := reMarker.FindStringSubmatch(s); m != nil {
			name, end, start := m[1], false, false
			if n, ok := strings.CutSuffix(name, " end"); ok {
				name, end = n, true
			} else {
				name, start = strings.CutSuffix(name, " start")
			}
			if end {
				switch {
				case sec != nil && sec.Name == name:
					sec.Ended = true
				case sec == nil && len(orphans) > 0:
					// v5.6–v5.11 print no start marker: the lines before
					// the end marker are the section (less the bogus
					// range from address 0).
					if cur == nil || cur.Section(name) != nil {
						cur = &Dump{Line: orphans[0].Line}
						dumps = append(dumps, cur)
					}
					s := &Section{Name: name, Line: orphans[0].Line, Ended: true}
					for _, e := range orphans {
						if e.Start >= 1<<63 {
							s.Entries = append(s.Entries, e)
						}
					}
					cur.Sections = append(cur.Sections, s)
				}
				orphans = nil
				sec = nil
				continue
			}
			if cur == nil || cur.Section(name) != nil {
				cur = &Dump{Line: l.N}
				dumps = append(dumps, cur)
			}
			orphans = nil
			sec = &Section{Name: name, Line: l.N, Started: start}
			cur.Sections = append(cur.Sections, sec)
			continue
		}
		m := reEntry.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		e, err := parseEntry(l.N, s, m)
		if err != nil {
			return nil, err
		}
		if sec == nil {
			orphans = append(orphans, e)
			continue
		}
		if n := len(sec.Entries); n > 0 && e.Start < sec.Entries[n-1].End {
			return nil, fmt.Errorf("line %d: 0x%x starts below the end of the line before (0x%x)", l.N, e.Start, sec.Entries[n-1].End)
		}
		sec.Entries = append(sec.Entries, e)
	}
	if len(dumps) == 0 {
		return nil, fmt.Errorf("no \"---[ … ]---\" section marker: not a kernel_page_tables dump")
	}
	return dumps, nil
}

func parseEntry(n int, s string, m []string) (Entry, error) {
	a, err1 := strconv.ParseUint(m[1], 16, 64)
	b, err2 := strconv.ParseUint(m[2], 16, 64)
	if err1 != nil || err2 != nil {
		return Entry{}, fmt.Errorf("line %d: address does not fit in 64 bits", n)
	}
	if b <= a && b != 0 {
		return Entry{}, fmt.Errorf("line %d: 0x%x-0x%x ends before it starts", n, a, b)
	}
	if got := sizeString(b - a); got != m[3]+m[4] {
		return Entry{}, fmt.Errorf("line %d: the range 0x%x-0x%x is %s, but the size column says %s%s", n, a, b, got, m[3], m[4])
	}
	e := Entry{Start: a, End: b, Line: n, Text: s}
	f := strings.Fields(m[5])
	if len(f) > 0 && levels[f[0]] {
		e.Level, f = f[0], f[1:]
	} else if len(f) > 0 && reLevel.MatchString(f[0]) {
		return Entry{}, fmt.Errorf("line %d: unknown level %q (known: PGD, P4D, PUD, PMD, PTE)", n, f[0])
	}
	e.Attrs = f
	return e, nil
}

// sizeString is the size column as ptdump prints it: the largest unit (K,
// M, G, …) that divides the size exactly.
func sizeString(size uint64) string {
	if size == 0 { // the range wraps to 2^64: 16E
		return "16E"
	}
	d := size >> 10
	u := 0
	const units = "KMGTPE"
	for d != 0 && d%1024 == 0 && u < len(units)-1 {
		d /= 1024
		u++
	}
	return strconv.FormatUint(d, 10) + string(units[u])
}
