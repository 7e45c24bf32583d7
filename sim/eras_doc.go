package sim

import (
	"fmt"
	"sort"
	"strings"
)

// pageSizes in the order tables show them.
var pageSizes = []string{"4K", "16K", "64K"}

// EraTable is the registry as a Markdown table: what README and
// docs/layout-format.md show (a test keeps them equal) and `linmap eras
// -format markdown` prints.
func EraTable() string {
	var sb strings.Builder
	sb.WriteString("| era | released | rules from | VA_BITS 4K · 16K · 64K (default bold) | what it changed | checked on |\n")
	sb.WriteString("|---|---|---|---|---|---|\n")
	for _, e := range Eras() {
		since := "—"
		if !e.Since.IsZero() {
			since = "v" + e.Since.String()
		}
		summary := e.Summary
		if e.Note != "" {
			summary += " *(" + e.Note + ")*"
		}
		fmt.Fprintf(&sb, "| `%s` | %s | %s | %s | %s | %s |\n", e.ID, e.Released, since, vaBitsCell(e), summary, e.Checked)
	}
	return sb.String()
}

// vaBitsCell lists an era's VA_BITS choices per page size.
func vaBitsCell(e *Era) string {
	var parts []string
	for _, ps := range pageSizes {
		vas, ok := e.Kconfig.VABits[ps]
		if !ok {
			parts = append(parts, "—")
			continue
		}
		var s []string
		for _, v := range vas {
			if v == e.Kconfig.DefaultVABits[ps] {
				s = append(s, fmt.Sprintf("**%d**", v))
			} else {
				s = append(s, fmt.Sprint(v))
			}
		}
		parts = append(parts, strings.Join(s, ", "))
	}
	return strings.Join(parts, " · ")
}

// ImageTable is every era's typical image, per page size, as a Markdown
// table of offsets from _text.
func ImageTable() string {
	var sb strings.Builder
	sb.WriteString("| era | pages | text_offset | stext | etext | init_begin | init_end | bss_stop | end |\n")
	sb.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, e := range Eras() {
		pages := map[string][]string{}
		var order []string
		for _, ps := range pageSizes {
			if _, ok := e.Kconfig.VABits[ps]; !ok {
				continue
			}
			b := e.Builds.For(ps)
			key := fmt.Sprintf("%#x | %#x | %#x | %#x | %s | %s | %#x", b.TextOffset, b.Stext, b.Etext, b.InitBegin, orDash(b.InitEnd), orDash(b.BssStop), b.End)
			if _, seen := pages[key]; !seen {
				order = append(order, key)
			}
			pages[key] = append(pages[key], ps)
		}
		sort.SliceStable(order, func(i, j int) bool { return pageRank(pages[order[i]][0]) < pageRank(pages[order[j]][0]) })
		for _, key := range order {
			fmt.Fprintf(&sb, "| `%s` | %s | %s |\n", e.ID, strings.Join(pages[key], ", "), key)
		}
	}
	return sb.String()
}

func orDash(v uint64) string {
	if v == 0 {
		return "—"
	}
	return fmt.Sprintf("%#x", v)
}

func pageRank(ps string) int {
	for i, p := range pageSizes {
		if p == ps {
			return i
		}
	}
	return len(pageSizes)
}
