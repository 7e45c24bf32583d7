//go:build js && wasm

// Command wasm is linmap's browser app: the model (wasm/model), its Ebiten
// view (wasm/view) and the bridge to the page's HTML controls
// (wasm/bridge).
package main

import (
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"linmap/sim"
	"linmap/wasm/bridge"
	"linmap/wasm/model"
	"linmap/wasm/view"
)

// startPreset is shown before the user picks anything: Arm's Juno r2, two
// banks (2 GiB below 4 GiB, 6 GiB above 32 GiB).
const startPreset = "arm-juno-r2"

// timed measures Go-side CPU time of Update+Draw for BENCHMARKS.md
// (headless fps would measure the software rasteriser, not the app). When
// a test asks, it also counts the heap objects the game allocates (in
// Update, Draw and the bridge's frame work, not in Ebiten's own loop), so
// the view can be held to allocating nothing while nothing changes.
type timed struct {
	*view.Game
	br     *bridge.Bridge
	upd    time.Duration
	allocs uint64 // since the last frame was recorded
}

func (t *timed) Update() error {
	a := t.br.Mallocs()
	start := time.Now()
	err := t.Game.Update()
	t.upd += time.Since(start)
	t.allocs += t.br.Mallocs() - a
	return err
}

func (t *timed) Draw(screen *ebiten.Image) {
	a := t.br.Mallocs()
	start := time.Now()
	t.Game.Draw(screen)
	t.br.Capture(screen) // a PNG export reads the frame just drawn
	d := time.Since(start)
	t.allocs += t.br.Mallocs() - a
	m := t.Model()
	// Frame renders the panel and records this frame with its own time
	// and allocations added.
	t.br.Frame(t.Game, bridge.FrameTime{Update: t.upd, Draw: d, Engine: m.TakeRunTime(), Allocs: t.allocs}, m.TakeStepChanges() > 0)
	t.upd, t.allocs = 0, 0
}

func main() {
	m, err := model.OpenPreset(startPreset, sim.Run)
	if err != nil {
		panic(err) // the assets tests parse every preset
	}
	g := view.New(m)
	br := bridge.New()
	br.Install(g)
	br.InstallSession()
	br.Restore(g) // autosave, then a share link in the address
	ebiten.SetWindowTitle("linmap")
	// Keep drawing when the canvas is not focused: the panel beside it
	// changes the picture too.
	ebiten.SetRunnableOnUnfocused(true)
	// The page decides where the keyboard starts; Tab brings it here.
	t := &timed{Game: g, br: br}
	if err := ebiten.RunGameWithOptions(t, &ebiten.RunGameOptions{InitUnfocused: true}); err != nil {
		panic(err)
	}
}
