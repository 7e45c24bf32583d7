package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The presets gallery: every embedded preset is a card saying what it
// shows; picking one (by mouse, or by Tab and Enter) makes it the layout
// and the canvas draws it; Escape closes the gallery without a change.
func TestPresetsGallery(t *testing.T) {
	a := openApp(t)
	pal := a.palette()
	a.importText(preset(t, "arm-juno-r2"))
	before := a.probe()
	img0 := a.screenshot()

	a.clickSel("#open-gallery")
	a.poll(`document.getElementById("gallery").open && document.querySelectorAll("#gallery-list .card").length > 20`)
	if n := eval[int](a, `[...document.querySelectorAll("#gallery-list .card span")].filter(s => s.textContent.trim() === "").length`); n != 0 {
		t.Errorf("%d gallery cards have no description", n)
	}
	if id := eval[string](a, `document.activeElement.dataset.id || ""`); id == "" {
		t.Errorf("opening the gallery did not focus a card")
	}
	a.shot("gallery.png")

	// By mouse: the 2-socket Altra, 6 banks over 64 TiB.
	a.clickSel(`#gallery-list .card[data-id="ampere-altra-2s"]`)
	a.poll(`!document.getElementById("gallery").open`)
	a.poll(`JSON.parse(linmapTest.layout()).name === ` + jsQuote(layoutName(t, "ampere-altra-2s")))
	a.waitFrames(3)
	if got, want := a.layoutJSON(), canon(t, preset(t, "ampere-altra-2s")); got != want {
		t.Errorf("layout after picking the Altra:\n%s\nwant\n%s", got, want)
	}
	if sel := eval[string](a, `document.getElementById("preset").value`); sel != "ampere-altra-2s" {
		t.Errorf("the preset select shows %q", sel)
	}
	p := a.probe()
	img1 := a.screenshot()
	if len(p.Banks) != 6 {
		t.Errorf("%d banks on the canvas, want 6", len(p.Banks))
	}
	if hashRect(img0, before.PA) == hashRect(img1, p.PA) || hashRect(img0, before.VA) == hashRect(img1, p.VA) {
		t.Error("the canvas looks the same after picking another preset")
	}
	if n := count(img1, p.VA, pal["page"], 3); n < 2000 {
		t.Errorf("the Altra's 4K pages: %d page-coloured pixels in the virtual column", n)
	}

	// Escape closes it and changes nothing.
	a.clickSel("#open-gallery")
	a.poll(`document.getElementById("gallery").open`)
	a.do(chromedp.KeyEvent(kb.Escape))
	a.poll(`!document.getElementById("gallery").open`)
	if got, want := a.layoutJSON(), canon(t, preset(t, "ampere-altra-2s")); got != want {
		t.Error("Escape in the gallery changed the layout")
	}

	// By keyboard: Tab moves to the next card, Enter picks it.
	a.clickSel("#open-gallery")
	a.poll(`document.getElementById("gallery").open`)
	first := eval[string](a, `document.activeElement.dataset.id || ""`)
	a.do(chromedp.KeyEvent(kb.Tab))
	id := eval[string](a, `document.activeElement.dataset.id || ""`)
	if id == "" || id == first {
		t.Fatalf("Tab from card %q went to %q", first, id)
	}
	a.do(chromedp.KeyEvent(kb.Enter))
	a.poll(`!document.getElementById("gallery").open`)
	a.poll(`JSON.parse(linmapTest.layout()).name === ` + jsQuote(layoutName(t, id)))
	// A preset is an edit: Undo brings the Altra back.
	a.clickSel("#undo")
	a.poll(`JSON.parse(linmapTest.layout()).name === ` + jsQuote(layoutName(t, "ampere-altra-2s")))
}
