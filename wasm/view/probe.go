package view

import (
	"math"

	"linmap/wasm/model"
)

// Rect is a rectangle in CSS pixels.
type Rect struct {
	X0 float64 `json:"x0"`
	Y0 float64 `json:"y0"`
	X1 float64 `json:"x1"`
	Y1 float64 `json:"y1"`
}

// PaneProbe is one full view's columns and which side it shows.
type PaneProbe struct {
	PA      Rect   `json:"pa"`
	VA      Rect   `json:"va"`
	Ribbons Rect   `json:"ribbons"`
	Label   string `json:"label"` // "A: v6.1", "B: v6.12"; "" when not comparing
	B       bool   `json:"b"`
}

// Probe tells tests where things are on screen, in CSS pixels, read from
// the same scene that is drawn and hit-tested, so they can aim the mouse
// and sample the screenshot without guessing.
type Probe struct {
	Scale   float64     `json:"scale"`
	PA      Rect        `json:"pa"`      // the first pane's physical column (band)
	VA      Rect        `json:"va"`      // its virtual column
	Ribbons Rect        `json:"ribbons"` // between them
	Panes   []PaneProbe `json:"panes"`
	Banks   []Rect      `json:"banks"` // by layout index, clipped to the band
	Image   Rect        `json:"image"`
	Banner  Rect        `json:"banner"` // where a fatal outcome is shown
	Header  Rect        `json:"header"` // the title and results lines
	Marks   []MarkRect  `json:"marks"`  // marked ranges in the first pane, as Marks lists them
	Tables  []Rect      `json:"tables"` // page-table runs
	// TableMarks are the page-table clusters' markers with their labels.
	TableMarks []TableMark `json:"tableMarks"`
	// Legend is the legend's entries as written.
	Legend []string `json:"legend"`
	// Captions are the labels placed over the columns and ribbons
	// (offsets, limits, table costs), every pane's.
	Captions []Caption `json:"captions"`
	Step     Rect      `json:"step"`  // the timeline step's physical range (zero when none)
	Limit    Rect      `json:"limit"` // the memblock limit line at the step
	// Tip is the tooltip on screen, one line each.
	Tip     []string `json:"tip"`
	Focused bool     `json:"focused"`
}

// MarkRect is a marked range's outline and what it marks.
type MarkRect struct {
	Rect
	Kind  string `json:"kind"`  // model.MarkKind
	Space string `json:"space"` // "pa" or "va"
}

// TableMark is a page-table cluster's marker and label.
type TableMark struct {
	Rect
	Label string `json:"label"`
	Bytes uint64 `json:"bytes"` // exact, for tests (fits a float64 below 2^53)
}

// Caption is a label on the canvas and where it is.
type Caption struct {
	Rect
	Text string `json:"text"`
}

// Probe returns the current on-screen geometry.
func (g *Game) Probe() Probe {
	s := g.vp.s
	p := Probe{Scale: s, Tip: g.tip, Focused: g.Focused}
	if len(g.vp.panes) == 0 || len(g.sc.panes) == 0 {
		return p
	}
	gm := g.vp.panes[0].g
	r := func(x0, y0, x1, y1 float64) Rect {
		c := func(y float64) float64 { return math.Max(gm.bandTop, math.Min(gm.bandBot, y)) / s }
		return Rect{x0 / s, c(y0), x1 / s, c(y1)}
	}
	for i, pn := range g.vp.panes {
		q := pn.g
		pp := PaneProbe{
			PA:      r(q.paX0, q.bandTop, q.paX1, q.bandBot),
			VA:      r(q.vaX0, q.bandTop, q.vaX1, q.bandBot),
			Ribbons: r(q.paX1, q.bandTop, q.vaX0, q.bandBot),
		}
		if i < len(g.sc.panes) {
			pp.Label, pp.B = g.sc.panes[i].content.Label, g.sc.panes[i].content.B
		}
		p.Panes = append(p.Panes, pp)
	}
	p.PA, p.VA, p.Ribbons = p.Panes[0].PA, p.Panes[0].VA, p.Panes[0].Ribbons
	p.Banner = Rect{0, bannerTop, g.vp.w / s, bannerTop + bannerH}
	p.Header = Rect{0, headerTop, g.vp.w / s, bannerTop}
	ps := &g.sc.panes[0]
	p.Banks = make([]Rect, len(ps.content.Layout.Memory))
	for _, it := range ps.pa {
		switch it.kind {
		case kBank:
			p.Banks[it.idx] = r(it.x0, it.y0, it.x1, it.y1)
		case kImage:
			if p.Image.X1 == 0 {
				p.Image = r(it.x0, it.y0, it.x1, it.y1)
			} else {
				p.Image.Y1 = r(0, 0, 0, it.y1).Y1
			}
		case kTables:
			p.Tables = append(p.Tables, r(it.x0, it.y0, it.x1, it.y1))
		}
	}
	for _, it := range ps.marks {
		mk := g.sc.marks[it.idx]
		sp := "pa"
		if mk.Space == model.VA {
			sp = "va"
		}
		p.Marks = append(p.Marks, MarkRect{Rect: r(it.x0, it.y0, it.x1, it.y1), Kind: string(mk.Kind), Space: sp})
	}
	pb := pageBytes(ps.content.Layout)
	for _, tm := range ps.tables {
		p.TableMarks = append(p.TableMarks, TableMark{Rect: r(tm.at.x0, tm.at.y0, tm.at.x1, tm.at.y1), Label: tm.label, Bytes: tm.pages * pb})
	}
	for _, e := range g.legendEntries() {
		p.Legend = append(p.Legend, e.name)
	}
	for _, c := range g.fr.captions {
		p.Captions = append(p.Captions, Caption{Rect{c.x0 / s, c.y0 / s, c.x1 / s, c.y1 / s}, c.text})
	}
	if st := ps.step; st.x1 > st.x0 {
		p.Step = r(st.x0, st.y0, st.x1, st.y1)
	}
	if l := g.sc.limit; l.w > 0 {
		p.Limit = r(l.x0, l.y-l.w/2, l.x1, l.y+l.w/2)
	}
	return p
}
