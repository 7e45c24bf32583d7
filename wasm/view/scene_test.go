package view

import (
	"os"
	"testing"

	"linmap/sim"
	"linmap/sim/result"
	"linmap/wasm/model"
	"linmap/wasm/numfmt"
)

// sceneOf builds the scene a w×h canvas (CSS pixels, scale 1) shows for a
// preset, without a screen: the scene is plain geometry.
func sceneOf(t *testing.T, id string, w, h float64) (*model.Model, *viewport, *scene) {
	t.Helper()
	m, err := model.OpenPreset(id, sim.Run)
	if err != nil {
		t.Fatal(err)
	}
	vp := &viewport{w: w, h: h, s: 1}
	vp.rebuild(m.Panes())
	sc := &scene{}
	sc.build(m, vp, m.Panes())
	return m, vp, sc
}

// On the 2-socket Altra the page tables cost a gigabyte: they get a marker
// where they sit, never thinner than minTableMarker at any zoom, labelled
// with their bytes, and the markers account for every table page outside
// the image.
func TestTableMarkers(t *testing.T) {
	for _, id := range []string{"ampere-altra-2s", "qemu-virt-1g", "rpi4-8gb", "oracle-a-single-1G"} {
		m, vp, sc := sceneOf(t, id, 880, 722)
		r := m.Result()
		pb := pageBytes(m.Layout())
		var want uint64
		for _, tb := range r.Tables {
			if !tb.InImage {
				want += uint64(tb.Count) * pb
			}
		}
		for _, zoom := range []float64{1, 1e-3} {
			if zoom != 1 {
				vp.pa.ZoomAt((vp.panes[0].g.bandTop+vp.panes[0].g.bandBot)/2, zoom)
				vp.ver++
				sc.build(m, vp, m.Panes())
			}
			ps := sc.panes[0]
			if len(ps.tables) == 0 {
				t.Fatalf("%s: no page-table markers", id)
			}
			var got uint64
			for _, tm := range ps.tables {
				got += tm.pages * pb
				if h := tm.at.y1 - tm.at.y0; h < minTableMarker-1e-9 {
					t.Errorf("%s, zoom %g: marker at %#x is %.1f px tall", id, zoom, tm.base, h)
				}
				if y := vp.pa.Y(tm.base + tm.size/2); y < tm.at.y0-1 || y > tm.at.y1+1 {
					t.Errorf("%s: marker %.0f..%.0f is not where its tables sit (y %.0f)", id, tm.at.y0, tm.at.y1, y)
				}
				if w := "page tables " + numfmt.Size(tm.pages*pb); tm.label != w {
					t.Errorf("%s: label %q, want %q", id, tm.label, w)
				}
			}
			if got != want {
				t.Errorf("%s: markers hold %#x bytes of tables, the result %#x", id, got, want)
			}
		}
	}
}

// The engine lists table runs in allocation order, top-down: adjacent runs
// still make one cluster; runs more than clusterGap apart make two, and
// tables in the image make none.
func TestTableClusters(t *testing.T) {
	r := &result.Result{Tables: []result.Tables{
		{PA: 0x4003ff000, Count: 1},
		{PA: 0x4003fe000, Count: 1, Mapped: true},
		{PA: 0x400000000, Count: 0x3fe},
		{PA: 0x80000000, Count: 2},
		{PA: 0x40081000, Count: 3, InImage: true},
	}}
	got := tableClusters(r, 4096)
	if len(got) != 2 {
		t.Fatalf("clusters %+v", got)
	}
	if c := got[1]; c.base != 0x400000000 || c.size != 0x400000 || c.pages != 0x400 || c.runs != 3 || !c.notMapped {
		t.Errorf("top cluster %+v", c)
	}
	if c := got[0]; c.base != 0x80000000 || c.pages != 2 || c.runs != 1 {
		t.Errorf("low cluster %+v", c)
	}
}

// A check's marks are outlines around both columns, where the model has
// the addresses: the selected fact's goes around the differing fact's,
// and the legend names the check's colour only while its marks are drawn.
func TestCheckMarks(t *testing.T) {
	m, vp, sc := sceneOf(t, "arm-juno-r2", 880, 722)
	read := func(name string) []byte {
		data, err := os.ReadFile("../../formats/testdata/real/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	if err := m.CheckBoard(model.CheckOptions{Era: "v5.15"},
		model.File{Name: "dmesg.txt", Data: read("android-4.14-39bit-vmlayout-dmesg.txt")},
		model.File{Name: "ptdump.txt", Data: read("android-4.14-39bit-ptdump.txt")}); err != nil {
		t.Fatal(err)
	}
	vp.rebuild(m.Panes())
	vp.fit()
	sc.build(m, vp, m.Panes())
	g := &Game{m: m, sc: *sc}
	legend := func() bool {
		for _, e := range g.legendEntries() {
			if e.clr == colCheck {
				return true
			}
		}
		return false
	}
	geo := vp.panes[0].g
	ps := sc.panes[0]
	var pa, va int
	for _, it := range ps.marks {
		mk := sc.marks[it.idx]
		if mk.Kind != model.MarkCheck || it.clr != colCheck {
			t.Fatalf("mark %+v drawn %v", mk, it.clr)
		}
		x0, x1, ax := geo.paX0, geo.paX1, vp.pa
		if mk.Space == model.VA {
			x0, x1, ax = geo.vaX0, geo.vaX1, vp.panes[0].va
			va++
		} else {
			pa++
		}
		if it.x0 >= x0 || it.x1 <= x1 {
			t.Errorf("%+v: %.0f..%.0f does not surround its column %.0f..%.0f", mk, it.x0, it.x1, x0, x1)
		}
		if y := ax.Y(mk.Base); y < it.y0 || y > it.y1 {
			t.Errorf("%+v: y %.0f..%.0f, its base is at %.0f", mk, it.y0, it.y1, y)
		}
	}
	if pa == 0 || va == 0 || !legend() {
		t.Fatalf("%d PA and %d VA outlines, legend %v", pa, va, legend())
	}
	// The first differing fact, selected: its outline surrounds its own.
	for i, f := range m.Check().Report.Facts {
		if f.Verdict == "differs" {
			m.SelectFact(i)
			break
		}
	}
	sc.build(m, vp, m.Panes())
	var check, fact item
	for _, it := range sc.panes[0].marks {
		mk := sc.marks[it.idx]
		if mk.Space != model.PA {
			continue
		}
		switch {
		case mk.Kind == model.MarkFact && fact.x1 == 0:
			fact = it
		case mk.Kind == model.MarkCheck && check.x1 == 0 && fact.x1 == 0:
			check = it
		}
	}
	if fact.clr != colFact || fact.x0 >= check.x0 || fact.x1 <= check.x1 || fact.y0 >= check.y0 {
		t.Errorf("selected fact %+v around the differing fact's %+v", fact, check)
	}
	// An edit hides them, and the legend follows.
	m.Nudge(1, 4096)
	m.Select(model.Selection{Kind: model.SelImage})
	m.Nudge(1, 2<<20)
	sc.build(m, vp, m.Panes())
	g.sc = *sc
	if len(sc.panes[0].marks) != 0 || legend() {
		t.Errorf("after an edit: %d outlines, legend %v", len(sc.panes[0].marks), legend())
	}
}
