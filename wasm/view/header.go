package view

import (
	"image/color"
	"math"
	"strings"

	"linmap/sim/layout"
	"linmap/wasm/model"
	"linmap/wasm/numfmt"
)

// The header (title, results, banner, column titles), the legend, the
// notice box and the tooltip box: the text around the columns.

// fitText cuts str to width pixels in face f, with an ellipsis.
func fitText(str string, f *face, width float64) string {
	if f.advance(str) <= width {
		return str
	}
	r := []rune(str)
	lo, hi := 0, len(r)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if f.advance(string(r[:mid])+"…") <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(r[:lo]) + "…"
}

// title is the layout and its kernel in one line: the PNG export's title.
// The geometry is what the engine used ("4K pages, VA_BITS 48, 4 levels"),
// era defaults filled in; without a result, what the layout asks for.
func title(l *layout.Layout, era, geometry string) string {
	parts := []string{l.Name, era, l.Kernel.PageSize + " pages", "VA_BITS " + itoa(l.Kernel.VABits)}
	if l.Kernel.PageSize == "" {
		parts[2] = "default pages"
	}
	if l.Kernel.VABits == 0 {
		parts[3] = "default VA_BITS"
	}
	if geometry != "" {
		parts = append(parts[:2], geometry)
	}
	if c := strings.TrimSpace(l.Kernel.Cmdline); c != "" {
		parts = append(parts, "cmdline \""+c+"\"")
	}
	var cpu []string
	if l.CPU.LPA2 {
		cpu = append(cpu, "LPA2")
	}
	if l.CPU.VA52 {
		cpu = append(cpu, "LVA")
	}
	if l.CPU.BBML2NoAbort {
		cpu = append(cpu, "BBML2_NOABORT")
	}
	if l.CPU.Realm {
		cpu = append(cpu, "realm")
	}
	if l.CPU.PABits != 0 {
		cpu = append(cpu, "PA "+itoa(l.CPU.PABits)+" bits")
	}
	if len(cpu) > 0 {
		parts = append(parts, "CPU "+strings.Join(cpu, " "))
	}
	return strings.Join(parts, " · ")
}

func itoa(i int) string { return numfmt.Count(uint64(max(i, 0))) }

// drawHeader writes what the canvas shows and what it came to: the title,
// era and options, then the results sentence; under it the banner slot
// holds a panic or refusal, or else the timeline's step; then the column
// titles. The PNG export carries all of it.
func (g *Game) drawHeader(l *layer) {
	s := g.vp.s
	w := g.vp.w - 20*s
	// The header describes what the full view shows: B when flipped to it.
	lay, sum := g.m.Layout(), g.m.Summary()
	if p := g.sc.panes[0].content; p.B && len(g.sc.panes) == 1 {
		lay, sum = p.Layout, g.m.SummaryB()
	}
	era := sum.Era
	if era == "" {
		era = lay.Kernel.Era
	}
	g.text(l, fitText(title(lay, era, sum.Geometry), g.fonts.bold, w), g.fonts.bold, 10*s, headerTop*s, colText, false)
	lines := wrapWidth(sum.Sentence, g.fonts.sans, w)
	if len(lines) > 2 {
		// The panel has it all; the canvas keeps two lines.
		lines[1] = fitText(strings.Join(lines[1:], " "), g.fonts.sans, w)
		lines = lines[:2]
	}
	for i, t := range lines {
		g.text(l, t, g.fonts.sans, 10*s, (headerTop+18+15*float64(i))*s, colText, false)
	}
	shown := g.sc.panes[0].content.Result
	switch {
	case shown != nil && shown.Fatal != nil: // not before the timeline reaches it
		g.banner(l, "Kernel panic — "+shown.Fatal.Message, colFatal)
	case g.m.RunError() != nil:
		g.banner(l, "This era cannot take the layout: "+g.m.RunError().Error(), colFatal)
	case g.m.Scrubbed() && !g.sc.panes[0].content.B:
		st := g.m.StepState()
		c := "step " + itoa(st.Step) + " · " + st.Current.Kind + " · "
		if st.Current.Func != "" {
			c += st.Current.Func + ": "
		}
		c += st.Current.Text
		g.text(l, fitText(c, g.fonts.bold, w), g.fonts.bold, 10*s, (bannerTop+7)*s, colStep, false)
	}
	for i, ps := range g.sc.panes {
		p := g.vp.panes[i].g
		y := titlesTop * s
		if ps.content.Label != "" {
			g.text(l, ps.content.Label, g.fonts.bold, p.x0+8*s, y, colText, false)
		}
		g.text(l, "physical", g.fonts.bold, p.paX0, y, colMuted, false)
		if ps.content.Result != nil {
			g.text(l, "kernel virtual", g.fonts.bold, p.vaX0, y, colMuted, false)
		}
	}
}

// wrapWidth breaks str into lines no wider than w in face f. Words are
// measured once each (kerning across a space is negligible).
func wrapWidth(str string, f *face, w float64) []string {
	var out []string
	space := f.advance(" ")
	start, width := 0, 0.0 // the line being filled: str[start:end]
	end := 0
	for i := 0; i < len(str); {
		for i < len(str) && str[i] == ' ' {
			i++
		}
		j := i
		for j < len(str) && str[j] != ' ' {
			j++
		}
		if i == j {
			break
		}
		ww := f.advance(str[i:j])
		switch {
		case end == 0:
			start, width = i, ww
		case width+space+ww > w:
			out = append(out, str[start:end])
			start, width = i, ww
		default:
			width += space + ww
		}
		end, i = j, j
	}
	if end > 0 {
		out = append(out, str[start:end])
	}
	return out
}

func (g *Game) banner(l *layer, msg string, c color.RGBA) {
	s := g.vp.s
	l.q.fill(0, bannerTop*s, g.vp.w, (bannerTop+bannerH)*s, c)
	g.text(l, fitText(msg, g.fonts.bold, g.vp.w-24*s), g.fonts.bold, 12*s, (bannerTop+6)*s, color.RGBA{0xff, 0xff, 0xff, 0xff}, false)
}

// drawNotice shows the newest error on the canvas too; it stays until
// dismissed (Escape on the canvas, or × in the panel).
func (g *Game) drawNotice(l *layer) {
	ns := g.m.Notices()
	for i := len(ns) - 1; i >= 0; i-- {
		if ns[i].Severity == model.Error {
			s := g.vp.s
			gm := g.vp.panes[0].g
			msg := fitText(ns[i].Text, g.fonts.sans, g.vp.w-60*s)
			g.box(l, []string{msg, "Esc or × in the panel dismisses this"}, gm.paX0, gm.bandBot-46*s, colNotice, colText)
			return
		}
	}
}

// box draws text lines on a panel kept on screen.
func (g *Game) box(l *layer, lines []string, x, y float64, bg, fg color.RGBA) {
	s := g.vp.s
	lh := 16 * s
	w := 0.0
	for _, t := range lines {
		w = math.Max(w, g.fonts.sans.advance(t))
	}
	w += 16 * s
	h := float64(len(lines))*lh + 10*s
	if x+w > g.vp.w {
		x = math.Max(0, g.vp.w-w-4*s)
	}
	if y+h > g.vp.h {
		y = math.Max(0, g.vp.h-h-4*s)
	}
	l.q.fill(x, y, x+w, y+h, bg)
	l.q.stroke(x, y, x+w, y+h, 1*s, colBankEdge)
	for i, t := range lines {
		g.text(l, t, g.fonts.sans, x+8*s, y+5*s+float64(i)*lh, fg, false)
	}
}

type legendEntry struct {
	name  string
	clr   color.RGBA
	hatch bool
}

func (g *Game) legendEntries() []legendEntry {
	l := g.m.Layout()
	pmd, pud := blockSizes(l)
	out := []legendEntry{
		{numfmt.Size(pud) + " block", colPUD, false},
		{numfmt.Size(pmd) + " block", colPMD, false},
		{layout.FormatSize(pageBytes(l)) + " pages", colPage, false},
		{"contiguous", colCont, false},
		{"lost", colLost, true},
		{"reserved", colReserved, false},
		{"no-map", colNoMap, false},
		{".text", colText1, false},
		{".rodata", colRodata, false},
		{"init/data", colInitData, false},
		{"DTB", colDTB, false},
		{"initrd", colInitrd, false},
		{tablesLegend(g.tableBytes()), colTables, false},
		{"differs", colDiff, false},
	}
	for _, mk := range g.sc.marks {
		if mk.Kind == model.MarkCheck {
			return append(out, legendEntry{"board printed otherwise", colCheck, false})
		}
	}
	return out
}

// tableBytes is what all page-table pages of the first pane's boot cost,
// tables inside the image included: the whole boot's even while the
// timeline shows part of it.
func (g *Game) tableBytes() uint64 {
	p := g.sc.panes[0].content
	r := g.m.Result()
	if p.B {
		r = p.Result
	}
	if r == nil {
		return 0
	}
	return uint64(r.Stats.TableBytes)
}

// tablesLegend names the page-table colour with what all of them cost.
func tablesLegend(bytes uint64) string {
	if bytes == 0 {
		return "page tables"
	}
	return "page tables " + numfmt.Size(bytes)
}

func blockSizes(l *layout.Layout) (pmd, pud uint64) {
	switch pageBytes(l) {
	case 16 << 10:
		return 32 << 20, 64 << 30
	case 64 << 10:
		return 512 << 20, 4 << 40
	}
	return 2 << 20, 1 << 30
}

func (g *Game) drawLegend(l *layer) {
	s := g.vp.s
	x := 10 * s
	y := g.vp.h - legendCSS*s + 6*s
	for _, e := range g.legendEntries() {
		sw := 14 * s
		wText := g.fonts.sans.advance(e.name)
		if x+sw+4*s+wText > g.vp.w && x > 10*s { // wrap to a second row
			x, y = 10*s, y+18*s
		}
		if e.hatch {
			l.q.hatch(x, y, x+sw, y+sw, y, y+sw, 4*s, 1*s, e.clr)
			l.q.stroke(x, y, x+sw, y+sw, 1*s, e.clr)
		} else {
			l.q.fill(x, y, x+sw, y+sw, e.clr)
		}
		g.text(l, e.name, g.fonts.sans, x+sw+4*s, y, colText, false)
		x += sw + 4*s + wText + 14*s
	}
}
