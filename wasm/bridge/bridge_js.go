//go:build js && wasm

package bridge

import (
	"runtime"
	"sync"
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/norunners/vert"

	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/edit"
	"linmap/wasm/model"
	"linmap/wasm/view"
)

// Bridge owns every JS callback. JS callbacks never touch the model: they
// send commands that run inside the game's Update, and read snapshots
// taken after each frame.
type Bridge struct {
	cmd chan<- view.Command

	mu      sync.Mutex
	lay     *layout.Layout // after the last frame, for exports and links
	res     *result.Result
	runErr  string
	notices string // every notice's text, for the tests
	probe   view.Probe
	panel   string // the panel's JSON, as last rendered
	panels  Panels
	perf    []FrameTime // a ring of the last perfKeep frames
	pi      int
	steps   []FrameTime // frames that showed a new step
	shown   uint64      // model version the panel shows
	snapVer uint64      // view version of the snapshot
	frames  int
	ready   bool
	funcs   []js.Func // kept alive for the page's lifetime
	// countAllocs: record heap objects per frame (FrameTime.Allocs).
	countAllocs bool
	mem         runtime.MemStats
	ss          sessionJS
}

const perfKeep = 2000

// New makes a bridge.
func New() *Bridge { return &Bridge{} }

// Frame runs after every Draw: it renders the panel when the model
// changed, keeps the user's work, and records the frame for tests. A frame
// in which nothing changed costs a few comparisons here.
func (b *Bridge) Frame(g *view.Game, d FrameTime, stepChanged bool) {
	start, allocs := time.Now(), b.Mallocs()
	m := g.Model()
	if v := g.Version(); v != b.snapVer {
		b.snapVer = v
		b.snapshot(g)
		b.keep(g)
	}
	if m.Version() != b.shown {
		b.shown = m.Version()
		// One JSON string crosses to JS: much cheaper than setting the
		// panel's few hundred fields one call at a time.
		panel := mustJSON(b.panels.Of(m))
		b.mu.Lock()
		b.panel = panel
		b.mu.Unlock()
		if ui := js.Global().Get("linmapUI"); ui.Truthy() {
			ui.Call("render", panel)
		}
	}
	b.frames++
	gl := js.Global()
	gl.Set("linmapFrames", b.frames)
	if !b.ready {
		b.ready = true
		gl.Set("linmapReady", true)
		if f := gl.Get("linmapOnReady"); f.Type() == js.TypeFunction {
			f.Invoke()
		}
	}
	d.Bridge = time.Since(start)
	d.Allocs += b.Mallocs() - allocs
	b.mu.Lock()
	if len(b.perf) < perfKeep {
		b.perf = append(b.perf, d)
	} else {
		b.perf[b.pi] = d
		b.pi = (b.pi + 1) % perfKeep
	}
	if stepChanged && len(b.steps) < perfKeep {
		b.steps = append(b.steps, d)
	}
	b.mu.Unlock()
}

// snapshot copies what JS callbacks read (exports, links, test hooks):
// they run between frames and must not reach into the game.
func (b *Bridge) snapshot(g *view.Game) {
	m := g.Model()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lay, b.res = m.Layout(), m.Result()
	b.runErr, b.notices = "", ""
	if err := m.RunError(); err != nil {
		b.runErr = err.Error()
	}
	for _, n := range m.Notices() {
		b.notices += n.Text + "\n"
	}
	b.probe = g.Probe()
}

// Mallocs is the count of heap objects allocated so far while a test
// counts them (linmapTest.countAllocs), else 0. ReadMemStats is exact
// (it flushes every cache), too costly to run every frame otherwise.
func (b *Bridge) Mallocs() uint64 {
	if !b.countAllocs {
		return 0
	}
	runtime.ReadMemStats(&b.mem)
	return b.mem.Mallocs
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

// fileList reads [{name, text}, …] (the page reads files as text; a
// pasted text has no name).
func fileList(what string, list js.Value) ([]model.File, string) {
	if list.Type() != js.TypeObject || list.Get("length").Type() != js.TypeNumber {
		return nil, what + ": expected a list of {name, text}"
	}
	var files []model.File
	for i := 0; i < list.Length(); i++ {
		f := list.Index(i)
		name, text := f.Get("name"), f.Get("text")
		n := ""
		if name.Type() == js.TypeString {
			n = name.String()
		}
		if text.Type() != js.TypeString {
			return nil, what + ": file " + n + " has no text"
		}
		files = append(files, model.File{Name: n, Data: []byte(text.String())})
	}
	return files, ""
}

func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

func str(args []js.Value, i int) (string, bool) {
	v := arg(args, i)
	if v.Type() != js.TypeString {
		return "", false
	}
	return v.String(), true
}

func num(args []js.Value, i int) (float64, bool) {
	v := arg(args, i)
	if v.Type() != js.TypeNumber {
		return 0, false
	}
	return v.Float(), true
}

// model runs f on the model inside Update.
func (b *Bridge) model(f func(*model.Model)) string {
	return b.send(func(g *view.Game) { f(g.Model()) })
}

// Install publishes window.linmap (every user action has one entry here)
// and window.linmapTest for the game g.
func (b *Bridge) Install(g *view.Game) {
	b.cmd = g.Commands
	b.lay, b.res = g.Model().Layout(), g.Model().Result()
	setPalette()
	api := js.Global().Get("Object").New()
	set := func(name string, f func(args []js.Value) any) { api.Set(name, b.fn(f)) }

	set("setControls", func(args []js.Value) any {
		var c edit.Controls
		if err := (vert.Value{Value: arg(args, 0)}).AssignTo(&c); err != nil {
			return "bad controls: " + err.Error()
		}
		return b.model(func(m *model.Model) { m.SetControls(c) })
	})
	set("doubleClick", func(args []js.Value) any {
		x, ok1 := num(args, 0)
		y, ok2 := num(args, 1)
		if !ok1 || !ok2 {
			return "doubleClick: expected CSS pixel coordinates"
		}
		return b.send(func(g *view.Game) { g.DoubleClick(x, y) })
	})
	set("pointer", func(args []js.Value) any {
		in := arg(args, 0).Truthy()
		return b.send(func(g *view.Game) { g.Pointer(in) })
	})
	set("focused", func(args []js.Value) any {
		on := arg(args, 0).Truthy()
		return b.send(func(g *view.Game) { g.Focused = on })
	})
	// withFiles installs an entry taking [{name, text}, …] first.
	withFiles := func(name string, f func(m *model.Model, files []model.File)) {
		set(name, func(args []js.Value) any {
			files, bad := fileList(name, arg(args, 0))
			if bad != "" {
				return bad
			}
			return b.model(func(m *model.Model) { f(m, files) })
		})
	}
	// The one import path: files dropped or opened together make one
	// layout, with whatever is gathered.
	withFiles("importFiles", func(m *model.Model, files []model.File) { m.Import(files...) })
	// The paste box: gather texts, then import or check them together
	// with the text still in the box ([{name, text}] or []).
	withFiles("addInputs", func(m *model.Model, files []model.File) { m.AddInputs(files...) })
	withFiles("importPasted", func(m *model.Model, files []model.File) { m.ImportPasted(files...) })
	set("removeInput", func(args []js.Value) any {
		i, ok := num(args, 0)
		if !ok {
			return "removeInput: expected an index"
		}
		return b.model(func(m *model.Model) { m.RemoveInput(int(i)) })
	})
	set("clearInputs", func([]js.Value) any { return b.model((*model.Model).ClearInputs) })
	set("checkBoard", func(args []js.Value) any {
		files, bad := fileList("checkBoard", arg(args, 0))
		if bad != "" {
			return bad
		}
		var o model.CheckOptions
		if v := arg(args, 1); v.Truthy() {
			if err := (vert.Value{Value: v}).AssignTo(&o); err != nil {
				return "bad check options: " + err.Error()
			}
		}
		return b.model(func(m *model.Model) { m.CheckBoard(o, files...) })
	})
	set("selectFact", func(args []js.Value) any {
		i, ok := num(args, 0)
		if !ok {
			return "selectFact: expected a fact index (-1 for none)"
		}
		return b.model(func(m *model.Model) { m.SelectFact(int(i)) })
	})
	set("clearCheck", func([]js.Value) any { return b.model((*model.Model).ClearCheck) })
	set("loadPreset", func(args []js.Value) any {
		id, ok := str(args, 0)
		if !ok {
			return "loadPreset: expected a preset id"
		}
		return b.model(func(m *model.Model) { m.LoadPreset(id) })
	})
	set("presets", func([]js.Value) any { return vert.ValueOf(Presets()).JSValue() })
	set("fit", func([]js.Value) any { return b.send((*view.Game).Fit) })
	set("zoomToSelection", func([]js.Value) any { return b.model((*model.Model).ZoomToSelection) })
	set("goTo", func(args []js.Value) any {
		t, ok := str(args, 0)
		if !ok {
			return "goTo: expected an address"
		}
		return b.model(func(m *model.Model) { m.GoTo(t) })
	})
	set("dismiss", func(args []js.Value) any {
		id, _ := num(args, 0)
		return b.model(func(m *model.Model) { m.Dismiss(int(id)) })
	})
	set("undo", func([]js.Value) any { return b.model((*model.Model).StepUndo) })
	set("redo", func([]js.Value) any { return b.model((*model.Model).StepRedo) })
	set("exportFile", func(args []js.Value) any {
		kind, _ := str(args, 0)
		b.mu.Lock()
		l, r := b.lay, b.res
		b.mu.Unlock()
		e := Exported(kind, l, r)
		if e.Error != "" {
			b.model(func(m *model.Model) { m.Notify(model.CodeExport, model.Error, e.Error) })
		}
		return vert.ValueOf(e).JSValue()
	})
	set("exportPNG", func([]js.Value) any {
		b.ss.wantPNG = true
		return ""
	})
	set("shareLink", func([]js.Value) any {
		out := js.Global().Get("Object").New()
		if url, err := b.ShareLink(); err != nil {
			out.Set("error", err.Error())
		} else {
			out.Set("url", url)
		}
		return out
	})
	set("notify", func(args []js.Value) any {
		t, _ := str(args, 0)
		code, _ := str(args, 1)
		return b.model(func(m *model.Model) { m.Notify(model.Code(code), model.Info, t) })
	})
	set("seek", func(args []js.Value) any {
		k, ok := num(args, 0)
		if !ok {
			return "seek: expected a step number"
		}
		return b.model(func(m *model.Model) { m.Seek(int(k)) })
	})
	set("stepBy", func(args []js.Value) any {
		d, _ := num(args, 0)
		return b.model(func(m *model.Model) { m.StepBy(int(d)) })
	})
	set("jump", func(args []js.Value) any {
		w, _ := str(args, 0)
		return b.model(func(m *model.Model) { m.Jump(w) })
	})
	set("play", func(args []js.Value) any {
		on := arg(args, 0).Truthy()
		return b.model(func(m *model.Model) { m.Play(on) })
	})
	set("setSpeed", func(args []js.Value) any {
		v, _ := num(args, 0)
		return b.model(func(m *model.Model) { m.SetSpeed(v) })
	})
	set("setCompare", func(args []js.Value) any {
		var s model.CompareSpec
		if err := (vert.Value{Value: arg(args, 0)}).AssignTo(&s); err != nil {
			return "bad compare choice: " + err.Error()
		}
		return b.model(func(m *model.Model) { m.SetCompare(s) })
	})
	set("flipAB", func([]js.Value) any { return b.model((*model.Model).FlipAB) })
	js.Global().Set("linmap", api)

	test := js.Global().Get("Object").New()
	tset := func(name string, f func() any) { test.Set(name, b.fn(func([]js.Value) any { return f() })) }
	locked := func(f func() any) func() any {
		return func() any {
			b.mu.Lock()
			defer b.mu.Unlock()
			return f()
		}
	}
	tset("layout", locked(func() any { return mustJSON(b.lay) }))
	tset("result", locked(func() any {
		return mustJSON(struct {
			Result   *result.Result `json:"result"`
			RunError string         `json:"run_error"`
			Notice   string         `json:"notice"`
		}{b.res, b.runErr, b.notices})
	}))
	tset("probe", locked(func() any { return mustJSON(b.probe) }))
	tset("panel", locked(func() any { return b.panel }))
	tset("palette", func() any { return mustJSON(view.Palette()) })
	tset("perf", locked(func() any { return mustJSON(Summarise(b.perf)) }))
	test.Set("countAllocs", b.fn(func(args []js.Value) any {
		on := arg(args, 0).Truthy()
		b.send(func(*view.Game) { b.countAllocs = on })
		return nil
	}))
	tset("allocs", locked(func() any { // per frame, oldest first
		out := make([]any, 0, len(b.perf))
		for i := range b.perf {
			out = append(out, b.perf[(b.pi+i)%len(b.perf)].Allocs)
		}
		return js.ValueOf(out)
	}))
	tset("resetPerf", locked(func() any { b.perf, b.pi = b.perf[:0], 0; return nil }))
	tset("stepPerf", locked(func() any { return mustJSON(Summarise(b.steps)) }))
	tset("resetStepPerf", locked(func() any { b.steps = b.steps[:0]; return nil }))
	tset("view", func() any { return mustJSON(b.ss.view) })
	js.Global().Set("linmapTest", test)
	js.Global().Set("linmapFrames", 0)
	js.Global().Set("linmapReady", false)
}

// setPalette gives the page the canvas' colours as CSS variables
// (--c-pud, …): the legend and the canvas cannot drift apart.
func setPalette() {
	style := js.Global().Get("document").Get("documentElement").Get("style")
	for name, hex := range view.Palette() {
		style.Call("setProperty", "--c-"+name, hex)
	}
}

// Capture exports the frame just drawn as a PNG if one was asked for. It
// is called right after Draw, where the screen image holds the whole view
// with its title, options and results header.
func (b *Bridge) Capture(screen *ebiten.Image) {
	if !b.ss.wantPNG {
		return
	}
	b.ss.wantPNG = false
	r := screen.Bounds()
	w, h := r.Dx(), r.Dy()
	pix := make([]byte, 4*w*h)
	screen.ReadPixels(pix)
	for i := 3; i < len(pix); i += 4 {
		pix[i] = 0xff // the screen is opaque: its pixels are plain RGBA
	}
	arr := js.Global().Get("Uint8ClampedArray").New(len(pix))
	js.CopyBytesToJS(arr, pix)
	doc := js.Global().Get("document")
	c := doc.Call("createElement", "canvas")
	c.Set("width", w)
	c.Set("height", h)
	c.Call("getContext", "2d").Call("putImageData", js.Global().Get("ImageData").New(arr, w, h), 0, 0)
	b.mu.Lock()
	name := Stem(b.lay) + ".png"
	b.mu.Unlock()
	var done js.Func
	done = js.FuncOf(func(_ js.Value, args []js.Value) any {
		defer done.Release()
		if blob := arg(args, 0); blob.Truthy() {
			if ui := js.Global().Get("linmapUI"); ui.Truthy() && ui.Get("download").Type() == js.TypeFunction {
				ui.Call("download", blob, name)
			}
		} else {
			b.model(func(m *model.Model) {
				m.Notify(model.CodeExport, model.Error, "Export PNG: the browser could not encode the image.")
			})
		}
		return nil
	})
	c.Call("toBlob", done, "image/png")
}
