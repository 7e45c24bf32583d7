package bridge

import (
	"errors"
	"strings"
	"testing"
	"time"

	"linmap/assets"
	"linmap/sim"
	"linmap/sim/layout"
	"linmap/wasm/numfmt"
	"linmap/wasm/view"
)

func preset(t *testing.T, id string) *layout.Layout {
	t.Helper()
	p, ok := assets.Lookup(id)
	if !ok {
		t.Fatalf("no preset %s", id)
	}
	l, err := layout.Parse(p.Layout)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPanelAgreesWithResult(t *testing.T) {
	l := preset(t, "seed-b-hypothesis2")
	r, err := sim.Run(l)
	if err != nil {
		t.Fatal(err)
	}
	p := PanelOf(view.Snapshot{Layout: l, Result: r})
	if p.Controls.Era != "v3.18" || p.Controls.PageSize != "4K" || p.Controls.VABits != 39 {
		t.Errorf("controls %+v", p.Controls)
	}
	if strings.Join(p.PageSizes, ",") != "4K,64K" {
		t.Errorf("page sizes %v", p.PageSizes)
	}
	if p.Results == nil || r.Fatal == nil || p.Results.Fatal != r.Fatal.Message {
		t.Fatalf("fatal outcome not carried: %+v", p.Results)
	}
	if len(p.Eras) != len(sim.Eras()) {
		t.Errorf("%d eras, want %d", len(p.Eras), len(sim.Eras()))
	}
	// 64-bit values cross to JS as exact hex strings.
	if p.Results.PageOffset != numfmt.Hex(uint64(r.PageOffset)) {
		t.Errorf("page offset %q", p.Results.PageOffset)
	}
}

func TestSortedKeys(t *testing.T) {
	got := sortedKeys(map[string]int{"1G": 1, "4K": 1, "2M": 1, "64K+cont": 1, "2M+cont": 1})
	if strings.Join(got, " ") != "4K 64K+cont 2M 2M+cont 1G" {
		t.Errorf("leaf order %v", got)
	}
	got = sortedKeys(map[string]int{"PTE": 1, "PGD": 1, "PMD": 1, "PUD": 1})
	if strings.Join(got, " ") != "PGD PUD PMD PTE" {
		t.Errorf("level order %v", got)
	}
}

func TestFileName(t *testing.T) {
	for name, want := range map[string]string{
		"Seed B: hypothesis 2, no room for tables": "Seed-B-hypothesis-2-no-room-for-tables.json",
		"":             "layout.json",
		"../../etc":    "etc.json",
		"qemu-virt-1g": "qemu-virt-1g.json",
	} {
		if got := FileName(&layout.Layout{Name: name}); got != want {
			t.Errorf("FileName(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestImportRefusesBadFiles(t *testing.T) {
	for doc, want := range map[string]string{
		`{"format": "linmap-layout", "version": 1, "kernel": {"era": "v6.1"}, "memory": []}`:                                  "memory",
		`{"format": "linmap-layout", "version": 2, "kernel": {"era": "v6.1"}, "memory": [{"base": "0x0", "size": "0x1000"}]}`: "version",
		`not json`: "JSON",
	} {
		_, err := Import([]byte(doc), sim.Run)
		var fe *layout.FieldError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), want) {
			t.Errorf("Import(%.40s…) = %v, want a field error about %s", doc, err, want)
		}
	}
	data, _ := preset(t, "qemu-virt-1g").Marshal()
	if _, err := Import(data, sim.Run); err != nil {
		t.Errorf("a preset is refused: %v", err)
	}
}

func TestSummarise(t *testing.T) {
	var fs []FrameTime
	for i := 1; i <= 100; i++ {
		fs = append(fs, FrameTime{Update: time.Duration(i) * time.Millisecond, Draw: time.Millisecond})
	}
	p := Summarise(fs)
	if p.Count != 100 || p.UpdateDraw.MaxMs != 101 || p.UpdateDraw.P50Ms != 52 || p.Draw.MeanMs != 1 {
		t.Errorf("%+v", p)
	}
	if Summarise(nil).Count != 0 {
		t.Errorf("empty")
	}
}
