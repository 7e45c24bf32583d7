// Package results says what a simulation came to, in words and numbers:
// the outcome, PHYS_OFFSET and PAGE_OFFSET, the leaf mix and why it is so,
// TLB entries, page-table pages and bytes, lost memory by reason and the
// warnings. The panel, the canvas header, the PNG export and the screen
// reader's announcement all show this one summary, so they never disagree.
package results

import (
	"sort"
	"strconv"
	"strings"

	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/numfmt"
)

// Amount is a byte count under a key (a leaf size, a level, a reason): the
// exact hex and the short human form.
type Amount struct {
	Key   string `js:"key" json:"key"`
	Hex   string `js:"hex" json:"hex"`
	Human string `js:"human" json:"human"`
}

// Leaf is one leaf size of the mix and the engine's reason for most of its
// bytes (the rule and the kernel function).
type Leaf struct {
	// The Amount's fields, spelt out: the JS bridge does not flatten
	// embedded structs.
	Key   string `js:"key" json:"key"`
	Hex   string `js:"hex" json:"hex"`
	Human string `js:"human" json:"human"`
	Share string `js:"share" json:"share"` // of the mapped bytes, "97 %"
	Why   string `js:"why" json:"why"`
}

// Level is the page-table pages holding entries of one level.
type Level struct {
	Level string `js:"level" json:"level"`
	Pages string `js:"pages" json:"pages"`
	Bytes string `js:"bytes" json:"bytes"`
}

// Summary is a result as people read it. Every string is ready to show.
type Summary struct {
	// Outcome is one sentence: "Boots." or the kernel's panic message,
	// or why the engine refused the layout.
	Outcome string `js:"outcome" json:"outcome"`
	Fails   bool   `js:"fails" json:"fails"`
	// Refused: the era cannot take this layout (no result at all).
	Refused bool `js:"refused" json:"refused"`

	Era        string   `js:"era" json:"era"`
	Geometry   string   `js:"geometry" json:"geometry"` // "4K pages, VA_BITS 48, 4 levels"
	PhysOffset string   `js:"physOffset" json:"physOffset"`
	PageOffset string   `js:"pageOffset" json:"pageOffset"`
	Linear     string   `js:"linear" json:"linear"`
	Image      string   `js:"image" json:"image"`
	Mapped     Amount   `js:"mapped" json:"mapped"`
	Leaves     []Leaf   `js:"leaves" json:"leaves"`
	TLB        string   `js:"tlb" json:"tlb"`
	TablePages string   `js:"tablePages" json:"tablePages"`
	TableBytes Amount   `js:"tableBytes" json:"tableBytes"`
	Tables     []Level  `js:"tables" json:"tables"`
	Lost       []Amount `js:"lost" json:"lost"`
	LostTotal  Amount   `js:"lostTotal" json:"lostTotal"`
	Warnings   []string `js:"warnings" json:"warnings"`

	// Sentence is everything above in one line: what a screen reader
	// announces when it changes, and the canvas header.
	Sentence string `js:"sentence" json:"sentence"`
}

func amount(key string, v uint64) Amount {
	return Amount{Key: key, Hex: numfmt.Hex(v), Human: numfmt.Size(v)}
}

// Of summarises r; runErr is the engine's refusal when r is nil.
func Of(r *result.Result, runErr error) Summary {
	if r == nil {
		s := Summary{Refused: true, Fails: true, Outcome: "This era cannot take the layout."}
		if runErr != nil {
			s.Outcome = "This era cannot take the layout: " + runErr.Error()
		}
		s.Sentence = s.Outcome
		return s
	}
	s := Summary{
		Era:        r.EraLabel,
		Geometry:   r.PageSize + " pages, VA_BITS " + strconv.Itoa(r.VABits),
		PageOffset: numfmt.Hex(uint64(r.PageOffset)),
		Linear:     numfmt.Hex(uint64(r.LinearStart)) + " .. " + linearEnd(r),
		Mapped:     amount("mapped", uint64(r.Stats.MappedBytes)),
		TLB:        numfmt.Count(r.Stats.TLBEntries),
		TableBytes: amount("tables", uint64(r.Stats.TableBytes)),
		LostTotal:  amount("lost", uint64(r.Stats.LostBytes)),
		Warnings:   r.Warnings,
		Outcome:    "Boots.",
	}
	if r.EraNote != "" {
		s.Era += " (" + r.EraNote + ")"
	}
	if r.VABitsActual != 0 && r.VABitsActual != r.VABits {
		s.Geometry += " (" + strconv.Itoa(r.VABitsActual) + " at run time)"
	}
	s.Geometry += ", " + strconv.Itoa(r.Levels) + " levels"
	if r.PhysOffset < 0 {
		s.PhysOffset = r.PhysOffset.String() // negative: the kernel stores it so
	} else {
		s.PhysOffset = numfmt.Hex(uint64(r.PhysOffset))
	}
	if ki := r.KernelImage; ki.Size != 0 {
		s.Image = numfmt.Hex(uint64(ki.VA)) + " ← PA " + numfmt.Hex(uint64(ki.PA)) + " (" + numfmt.Size(uint64(ki.Size)) + ")"
	}
	if r.Fatal != nil {
		s.Fails = true
		s.Outcome = "Kernel panic: " + r.Fatal.Message
	}
	s.Leaves = leaves(r)
	var pages int64
	for _, k := range SortedKeys(r.Stats.TablesByLevel) {
		n := r.Stats.TablesByLevel[k]
		pages += n
		s.Tables = append(s.Tables, Level{Level: k, Pages: numfmt.Count(uint64(n)), Bytes: numfmt.Size(uint64(n) * pageBytes(r))})
	}
	s.TablePages = numfmt.Plural(uint64(pages), "page")
	for _, k := range SortedKeys(r.Stats.LostByReason) {
		s.Lost = append(s.Lost, amount(k, uint64(r.Stats.LostByReason[k])))
	}
	s.Sentence = sentence(s)
	return s
}

// leaves is the mix of leaf sizes (the contiguous bit counted apart), each
// with the why that covers most of its bytes.
func leaves(r *result.Result) []Leaf {
	type key struct{ page, why string }
	byWhy := map[key]uint64{}
	for _, m := range r.Mappings {
		if m.Purpose == result.PurposeKernelImage {
			continue // not the linear map
		}
		k := m.Page
		if m.Cont {
			k += "+cont"
		}
		byWhy[key{k, m.Why}] += uint64(m.Size)
	}
	total := uint64(r.Stats.MappedBytes)
	var out []Leaf
	for _, k := range SortedKeys(r.Stats.BytesByPage) {
		b := uint64(r.Stats.BytesByPage[k])
		a := amount(k, b)
		l := Leaf{Key: a.Key, Hex: a.Hex, Human: a.Human}
		if total > 0 {
			l.Share = strconv.FormatUint((b*100+total/2)/total, 10) + " %"
		}
		var most uint64
		for kw, n := range byWhy {
			if kw.page == k && (n > most || n == most && kw.why < l.Why) {
				most, l.Why = n, kw.why
			}
		}
		out = append(out, l)
	}
	return out
}

func sentence(s Summary) string {
	var b strings.Builder
	if s.Fails {
		b.WriteString(s.Outcome)
		b.WriteString(" ")
	} else {
		b.WriteString("Boots: ")
	}
	b.WriteString(s.Mapped.Human + " mapped")
	if len(s.Leaves) > 0 {
		var mix []string
		for _, l := range s.Leaves {
			mix = append(mix, l.Key+" "+l.Human)
		}
		b.WriteString(" (" + strings.Join(mix, ", ") + ")")
	}
	b.WriteString(", " + s.TLB + " TLB entries, " + s.TableBytes.Human + " of page tables in " + s.TablePages)
	if len(s.Lost) == 0 {
		b.WriteString(", nothing lost")
	} else {
		var lost []string
		for _, l := range s.Lost {
			lost = append(lost, l.Human+" "+l.Key)
		}
		b.WriteString(", lost " + strings.Join(lost, ", "))
	}
	b.WriteString(". PHYS_OFFSET " + s.PhysOffset + ", PAGE_OFFSET " + s.PageOffset + ".")
	if n := len(s.Warnings); n > 0 {
		b.WriteString(" " + numfmt.Plural(uint64(n), "warning") + ".")
	}
	return b.String()
}

func pageBytes(r *result.Result) uint64 {
	if sh, err := layout.ParsePageSize(r.PageSize); err == nil {
		return 1 << sh
	}
	return 4096
}

// linearEnd prints the first VA past the linear region; 0 means 2^64.
func linearEnd(r *result.Result) string {
	if r.LinearEnd == 0 {
		return "2^64"
	}
	return numfmt.Hex(uint64(r.LinearEnd))
}

// SortedKeys orders leaf sizes and levels the way a kernel engineer reads
// them: by size when the key is a size ("4K" < "2M" < "1G"), else by level
// from the top, else by name.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) uint64 {
		base, _, _ := strings.Cut(k, "+")
		if v, err := layout.ParseAddr(base); err == nil {
			return uint64(v)
		}
		return levelRank[k]
	}
	sort.SliceStable(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

var levelRank = map[string]uint64{"PGD": 1, "P4D": 2, "PUD": 3, "PMD": 4, "PTE": 5}
