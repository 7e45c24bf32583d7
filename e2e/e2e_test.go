// Package e2e drives the built browser app in headless Chromium at a real
// 1280×800: e2e_test.go has the driver and the core (it loads and draws the
// expected colours, follows a mouse drag, shows the v3.18 panic, zooms,
// allocates nothing per frame at rest, is crisp on HiDPI, and measures the
// numbers in BENCHMARKS.md); the other files are named after what they
// test. Tests wait on the app's frame counter, never on sleeps.
package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"linmap/assets"
	"linmap/cmd/serve/static"
	"linmap/sim/layout"
)

// chromiumFlags are the ones notes/browser.md found necessary on a machine
// without a GPU, running as root, with the network closed.
var chromiumFlags = map[string]any{
	"headless":                      true,
	"no-sandbox":                    true,
	"disable-gpu":                   true,
	"use-angle":                     "swiftshader",
	"enable-unsafe-swiftshader":     true,
	"disable-quic":                  true,
	"no-first-run":                  true,
	"disable-background-networking": true,
	"disable-component-update":      true,
	"disable-sync":                  true,
}

func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium not found: apt-get install -y --no-install-recommends chromium fonts-liberation"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// siteDir returns the built site: LINMAP_SITE (set by ./build.sh test) or a
// fresh build in a temporary directory.
func siteDir(t *testing.T) string {
	if d := os.Getenv("LINMAP_SITE"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "main.wasm")); err != nil {
			t.Fatalf("LINMAP_SITE=%s has no main.wasm: run ./build.sh", d)
		}
		return d
	}
	dir := t.TempDir()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "site", "*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644)
	}
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "main.wasm"), "./wasm")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the wasm: %v\n%s", err, out)
	}
	// wasm_exec.js must come from the Go that compiled main.wasm.
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal(err)
	}
	wasmExec, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "wasm_exec.js"), wasmExec, 0o644)
	return dir
}

type app struct {
	t       *testing.T
	ctx     context.Context
	url     string
	mu      sync.Mutex
	console []string
}

func (a *app) logConsole() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, m := range a.console {
		a.t.Log("console: " + m)
	}
}

func eval[T any](a *app, expr string) T {
	a.t.Helper()
	v, err := chromedp.Run(a.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		a.logConsole()
		a.t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitFrames waits until the app has drawn n more frames: after each input
// event, so that Ebiten's once-per-tick polling has seen it.
func (a *app) waitFrames(n int) {
	a.t.Helper()
	f0 := eval[int](a, "window.linmapFrames")
	a.poll(fmt.Sprintf("window.linmapFrames >= %d", f0+n))
}

func (a *app) poll(expr string) {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(a.ctx, 90*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		a.logConsole()
		a.t.Fatalf("waiting for %s: %v", expr, err)
	}
}

func (a *app) do(actions ...chromedp.Action[chromedp.Void]) {
	a.t.Helper()
	if err := chromedp.Do(a.ctx, actions...); err != nil {
		a.logConsole()
		a.t.Fatal(err)
	}
}

func (a *app) layout() *layout.Layout {
	a.t.Helper()
	l, err := layout.Parse([]byte(eval[string](a, "linmapTest.layout()")))
	if err != nil {
		a.t.Fatalf("the app's layout does not parse: %v", err)
	}
	return l
}

type resultView struct {
	Result *struct {
		PhysOffset string `json:"phys_offset"`
		Mappings   []struct {
			VA, PA, Size, Page, Level string
		} `json:"mappings"`
		Fatal *struct{ Message string } `json:"fatal"`
	} `json:"result"`
	RunError string `json:"run_error"`
	Notice   string `json:"notice"`
}

func (a *app) result() resultView {
	a.t.Helper()
	var r resultView
	a.evalJSON("linmapTest.result()", &r)
	return r
}

// evalJSON decodes the JSON string expr evaluates to (the test hooks').
func (a *app) evalJSON(expr string, v any) {
	a.t.Helper()
	if err := json.Unmarshal([]byte(eval[string](a, expr)), v); err != nil {
		a.t.Fatalf("%s: %v", expr, err)
	}
}

type rect struct{ X0, Y0, X1, Y1 float64 }

func (r rect) mid() (float64, float64) { return (r.X0 + r.X1) / 2, (r.Y0 + r.Y1) / 2 }

type probe struct {
	Scale   float64
	PA, VA  rect
	Ribbons rect
	Banks   []rect
	Image   rect
	Banner  rect
}

func (a *app) probe() probe {
	a.t.Helper()
	var p probe
	a.evalJSON("linmapTest.probe()", &p)
	return p
}

func (a *app) palette() map[string]color.RGBA {
	var hex map[string]string
	json.Unmarshal([]byte(eval[string](a, "linmapTest.palette()")), &hex)
	out := map[string]color.RGBA{}
	for k, v := range hex {
		var r, g, b uint8
		fmt.Sscanf(v, "#%02x%02x%02x", &r, &g, &b)
		out[k] = color.RGBA{r, g, b, 255}
	}
	return out
}

func (a *app) screenshot() image.Image {
	a.t.Helper()
	data, err := chromedp.Run(a.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		a.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		a.t.Fatal(err)
	}
	return img
}

// importText loads a layout the way the file picker does, and waits until
// the game loop has taken it.
func (a *app) importText(doc string) {
	a.t.Helper()
	q, _ := json.Marshal(doc)
	if msg := eval[string](a, "linmap.importFiles([{name: 'test.json', text: "+string(q)+"}])"); msg != "" {
		a.t.Fatalf("import refused: %s", msg)
	}
	a.waitFrames(3)
}

// key presses and releases a key with frames in between, since Ebiten
// polls the keyboard once per tick.
func (a *app) key(key, code string, vk int64) {
	a.t.Helper()
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := chromedp.Call(a.ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{
			Type: typ, Key: key, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk,
		}); err != nil {
			a.t.Fatal(err)
		}
		a.waitFrames(2)
	}
}

func (a *app) mouse(typ input.DispatchMouseEventType, x, y float64, mods ...chromedp.Modifier) {
	a.t.Helper()
	opts := []chromedp.MouseOption{chromedp.ButtonLeft}
	if typ == chromedp.MouseMoved {
		opts = []chromedp.MouseOption{chromedp.ButtonLeft, func(p *input.DispatchMouseEventParams) { p.Buttons = 1 }}
	}
	if typ == chromedp.MousePressed || typ == chromedp.MouseReleased {
		opts = append(opts, chromedp.ClickCount(1))
	}
	if len(mods) > 0 {
		opts = append(opts, chromedp.ButtonModifiers(mods...))
	}
	a.do(chromedp.MouseEvent(typ, x, y, opts...))
}

// drag presses at (x, y), moves by dy in steps, and releases, waiting for
// frames between events as Ebiten polls input once per tick.
func (a *app) drag(x, y, dy float64, steps int) {
	a.mouse(chromedp.MouseMoved, x, y)
	a.waitFrames(2)
	a.mouse(chromedp.MousePressed, x, y)
	a.waitFrames(3)
	for i := 1; i <= steps; i++ {
		a.mouse(chromedp.MouseMoved, x, y+dy*float64(i)/float64(steps))
		a.waitFrames(2)
	}
	a.mouse(chromedp.MouseReleased, x, y+dy)
	a.waitFrames(3)
}

func near(c color.Color, want color.RGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) int {
		v := int(x>>8) - int(y)
		if v < 0 {
			return -v
		}
		return v
	}
	return d(r, want.R) <= tol && d(g, want.G) <= tol && d(b, want.B) <= tol
}

// count returns how many pixels in r are within tol of want.
func count(img image.Image, r rect, want color.RGBA, tol int) int {
	n := 0
	for y := int(r.Y0) + 1; y < int(r.Y1)-1; y++ {
		for x := int(r.X0) + 1; x < int(r.X1)-1; x++ {
			if near(img.At(x, y), want, tol) {
				n++
			}
		}
	}
	return n
}

func hashRect(img image.Image, r rect) string {
	var b strings.Builder
	for y := int(r.Y0); y < int(r.Y1); y += 2 {
		for x := int(r.X0); x < int(r.X1); x += 2 {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			fmt.Fprintf(&b, "%02x%02x%02x", cr>>8, cg>>8, cb>>8)
		}
	}
	return b.String()
}

// shot saves a screenshot into LINMAP_SHOTS, for looking at by eye.
func (a *app) shot(name string) {
	dir := os.Getenv("LINMAP_SHOTS")
	if dir == "" {
		return
	}
	data, err := chromedp.Run(a.ctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	if err != nil {
		a.t.Error(err)
	}
}

func preset(t *testing.T, id string) string {
	p, ok := assets.Lookup(id)
	if !ok {
		t.Fatalf("preset %s is missing", id)
	}
	return string(p.Layout)
}

func openApp(t *testing.T) *app {
	chrome := findChromium(t)
	site := siteDir(t)
	h := static.New(site)
	if err := h.Preload(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chrome),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	for k, v := range chromiumFlags {
		opts = append(opts, chromedp.Flag(k, v))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })

	a := &app{t: t, ctx: ctx, url: srv.URL + "/"}
	// Start the browser before listening, then collect the console.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			a.mu.Lock()
			a.console = append(a.console, m.String())
			a.mu.Unlock()
		}
	}()
	a.setViewport(1280, 800, 1)
	a.do(chromedp.Navigate(a.url))
	a.poll("window.linmapReady === true")
	a.waitFrames(2)
	return a
}

// setViewport makes the page w×h CSS pixels at scale s, as a screen of that
// size shows it: the window size would include the browser's own chrome
// (a 1280×800 window gives the page 1280×661).
func (a *app) setViewport(w, h int64, s float64) {
	a.t.Helper()
	if _, err := chromedp.Call(a.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: w, Height: h, DeviceScaleFactor: s,
	}); err != nil {
		a.t.Fatal(err)
	}
}

func TestBrowser(t *testing.T) {
	a := openApp(t)
	bench := map[string]string{}
	bench["first frame (cold profile), ms"] = fmt.Sprintf("%.0f", eval[float64](a, "window.linmapReadyAt"))

	t.Run("loads and draws", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "arm-juno-r2"))
		a.waitFrames(2)
		r := a.result()
		if r.Result == nil || len(r.Result.Mappings) == 0 {
			t.Fatalf("no mappings: run error %q", r.RunError)
		}
		p := a.probe()
		img := a.screenshot()
		if out := os.Getenv("LINMAP_SCREENSHOT"); out != "" {
			// docs/screenshot.png: the preset as the picker loads it,
			// without notices, with a tooltip over the virtual column.
			eval[string](a, `linmap.loadPreset("arm-juno-r2")`)
			a.poll(`document.getElementById("preset").value === "arm-juno-r2"`)
			eval[string](a, "linmap.dismiss(0)")
			a.poll(`JSON.parse(linmapTest.result()).notice === ""`)
			x, y := p.VA.mid()
			a.do(chromedp.MouseEvent(chromedp.MouseMoved, x, y))
			a.waitFrames(3)
			data, err := chromedp.Run(a.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		pal := a.palette()
		// Physical column: banks; virtual column: leaves; between them:
		// the ribbons, blended over the background.
		if n := count(img, p.PA, pal["bank"], 3); n < 500 {
			t.Errorf("physical column: %d bank-coloured pixels", n)
		}
		leaf := 0
		for _, k := range []string{"pud", "pmd", "page"} {
			leaf += count(img, p.VA, pal[k], 3)
		}
		if leaf < 2000 {
			t.Errorf("virtual column: %d leaf-coloured pixels", leaf)
		}
		rib := 0
		for _, k := range []string{"ribbon-pud", "ribbon-pmd", "ribbon-page"} {
			rib += count(img, p.Ribbons, pal[k], 6)
		}
		if rib < 2000 {
			t.Errorf("ribbons: %d ribbon-coloured pixels", rib)
		}
		t.Logf("pixels: leaf %d, ribbons %d", leaf, rib)
		if n := count(img, p.Banner, pal["fatal"], 3); n > 0 {
			t.Errorf("a panic banner is shown for a layout that boots")
		}
		// Safe and offline: every request went to the site itself, and the
		// Content-Security-Policy let everything run.
		origin := strings.TrimSuffix(a.url, "/")
		for _, u := range eval[[]string](a, `performance.getEntriesByType("resource").map(e => e.name)`) {
			if !strings.HasPrefix(u, origin+"/") {
				t.Errorf("the page requested %s", u)
			}
		}
		a.mu.Lock()
		for _, m := range a.console {
			if strings.Contains(m, "Content Security Policy") || strings.Contains(m, "Content-Security-Policy") {
				t.Errorf("CSP violation: %s", m)
			}
		}
		a.mu.Unlock()
	})

	t.Run("drag a bank", func(t *testing.T) {
		a.t = t
		a.importText(strings.Replace(preset(t, "seed-b-hypothesis2"), `"era": "v3.18"`, `"era": "v4.6"`, 1))
		before := a.layout()
		beforeRes := a.result()
		beforePanel := eval[string](a, `document.getElementById("glance").textContent`)
		p := a.probe()
		img0 := a.screenshot()
		x, y := p.Banks[2].mid()
		a.drag(x, y, 37, 6)
		after := a.layout()
		if after.Memory[2].Base == before.Memory[2].Base {
			t.Fatalf("bank 2 did not move (still at %s); notice %q", after.Memory[2].Base, a.result().Notice)
		}
		if after.Memory[2].Size != before.Memory[2].Size {
			t.Errorf("moving changed the size")
		}
		if uint64(after.Memory[2].Base)%4096 != 0 {
			t.Errorf("base %s is not page-aligned", after.Memory[2].Base)
		}
		afterRes := a.result()
		rb, _ := json.Marshal(beforeRes.Result.Mappings)
		ra, _ := json.Marshal(afterRes.Result.Mappings)
		if bytes.Equal(rb, ra) {
			t.Errorf("the mappings did not change")
		}
		a.waitFrames(2)
		if eval[string](a, `document.getElementById("glance").textContent`) == beforePanel {
			t.Errorf("the results panel did not change")
		}
		img1 := a.screenshot()
		if hashRect(img0, p.PA) == hashRect(img1, p.PA) {
			t.Errorf("the physical column looks the same")
		}
		if hashRect(img0, p.Ribbons) == hashRect(img1, p.Ribbons) {
			t.Errorf("the ribbons look the same")
		}
		a.shot("after-drag.png")

		// Dragging bank 2 up onto bank 1 is refused with the reason, and
		// the bank stays where it last fitted.
		p = a.probe()
		x, y = p.Banks[2].mid()
		a.drag(x, y, -(p.Banks[2].Y0-p.Banks[1].Y0)-10, 4)
		if n := a.result().Notice; !strings.Contains(n, "overlap bank 1") {
			t.Errorf("notice after dragging onto bank 1: %q", n)
		}
		if err := a.layout().Check(); err != nil {
			t.Errorf("the layout is invalid after a refused drag: %v", err)
		}
		t.Logf("bank 2 moved %s → %s", before.Memory[2].Base, after.Memory[2].Base)
	})

	t.Run("v3.18 panics on hypothesis 2", func(t *testing.T) {
		a.t = t
		a.importText(strings.Replace(preset(t, "seed-b-hypothesis2"), `"era": "v3.18"`, `"era": "v4.6"`, 1))
		if r := a.result(); r.Result == nil || r.Result.Fatal != nil {
			t.Fatalf("v4.6 should boot: %+v", r)
		}
		eval[chromedp.Void](a, `(() => { const s = document.getElementById("era"); s.value = "v3.18"; s.dispatchEvent(new Event("change")); })()`)
		a.waitFrames(3)
		r := a.result()
		if r.Result == nil || r.Result.Fatal == nil {
			t.Fatalf("no fatal outcome on v3.18: %+v", r)
		}
		panel := eval[string](a, `document.getElementById("outcome").textContent`)
		if !strings.Contains(panel, r.Result.Fatal.Message) {
			t.Errorf("panel shows %q, want the kernel's message %q", panel, r.Result.Fatal.Message)
		}
		pal := a.palette()
		if n := count(a.screenshot(), a.probe().Banner, pal["fatal"], 3); n < 1000 {
			t.Errorf("no panic banner on the canvas (%d pixels)", n)
		}
		a.shot("panic-v3.18.png")
		t.Logf("v3.18: %s", r.Result.Fatal.Message)
	})

	t.Run("wheel, keys, double-click", func(t *testing.T) {
		a.t = t
		a.importText(strings.Replace(preset(t, "seed-b-hypothesis2"), `"era": "v3.18"`, `"era": "v6.1"`, 1))
		p := a.probe()
		x, y := p.Banks[2].mid()
		h0 := p.Banks[2].Y1 - p.Banks[2].Y0
		// Zoom in around the cursor: the bank under it grows.
		a.do(chromedp.MouseEvent(chromedp.MouseMoved, x, y))
		a.waitFrames(2)
		for i := 0; i < 3; i++ {
			a.do(chromedp.MouseEvent(input.DispatchMouseEventTypeMouseWheel, x, y, func(p *input.DispatchMouseEventParams) {
				// A zero deltaX would be omitted, and the protocol wants it.
				p.DeltaX, p.DeltaY = 1e-6, -100
			}))
			a.waitFrames(2)
		}
		if h1 := a.probe().Banks[2].Y1 - a.probe().Banks[2].Y0; h1 < h0*1.5 {
			t.Errorf("wheel zoom: bank height %.0f → %.0f px", h0, h1)
		}
		// 0 fits again (the canvas has focus after a click on it).
		a.mouse(chromedp.MousePressed, x, y)
		a.waitFrames(2)
		a.mouse(chromedp.MouseReleased, x, y)
		a.waitFrames(2)
		a.key("0", "Digit0", 48)
		if h2 := a.probe().Banks[2].Y1 - a.probe().Banks[2].Y0; h2 > h0*1.05 || h2 < h0*0.95 {
			t.Errorf("after 0: bank height %.0f px, want the fitted %.0f", h2, h0)
		}
		// Double-click the gap between banks 0 and 1: a bank appears there.
		p = a.probe()
		gx, gy := p.Banks[0].X0+20, (p.Banks[0].Y1+p.Banks[1].Y0)/2
		a.doubleClick(gx, gy)
		a.waitFrames(2)
		l := a.layout()
		if len(l.Memory) != 4 {
			t.Fatalf("double-click in the gap: %d banks, want 4", len(l.Memory))
		}
		added := l.Memory[1]
		if added.Base < 0x40c00000 || added.End() > 0x60000000 {
			t.Errorf("new bank %s..%s is not in the gap", added.Base, added.End())
		}
		// The new bank is selected: Delete removes it again.
		a.key("Delete", "Delete", 46)
		if n := len(a.layout().Memory); n != 3 {
			t.Errorf("after Delete: %d banks, want 3", n)
		}
	})

	t.Run("a frame that changes nothing allocates nothing", func(t *testing.T) {
		a.t = t
		a.importText(banks64())
		eval[chromedp.Void](a, "linmapTest.countAllocs(true)")
		defer eval[chromedp.Void](a, "linmapTest.countAllocs(false)")
		// Still, with no tooltip and with one: heap objects allocated
		// inside the game's Update and Draw and the bridge's frame work
		// (Ebiten's own loop is not counted). Draw replays the frame
		// built when something last changed.
		va := a.probe().VA
		for _, at := range [][2]float64{{5, 5}, {(va.X0 + va.X1) / 2, (va.Y0 + va.Y1) / 2}} {
			a.mouse(chromedp.MouseMoved, at[0], at[1])
			a.waitFrames(10)
			eval[chromedp.Void](a, "linmapTest.resetPerf()")
			a.waitFrames(30)
			allocs := eval[[]float64](a, "linmapTest.allocs()")
			busy := 0
			for _, n := range allocs {
				if n > 0 {
					busy++
				}
			}
			if len(allocs) < 30 || busy > 0 {
				t.Errorf("pointer at %v: %d of %d frames at rest allocated: %v", at, busy, len(allocs), allocs)
			}
		}
		if len(a.probeX().Tip) == 0 {
			t.Error("no tooltip over the virtual column")
		}
	})

	t.Run("drag cost on 64 banks", func(t *testing.T) {
		a.t = t
		a.importText(banks64())
		p := a.probe()
		x, y := p.Banks[32].mid()
		a.mouse(chromedp.MouseMoved, x, y)
		a.waitFrames(2)
		a.mouse(chromedp.MousePressed, x, y)
		a.waitFrames(3)
		eval[chromedp.Void](a, "linmapTest.resetPerf()")
		moves := 0
		for i := 0; i < 60; i++ {
			dy := 1.0
			if i%2 == 1 {
				dy = 0
			}
			a.mouse(chromedp.MouseMoved, x, y+dy)
			a.waitFrames(1)
			moves++
		}
		var perf struct {
			Count  int    `json:"count"`
			Total  msStat `json:"total"`
			Bridge msStat `json:"bridge"`
			Update msStat `json:"update"`
			Draw   msStat `json:"draw"`
			Engine msStat `json:"engine"`
		}
		if err := json.Unmarshal([]byte(eval[string](a, "linmapTest.perf()")), &perf); err != nil {
			t.Fatal(err)
		}
		a.mouse(chromedp.MouseReleased, x, y)
		a.waitFrames(2)
		if perf.Count < moves {
			t.Fatalf("only %d frames measured", perf.Count)
		}
		bench["drag on 64 banks: frames"] = fmt.Sprint(perf.Count)
		for name, st := range map[string]msStat{"total": perf.Total, "bridge (panel, snapshot, autosave)": perf.Bridge, "Update": perf.Update, "Draw": perf.Draw, "engine (in Update)": perf.Engine} {
			bench["drag on 64 banks: "+name+" mean/p50/p95/max, ms"] = fmt.Sprintf("%.2f / %.2f / %.2f / %.2f", st.Mean, st.P50, st.P95, st.Max)
		}
		if l := a.layout(); len(l.Memory) != 64 {
			t.Errorf("layout has %d banks", len(l.Memory))
		}
	})

	t.Run("crisp on HiDPI", func(t *testing.T) {
		a.t = t
		// Ebiten reads devicePixelRatio once, as on a real screen: set it,
		// then load the page (the start layout is the Juno r2 preset).
		a.setViewport(1200, 800, 2)
		defer a.setViewport(1280, 800, 1)
		a.do(chromedp.Reload())
		a.poll("window.linmapReady === true")
		a.poll(`JSON.parse(linmapTest.probe()).scale === 2`)
		a.waitFrames(3)
		// The canvas' backing store has a pixel per device pixel.
		w := eval[float64](a, `document.querySelector("canvas").width / document.body.clientWidth`)
		if w < 1.99 || w > 2.01 {
			t.Errorf("canvas has %.2f pixels per CSS pixel, want 2", w)
		}
		img := a.screenshot()
		p := a.probe()
		pa := rect{p.PA.X0 * 2, p.PA.Y0 * 2, p.PA.X1 * 2, p.PA.Y1 * 2}
		if n := count(img, pa, a.palette()["bank"], 3); n < 2000 {
			t.Errorf("physical column at 2x: %d bank-coloured pixels", n)
		}
		a.shot("hidpi.png")
	})

	t.Run("first frame after reload", func(t *testing.T) {
		a.t = t
		a.do(chromedp.Reload())
		a.poll("window.linmapReady === true")
		bench["first frame (warm reload), ms"] = fmt.Sprintf("%.0f", eval[float64](a, "window.linmapReadyAt"))
	})

	site := siteDir(t)
	raw, _ := os.ReadFile(filepath.Join(site, "main.wasm"))
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	bench["main.wasm raw, bytes"] = fmt.Sprint(len(raw))
	bench["main.wasm gzip -9, bytes"] = fmt.Sprint(gz.Len())
	for _, k := range slices.Sorted(maps.Keys(bench)) {
		t.Logf("BENCH %s: %s", k, bench[k])
	}
}

func ptr[T any](v T) *T { return &v }

func marshal(t *testing.T, l *layout.Layout) string {
	b, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// banks64 is a server-like layout with 64 banks of 768M on a 1G stride, so
// every bank has unaligned-free blocks and gaps that collapse.
func banks64() string {
	var banks []string
	for i := 0; i < 64; i++ {
		banks = append(banks, fmt.Sprintf(`{"base": "%#x", "size": "0x30000000"}`, 0x80000000+uint64(i)<<30))
	}
	return `{"format": "linmap-layout", "version": 1, "name": "64 banks",
	  "kernel": {"era": "v6.1", "page_size": "4K", "va_bits": 48}, "cpu": {},
	  "memory": [` + strings.Join(banks, ",") + `],
	  "image": {"base": "0x80200000"}}`
}

// jsQuote is s as a JavaScript string literal.
func jsQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// doubleClick clicks twice at a page position; the second click has
// clickCount 2, so Chrome fires dblclick as it would for a user, however
// slowly frames are drawn.
func (a *app) doubleClick(x, y float64) {
	a.t.Helper()
	for i := 1; i <= 2; i++ {
		a.do(chromedp.MouseEvent(chromedp.MousePressed, x, y, chromedp.ButtonLeft, chromedp.ClickCount(i)))
		a.waitFrames(1)
		a.do(chromedp.MouseEvent(chromedp.MouseReleased, x, y, chromedp.ButtonLeft, chromedp.ClickCount(i)))
		a.waitFrames(1)
	}
}

// click presses and releases the mouse at a page position.
func (a *app) click(x, y float64) {
	a.t.Helper()
	a.mouse(chromedp.MouseMoved, x, y)
	a.mouse(chromedp.MousePressed, x, y)
	a.mouse(chromedp.MouseReleased, x, y)
	a.waitFrames(2)
}

// layoutJSON is the app's layout as canonical JSON, to compare layouts
// across pages and reloads.
func (a *app) layoutJSON() string {
	a.t.Helper()
	return marshal(a.t, a.layout())
}

// canon is a layout document as canonical JSON.
func canon(t *testing.T, doc string) string {
	t.Helper()
	l, err := layout.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return marshal(t, l)
}

// layoutName is the name of the preset id.
func layoutName(t *testing.T, id string) string {
	t.Helper()
	l, err := layout.Parse([]byte(preset(t, id)))
	if err != nil {
		t.Fatal(err)
	}
	return l.Name
}

// waitNotice waits until a notice in the panel contains want and returns
// that notice's text and role.
func (a *app) waitNotice(want string) (text, role string) {
	a.t.Helper()
	find := `[...document.querySelectorAll("#notices li")].find(li => li.textContent.includes(` + jsQuote(want) + `))`
	a.poll(find + ` !== undefined`)
	return eval[string](a, find+`.textContent`), eval[string](a, find+`.getAttribute("role")`)
}

// newPage opens url in a new tab of the same browser (same profile, so the
// same localStorage) at 1280×800 and waits for the app.
func (a *app) newPage(t *testing.T, url string) *app {
	t.Helper()
	ctx, cancel := chromedp.NewContext(a.ctx)
	t.Cleanup(cancel)
	b := &app{t: t, ctx: ctx, url: url}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	b.setViewport(1280, 800, 1)
	b.do(chromedp.Navigate(url))
	b.poll("window.linmapReady === true")
	b.waitFrames(3)
	return b
}

// addrWindow is an address range a column shows.
type addrWindow struct{ Lo, Hi layout.Addr }

// view returns the address windows the columns show (nil: fitted), as
// links and autosave keep them.
func (a *app) view() (v struct{ PA, VA *addrWindow }) {
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

// panel is what the HTML panel was last given (bridge.Panel as JSON).
func (a *app) panel(v any) {
	a.t.Helper()
	a.evalJSON("linmapTest.panel()", v)
}

// msStat is a bridge.Stat: durations in milliseconds.
type msStat struct {
	Mean float64 `json:"mean_ms"`
	P50  float64 `json:"p50_ms"`
	P95  float64 `json:"p95_ms"`
	Max  float64 `json:"max_ms"`
}
