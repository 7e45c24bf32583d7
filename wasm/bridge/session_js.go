//go:build js && wasm

package bridge

import (
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"linmap/wasm/model"
	"linmap/wasm/persist"
	"linmap/wasm/share"
	"linmap/wasm/view"
)

// sessionJS is the bridge's part of "never lose work": autosave to
// localStorage and share links in the URL fragment.
type sessionJS struct {
	saved   uint64     // the model's Edits when last saved
	view    share.View // the view last seen
	pending bool       // a view change not yet saved
	timer   bool       // a save of it is scheduled
	failing bool       // the last save failed and the user was told
	wantPNG bool
	save    js.Func
	preset  string
}

// viewSaveDelay batches zoom and pan steps into one localStorage write.
const viewSaveDelay = 500 * time.Millisecond

// keep saves after every settled edit at once (a reload right after it
// restores it) and after a view change with a delay.
func (b *Bridge) keep(g *view.Game) {
	s := &b.ss
	m := g.Model()
	v := g.View()
	viewChanged := !sameView(v, s.view)
	s.view = v
	if m.Dragging() {
		return
	}
	if m.Edits() != s.saved {
		s.saved = m.Edits()
		s.preset = m.Preset()
		b.saveNow(g)
		return
	}
	if viewChanged && !s.timer {
		s.pending, s.timer = true, true
		js.Global().Call("setTimeout", s.save, viewSaveDelay.Milliseconds())
	}
}

func sameView(a, b share.View) bool {
	eq := func(x, y *share.Window) bool { return x == nil && y == nil || x != nil && y != nil && *x == *y }
	return eq(a.PA, b.PA) && eq(a.VA, b.VA)
}

// saveNow writes the autosave record. A full or disabled storage is
// reported once (and again after a save succeeded): the layout stays.
func (b *Bridge) saveNow(g *view.Game) {
	s := &b.ss
	s.pending = false
	b.mu.Lock()
	l := b.lay
	b.mu.Unlock()
	if g != nil {
		l = g.Model().Layout()
	}
	if l == nil {
		return
	}
	data, err := persist.Encode(persist.Record{Layout: l, View: s.view, Saved: time.Now(), Preset: s.preset})
	if err == nil {
		err = storageSet(persist.Key, string(data))
	}
	if err != nil {
		if !s.failing {
			s.failing = true
			msg := "Autosave failed (" + err.Error() + "). Your layout is still open: export it or copy its link to keep it."
			b.model(func(m *model.Model) { m.Notify(model.CodeAutosaveFailed, model.Error, msg) })
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
	m := g.Model()
	if data, ok, err := storageGet(persist.Key); err != nil {
		m.Notify(model.CodeLinkBroken, model.Error, "Autosave not readable: "+err.Error())
	} else if ok {
		if r, err := persist.Decode([]byte(data)); err != nil {
			m.Notify(model.CodeLinkBroken, model.Error, err.Error()+"; started with "+m.Layout().Name+".")
		} else {
			// A layout the engine refuses is restored too: the app was
			// showing it (with the engine's reason) when it was saved.
			m.Restore(r.Layout, r.Preset)
			g.RestoreView(r.View)
		}
	}
	b.ss.saved = m.Edits()
	b.openLink(g, js.Global().Get("location").Get("hash").String())
}

// openLink applies a share-link fragment and removes it from the address,
// so a reload shows the autosave of later edits rather than the link's
// old layout.
func (b *Bridge) openLink(g *view.Game, hash string) {
	st, err := share.Decode(hash)
	if errors.Is(err, share.ErrNoLink) {
		return
	}
	h := js.Global().Get("history")
	loc := js.Global().Get("location")
	h.Call("replaceState", js.Null(), "", loc.Get("pathname").String()+loc.Get("search").String())
	m := g.Model()
	if err != nil {
		m.Notify(model.CodeLinkBroken, model.Error, err.Error()+". Your layout was not changed.")
		return
	}
	m.SetLayout(st.Layout, "open link", "")
	g.RestoreView(st.View)
	m.Notify(model.CodeLinkOpened, model.Info, "Opened the shared layout "+st.Layout.Name+" (Undo goes back to yours).")
}

// ShareLink returns the page's address with the current layout and view
// in the fragment.
func (b *Bridge) ShareLink() (string, error) {
	b.mu.Lock()
	l := b.lay
	b.mu.Unlock()
	frag, err := share.Encode(share.State{Layout: l, View: b.ss.view})
	if err != nil {
		return "", err
	}
	loc := js.Global().Get("location")
	return loc.Get("origin").String() + loc.Get("pathname").String() + loc.Get("search").String() + "#" + frag, nil
}

// InstallSession starts saving and listening for links pasted into the
// address bar.
func (b *Bridge) InstallSession() {
	b.ss.save = b.fn(func([]js.Value) any {
		b.ss.timer = false
		if b.ss.pending {
			b.saveNow(nil)
		}
		return nil
	})
	js.Global().Call("addEventListener", "hashchange", b.fn(func([]js.Value) any {
		hash := js.Global().Get("location").Get("hash").String()
		b.send(func(g *view.Game) { b.openLink(g, hash) })
		return nil
	}))
	// A view change waits viewSaveDelay; leaving the page must not drop it.
	js.Global().Call("addEventListener", "pagehide", b.fn(func([]js.Value) any {
		if b.ss.pending {
			b.saveNow(nil)
		}
		return nil
	}))
}
