//go:build js && wasm

package bridge

import (
	"encoding/json"
	"sync"
	"syscall/js"

	"github.com/norunners/vert"

	"linmap/assets"
	"linmap/wasm/edit"
	"linmap/wasm/view"
)

// Bridge implements view.Host and owns every JS callback.
type Bridge struct {
	run view.RunFunc
	cmd chan<- view.Command

	mu    sync.Mutex
	snap  view.Snapshot
	probe view.Probe
	perf  []FrameTime // a ring of the last perfKeep frames
	pi    int

	frames int
	ready  bool
	funcs  []js.Func  // kept alive for the page's lifetime
	tl     timelineJS // the scrubber and compare panel (timeline_js.go)
	ss     sessionJS  // autosave, share links, undo, exports (session_js.go)
}

const perfKeep = 2000

// New makes a bridge that runs imports through run.
func New(run view.RunFunc) *Bridge { return &Bridge{run: run} }

// Changed renders the panel; it is called from the game loop.
func (b *Bridge) Changed(s view.Snapshot) {
	b.mu.Lock()
	b.snap = s
	b.mu.Unlock()
	ui := js.Global().Get("linmapUI")
	if ui.Truthy() {
		ui.Call("render", vert.ValueOf(PanelOf(s)).JSValue())
	}
}

// Frame records one drawn frame and the Go-side time it took.
func (b *Bridge) Frame(d FrameTime, p view.Probe) {
	b.mu.Lock()
	if len(b.perf) < perfKeep {
		b.perf = append(b.perf, d)
	} else {
		b.perf[b.pi] = d
		b.pi = (b.pi + 1) % perfKeep
	}
	b.probe = p
	b.mu.Unlock()
	b.frames++
	g := js.Global()
	g.Set("linmapFrames", b.frames)
	if !b.ready {
		b.ready = true
		g.Set("linmapReady", true)
		if f := g.Get("linmapOnReady"); f.Type() == js.TypeFunction {
			f.Invoke()
		}
	}
}

// send hands work to the game loop without ever blocking the JS thread.
func (b *Bridge) send(c view.Command) string {
	select {
	case b.cmd <- c:
		return ""
	default:
		return "busy: try again"
	}
}

func (b *Bridge) fn(f func(args []js.Value) any) js.Func {
	jf := js.FuncOf(func(_ js.Value, args []js.Value) any { return f(args) })
	b.funcs = append(b.funcs, jf)
	return jf
}

func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// Install publishes window.linmap and window.linmapTest for the game.
func (b *Bridge) Install(g *view.Game) {
	b.cmd = g.Commands
	b.snap = g.Snapshot()
	api := js.Global().Get("Object").New()
	api.Set("setControls", b.fn(func(args []js.Value) any {
		var c edit.Controls
		if err := (vert.Value{Value: arg(args, 0)}).AssignTo(&c); err != nil {
			return "bad controls: " + err.Error()
		}
		return b.send(func(g *view.Game) { g.ApplyControls(c) })
	}))
	api.Set("doubleClick", b.fn(func(args []js.Value) any {
		x, y := arg(args, 0), arg(args, 1)
		if x.Type() != js.TypeNumber || y.Type() != js.TypeNumber {
			return "doubleClick: expected CSS pixel coordinates"
		}
		cx, cy := x.Float(), y.Float()
		return b.send(func(g *view.Game) { g.DoubleClick(cx, cy) })
	}))
	api.Set("importText", b.fn(func(args []js.Value) any {
		a := arg(args, 0)
		if a.Type() != js.TypeString {
			return "import: expected the file's text"
		}
		name := ""
		if n := arg(args, 1); n.Type() == js.TypeString {
			name = n.String()
		}
		// Any format formats.Detect knows (session_js.go); the message goes
		// to the canvas and the panel's live region, and a refused file
		// leaves the current layout as it was.
		return b.importAny(name, a.String())
	}))
	api.Set("exportLayout", b.fn(func([]js.Value) any {
		b.mu.Lock()
		l := b.snap.Layout
		b.mu.Unlock()
		data, err := l.Marshal()
		out := js.Global().Get("Object").New()
		if err != nil {
			out.Set("error", err.Error())
			return out
		}
		out.Set("fileName", FileName(l))
		out.Set("json", string(data))
		return out
	}))
	api.Set("presets", b.fn(func([]js.Value) any {
		return vert.ValueOf(Presets()).JSValue()
	}))
	api.Set("loadPreset", b.fn(func(args []js.Value) any {
		id := arg(args, 0)
		if id.Type() != js.TypeString {
			return "loadPreset: expected a preset id"
		}
		p, ok := assets.Lookup(id.String())
		if !ok {
			return "no preset " + id.String()
		}
		l, err := Import(p.Layout, b.run)
		if err != nil {
			return p.ID + ": " + err.Error()
		}
		return b.send(func(g *view.Game) { g.SetLayoutAs(l, "preset "+p.Name) })
	}))
	api.Set("fit", b.fn(func([]js.Value) any { return b.send((*view.Game).Fit) }))
	api.Set("zoomToSelection", b.fn(func([]js.Value) any { return b.send((*view.Game).ZoomToSelection) }))
	js.Global().Set("linmap", api)

	test := js.Global().Get("Object").New()
	test.Set("layout", b.fn(func([]js.Value) any {
		b.mu.Lock()
		defer b.mu.Unlock()
		data, _ := json.Marshal(b.snap.Layout)
		return string(data)
	}))
	test.Set("result", b.fn(func([]js.Value) any {
		b.mu.Lock()
		defer b.mu.Unlock()
		data, _ := json.Marshal(struct {
			Result   any    `json:"result"`
			RunError string `json:"run_error"`
			Notice   string `json:"notice"`
		}{b.snap.Result, b.snap.RunError, b.snap.Notice})
		return string(data)
	}))
	test.Set("probe", b.fn(func([]js.Value) any {
		b.mu.Lock()
		defer b.mu.Unlock()
		return mustJSON(b.probe)
	}))
	test.Set("palette", b.fn(func([]js.Value) any { return mustJSON(view.Palette()) }))
	test.Set("perf", b.fn(func([]js.Value) any {
		b.mu.Lock()
		defer b.mu.Unlock()
		return mustJSON(Summarise(b.perf))
	}))
	test.Set("resetPerf", b.fn(func([]js.Value) any {
		b.mu.Lock()
		b.perf, b.pi = b.perf[:0], 0
		b.mu.Unlock()
		return nil
	}))
	js.Global().Set("linmapTest", test)
	js.Global().Set("linmapFrames", 0)
	js.Global().Set("linmapReady", false)
	if ui := js.Global().Get("linmapUI"); ui.Truthy() {
		ui.Call("render", vert.ValueOf(PanelOf(b.snap)).JSValue())
	}
}
