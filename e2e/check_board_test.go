package e2e

import (
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The Android 4.14 board (4K pages, 39-bit VA): its boot log, with the
// "Virtual kernel memory layout", and its kernel_page_tables, as pasted.
const (
	androidDmesg  = "../formats/testdata/real/android-4.14-39bit-vmlayout-dmesg.txt"
	androidPtdump = "../formats/testdata/real/android-4.14-39bit-ptdump.txt"
)

// markProbe is the probe's marks with what they mark.
type markProbe struct {
	Marks []struct {
		rect
		Kind  string `json:"kind"`
		Space string `json:"space"`
	} `json:"marks"`
	Legend []string `json:"legend"`
}

func (a *app) marks() markProbe {
	a.t.Helper()
	var p markProbe
	a.evalJSON("linmapTest.probe()", &p)
	return p
}

type checkPanel struct {
	Check struct {
		Ran      bool
		Stale    bool
		Summary  string
		Drawn    int
		Selected int
		Counts   struct{ Agrees, Differs, Unchecked int }
		Facts    []struct {
			Index                               int
			Verdict, Icon, What, Printed, Where string
			Model, Cause                        string
		}
	}
	Board struct {
		Pending, Source []struct {
			Name    string
			Formats []string
		}
	}
}

// outline counts the pixels of colour c on the edges of r (a band 3 px
// wide just inside each edge) and inside it (inset by 6 px): a mark is an
// outline, so its colour is on the edges and not over the leaves inside.
func outline(img image.Image, r rect, c color.RGBA) (edge, inside int) {
	in := func(x, y int) bool { return near(img.At(x, y), c, 12) }
	x0, y0, x1, y1 := int(r.X0), int(r.Y0), int(r.X1), int(r.Y1)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if !in(x, y) {
				continue
			}
			switch {
			case x < x0+3 || x >= x1-3 || y < y0+3 || y >= y1-3:
				edge++
			case x >= x0+6 && x < x1-6 && y >= y0+6 && y < y1-6:
				inside++
			}
		}
	}
	return edge, inside
}

// Check against my board: paste a real boot log and a real ptdump (two
// texts, gathered), check them as an era they do not say, see the
// verdicts, the differing facts first with both values, the source line
// and the cause, and the differing ranges outlined on both address
// spaces; select a fact from the keyboard; an edit hides the marks and
// undo brings them back; unreadable input changes nothing.
func TestCheckBoard(t *testing.T) {
	a := openApp(t)
	pal := a.palette()
	dmesg, ptdump := readFile(t, androidDmesg), readFile(t, androidPtdump)

	t.Run("drop a dmesg and a ptdump: one layout from both", func(t *testing.T) {
		a.t = t
		a.drop([2]string{"dmesg.txt", dmesg}, [2]string{"kernel_page_tables.txt", ptdump})
		a.waitNotice("Imported dmesg.txt (kernel log) and kernel_page_tables.txt (kernel_page_tables (ptdump)) together: 1 memory bank.")
		l := a.layout()
		if l.Kernel.Era != "v4.19" || l.Kernel.VABits != 39 || l.Image.Base != 0x40080000 {
			t.Errorf("layout: era %s, VA_BITS %d, image %s", l.Kernel.Era, l.Kernel.VABits, l.Image.Base)
		}
		as := eval[string](a, `document.getElementById("assumptions").textContent`)
		for _, want := range []string{"kernel.era = v4.19", "inferred", "dmesg.txt:2", "kernel.page_size = 4K", "kernel_page_tables.txt:3"} {
			if !strings.Contains(as, want) {
				t.Errorf("the assumptions beside the result lack %q: %s", want, as)
			}
		}
		if src := eval[string](a, `document.getElementById("source").textContent`); !strings.Contains(src, "dmesg.txt (kernel log), kernel_page_tables.txt (kernel_page_tables)") {
			t.Errorf("where the layout came from: %q", src)
		}
	})

	t.Run("paste two texts and check them as v5.15", func(t *testing.T) {
		a.t = t
		a.importText(preset(t, "arm-juno-r2"))
		if !eval[bool](a, `document.getElementById("paste-box").open`) {
			a.clickSel("#paste-box summary")
		}
		a.do(chromedp.SetValue(chromedp.CSS("#paste-text"), dmesg))
		a.clickSel("#paste-add")
		a.poll(`document.querySelectorAll("#inputs li").length === 1 && document.getElementById("paste-text").value === ""`)
		if got := eval[string](a, `document.getElementById("inputs").textContent`); !strings.Contains(got, "pasted text") || !strings.Contains(got, "kernel log") {
			t.Errorf("gathered: %q", got)
		}
		for _, c := range []struct{ id, role, name string }{
			{"paste-add", "button", "Add text"},
			{"check-era", "combobox", "Era for the check"},
			{"check-cmdline", "textbox", "Command line for the check"},
			{"check-run", "button", "Check against my board"},
			{"inputs", "list", "Gathered, to import or check together"},
		} {
			if role, name := a.axNode(c.id); role != c.role || name != c.name {
				t.Errorf("#%s is %s %q for a screen reader, want %s %q", c.id, role, name, c.role, c.name)
			}
		}
		a.do(chromedp.SetValue(chromedp.CSS("#paste-text"), ptdump))
		a.choose("#check-era", "v5.15")
		a.clickSel("#check-run")
		a.poll(`!document.getElementById("check").hidden && document.getElementById("check-summary").textContent.includes("differ")`)
		a.waitFrames(3)
		var p checkPanel
		a.panel(&p)
		c := p.Check
		if c.Counts.Differs == 0 || c.Counts.Agrees == 0 || c.Drawn != c.Counts.Differs {
			t.Fatalf("check %+v", c)
		}
		sum := eval[string](a, `document.getElementById("check-summary").textContent`)
		if want := fmt.Sprintf("%d differ · %d agree · %d unchecked", c.Counts.Differs, c.Counts.Agrees, c.Counts.Unchecked); !strings.HasPrefix(sum, want) {
			t.Errorf("summary %q, want %q", sum, want)
		}
		if role, _ := a.axNode("check-summary"); role != "status" {
			t.Errorf("the summary's role is %q: screen readers are not told", role)
		}
		// The first fact listed differs, with both values, where it was
		// printed and why; the verdict is a sign and a word.
		first := eval[string](a, `document.querySelector("#facts li").textContent`)
		for _, want := range []string{"✗ differs", "ptdump: linear map", "printed", "pasted text 2:", "model", "4K pages", "cause"} {
			if !strings.Contains(first, want) {
				t.Errorf("the first fact lacks %q: %s", want, first)
			}
		}
		// A screen reader hears the verdict's word, not the sign.
		if role, name := a.axNodeCSS("#facts button.fact-sel"); role != "button" || !strings.HasPrefix(name, "differs ptdump: linear map 0x") {
			t.Errorf("the first fact is %s %q", role, name)
		}
		if title := eval[string](a, `document.querySelector("#facts li .src").title`); !strings.Contains(title, "0xffffffc0") {
			t.Errorf("hovering the source does not show the printed line: %q", title)
		}
		if l := a.layout(); l.Kernel.Era != "v5.15" || len(l.Memory) != 1 {
			t.Errorf("the checked layout is not shown: era %s", l.Kernel.Era)
		}
		if u := eval[string](a, `document.getElementById("undo").title`); !strings.Contains(u, "check against my board") {
			t.Errorf("undo: %q", u)
		}
		if as := eval[string](a, `document.getElementById("check-meta").textContent`); !strings.Contains(as, "kernel.era = v5.15 (chosen for the check; the inputs imply v4.19)") {
			t.Errorf("the option is not said: %q", as)
		}
		if v := eval[string](a, `document.getElementById("paste-text").value`); v != "" {
			t.Error("the pasted ptdump stayed in the box after the check took it")
		}
		if len(p.Board.Pending) != 0 || len(p.Board.Source) != 2 {
			t.Errorf("board %+v", p.Board)
		}
	})

	t.Run("the differing ranges are outlined on both address spaces", func(t *testing.T) {
		a.t = t
		pr := a.probe()
		mp := a.marks()
		img := a.screenshot()
		var pa, va int
		for _, m := range mp.Marks {
			if m.Kind != "check" || m.Y1-m.Y0 < 4 {
				continue
			}
			edge, inside := outline(img, m.rect, pal["check"])
			col := pr.PA
			if m.Space == "va" {
				col = pr.VA
			}
			if m.X0 > col.X0 || m.X1 < col.X1 {
				t.Errorf("%s mark %+v does not surround its column %+v", m.Space, m.rect, col)
			}
			// Drawn: the outline's colour along its edges (at least
			// its two sides), and none of it over the leaves inside.
			if edge < int(m.Y1-m.Y0) || inside > edge/10 {
				t.Errorf("%s mark %+v: %d outline pixels on the edges, %d inside", m.Space, m.rect, edge, inside)
				continue
			}
			if m.Space == "pa" {
				pa++
			} else {
				va++
			}
		}
		if pa == 0 || va == 0 {
			t.Fatalf("outlined: %d on the physical column, %d on the virtual (marks %+v)", pa, va, mp.Marks)
		}
		// The leaves under the outline keep their colours (v5.15 maps
		// the board with pages under rodata=full).
		if n := count(img, pr.VA, pal["page"], 3); n < 200 {
			t.Errorf("the virtual column has %d page-coloured pixels under the outlines", n)
		}
		legend := strings.Join(mp.Legend, " · ")
		if !strings.Contains(legend, "board printed otherwise") {
			t.Errorf("legend %q", legend)
		}
		a.shot("check-board.png")
	})

	t.Run("a fact is selected from the keyboard", func(t *testing.T) {
		a.t = t
		// From the canvas, first in the tab order, Tab reaches the facts.
		a.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("body > canvas").focus()`))
		a.tabToSel("#facts button.fact-sel")
		idx := eval[string](a, `document.activeElement.dataset.index`)
		a.do(chromedp.KeyEvent(kb.Enter))
		a.poll(`document.activeElement.getAttribute("aria-pressed") === "true"`)
		a.waitFrames(3)
		var p checkPanel
		a.panel(&p)
		if fmt.Sprint(p.Check.Selected) != idx {
			t.Errorf("selected %d, focused %s", p.Check.Selected, idx)
		}
		sel := 0
		for _, m := range a.marks().Marks {
			if m.Kind == "fact" {
				sel++
			}
		}
		if sel < 2 {
			t.Errorf("the selected fact has %d outlines, want one on each space", sel)
		}
		img := a.screenshot()
		if n := count(img, rect{0, 0, 880, 722}, pal["fact"], 3); n < 50 {
			t.Errorf("the selected fact's outline: %d pixels", n)
		}
		a.shot("check-board-fact.png")
		// Enter again deselects; the focus stays on the fact.
		a.do(chromedp.KeyEvent(kb.Enter))
		a.poll(`document.activeElement.getAttribute("aria-pressed") === "false" && document.activeElement.classList.contains("fact-sel")`)
	})

	t.Run("an edit hides the marks, undo shows them again", func(t *testing.T) {
		a.t = t
		a.choose("#cmdline", "rodata=off")
		a.poll(`!document.getElementById("check-stale").hidden`)
		a.waitFrames(3)
		for _, m := range a.marks().Marks {
			if m.Kind == "check" {
				t.Fatal("a check mark is drawn on an edited layout")
			}
		}
		a.shot("check-board-stale.png")
		eval[string](a, "linmap.undo()")
		a.poll(`document.getElementById("check-stale").hidden`)
		a.waitFrames(3)
		n := 0
		for _, m := range a.marks().Marks {
			if m.Kind == "check" {
				n++
			}
		}
		if n == 0 {
			t.Error("undo back to the checked layout did not bring the marks back")
		}
	})

	t.Run("drop a mail-quoted ptdump, then check what the layout came from", func(t *testing.T) {
		a.t = t
		// AmpereOne, v6.16: a CPU without BBML2_NOABORT, yet blocks
		// (rodata=full split them only later): differs with no option.
		a.drop([2]string{"ampereone-ptdump.txt", readFile(t, "../formats/testdata/real/ampereone-vm-6.16-bbml2-ptdump-mailquoted.txt")})
		a.waitNotice("Imported ampereone-ptdump.txt as kernel_page_tables (ptdump)")
		a.choose("#check-era", "")
		if got := eval[string](a, `document.getElementById("check-takes").textContent`); !strings.Contains(got, "what the layout was last built from") {
			t.Errorf("what Check takes: %q", got)
		}
		a.clickSel("#check-run")
		a.poll(`document.getElementById("check-summary").textContent.startsWith("22 differ · 11 agree · 0 unchecked")`)
		a.waitFrames(3)
		var p checkPanel
		a.panel(&p)
		if c := p.Check; c.Drawn != 22 || !strings.Contains(c.Facts[0].Cause, "BBML2_NOABORT") || !strings.HasPrefix(c.Facts[0].Where, "ampereone-ptdump.txt:") {
			t.Errorf("check %+v", c.Facts[0])
		}
		pa, va := 0, 0
		for _, m := range a.marks().Marks {
			switch {
			case m.Kind == "check" && m.Space == "pa":
				pa++
			case m.Kind == "check":
				va++
			}
		}
		if pa == 0 || va == 0 {
			t.Errorf("outlines: %d physical, %d virtual", pa, va)
		}
		a.shot("check-board-ampereone.png")
	})

	t.Run("unreadable input changes nothing", func(t *testing.T) {
		a.t = t
		before := a.layoutJSON()
		a.do(chromedp.SetValue(chromedp.CSS("#paste-text"), "/dts-v1/;\n/ {\n memory@0 { reg = <0x0 0x40000000 0x0 ; };\n};\n"))
		a.clickSel("#check-run")
		msg, role := a.waitNotice("Not checked")
		if !strings.Contains(msg, "pasted text (device-tree source): line 3") || role != "alert" {
			t.Errorf("notice %q (%s)", msg, role)
		}
		if a.layoutJSON() != before {
			t.Error("the layout changed")
		}
		if v := eval[string](a, `document.getElementById("paste-text").value`); !strings.Contains(v, "memory@0") {
			t.Error("the refused text left the box")
		}
		eval[string](a, "linmap.dismiss(0)")
		a.clickSel("#check-close")
		if !eval[bool](a, `document.getElementById("check").hidden`) {
			t.Error("the check did not close")
		}
	})
}

// tabToSel presses Tab until an element matching sel has the focus.
func (a *app) tabToSel(sel string) {
	a.t.Helper()
	for i := 0; i < 40; i++ {
		if eval[bool](a, `document.activeElement.matches(`+jsQuote(sel)+`)`) {
			return
		}
		a.do(chromedp.KeyEvent(kb.Tab))
	}
	a.t.Fatalf("Tab never reached %s", sel)
}
