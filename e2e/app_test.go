package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

type probeX struct {
	probe
	Panes []struct {
		PA, VA, Ribbons rect
		Label           string
		B               bool
	}
	Marks   []rect
	Tables  []rect
	Tip     []string
	Focused bool
}

// clickSel clicks an HTML control by CSS selector.
func (a *app) clickSel(sel string) {
	a.t.Helper()
	a.do(chromedp.Click(chromedp.CSS(sel)))
	a.waitFrames(3)
}

// choose sets a select or text input as a user does, then fires change.
func (a *app) choose(sel, value string) {
	a.t.Helper()
	eval[bool](a, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event("change", {bubbles: true})); return true; })()`, sel, value))
	a.waitFrames(3)
}

// countFunc counts pixels in r that satisfy f.
func countFunc(img image.Image, r rect, f func(r, g, b uint8) bool) int {
	n := 0
	for y := int(r.Y0); y < int(r.Y1); y++ {
		for x := int(r.X0); x < int(r.X1); x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if f(uint8(cr>>8), uint8(cg>>8), uint8(cb>>8)) {
				n++
			}
		}
	}
	return n
}

func (a *app) probeX() probeX {
	a.t.Helper()
	var p probeX
	raw := eval[string](a, "linmapTest.probe()")
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		a.t.Fatal(err)
	}
	json.Unmarshal([]byte(raw), &p.probe)
	return p
}

// The app as a kernel engineer uses it, at 1280×800.
func TestApp(t *testing.T) {
	a := openApp(t)
	pal := a.palette()

	t.Run("from page load Tab reaches the era select and the canvas again", func(t *testing.T) {
		a.t = t
		if f := eval[string](a, `document.activeElement.tagName`); f == "CANVAS" {
			t.Fatal("the canvas took the focus on load")
		}
		reach := func(want string) int {
			for i := 1; i <= 80; i++ {
				a.do(chromedp.KeyEvent(kb.Tab))
				if eval[string](a, `document.activeElement.id || document.activeElement.tagName`) == want {
					return i
				}
			}
			t.Fatalf("Tab never reached %s", want)
			return 0
		}
		reach("era")
		reach("CANVAS")
		a.waitFrames(3)
		if !a.probeX().Focused {
			t.Error("the view does not know it has the keyboard")
		}
		if o := eval[string](a, `getComputedStyle(document.activeElement).outlineStyle`); o == "none" {
			t.Error("the focused canvas has no focus ring")
		}
		a.shot("focus-canvas.png")
		// Tab leaves the canvas again (Ebiten must not keep it).
		a.do(chromedp.KeyEvent(kb.Tab))
		if tag := eval[string](a, `document.activeElement.tagName`); tag == "CANVAS" {
			t.Error("Tab did not leave the canvas")
		}
	})

	t.Run("the results are readable text in the first screen", func(t *testing.T) {
		a.t = t
		defer a.setViewport(1280, 800, 1)
		for _, size := range [][2]int64{{1280, 800}, {1600, 1000}} {
			a.setViewport(size[0], size[1], 1)
			// Layouts that boot with a gigabyte of tables, that lose
			// memory with a warning, and that panic.
			for _, id := range []string{"ampere-altra-2s", "seed-a-kernel-in-second-block", "seed-b-hypothesis2"} {
				a.importText(preset(t, id))
				a.waitFrames(3)
				a.checkGlance(t, id, size)
				a.shot(fmt.Sprintf("glance-%s-%dx%d.png", id, size[0], size[1]))
			}
		}
	})

	t.Run("a double-click adds a bank that is drawn", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "arm-juno-r2"))
		p := a.probeX()
		// The 30 GiB gap between the two banks.
		gx, gy := p.Banks[0].X0+20, (p.Banks[0].Y1+p.Banks[1].Y0)/2
		a.doubleClick(gx, gy)
		a.poll(`JSON.parse(linmapTest.layout()).memory.length === 3`)
		a.waitFrames(3)
		l := a.layout()
		b := l.Memory[1]
		if b.Size != 1<<30 || b.Base%(1<<30) != 0 {
			t.Errorf("new bank %s+%s: want a 1G bank aligned to 1G", b.Base, b.Size)
		}
		r := a.probeX().Banks[1]
		if r.Y1-r.Y0 < 10 {
			t.Fatalf("the new bank is %.1f px tall: not drawn", r.Y1-r.Y0)
		}
		if n := count(a.screenshot(), r, pal["bank"], 3); n < 200 {
			t.Errorf("the new bank's place has %d bank-coloured pixels", n)
		}
		a.shot("double-click-added-bank.png")
	})

	t.Run("a kernel drag lands on a valid load address", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "arm-juno-r2"))
		before := a.layout().Image.Base
		x, y := a.probeX().Image.mid()
		a.drag(x, y, 90, 6)
		l := a.layout()
		off := uint64(0)
		if l.Image.TextOffset != nil {
			off = uint64(*l.Image.TextOffset)
		}
		if l.Image.Base == before || (uint64(l.Image.Base)-off)%(2<<20) != 0 {
			t.Errorf("image %s → %s: want a new 2M boundary + text_offset %#x", before, l.Image.Base, off)
		}
		if r := a.result(); r.Result == nil {
			t.Errorf("the map disappeared: %s", r.RunError)
		}
	})

	t.Run("no tooltip once the pointer leaves", func(t *testing.T) {
		a.t = t
		p := a.probeX()
		x, y := p.VA.mid()
		a.mouse(chromedp.MouseMoved, x, y)
		a.waitFrames(3)
		if len(a.probeX().Tip) == 0 {
			t.Fatal("no tooltip over the virtual column")
		}
		a.mouse(chromedp.MouseMoved, 1100, 400) // over the panel
		a.waitFrames(3)
		if tip := a.probeX().Tip; len(tip) != 0 {
			t.Errorf("tooltip after leaving: %q", tip)
		}
		a.importText(preset(t, "hikey"))
		if tip := a.probeX().Tip; len(tip) != 0 {
			t.Errorf("tooltip after a preset change: %q", tip)
		}
	})

	t.Run("go to an address marks it on both spaces", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "qemu-virt-1g"))
		a.choose("#goto", "0x40200000")
		eval[bool](a, `(document.getElementById("goto-form").requestSubmit(), true)`)
		a.poll(`JSON.parse(linmapTest.probe()).marks && JSON.parse(linmapTest.probe()).marks.length === 2`)
		if n := eval[string](a, `document.getElementById("notices").textContent`); !strings.Contains(n, "↔") {
			t.Errorf("notice %q", n)
		}
		a.shot("goto.png")
	})

	t.Run("the exported PNG carries title and results", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "seed-b-hypothesis2"))
		eval[string](a, "linmap.dismiss(0)")
		a.waitFrames(2)
		a.do(chromedp.Evaluate[chromedp.Void](`window.linmapLastDownload = null`))
		a.clickSel("#export-png")
		a.poll(`window.linmapLastDownload !== null`)
		_, _, data := a.lastDownload()
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		p := a.probeX()
		s := p.Scale
		head := rect{0, 0, 600 * s, 48 * s}
		dark := countFunc(img, head, func(r, g, b uint8) bool { return r < 90 && g < 90 && b < 90 })
		if dark < 300 {
			t.Errorf("the PNG's header has %d text pixels: no title or results", dark)
		}
		banner := rect{0, p.Banner.Y0 * s, p.Banner.X1 * s, p.Banner.Y1 * s}
		if n := count(img, banner, pal["fatal"], 3); n < 1000 {
			t.Errorf("the PNG does not show the panic (%d px)", n)
		}
		a.shot("export-png-page.png")
	})
}

// checkGlance checks that every result a kernel engineer looks for first
// is on screen as text, unclipped and without scrolling: the outcome,
// PHYS_OFFSET, PAGE_OFFSET, the leaf mix, TLB entries, page-table pages
// and bytes, lost bytes by reason, warnings.
func (a *app) checkGlance(t *testing.T, id string, size [2]int64) {
	t.Helper()
	if w, h := eval[float64](a, "innerWidth"), eval[float64](a, "innerHeight"); w != float64(size[0]) || h != float64(size[1]) {
		t.Fatalf("the page is %.0f×%.0f, want %d×%d", w, h, size[0], size[1])
	}
	if st := eval[float64](a, `document.getElementById("panel").scrollTop`); st != 0 {
		t.Errorf("the panel is scrolled by %.0f px", st)
	}
	var rows []struct {
		Key, Value    string
		Bottom, Right float64
		Clipped       bool
	}
	raw := eval[string](a, `JSON.stringify([...document.querySelectorAll("#outcome, #numbers dd")].map(e => {
		const r = e.getBoundingClientRect();
		const dt = e.previousElementSibling;
		return {Key: e.id === "outcome" ? "outcome" : dt.textContent, Value: e.textContent, Bottom: r.bottom, Right: r.right,
			Clipped: e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1};
	}))`)
	if err := json.Unmarshal([]byte(raw), &rows); err != nil {
		t.Fatal(err)
	}
	res := a.result().Result
	got := map[string]string{}
	for _, r := range rows {
		got[r.Key] = r.Value
		if r.Bottom > float64(size[1]) || r.Right > float64(size[0]) || r.Clipped {
			t.Errorf("%s at %d×%d: %q ends at (%.0f, %.0f) or is clipped", id, size[0], size[1], r.Key, r.Right, r.Bottom)
		}
	}
	for _, k := range []string{"outcome", "PHYS_OFFSET", "PAGE_OFFSET", "leaf mix", "TLB entries", "page tables", "lost", "warnings"} {
		if got[k] == "" {
			t.Errorf("%s: no %q in the results: %v", id, k, got)
		}
	}
	if res.Fatal != nil && !strings.Contains(got["outcome"], res.Fatal.Message) {
		t.Errorf("%s: outcome %q lacks the kernel's message %q", id, got["outcome"], res.Fatal.Message)
	}
	if !strings.Contains(got["page tables"], "pages") {
		t.Errorf("%s: page tables %q", id, got["page tables"])
	}
	var full struct {
		Result struct {
			Stats struct {
				LostByReason map[string]string `json:"lost_by_reason"`
			} `json:"stats"`
			Warnings []string `json:"warnings"`
		} `json:"result"`
	}
	json.Unmarshal([]byte(eval[string](a, "linmapTest.result()")), &full)
	for reason := range full.Result.Stats.LostByReason {
		if !strings.Contains(got["lost"], reason) {
			t.Errorf("%s: lost %q does not name %q", id, got["lost"], reason)
		}
	}
	for _, w := range full.Result.Warnings {
		if !strings.Contains(got["warnings"], w) {
			t.Errorf("%s: warnings %q lack %q", id, got["warnings"], w)
		}
	}
}
