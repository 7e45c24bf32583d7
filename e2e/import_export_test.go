package e2e

import (
	"bytes"
	"context"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"linmap/sim/layout"
)

// drop drops files (name → text) anywhere on the page, as a file manager
// does: one drop event carrying File objects.
func (a *app) drop(files ...[2]string) {
	a.t.Helper()
	js := `(() => { const dt = new DataTransfer();`
	for _, f := range files {
		js += `dt.items.add(new File([` + jsQuote(f[1]) + `], ` + jsQuote(f[0]) + `, {type: "text/plain"}));`
	}
	js += `document.body.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true})); return true; })()`
	eval[bool](a, js)
}

// paste puts text in the paste box and imports it, as a user does.
func (a *app) paste(text string) {
	a.t.Helper()
	if !eval[bool](a, `document.getElementById("paste-box").open`) {
		a.clickSel("#paste-box summary")
	}
	a.do(chromedp.SetValue(chromedp.CSS("#paste-text"), text))
	a.clickSel("#paste-import")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Import in every way the page offers (paste, drop, the file picker) and
// in formats other than the layout JSON; refusals that keep the layout and
// say why; exports, and a layout's round trip through a file.
func TestImportExport(t *testing.T) {
	a := openApp(t)
	pal := a.palette()

	t.Run("paste a /proc/iomem", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "arm-juno-r2"))
		img0 := a.screenshot()
		p0 := a.probe()
		a.paste(readFile(t, "../formats/iomem/testdata/h-reserved-nomap.txt"))
		msg, role := a.waitNotice("Imported pasted text as /proc/iomem: 1 memory bank.")
		if role != "status" {
			t.Errorf("notice %q has role %q", msg, role)
		}
		l := a.layout()
		if len(l.Memory) != 1 || l.Memory[0].Base != 0x40000000 || l.Memory[0].Size != 0x80000000 {
			t.Fatalf("banks %+v, want one of 2 GiB at 0x40000000", l.Memory)
		}
		nomap := 0
		for _, r := range l.Reserved {
			if r.NoMap {
				nomap++
			}
		}
		if nomap != 2 || l.Image.Base != 0x40200000 {
			t.Errorf("%d no-map reservations, image at %s; want 2 and 0x40200000", nomap, l.Image.Base)
		}
		// What the import assumed is said beside the results, with why
		// and where.
		as := eval[string](a, `document.getElementById("assumptions").textContent`)
		for _, want := range []string{"kernel.era = v7.2", "default", "no input names the kernel version", "kernel.page_size = 4K", "inferred", "pasted text:10"} {
			if !strings.Contains(as, want) {
				t.Errorf("assumptions %q lack %q", as, want)
			}
		}
		a.waitFrames(3)
		p := a.probe()
		img := a.screenshot()
		if len(p.Banks) != 1 || hashRect(img0, p0.PA) == hashRect(img, p.PA) {
			t.Errorf("the canvas did not redraw the imported bank (%d banks)", len(p.Banks))
		}
		if n := count(img, p.PA, pal["nomap"], 3); n < 20 {
			t.Errorf("the no-map reservations: %d pixels", n)
		}
		a.shot("import-iomem.png")
	})

	t.Run("drop a DTS file, and another that is not used", func(t *testing.T) {
		a.t = t
		a.drop([2]string{"hi6220-hikey.dts", readFile(t, "../formats/dts/testdata/hi6220-hikey.dts")},
			[2]string{"notes.txt", "nothing to see here\n"})
		a.waitNotice("Imported hi6220-hikey.dts as device-tree source: 4 memory banks.")
		l := a.layout()
		want := []layout.Addr{0x0, 0x5f00000, 0x6e00000, 0x7410000}
		if len(l.Memory) != len(want) {
			t.Fatalf("%d banks, want %d", len(l.Memory), len(want))
		}
		for i, b := range l.Memory {
			if b.Base != want[i] {
				t.Errorf("bank %d at %s, want %s", i, b.Base, want[i])
			}
		}
		as := eval[string](a, `document.getElementById("assumptions").textContent`)
		if !strings.Contains(as, "notes.txt") || !strings.Contains(as, "not used: unrecognised input") || !strings.Contains(as, "hi6220.dtsi") {
			t.Errorf("assumptions %q: want the unused file and the skipped include", as)
		}
		a.waitFrames(3)
		for i, r := range a.probe().Banks {
			if r.Y1-r.Y0 < 2 {
				t.Errorf("bank %d is not drawn: %+v", i, r)
			}
		}
	})

	t.Run("a DTS without memory: how to add banks, then a typed bank completes it", func(t *testing.T) {
		a.t = t
		before := a.layoutJSON()
		a.drop([2]string{"board.dts", `/dts-v1/;
/ { #address-cells = <2>; #size-cells = <2>;
	chosen { bootargs = "console=ttyAMA0"; };
	reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
		tee@8e000000 { reg = <0 0x8e000000 0 0x2000000>; no-map; };
	};
};`})
		msg, role := a.waitNotice("board.dts has no memory banks")
		for _, want := range []string{"1 range (1 no-map)", "To add banks", "40000000-bfffffff : System RAM"} {
			if !strings.Contains(msg, want) {
				t.Errorf("notice %q lacks %q", msg, want)
			}
		}
		if role != "alert" {
			t.Errorf("the notice has role %q: a screen reader is not told at once", role)
		}
		if a.layoutJSON() != before {
			t.Error("the layout changed")
		}
		a.poll(`document.getElementById("inputs").textContent.includes("board.dts")`)
		if eval[bool](a, `document.getElementById("inputs-box").hidden`) {
			t.Error("the kept DT is not shown")
		}
		a.shot("import-dts-no-memory.png")
		a.paste("80000000-ffffffff : System RAM\n")
		a.waitNotice("Imported board.dts (device-tree source) and pasted text (/proc/iomem) together: 1 memory bank.")
		l := a.layout()
		if len(l.Memory) != 1 || l.Memory[0].Base != 0x80000000 || len(l.Reserved) != 1 || !l.Reserved[0].NoMap || l.Kernel.Cmdline != "console=ttyAMA0" {
			t.Errorf("memory %+v reserved %+v cmdline %q", l.Memory, l.Reserved, l.Kernel.Cmdline)
		}
		if n := eval[int](a, `document.querySelectorAll("#notices li[data-code=no-memory]").length`); n != 0 {
			t.Error("the how-to notice stayed after the banks came")
		}
		a.shot("import-dts-typed-bank.png")
	})

	t.Run("a bad paste names its line and keeps the layout", func(t *testing.T) {
		a.t = t
		before := a.layoutJSON()
		bad := "/dts-v1/;\n/ {\n memory@0 { reg = <0x0 0x40000000 0x0 ; };\n};\n"
		a.paste(bad)
		msg, role := a.waitNotice("Not imported")
		if !strings.Contains(msg, "pasted text (device-tree source): line 3") {
			t.Errorf("notice %q does not name the format and line 3", msg)
		}
		if role != "alert" {
			t.Errorf("the refusal has role %q, want alert", role)
		}
		if got := a.layoutJSON(); got != before {
			t.Errorf("the layout changed after a refused import")
		}
		if v := eval[string](a, `document.getElementById("paste-text").value`); v != bad {
			t.Errorf("the paste box was cleared")
		}
		a.shot("import-error.png")
		eval[string](a, "linmap.dismiss(0)")
	})

	t.Run("export and re-import", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "qemu-virt-numa"))
		want := a.layout()
		dir := t.TempDir()
		if _, err := chromedp.CallBrowser(a.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: ptr(true),
		}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(a.ctx, 60*time.Second)
		defer cancel()
		begins := chromedp.BrowserEvents(ctx, browser.DownloadWillBegin)
		progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
		a.do(chromedp.Click(chromedp.ID("export-layout")))
		var name, guid string
		for ev, err := range begins {
			if err != nil {
				t.Fatal(err)
			}
			name, guid = ev.SuggestedFilename, ev.GUID
			break
		}
		for ev, err := range progress {
			if err != nil {
				t.Fatal(err)
			}
			if ev.GUID == guid && ev.State == browser.DownloadProgressStateCompleted {
				break
			}
		}
		if !strings.HasSuffix(name, ".json") || !strings.Contains(name, "virt") {
			t.Errorf("download is named %q", name)
		}
		data, err := os.ReadFile(filepath.Join(dir, guid))
		if err != nil {
			t.Fatal(err)
		}
		got, err := layout.Parse(data)
		if err != nil {
			t.Fatalf("exported file does not parse: %v", err)
		}
		if g, w := marshal(t, got), marshal(t, want); g != w {
			t.Fatalf("export differs from the layout:\n%s\nwant\n%s", g, w)
		}
		// Load something else, then import the file through the picker.
		a.importText(preset(t, "arm-juno-r2"))
		path := filepath.Join(dir, name)
		os.WriteFile(path, data, 0o644)
		a.do(chromedp.SetUploadFiles(chromedp.ID("import"), []string{path}))
		a.poll(`document.getElementById("notices").textContent.startsWith("Imported")`)
		a.waitFrames(3)
		if g, w := marshal(t, a.layout()), marshal(t, want); g != w {
			t.Errorf("re-imported layout differs:\n%s\nwant\n%s", g, w)
		}
	})

	t.Run("bad import keeps the layout", func(t *testing.T) {
		a.t = t
		before := marshal(t, a.layout())
		bad := strings.Replace(preset(t, "seed-b-hypothesis2"), `"base": "0x60000000"`, `"base": "0x40800000"`, 1)
		path := filepath.Join(t.TempDir(), "overlap.json")
		os.WriteFile(path, []byte(bad), 0o644)
		a.do(chromedp.SetUploadFiles(chromedp.ID("import"), []string{path}))
		a.poll(`document.getElementById("notices").textContent.includes("Not imported")`)
		msg := eval[string](a, `document.getElementById("notices").textContent`)
		if !strings.Contains(msg, "memory[1]") || !strings.Contains(msg, "overlap") {
			t.Errorf("message %q does not name the field and the problem", msg)
		}
		a.waitFrames(3)
		if after := marshal(t, a.layout()); after != before {
			t.Errorf("the layout changed after a refused import")
		}
		t.Logf("message: %s", msg)
	})

	t.Run("exports", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "arm-juno-r2"))
		for _, tc := range []struct{ button, name, typ, contains string }{
			{"#export-result", "Arm-Juno-r2.result.json", "application/json", `"mappings"`},
			{"#export-ptdump", "Arm-Juno-r2.ptdump.txt", "text/plain", "Linear Mapping"},
			{"#export-dts", "Arm-Juno-r2.dts", "text/plain", "memory@"},
		} {
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
		if n := count(img, rect{p.PA.X0 * p.Scale, p.PA.Y0 * p.Scale, p.PA.X1 * p.Scale, p.PA.Y1 * p.Scale}, pal["bank"], 3); n < 500 {
			t.Errorf("PNG has %d bank-coloured pixels in the physical column", n)
		}
		if dir := os.Getenv("LINMAP_SHOTS"); dir != "" {
			os.WriteFile(filepath.Join(dir, "export.png"), data, 0o644)
		}
	})
}
