package view

import (
	"math"

	"github.com/hajimehoshi/ebiten/v2"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"

	"github.com/hajimehoshi/ebiten/v2/text/v2"
)

// fonts are the Go fonts compiled into the binary: the site loads nothing
// from the web. Faces are made for the device scale so text is crisp.
type fonts struct {
	scale            float64
	mono, sans, bold text.Face
	// cache holds strings already rendered (white, tinted when drawn): a
	// label is then one image draw instead of one per glyph, which is
	// most of Draw's cost in wasm. It is a memo, not state: dropping it
	// changes nothing on screen.
	cache map[textKey]*ebiten.Image
}

type textKey struct {
	s    string
	face text.Face
}

// maxCachedStrings bounds the memo; zooming makes new labels all the time.
const maxCachedStrings = 3000

func (f *fonts) rendered(s string, face text.Face) *ebiten.Image {
	if s == "" {
		return nil
	}
	k := textKey{s, face}
	if img, ok := f.cache[k]; ok {
		return img
	}
	if len(f.cache) >= maxCachedStrings {
		for _, img := range f.cache {
			img.Deallocate()
		}
		clear(f.cache)
	}
	w, h := text.Measure(s, face, face.Metrics().HAscent+face.Metrics().HDescent)
	img := ebiten.NewImage(int(math.Ceil(w))+1, int(math.Ceil(h))+1)
	text.Draw(img, s, face, &text.DrawOptions{})
	f.cache[k] = img
	return img
}

func newFonts(scale float64) *fonts {
	face := func(ttf []byte, size float64) text.Face {
		f, err := opentype.Parse(ttf)
		if err != nil {
			panic(err) // the embedded Go fonts always parse
		}
		ff, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size * scale, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			panic(err)
		}
		return text.NewGoXFace(ff)
	}
	return &fonts{
		cache: map[textKey]*ebiten.Image{},
		scale: scale,
		mono:  face(gomono.TTF, 10.5),
		sans:  face(goregular.TTF, 12),
		bold:  face(gobold.TTF, 13),
	}
}
