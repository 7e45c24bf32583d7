//go:build js && wasm

// Command wasm is linmap's browser app: the model (wasm/model), its Ebiten
// view (wasm/view) and the bridge to the page's HTML controls
// (wasm/bridge).
package main

import (
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"linmap/assets"
	"linmap/sim"
	"linmap/sim/layout"
	"linmap/wasm/bridge"
	"linmap/wasm/model"
	"linmap/wasm/view"
)

// startPreset is shown before the user picks anything: Arm's Juno r2, two
// banks (2 GiB below 4 GiB, 6 GiB above 32 GiB).
const startPreset = "arm-juno-r2"

// timed measures Go-side CPU time of Update+Draw for BENCHMARKS.md
// (headless fps would measure the software rasteriser, not the app).
type timed struct {
	*view.Game
	br  *bridge.Bridge
	upd time.Duration
}

func (t *timed) Update() error {
	start := time.Now()
	err := t.Game.Update()
	t.upd += time.Since(start)
	return err
}

func (t *timed) Draw(screen *ebiten.Image) {
	start := time.Now()
	t.Game.Draw(screen)
	t.br.Capture(screen) // a PNG export reads the frame just drawn
	m := t.Model()
	// Frame renders the panel and records this frame, its own time too.
	t.br.Frame(t.Game, bridge.FrameTime{Update: t.upd, Draw: time.Since(start), Engine: m.TakeRunTime()}, m.TakeStepChanges() > 0)
	t.upd = 0
}

func main() {
	p, ok := assets.Lookup(startPreset)
	if !ok {
		panic("preset " + startPreset + " is not embedded")
	}
	l, err := layout.Parse(p.Layout)
	if err != nil {
		panic(err) // the assets tests parse every preset
	}
	m := model.New(l, p.ID, sim.Run)
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
	if err := ebiten.RunGameWithOptions(&timed{Game: g, br: br}, &ebiten.RunGameOptions{InitUnfocused: true}); err != nil {
		panic(err)
	}
}
