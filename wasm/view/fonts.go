package view

import (
	"image"
	"strings"

	"github.com/hajimehoshi/ebiten/v2"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// fonts are the Go fonts compiled into the binary: the site loads nothing
// from the web. Faces are made for the device scale so text is crisp.
//
// Text is rasterised with golang.org/x/image/font straight into an image,
// not with Ebiten's text/v2: every label is drawn once into a cached image
// anyway, and text/v2 links SVG, TIFF and shaping code (about 100 KB of
// the gzipped wasm) that plain Latin labels never use.
type fonts struct {
	scale            float64
	mono, sans, bold *face
	// cache holds strings already rendered (white, tinted when drawn): a
	// label is then one image draw instead of one per glyph, which is
	// most of Draw's cost in wasm. It is a memo, not state: dropping it
	// changes nothing on screen.
	cache map[textKey]*ebiten.Image
}

// face is one font at one size.
type face struct {
	f               font.Face
	ascent, descent int // pixels
	widths          map[string]float64
}

// advance is the width of s in pixels, remembered: the legend and the
// header measure the same words on every rebuild.
func (f *face) advance(s string) float64 {
	if w, ok := f.widths[s]; ok {
		return w
	}
	if len(f.widths) >= maxCachedStrings {
		clear(f.widths)
	}
	w := float64(font.MeasureString(f.f, glyphs(s))) / 64
	f.widths[s] = w
	return w
}

// glyphs maps what the Go fonts cannot draw to what they can: numfmt
// groups digits with a narrow no-break space, which they lack.
func glyphs(s string) string { return strings.ReplaceAll(s, "\u202f", " ") }

type textKey struct {
	s    string
	face *face
}

// maxCachedStrings bounds the memo; zooming makes new labels all the time.
const maxCachedStrings = 3000

func (f *fonts) rendered(s string, fc *face) *ebiten.Image {
	if s == "" {
		return nil
	}
	k := textKey{s, fc}
	if img, ok := f.cache[k]; ok {
		return img
	}
	if len(f.cache) >= maxCachedStrings {
		for _, img := range f.cache {
			img.Deallocate()
		}
		clear(f.cache)
	}
	g := glyphs(s)
	w := font.MeasureString(fc.f, g).Ceil() + 1
	rgba := image.NewRGBA(image.Rect(0, 0, w, fc.ascent+fc.descent+1))
	d := font.Drawer{Dst: rgba, Src: image.White, Face: fc.f, Dot: fixed.P(0, fc.ascent)}
	d.DrawString(g)
	img := ebiten.NewImageFromImage(rgba)
	f.cache[k] = img
	return img
}

func newFonts(scale float64) *fonts {
	mk := func(ttf []byte, size float64) *face {
		f, err := opentype.Parse(ttf)
		if err != nil {
			panic(err) // the embedded Go fonts always parse
		}
		ff, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size * scale, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			panic(err)
		}
		m := ff.Metrics()
		return &face{f: ff, ascent: m.Ascent.Ceil(), descent: m.Descent.Ceil(), widths: map[string]float64{}}
	}
	return &fonts{
		cache: map[textKey]*ebiten.Image{},
		scale: scale,
		mono:  mk(gomono.TTF, 10.5),
		sans:  mk(goregular.TTF, 12),
		bold:  mk(gobold.TTF, 13),
	}
}
