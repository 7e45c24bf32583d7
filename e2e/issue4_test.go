package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"linmap/sim/layout"
)

// Issue 4's browser half: gallery, paste import, exports, share links,
// undo/redo and autosave, driven as a user would (clicks and keys).

// layoutJSON is the app's layout as canonical JSON, to compare layouts
// across pages and reloads.
func (a *app) layoutJSON() string {
	a.t.Helper()
	b, err := a.layout().Marshal()
	if err != nil {
		a.t.Fatal(err)
	}
	return string(b)
}

// clickSel clicks an HTML control by CSS selector.
func (a *app) clickSel(sel string) {
	a.t.Helper()
	a.do(chromedp.Click(chromedp.CSS(sel)))
	a.waitFrames(3)
}

// ctrlKey presses key with Ctrl (and Shift), as the undo shortcuts are
// typed.
func (a *app) ctrlKey(key, code string, vk int64, shift bool) {
	a.t.Helper()
	mods := int64(2) // Ctrl, in DevTools' modifier bits (Alt=1, Ctrl=2, Meta=4, Shift=8)
	if shift {
		mods |= 8
	}
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := chromedp.Call(a.ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: key, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk, Modifiers: mods,
		}); err != nil {
			a.t.Fatal(err)
		}
		a.waitFrames(2)
	}
}

// notice waits until the one role="alert" element contains want.
func (a *app) waitNotice(want string) string {
	a.t.Helper()
	q, _ := json.Marshal(want)
	a.poll(`document.getElementById("notice").textContent.includes(` + string(q) + `)`)
	return eval[string](a, `document.getElementById("notice").textContent`)
}

// newPage opens url in a new tab of the same browser (same profile, so
// the same localStorage) and waits for the app.
func (a *app) newPage(t *testing.T, url string) *app {
	ctx, cancel := chromedp.NewContext(a.ctx)
	t.Cleanup(cancel)
	b := &app{t: t, ctx: ctx, url: url}
	b.do(chromedp.Navigate(url))
	b.poll("window.linmapReady === true")
	b.waitFrames(3)
	return b
}

type window struct{ Lo, Hi layout.Addr }

// view returns the address windows the columns show (nil: fitted).
func (a *app) view() (v struct{ PA, VA *window }) {
	a.t.Helper()
	if err := json.Unmarshal([]byte(eval[string](a, "linmapTest.view()")), &v); err != nil {
		a.t.Fatal(err)
	}
	return v
}

// lastDownload returns the name, type and bytes of the last file the app
// offered for download.
func (a *app) lastDownload() (name, typ string, data []byte) {
	a.t.Helper()
	var d struct{ Name, Type, Data string }
	raw, err := chromedp.Run(a.ctx, chromedp.Evaluate[string](`new Promise((ok, fail) => {
		const d = window.linmapLastDownload;
		const r = new FileReader();
		r.onload = () => ok(JSON.stringify({name: d.name, type: d.type, data: r.result.split(",")[1]}));
		r.onerror = () => fail(r.error);
		r.readAsDataURL(d.blob);
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		a.t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		a.t.Fatal(err)
	}
	data, err = base64.StdEncoding.DecodeString(d.Data)
	if err != nil {
		a.t.Fatal(err)
	}
	return d.Name, d.Type, data
}

func TestIssue4(t *testing.T) {
	a := openApp(t)

	t.Run("gallery picks a preset", func(t *testing.T) {
		a.t = t
		a.clickSel("#open-gallery")
		a.poll(`document.getElementById("gallery").open && document.querySelectorAll("#gallery-list .card").length > 20`)
		// Every card says what the preset shows.
		if n := eval[int](a, `[...document.querySelectorAll("#gallery-list .card span")].filter(s => s.textContent.trim() === "").length`); n != 0 {
			t.Errorf("%d gallery cards have no description", n)
		}
		if f := eval[string](a, `document.activeElement.dataset.id || ""`); f == "" {
			t.Errorf("opening the gallery did not focus a card")
		}
		a.shot("issue4-gallery.png")
		a.clickSel(`#gallery-list .card[data-id="hikey"]`)
		a.poll(`!document.getElementById("gallery").open`)
		a.poll(`JSON.parse(linmapTest.layout()).name === ` + jsQuote(layoutName(t, "hikey")))
		if got, want := a.layoutJSON(), canon(t, preset(t, "hikey")); got != want {
			t.Errorf("layout after picking hikey:\n%s\nwant\n%s", got, want)
		}
		// By keyboard: Tab to a card, Enter picks it; Escape closes.
		a.clickSel("#open-gallery")
		a.poll(`document.getElementById("gallery").open`)
		a.do(chromedp.KeyEvent(kb.Escape))
		a.poll(`!document.getElementById("gallery").open`)
		a.clickSel("#open-gallery")
		a.poll(`document.getElementById("gallery").open`)
		a.do(chromedp.KeyEvent(kb.Tab))
		if id := eval[string](a, `document.activeElement.dataset.id || ""`); id == "" {
			t.Fatalf("Tab left the gallery cards")
		}
		id := eval[string](a, `document.activeElement.dataset.id`)
		a.do(chromedp.KeyEvent(kb.Enter))
		a.poll(`!document.getElementById("gallery").open`)
		a.poll(`JSON.parse(linmapTest.layout()).name === ` + jsQuote(layoutName(t, id)))
	})

	t.Run("paste a memblock dump", func(t *testing.T) {
		a.t = t
		dump, err := os.ReadFile("../formats/memblock/testdata/b16-3banks-memory.txt")
		if err != nil {
			t.Fatal(err)
		}
		a.clickSel("#paste-box summary")
		a.do(chromedp.SetValue(chromedp.CSS("#paste-text"), string(dump)))
		a.clickSel("#paste-import")
		msg := a.waitNotice("Imported pasted text as memblock debugfs list: 3 memory banks")
		l := a.layout()
		want := []layout.Addr{0x40000000, 0x62000000, 0xe0200000}
		if len(l.Memory) != 3 {
			t.Fatalf("%d banks after the paste (%s)", len(l.Memory), msg)
		}
		for i, b := range l.Memory {
			if b.Base != want[i] {
				t.Errorf("bank %d at %s, want %s", i, b.Base, want[i])
			}
		}
		// The canvas shows them: three bank rectangles.
		p := a.probe()
		for i, r := range p.Banks {
			if r.Y1-r.Y0 < 2 {
				t.Errorf("bank %d is not drawn: %+v", i, r)
			}
		}
	})

	t.Run("a bad import is reported with its line and changes nothing", func(t *testing.T) {
		a.t = t
		before := a.layoutJSON()
		bad := "/dts-v1/;\n/ {\n memory@0 { reg = <0x0 0x40000000 0x0 ; };\n};\n"
		a.do(chromedp.SetValue(chromedp.CSS("#paste-text"), bad))
		a.clickSel("#paste-import")
		msg := a.waitNotice("Not imported")
		if !strings.Contains(msg, "line 3") {
			t.Errorf("notice %q does not name line 3", msg)
		}
		if role := eval[string](a, `document.getElementById("notice").getAttribute("role")`); role != "alert" {
			t.Errorf("the notice has role %q", role)
		}
		if got := a.layoutJSON(); got != before {
			t.Errorf("the layout changed after a refused import")
		}
		// The text stays in the box to be fixed.
		if v := eval[string](a, `document.getElementById("paste-text").value`); v != bad {
			t.Errorf("the paste box was cleared")
		}
		a.shot("issue4-import-error.png")
	})

	t.Run("undo after a drag restores the layout, redo repeats it", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "arm-juno-r2"))
		before := a.layoutJSON()
		p := a.probe()
		x, y := p.Banks[1].mid()
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
			t.Fatalf("redo did not bring the drag back")
		}
		// The keyboard shortcuts do the same, from the canvas.
		a.ctrlKey("z", "KeyZ", 90, false)
		a.poll(`linmapTest.layout() === ` + jsQuote(compactLayout(t, before)))
		a.ctrlKey("Z", "KeyZ", 90, true)
		a.poll(`linmapTest.layout() === ` + jsQuote(compactLayout(t, after)))
		// Undo walks back through the import too.
		a.clickSel("#undo")
		a.clickSel("#undo")
		if got := a.layoutJSON(); got == before || got == after {
			t.Errorf("undo did not go back past the import")
		}
		a.clickSel("#redo")
		a.clickSel("#redo")
		if got := a.layoutJSON(); got != after {
			t.Errorf("redo twice did not return to the dragged layout")
		}
	})

	t.Run("exports", func(t *testing.T) {
		a.t = t
		tests := []struct{ button, name, typ, contains string }{
			{"#export-result", "Arm-Juno-r2.result.json", "application/json", `"mappings"`},
			{"#export-ptdump", "Arm-Juno-r2.ptdump.txt", "text/plain", "Linear Mapping"},
			{"#export-dts", "Arm-Juno-r2.dts", "text/plain", "memory@"},
		}
		for _, tc := range tests {
			a.do(chromedp.Evaluate[chromedp.Void](`window.linmapLastDownload = null`))
			a.clickSel(tc.button)
			a.poll(`window.linmapLastDownload !== null`)
			name, typ, data := a.lastDownload()
			if name != tc.name || typ != tc.typ || !bytes.Contains(data, []byte(tc.contains)) {
				t.Errorf("%s: %s %s %.80q; want %s %s containing %q", tc.button, name, typ, data, tc.name, tc.typ, tc.contains)
			}
		}
		a.do(chromedp.Evaluate[chromedp.Void](`window.linmapLastDownload = null`))
		a.clickSel("#export-png")
		a.poll(`window.linmapLastDownload !== null`)
		name, typ, data := a.lastDownload()
		if name != "Arm-Juno-r2.png" || typ != "image/png" {
			t.Fatalf("PNG export: %s %s", name, typ)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		// It is the canvas at device resolution, with the banks drawn.
		p := a.probe()
		if w := img.Bounds().Dx(); math.Abs(float64(w)-eval[float64](a, `document.querySelector("canvas").width`)) > 1 {
			t.Errorf("PNG is %d pixels wide", w)
		}
		if n := count(img, rect{p.PA.X0 * p.Scale, p.PA.Y0 * p.Scale, p.PA.X1 * p.Scale, p.PA.Y1 * p.Scale}, a.palette()["bank"], 3); n < 500 {
			t.Errorf("PNG has %d bank-coloured pixels in the physical column", n)
		}
		if os.Getenv("LINMAP_SHOTS") != "" {
			os.WriteFile(os.Getenv("LINMAP_SHOTS")+"/issue4-export.png", data, 0o644)
		}
	})

	var link, linked string
	t.Run("a share link opens the same layout and view in a new page", func(t *testing.T) {
		a.t = t
		// Zoom the physical column so the view is part of the link.
		p := a.probe()
		x, y := p.PA.mid()
		a.do(chromedp.MouseEvent(chromedp.MouseMoved, x, y))
		a.waitFrames(2)
		// A wheel notch over the column, as a trackpad sends it.
		a.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector("canvas").dispatchEvent(new WheelEvent("wheel",
			{deltaY: -400, clientX: %g, clientY: %g, bubbles: true, cancelable: true}))`, x, y)))
		a.poll(`JSON.parse(linmapTest.view()).pa !== undefined`)
		a.clickSel("#copy-link")
		a.waitNotice("ink")
		link = eval[string](a, `document.getElementById("share-url").value`)
		if !strings.Contains(link, "#v1=") {
			t.Fatalf("share link %q has no v1 fragment", link)
		}
		linked = a.layoutJSON()
		view := a.view()

		b := a.newPage(t, link)
		if got := b.layoutJSON(); got != linked {
			t.Fatalf("the link opened\n%s\nwant\n%s", got, linked)
		}
		got := b.view()
		if got.PA == nil || view.PA == nil {
			t.Fatalf("physical window %+v in the new page, %+v in the first", got.PA, view.PA)
		}
		// The same addresses at the top and bottom of the column, to a
		// pixel's worth of rounding.
		tol := float64(view.PA.Hi-view.PA.Lo) / 500
		if math.Abs(float64(got.PA.Lo)-float64(view.PA.Lo)) > tol || math.Abs(float64(got.PA.Hi)-float64(view.PA.Hi)) > tol {
			t.Errorf("physical window %s–%s in the new page, %s–%s in the first", got.PA.Lo, got.PA.Hi, view.PA.Lo, view.PA.Hi)
		}
		// The fragment is gone from the address, so a reload shows later
		// edits (from autosave), not the link's layout again.
		if h := eval[string](b, "location.hash"); h != "" {
			t.Errorf("location.hash is still %q", h)
		}
	})

	t.Run("old and broken links", func(t *testing.T) {
		a.t = t
		base := a.url
		// A v0 link (uncompressed, the first form) still opens.
		v0 := base + "#v0=" + base64.RawURLEncoding.EncodeToString([]byte(preset(t, "qemu-virt-1g")))
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
		msg := c.waitNotice("share link")
		if !strings.Contains(msg, "not changed") {
			t.Errorf("notice for a cut link: %q", msg)
		}
		if got := c.layoutJSON(); got != saved {
			t.Errorf("a broken link changed the layout")
		}
		d := a.newPage(t, base+"#v7=abc")
		d.waitNotice("newer than this linmap")
		if got := d.layoutJSON(); got != saved {
			t.Errorf("a link from a newer version changed the layout")
		}
	})

	t.Run("reload restores the autosaved layout", func(t *testing.T) {
		a.t = t
		a.clickSel("#open-gallery")
		a.clickSel(`#gallery-list .card[data-id="rpi4-8gb"]`)
		a.poll(`JSON.parse(linmapTest.layout()).name === ` + jsQuote(layoutName(t, "rpi4-8gb")))
		p := a.probe()
		x, y := p.Banks[0].mid()
		a.drag(x, y, 30, 4)
		edited := a.layoutJSON()
		a.do(chromedp.Reload())
		a.poll("window.linmapReady === true")
		a.waitFrames(3)
		if got := a.layoutJSON(); got != edited {
			t.Fatalf("after reload\n%s\nwant\n%s", got, edited)
		}
		if eval[bool](a, `document.getElementById("undo").disabled === false`) {
			t.Errorf("the restored layout is undoable: it should be where the history starts")
		}
	})

	t.Run("full storage is reported and keeps the layout", func(t *testing.T) {
		a.t = t
		a.do(chromedp.Evaluate[chromedp.Void](`Storage.prototype.setItem = function () {
			throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
		}`))
		a.importText(preset(t, "qemu-virt-4g"))
		msg := a.waitNotice("Autosave failed")
		if !strings.Contains(msg, "QuotaExceededError") {
			t.Errorf("notice %q does not say why", msg)
		}
		if got, want := a.layoutJSON(), canon(t, preset(t, "qemu-virt-4g")); got != want {
			t.Errorf("the layout changed after a failed autosave")
		}
	})
}

func jsQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func layoutName(t *testing.T, id string) string {
	l, err := layout.Parse([]byte(preset(t, id)))
	if err != nil {
		t.Fatal(err)
	}
	return l.Name
}

func canon(t *testing.T, doc string) string {
	l, err := layout.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// compactLayout is the layout as linmapTest.layout() returns it (json.Marshal).
func compactLayout(t *testing.T, doc string) string {
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
