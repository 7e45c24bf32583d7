package view

import (
	"image"
	"image/color"
	"math"

	"github.com/hajimehoshi/ebiten/v2"
)

// whitePixel is the texture for solid triangles (the centre pixel of a
// 3×3 image, so no neighbouring pixel bleeds in when sampling).
var whitePixel = func() *ebiten.Image {
	img := ebiten.NewImage(3, 3)
	img.Fill(color.White)
	return img.SubImage(image.Rect(1, 1, 2, 2)).(*ebiten.Image)
}()

// quads batches rectangles and line segments into one triangle draw, in
// order. A 64-bank layout has thousands of shapes; one draw call each would
// dominate the frame in wasm.
type quads struct {
	vs []ebiten.Vertex
	is []uint32
}

func (q *quads) quad(pts [4][2]float64, c color.RGBA, alpha float32) {
	r, g, b := float32(c.R)/255, float32(c.G)/255, float32(c.B)/255
	k := uint32(len(q.vs))
	for _, p := range pts {
		q.vs = append(q.vs, ebiten.Vertex{DstX: float32(p[0]), DstY: clampY(p[1]), SrcX: 1, SrcY: 1, ColorR: r, ColorG: g, ColorB: b, ColorA: alpha})
	}
	q.is = append(q.is, k, k+1, k+2, k, k+2, k+3)
}

func (q *quads) fill(x0, y0, x1, y1 float64, c color.RGBA) {
	if y1 <= y0 || x1 <= x0 {
		return
	}
	q.quad([4][2]float64{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}, c, 1)
}

func (q *quads) stroke(x0, y0, x1, y1, w float64, c color.RGBA) {
	q.fill(x0, y0, x1, y0+w, c)
	q.fill(x0, y1-w, x1, y1, c)
	q.fill(x0, y0, x0+w, y1, c)
	q.fill(x1-w, y0, x1, y1, c)
}

func (q *quads) line(x0, y0, x1, y1, w float64, c color.RGBA) {
	dx, dy := x1-x0, y1-y0
	n := math.Hypot(dx, dy)
	if n == 0 {
		return
	}
	nx, ny := -dy/n*w/2, dx/n*w/2
	q.quad([4][2]float64{{x0 + nx, y0 + ny}, {x1 + nx, y1 + ny}, {x1 - nx, y1 - ny}, {x0 - nx, y0 - ny}}, c, 1)
}

func (q *quads) dashed(x0, x1, y, w float64, c color.RGBA) {
	step := 8 * w
	for x := x0; x < x1; x += step {
		q.fill(x, y-w/2, math.Min(x+step/2, x1), y+w/2, c)
	}
}

// hatch draws 45° lines clipped to the rectangle and to the rows [lo, hi].
func (q *quads) hatch(x0, y0, x1, y1, lo, hi, gap, w float64, c color.RGBA) {
	y0, y1 = math.Max(y0, lo), math.Min(y1, hi)
	if y1 <= y0 {
		return
	}
	// Lines x − y = k; the phase is fixed to the screen so hatching does
	// not crawl while panning.
	for k := math.Floor((x0-y1)/gap) * gap; k < x1-y0; k += gap {
		ax, ay := x0, x0-k
		if ay < y0 {
			ax, ay = y0+k, y0
		}
		bx, by := x1, x1-k
		if by > y1 {
			bx, by = y1+k, y1
		}
		if ax < bx {
			q.line(ax, ay, bx, by, w, c)
		}
	}
}

// triOpts is shared by every triangle draw (Draw allocates nothing).
var triOpts ebiten.DrawTrianglesOptions

func (q *quads) draw(dst *ebiten.Image) {
	if len(q.vs) > 0 {
		dst.DrawTriangles32(q.vs, q.is, whitePixel, &triOpts)
	}
}

func (q *quads) reset() { q.vs, q.is = q.vs[:0], q.is[:0] }

// clampY keeps coordinates of ranges far off screen (deep zoom) within
// what float32 vertex positions represent well.
func clampY(y float64) float32 { return float32(math.Max(-1e5, math.Min(1e5, y))) }

// The frame Draw replays is built in layers, each its shapes then its
// labels, so text always sits on the shapes under it.
const (
	layerContent = iota // ribbons and columns, clipped to the band
	layerAxes           // axis breaks and address labels: they change with the zoom, not with a drag
	layerOverlay        // offsets, limits, marks, the selection
	layerChrome         // header, banner, column titles, legend, focus ring
	layerNotice         // the newest error, over the band
	layerTip            // the tooltip: rebuilt alone as the pointer moves
	nLayers
)

type layer struct {
	band   bool // drawn into the band (clipped), else on the whole screen
	q      quads
	labels []label
}

func (l *layer) reset() { l.q.reset(); l.labels = l.labels[:0] }

// label is a rendered string at its place, with its tint.
type label struct {
	img  *ebiten.Image
	x, y float64
	cs   ebiten.ColorScale
}

// frame is everything Draw paints, built in Update whenever what it shows
// changes (frameKey): a frame that changes nothing costs a few draw calls
// and allocates nothing.
type frame struct {
	layers [nLayers]layer
	// band is the screen's band sub-image, a memo of the last screen.
	screen, bandImg *ebiten.Image
	bandRect        image.Rectangle
	placed          [][4]float64    // captions placed so far (placeCaptions)
	gapLabels       [][4]float64    // the axes' gap labels, which captions avoid too
	captions        []placedCaption // where each caption went, for the probe
}

// placedCaption is a caption as placed on screen.
type placedCaption struct {
	text           string
	x0, y0, x1, y1 float64
}

// labelOpts is shared by every label draw.
var labelOpts ebiten.DrawImageOptions

// background is colBackground as an interface value once: converting it
// in every Fill would allocate every frame.
var background color.Color = colBackground

// Draw paints the frame built by Update. It reads the game and changes
// nothing but memos (the band's sub-image).
func (g *Game) Draw(screen *ebiten.Image) {
	screen.Fill(background)
	f := &g.fr
	if f.screen != screen || f.bandImg == nil || f.bandImg.Bounds() != f.bandRect {
		f.screen = screen
		f.bandImg = screen.SubImage(f.bandRect).(*ebiten.Image)
	}
	for i := range f.layers {
		l := &f.layers[i]
		dst := screen
		if l.band {
			dst = f.bandImg
		}
		l.q.draw(dst)
		for j := range l.labels {
			lb := &l.labels[j]
			labelOpts.GeoM.Reset()
			labelOpts.GeoM.Translate(lb.x, lb.y)
			labelOpts.ColorScale = lb.cs
			dst.DrawImage(lb.img, &labelOpts)
		}
	}
}

// text queues str on layer l at (x, y), right-aligned at x if right. It
// returns the width drawn.
func (g *Game) text(l *layer, str string, f *face, x, y float64, c color.RGBA, right bool) float64 {
	img := g.fonts.rendered(str, f)
	if img == nil {
		return 0
	}
	w := float64(img.Bounds().Dx())
	if right {
		x -= w
	}
	lb := label{img: img, x: math.Round(x), y: math.Round(y)}
	lb.cs.ScaleWithColor(c)
	l.labels = append(l.labels, lb)
	return w
}
