//go:build js && wasm

package bridge

import (
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/norunners/vert"

	"linmap/sim/layout"
	"linmap/wasm/persist"
	"linmap/wasm/share"
	"linmap/wasm/view"
)

// sessionJS is the bridge's part of "never lose work": autosave to
// localStorage, share links in the URL fragment, undo buttons, exports.
type sessionJS struct {
	lay      *layout.Layout // last layout the game kept
	view     share.View
	pending  bool // a view change not yet saved
	timer    bool // a save of it is scheduled
	failing  bool // the last save failed and the user was told
	undo     view.Undo
	wantPNG  bool
	saveFunc js.Func
}

// viewSaveDelay batches zoom and pan steps into one localStorage write.
const viewSaveDelay = 500 * time.Millisecond

// Keep implements view.Keeper: an edit is saved at once, so a reload right
// after it restores it; a view change is saved after viewSaveDelay.
func (b *Bridge) Keep(l *layout.Layout, edited bool, v share.View) {
	s := &b.ss
	s.lay, s.view = l, v
	if edited {
		b.save()
		return
	}
	s.pending = true
	if !s.timer {
		s.timer = true
		js.Global().Call("setTimeout", s.saveFunc, viewSaveDelay.Milliseconds())
	}
}

// Undoable implements view.Keeper.
func (b *Bridge) Undoable(u view.Undo) {
	b.ss.undo = u
	if ui := js.Global().Get("linmapUI"); ui.Truthy() && ui.Get("undoable").Type() == js.TypeFunction {
		ui.Call("undoable", vert.ValueOf(u).JSValue())
	}
}

// save writes the autosave record. A full or disabled storage is reported
// once (and again after a save succeeded): the layout on screen is kept.
func (b *Bridge) save() {
	s := &b.ss
	s.pending = false
	if s.lay == nil {
		return
	}
	data, err := persist.Encode(persist.Record{Layout: s.lay, View: s.view, Saved: time.Now()})
	if err == nil {
		err = storageSet(persist.Key, string(data))
	}
	if err != nil {
		if !s.failing {
			s.failing = true
			msg := "Autosave failed (" + err.Error() + "). Your layout is still open: export it or copy its link to keep it."
			b.send(func(g *view.Game) { g.Notify(msg) })
		}
		return
	}
	s.failing = false
}

// storageSet calls localStorage.setItem, turning the exception a full
// storage (QuotaExceededError) or a blocked one (SecurityError) throws
// into an error.
func storageSet(key, value string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = jsError(r)
		}
	}()
	ls := js.Global().Get("localStorage")
	if !ls.Truthy() {
		return errors.New("this browser has no localStorage")
	}
	ls.Call("setItem", key, value)
	return nil
}

func storageGet(key string) (v string, ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = jsError(r)
		}
	}()
	ls := js.Global().Get("localStorage")
	if !ls.Truthy() {
		return "", false, nil
	}
	item := ls.Call("getItem", key)
	if item.Type() != js.TypeString {
		return "", false, nil
	}
	return item.String(), true, nil
}

func jsError(r any) error {
	if e, ok := r.(js.Error); ok {
		if name := e.Value.Get("name"); name.Type() == js.TypeString {
			return fmt.Errorf("%s: %s", name.String(), e.Value.Get("message").String())
		}
		return e
	}
	return fmt.Errorf("%v", r)
}

// Restore puts back the user's work before the first frame: the
// autosaved layout and view, then a share link in the address if there is
// one (as an undoable edit over the autosave, so opening a link loses
// nothing). A record or link that cannot be read is reported and changes
// nothing.
func (b *Bridge) Restore(g *view.Game) {
	var notes []string
	if data, ok, err := storageGet(persist.Key); err != nil {
		notes = append(notes, "Autosave not readable: "+err.Error())
	} else if ok {
		if r, err := persist.Decode([]byte(data)); err != nil {
			notes = append(notes, err.Error()+"; started with "+g.Snapshot().Layout.Name+".")
		} else {
			// A layout the engine refuses is restored too: the app was
			// showing it (with the engine's reason) when it was saved.
			g.SetLayout(r.Layout)
			g.RestoreView(r.View)
		}
	}
	g.ResetHistory()
	b.ss.lay = g.Snapshot().Layout
	if msg := b.openLink(g, js.Global().Get("location").Get("hash").String()); msg != "" {
		notes = append(notes, msg)
	}
	if len(notes) > 0 {
		g.Notify(joinNotes(notes))
	}
}

func joinNotes(n []string) string {
	out := n[0]
	for _, s := range n[1:] {
		out += " " + s
	}
	return out
}

// openLink applies a share-link fragment and removes it from the address,
// so a reload shows the autosave of later edits rather than the link's
// old layout. It returns the message to show ("" for no link).
func (b *Bridge) openLink(g *view.Game, hash string) string {
	st, err := share.Decode(hash)
	if errors.Is(err, share.ErrNoLink) {
		return ""
	}
	h := js.Global().Get("history")
	loc := js.Global().Get("location")
	h.Call("replaceState", js.Null(), "", loc.Get("pathname").String()+loc.Get("search").String())
	if err != nil {
		return err.Error() + ". Your layout was not changed."
	}
	g.SetLayoutAs(st.Layout, "open link")
	g.RestoreView(st.View)
	return "Opened the shared layout " + st.Layout.Name + " (Undo goes back to yours)."
}

// ShareLink returns the page's address with the current layout and view
// in the fragment.
func (b *Bridge) ShareLink() (string, error) {
	b.mu.Lock()
	l := b.snap.Layout
	b.mu.Unlock()
	frag, err := share.Encode(share.State{Layout: l, View: b.ss.view})
	if err != nil {
		return "", err
	}
	loc := js.Global().Get("location")
	return loc.Get("origin").String() + loc.Get("pathname").String() + loc.Get("search").String() + "#" + frag, nil
}

// Capture exports the frame just drawn as a PNG if one was asked for. It
// is called right after the game's Draw, where the screen image holds the
// whole view (the WebGL canvas itself is cleared once shown).
func (b *Bridge) Capture(screen *ebiten.Image) {
	if !b.ss.wantPNG {
		return
	}
	b.ss.wantPNG = false
	r := screen.Bounds()
	w, h := r.Dx(), r.Dy()
	pix := make([]byte, 4*w*h)
	screen.ReadPixels(pix)
	// The screen is opaque (the background is drawn first), so its
	// premultiplied pixels are plain RGBA; force alpha for safety.
	for i := 3; i < len(pix); i += 4 {
		pix[i] = 0xff
	}
	arr := js.Global().Get("Uint8ClampedArray").New(len(pix))
	js.CopyBytesToJS(arr, pix)
	doc := js.Global().Get("document")
	c := doc.Call("createElement", "canvas")
	c.Set("width", w)
	c.Set("height", h)
	c.Call("getContext", "2d").Call("putImageData", js.Global().Get("ImageData").New(arr, w, h), 0, 0)
	b.mu.Lock()
	name := FileName(b.snap.Layout)
	b.mu.Unlock()
	name = name[:len(name)-len(".json")] + ".png"
	var done js.Func
	done = js.FuncOf(func(_ js.Value, args []js.Value) any {
		defer done.Release()
		if blob := arg(args, 0); blob.Truthy() {
			if ui := js.Global().Get("linmapUI"); ui.Truthy() && ui.Get("download").Type() == js.TypeFunction {
				ui.Call("download", blob, name)
			}
		} else {
			b.send(func(g *view.Game) { g.Notify("Export PNG: the browser could not encode the image.") })
		}
		return nil
	})
	c.Call("toBlob", done, "image/png")
}

// InstallSession adds the undo, share, export and import calls to
// window.linmap and starts listening for links pasted into the address bar.
func (b *Bridge) InstallSession() {
	b.ss.saveFunc = b.fn(func([]js.Value) any {
		b.ss.timer = false
		if b.ss.pending {
			b.save()
		}
		return nil
	})
	api := js.Global().Get("linmap")
	api.Set("undo", b.fn(func([]js.Value) any { return b.send((*view.Game).Undo) }))
	api.Set("redo", b.fn(func([]js.Value) any { return b.send((*view.Game).Redo) }))
	api.Set("undoState", b.fn(func([]js.Value) any { return vert.ValueOf(b.ss.undo).JSValue() }))
	api.Set("shareLink", b.fn(func([]js.Value) any {
		out := js.Global().Get("Object").New()
		url, err := b.ShareLink()
		if err != nil {
			out.Set("error", err.Error())
		} else {
			out.Set("url", url)
		}
		return out
	}))
	api.Set("exportFile", b.fn(func(args []js.Value) any {
		kind := arg(args, 0)
		if kind.Type() != js.TypeString {
			return vert.ValueOf(Export{Error: "exportFile: expected a kind"}).JSValue()
		}
		b.mu.Lock()
		l, res := b.snap.Layout, b.snap.Result
		b.mu.Unlock()
		return vert.ValueOf(Exported(kind.String(), l, res)).JSValue()
	}))
	api.Set("exportPNG", b.fn(func([]js.Value) any {
		b.ss.wantPNG = true
		return ""
	}))
	api.Set("importAny", b.fn(func(args []js.Value) any {
		a := arg(args, 0)
		if a.Type() != js.TypeString {
			return "import: expected text"
		}
		name := ""
		if n := arg(args, 1); n.Type() == js.TypeString {
			name = n.String()
		}
		return b.importAny(name, a.String())
	}))
	// The tests compare views across pages by address, not pixels (the
	// pages may differ in size).
	js.Global().Get("linmapTest").Set("view", b.fn(func([]js.Value) any { return mustJSON(b.ss.view) }))
	api.Set("notify", b.fn(func(args []js.Value) any {
		if m := arg(args, 0); m.Type() == js.TypeString {
			msg := m.String()
			return b.send(func(g *view.Game) { g.Notify(msg) })
		}
		return ""
	}))
	js.Global().Call("addEventListener", "hashchange", b.fn(func([]js.Value) any {
		hash := js.Global().Get("location").Get("hash").String()
		b.send(func(g *view.Game) {
			if msg := b.openLink(g, hash); msg != "" {
				g.Notify(msg)
			}
		})
		return nil
	}))
	// A view change waits viewSaveDelay; leaving the page must not drop it.
	js.Global().Call("addEventListener", "pagehide", b.fn(func([]js.Value) any {
		if b.ss.pending {
			b.save()
		}
		return nil
	}))
}

// importAny imports text of any detected format; the result is reported
// in the notice either way and the current layout stays on failure.
func (b *Bridge) importAny(name, text string) string {
	what := name
	if what == "" {
		what = "pasted text"
	}
	l, f, err := ImportAny(name, []byte(text), b.run)
	if err != nil {
		if f != "" {
			what += " (" + f.Describe() + ")"
		}
		msg := "Not imported: " + what + ": " + err.Error()
		b.send(func(g *view.Game) { g.Notify(msg) })
		return msg
	}
	msg := fmt.Sprintf("Imported %s as %s: %d memory banks.", what, f.Describe(), len(l.Memory))
	return b.send(func(g *view.Game) {
		g.SetLayoutAs(l, "import "+what)
		g.Notify(msg)
	})
}
