package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// axNode is what Chromium tells a screen reader about an element: its
// role and accessible name.
func (a *app) axNode(id string) (role, name string) {
	a.t.Helper()
	return a.axNodeCSS("#" + id)
}

// axNodeCSS is axNode for the first element sel matches.
func (a *app) axNodeCSS(sel string) (role, name string) {
	a.t.Helper()
	id := sel
	nodes, err := chromedp.Run(a.ctx, chromedp.Nodes(chromedp.CSS(sel)))
	if err != nil || len(nodes) == 0 {
		a.t.Fatalf("%s: %v", id, err)
	}
	r, err := chromedp.Call(a.ctx, accessibility.GetPartialAXTree, accessibility.GetPartialAXTreeParams{
		BackendNodeID: nodes[0].BackendNodeID, FetchRelatives: ptr(false),
	})
	if err != nil || len(r.Nodes) == 0 {
		a.t.Fatalf("%s has no accessibility node: %v", id, err)
	}
	n := r.Nodes[0]
	if n.Role != nil {
		json.Unmarshal([]byte(n.Role.Value), &role)
	}
	if n.Name != nil {
		json.Unmarshal([]byte(n.Name.Value), &name)
	}
	return role, strings.TrimSpace(name)
}

// tabTo presses Tab until the element with id has the focus.
func (a *app) tabTo(id string) {
	a.t.Helper()
	for i := 0; i < 80; i++ {
		if eval[string](a, `document.activeElement.id`) == id {
			return
		}
		a.do(chromedp.KeyEvent(kb.Tab))
	}
	a.t.Fatalf("Tab never reached #%s", id)
}

// Every layout field a user may want to vary is reached with Tab, named for
// a screen reader, and changed from the keyboard alone.
func TestControlsByKeyboard(t *testing.T) {
	a := openApp(t)
	a.importText(preset(t, "oracle-7.2-a-single-1G"))

	controls := []struct{ id, role, name string }{
		{"era", "combobox", "Era"},
		{"pageSize", "combobox", "Page size"},
		{"vaBits", "combobox", "VA_BITS"},
		{"cmdline", "textbox", "Command line"},
		{"va52", "checkbox", "FEAT_LVA (52-bit VA, 64K pages)"},
		{"lpa2", "checkbox", "FEAT_LPA2"},
		{"bbml2", "checkbox", "BBML2_NOABORT"},
		{"realm", "checkbox", "Realm guest (Arm CCA)"},
		{"paBits", "combobox", "PA range"},
	}
	for _, c := range controls {
		if role, name := a.axNode(c.id); role != c.role || name != c.name {
			t.Errorf("#%s is announced as %s %q, want %s %q", c.id, role, name, c.role, c.name)
		}
	}
	if role, name := a.axNode("cpu-features"); role != "group" || name != "CPU features" {
		t.Errorf("the CPU features are announced as %s %q, want a group named CPU features", role, name)
	}

	// From the page's start, Tab reaches each in turn.
	eval[bool](a, `(document.activeElement.blur(), true)`)
	for _, c := range controls {
		a.tabTo(c.id)
	}

	layout := func() map[string]any {
		var l map[string]any
		json.Unmarshal([]byte(eval[string](a, "linmapTest.layout()")), &l)
		return l
	}
	field := func(section, key string) any {
		s, _ := layout()[section].(map[string]any)
		return s[key]
	}

	// Space ticks a checkbox: the layout is now a realm guest's.
	a.tabTo("realm")
	a.do(chromedp.KeyEvent(" "))
	a.poll(`JSON.parse(linmapTest.layout()).cpu.realm === true`)
	if txt := eval[string](a, `document.getElementById("glance").textContent`); txt == "" {
		t.Error("no results after ticking realm")
	}
	a.do(chromedp.KeyEvent(" "))
	a.poll(`!JSON.parse(linmapTest.layout()).cpu.realm`)

	// Arrows step a select.
	era := field("kernel", "era")
	a.tabTo("era")
	a.do(chromedp.KeyEvent(kb.ArrowUp))
	a.poll(`JSON.parse(linmapTest.layout()).kernel.era !== ` + jsQuote(era.(string)))
	pa := field("cpu", "pa_bits")
	a.tabTo("paBits")
	a.do(chromedp.KeyEvent(kb.ArrowUp))
	a.waitFrames(3)
	if got := field("cpu", "pa_bits"); got == pa {
		t.Errorf("ArrowUp on PA range left pa_bits at %v", got)
	}

	// Typing a command line and Enter applies it.
	a.tabTo("cmdline")
	a.do(chromedp.KeyEvent("rodata=full"))
	a.do(chromedp.KeyEvent(kb.Enter))
	a.poll(`JSON.parse(linmapTest.layout()).kernel.cmdline === "rodata=full"`)
	a.shot("controls-keyboard.png")
}
