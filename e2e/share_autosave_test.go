package e2e

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"linmap/sim/layout"
)

// zoomPA turns the wheel over the physical column, as a trackpad sends it,
// and waits until the view is saved with a window.
func (a *app) zoomPA(notches int) {
	a.t.Helper()
	x, y := a.probe().PA.mid()
	a.do(chromedp.MouseEvent(chromedp.MouseMoved, x, y))
	a.waitFrames(2)
	a.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector("canvas").dispatchEvent(new WheelEvent("wheel",
		{deltaY: %d, clientX: %g, clientY: %g, bubbles: true, cancelable: true}))`, -100*notches, x, y)))
	a.poll(`JSON.parse(linmapTest.view()).pa !== undefined`)
}

// sameWindow reports two address windows equal to a pixel's worth of
// rounding.
func sameWindow(a, b *addrWindow) bool {
	if a == nil || b == nil {
		return a == b
	}
	tol := float64(a.Hi-a.Lo) / 500
	return math.Abs(float64(a.Lo)-float64(b.Lo)) <= tol && math.Abs(float64(a.Hi)-float64(b.Hi)) <= tol
}

// Never losing work: undo and redo of a drag, the autosave that a reload
// restores with its zoom, share links (new, old, broken), and a full
// storage that is reported while the layout stays.
func TestShareAndAutosave(t *testing.T) {
	a := openApp(t)

	t.Run("undo after a drag restores the layout, redo repeats it", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "arm-juno-r2"))
		before := a.layoutJSON()
		x, y := a.probe().Banks[1].mid()
		a.drag(x, y, 40, 6)
		after := a.layoutJSON()
		if after == before {
			t.Fatalf("the drag moved nothing; notice %q", a.result().Notice)
		}
		a.poll(`!document.getElementById("undo").disabled`)
		if title := eval[string](a, `document.getElementById("undo").title`); !strings.Contains(title, "bank 1") {
			t.Errorf("undo button title %q does not name the drag", title)
		}
		a.clickSel("#undo") // one click undoes the whole drag
		if got := a.layoutJSON(); got != before {
			t.Fatalf("undo after the drag:\n%s\nwant\n%s", got, before)
		}
		a.clickSel("#redo")
		if got := a.layoutJSON(); got != after {
			t.Fatal("redo did not bring the drag back")
		}
		// The shortcuts do the same, with the focus on the page.
		eval[bool](a, `(document.activeElement.blur(), true)`)
		a.ctrlKey("z", "KeyZ", 90, false)
		a.poll(`linmapTest.layout() === ` + jsQuote(compact(t, before)))
		a.ctrlKey("Z", "KeyZ", 90, true)
		a.poll(`linmapTest.layout() === ` + jsQuote(compact(t, after)))
	})

	t.Run("a reload restores the autosaved layout and zoom", func(t *testing.T) {
		a.t = t
		a.clickSel("#open-gallery")
		a.clickSel(`#gallery-list .card[data-id="rpi4-8gb"]`)
		a.poll(`JSON.parse(linmapTest.layout()).name === ` + jsQuote(layoutName(t, "rpi4-8gb")))
		a.waitFrames(3)
		x, y := a.probe().Banks[0].mid()
		a.drag(x, y, 30, 4)
		edited := a.layoutJSON()
		a.zoomPA(4)
		view := a.view()
		// The view is saved half a second after it settles.
		a.poll(`(() => { const r = JSON.parse(localStorage.getItem("linmap.autosave")); return r.view && r.view.pa !== undefined; })()`)
		a.do(chromedp.Reload())
		a.poll("window.linmapReady === true")
		a.waitFrames(3)
		if got := a.layoutJSON(); got != edited {
			t.Fatalf("after reload\n%s\nwant\n%s", got, edited)
		}
		if got := a.view(); !sameWindow(got.PA, view.PA) || view.PA == nil {
			t.Errorf("physical window after reload %+v, before %+v", got.PA, view.PA)
		}
		if !eval[bool](a, `document.getElementById("undo").disabled`) {
			t.Errorf("the restored layout is undoable: it should be where the history starts")
		}
		a.shot("autosave-restored.png")
	})

	var link string
	t.Run("a share link opens the same layout and view in a new page", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "qemu-virt-numa"))
		a.zoomPA(3)
		a.clickSel("#copy-link")
		a.waitNotice("ink") // copied, or shown to copy by hand
		link = eval[string](a, `document.getElementById("share-url").value`)
		if !strings.Contains(link, "#v1=") {
			t.Fatalf("share link %q has no v1 fragment", link)
		}
		linked, view := a.layoutJSON(), a.view()

		b := a.newPage(t, link)
		if got := b.layoutJSON(); got != linked {
			t.Fatalf("the link opened\n%s\nwant\n%s", got, linked)
		}
		if got := b.view(); !sameWindow(got.PA, view.PA) || got.PA == nil {
			t.Errorf("physical window %+v in the new page, %+v in the first", got.PA, view.PA)
		}
		b.waitNotice("Opened the shared layout")
		// The fragment is gone from the address, so a reload shows later
		// edits (from autosave), not the link's layout again.
		if h := eval[string](b, "location.hash"); h != "" {
			t.Errorf("location.hash is still %q", h)
		}
		b.shot("share-link-opened.png")
	})

	t.Run("old and broken links", func(t *testing.T) {
		a.t = t
		// A v0 link (uncompressed, the first form) still opens.
		v0 := a.url + "#v0=" + base64.RawURLEncoding.EncodeToString([]byte(preset(t, "qemu-virt-1g")))
		b := a.newPage(t, v0)
		if got, want := b.layoutJSON(), canon(t, preset(t, "qemu-virt-1g")); got != want {
			t.Errorf("v0 link opened\n%s\nwant\n%s", got, want)
		}
		// A cut link says so and changes nothing: the page keeps the
		// autosaved layout.
		saved := b.layoutJSON()
		if link == "" {
			t.Fatal("no share link from the previous subtest")
		}
		c := a.newPage(t, link[:len(link)-40])
		msg, role := c.waitNotice("share link")
		if !strings.Contains(msg, "cut short") || !strings.Contains(msg, "not changed") || role != "alert" {
			t.Errorf("notice for a cut link: %q (role %s)", msg, role)
		}
		if got := c.layoutJSON(); got != saved {
			t.Errorf("a broken link changed the layout")
		}
		c.shot("share-link-broken.png")
		d := a.newPage(t, a.url+"#v7=abc")
		d.waitNotice("newer than this linmap")
		if got := d.layoutJSON(); got != saved {
			t.Errorf("a link from a newer version changed the layout")
		}
	})

	t.Run("a full storage is reported and keeps the layout", func(t *testing.T) {
		a.t = t
		a.do(chromedp.Evaluate[chromedp.Void](`Storage.prototype.setItem = function () {
			throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
		}`))
		a.importText(preset(t, "qemu-virt-4g"))
		msg, role := a.waitNotice("Autosave failed")
		if !strings.Contains(msg, "QuotaExceededError") || role != "alert" {
			t.Errorf("notice %q (role %s) does not say why", msg, role)
		}
		if got, want := a.layoutJSON(), canon(t, preset(t, "qemu-virt-4g")); got != want {
			t.Errorf("the layout changed after a failed autosave")
		}
	})
}

// compact is a layout document as linmapTest.layout() returns it
// (json.Marshal of the parsed layout).
func compact(t *testing.T, doc string) string {
	t.Helper()
	l, err := layout.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
