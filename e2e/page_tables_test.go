package e2e

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"linmap/sim/layout"
	"linmap/wasm/numfmt"
)

// The page tables' cost is visible on the canvas: on the 2-socket Altra
// (512 GiB mapped with 4K pages, a gigabyte of tables) the markers the
// scene places are drawn in the table colour, labelled with what the
// engine says they cost, and the legend carries the total.
func TestPageTablesOnCanvas(t *testing.T) {
	a := openApp(t)
	pal := a.palette()
	a.importText(preset(t, "ampere-altra-2s"))
	a.waitFrames(3)

	var res struct {
		Result struct {
			PageSize string `json:"page_size"`
			Tables   []struct {
				Count   int  `json:"count"`
				InImage bool `json:"in_image"`
			} `json:"tables"`
			Stats struct {
				TableBytes layout.Addr `json:"table_bytes"`
			} `json:"stats"`
		} `json:"result"`
	}
	if err := json.Unmarshal([]byte(eval[string](a, "linmapTest.result()")), &res); err != nil {
		t.Fatal(err)
	}
	shift, err := layout.ParsePageSize(res.Result.PageSize)
	if err != nil {
		t.Fatal(err)
	}
	var outside uint64 // tables outside the kernel image: the markers' share
	for _, tb := range res.Result.Tables {
		if !tb.InImage {
			outside += uint64(tb.Count) << shift
		}
	}
	if outside < 1<<29 {
		t.Fatalf("the engine reports %#x bytes of tables outside the image: the preset changed", outside)
	}

	var p struct {
		probe
		TableMarks []struct {
			rect
			Label string
			Bytes uint64
		} `json:"tableMarks"`
		Legend   []string
		Captions []struct {
			rect
			Text string
		}
	}
	raw := eval[string](a, "linmapTest.probe()")
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(raw), &p.probe)
	if len(p.TableMarks) == 0 {
		t.Fatal("no page-table markers in the scene")
	}
	img := a.screenshot()
	var marked uint64
	painted := 0
	for _, m := range p.TableMarks {
		marked += m.Bytes
		if h := m.Y1 - m.Y0; h < 8 {
			t.Errorf("marker %q is %.1f px tall", m.Label, h)
		}
		// Inside the outline (red when allocated before being mapped)
		// the marker is the table colour.
		inner := rect{m.X0 + 1, m.Y0 + 1, m.X1 - 1, m.Y1 - 1}
		n := count(img, inner, pal["tables"], 4)
		area := int(inner.X1-inner.X0-2) * int(inner.Y1-inner.Y0-2)
		if n < area*9/10 {
			t.Errorf("marker %q at %+v: %d of %d pixels in the table colour", m.Label, m.rect, n, area)
		}
		painted += n
		// Its label is written next to the column, in the table colour.
		var found bool
		for _, c := range p.Captions {
			if c.Text == m.Label {
				found = true
				if ink := count(img, rect{c.X0 - 1, c.Y0, c.X1 + 1, c.Y1}, pal["tables"], 40); ink < 30 {
					t.Errorf("caption %q at %+v has %d pixels of ink", c.Text, c.rect, ink)
				}
			}
		}
		if !found {
			t.Errorf("marker %q has no caption on the canvas", m.Label)
		}
	}
	if painted < 400 {
		t.Errorf("the table markers have %d pixels in the table colour", painted)
	}
	if marked != outside {
		t.Errorf("markers hold %#x bytes, the engine's tables outside the image %#x", marked, outside)
	}
	if want := "page tables " + numfmt.Size(outside); !strings.Contains(p.TableMarks[0].Label, want) && len(p.TableMarks) == 1 {
		t.Errorf("label %q, want %q", p.TableMarks[0].Label, want)
	}
	total := "page tables " + numfmt.Size(uint64(res.Result.Stats.TableBytes))
	if !contains(p.Legend, total) {
		t.Errorf("legend %q lacks %q", p.Legend, total)
	}
	t.Logf("%d marker(s), %d table-coloured pixels, %s; legend %q", len(p.TableMarks), painted, strconv.Quote(p.TableMarks[0].Label), total)
	a.shot("page-tables-altra-2s.png")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
