package e2e

import (
	"testing"
)

// Compare: A is the layout as the panel sets it, B the same machine under
// another era. Side by side shows both; flip shows one full view and B
// swaps in place, the differing ranges outlined in both.
func TestCompare(t *testing.T) {
	a := openApp(t)
	pal := a.palette()

	t.Run("compare shows two views with the differences outlined", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "oracle-a-single-1G")) // v6.1
		a.choose("#cmp-era", "v6.12")
		a.choose("#cmp-mode", "side")
		a.poll(`JSON.parse(linmapTest.probe()).panes.length === 2`)
		a.waitFrames(3)
		p := a.probeX()
		img := a.screenshot()
		for i, pn := range p.Panes {
			leaf := 0
			for _, k := range []string{"pud", "pmd", "page"} {
				leaf += count(img, pn.VA, pal[k], 3)
			}
			if leaf < 500 {
				t.Errorf("pane %d: %d leaf-coloured pixels in its virtual column", i, leaf)
			}
		}
		if len(p.Marks) == 0 {
			t.Fatal("no differences outlined")
		}
		// Outlined, not filled: the inside of a mark keeps the leaf colours.
		m := p.Marks[0]
		inside := rect{m.X0 + 3, m.Y0 + 3, m.X1 - 3, m.Y1 - 3}
		if inside.Y1-inside.Y0 > 2 {
			if n := count(img, inside, pal["diff"], 10); n > (int(inside.X1-inside.X0)*int(inside.Y1-inside.Y0))/2 {
				t.Errorf("the difference is filled (%d diff-coloured pixels inside)", n)
			}
		}
		over := eval[bool](a, `(() => { const o = document.getElementById("cmp-out"); return o.scrollWidth > o.clientWidth + 1; })()`)
		if over {
			t.Error("the compare table overflows the panel")
		}
		a.shot("compare-side-by-side.png")
		a.choose("#cmp-mode", "")
		a.poll(`JSON.parse(linmapTest.probe()).panes.length === 1`)
	})

	t.Run("flip shows B in the full view and back", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "oracle-a-single-1G")) // v6.1
		a.choose("#cmp-era", "v6.12")
		a.choose("#cmp-mode", "flip")
		a.poll(`JSON.parse(linmapTest.probe()).panes[0].label === "A: v6.1"`)
		a.waitFrames(3)
		p := a.probeX()
		if len(p.Panes) != 1 || len(p.Marks) == 0 {
			t.Fatalf("flip mode: %d panes, %d marks", len(p.Panes), len(p.Marks))
		}
		if eval[bool](a, `document.getElementById("cmp-flip").hidden`) {
			t.Fatal("no flip button in flip mode")
		}
		imgA := a.screenshot()
		a.shot("compare-flip-A.png")

		// B from the keyboard, on the canvas.
		va := p.VA
		a.click(va.X0+4, 12) // the header: focuses the canvas, changes nothing
		a.key("b", "KeyB", 66)
		a.poll(`JSON.parse(linmapTest.probe()).panes[0].b === true`)
		a.waitFrames(3)
		pb := a.probeX()
		if pb.Panes[0].Label != "B: v6.12" || len(pb.Marks) != len(p.Marks) {
			t.Errorf("showing B: label %q, %d marks (A had %d)", pb.Panes[0].Label, len(pb.Marks), len(p.Marks))
		}
		imgB := a.screenshot()
		if hashRect(imgA, p.PA) == hashRect(imgB, pb.PA) && hashRect(imgA, p.VA) == hashRect(imgB, pb.VA) {
			t.Error("the view looks the same after flipping to B")
		}
		leaf := 0
		for _, k := range []string{"pud", "pmd", "page"} {
			leaf += count(imgB, pb.VA, pal[k], 3)
		}
		if leaf < 2000 {
			t.Errorf("B's virtual column: %d leaf-coloured pixels", leaf)
		}
		if pressed := eval[string](a, `document.getElementById("cmp-flip").getAttribute("aria-pressed")`); pressed != "true" {
			t.Errorf("the flip button says aria-pressed=%s while B shows", pressed)
		}
		a.shot("compare-flip-B.png")

		// The button flips back to A.
		a.clickSel("#cmp-flip")
		a.poll(`JSON.parse(linmapTest.probe()).panes[0].b === false`)
		a.choose("#cmp-mode", "")
		a.poll(`JSON.parse(linmapTest.probe()).panes[0].label === ""`)
	})
}
