package view

import (
	"image/color"

	"linmap/wasm/model"
)

// Colours are defined here only: the page's legend takes them as CSS
// variables (the bridge sets them from Palette) and the end-to-end tests
// look for them on screen.
var (
	colBackground = rgb(0xfb, 0xfb, 0xf8)
	colText       = rgb(0x22, 0x26, 0x2b)
	colMuted      = rgb(0x6a, 0x73, 0x7d)
	colBank       = rgb(0xdc, 0xe4, 0xee)
	colBankEdge   = rgb(0x5b, 0x6b, 0x7c)
	colSelected   = rgb(0x00, 0x5f, 0xcc)
	colLinear     = rgb(0xee, 0xee, 0xe8)
	colGap        = rgb(0xa0, 0xa0, 0xa0)

	// Leaf sizes: PUD blocks, PMD blocks (2M/32M/512M), pages.
	colPUD  = rgb(0x2b, 0x6c, 0xb0)
	colPMD  = rgb(0x2f, 0x9e, 0x44)
	colPage = rgb(0xe8, 0x7d, 0x0e)
	colCont = rgb(0x1a, 0x1a, 0x1a)

	colLost     = rgb(0xc6, 0x28, 0x28)
	colReserved = rgb(0x8d, 0x5a, 0x3c)
	colNoMap    = rgb(0x7b, 0x4f, 0xb8)
	colText1    = rgb(0x0b, 0x6e, 0x78) // .text
	colRodata   = rgb(0x3c, 0xb4, 0xc2) // .rodata
	colInitData = rgb(0x98, 0xd8, 0xe0) // .init .data .bss
	colDTB      = rgb(0xb5, 0xa2, 0x00)
	colInitrd   = rgb(0xd9, 0x5c, 0xb0)
	colTables   = rgb(0x30, 0x30, 0x30)
	colLimit    = rgb(0xc6, 0x28, 0x28)
	colPhysOff  = rgb(0x00, 0x5f, 0xcc)
	colFatal    = rgb(0xb0, 0x00, 0x20)
	colNotice   = rgb(0xff, 0xf1, 0xc2)
	colTooltip  = rgb(0x20, 0x24, 0x2a)
	colStep     = rgb(0xe6, 0x00, 0x7e) // the timeline step's range
	colDiff     = rgb(0xb8, 0x86, 0x00) // outline of a range A and B treat differently
	colGoTo     = rgb(0x00, 0x5f, 0xcc) // outline of the go-to answer
	colCheck    = rgb(0xd1, 0x00, 0x3f) // outline of a range the board printed otherwise
	colFact     = rgb(0x00, 0x5f, 0xcc) // outline of the check's selected fact
	colFocus    = rgb(0x00, 0x5f, 0xcc) // the canvas has the keyboard
)

// markColor is a marked range's outline colour, by kind.
func markColor(k model.MarkKind) color.RGBA {
	switch k {
	case model.MarkGoTo:
		return colGoTo
	case model.MarkCheck:
		return colCheck
	case model.MarkFact:
		return colFact
	}
	return colDiff
}

// ribbonAlpha is the opacity of the ribbons between the columns.
const ribbonAlpha = 0.45

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 0xff} }

func withAlpha(c color.RGBA, a float64) color.RGBA {
	f := func(v uint8) uint8 { return uint8(float64(v)*a + 0.5) }
	return color.RGBA{f(c.R), f(c.G), f(c.B), uint8(255*a + 0.5)}
}

// LeafColor is the colour of a leaf level: "PUD", "PMD" or "PTE".
func LeafColor(level string) color.RGBA {
	switch level {
	case "PUD", "P4D", "PGD":
		return colPUD
	case "PMD":
		return colPMD
	}
	return colPage
}

// Palette lists the colours a test can look for, by name, as #rrggbb.
func Palette() map[string]string {
	hex := func(c color.RGBA) string {
		const d = "0123456789abcdef"
		b := []byte{'#', d[c.R>>4], d[c.R&15], d[c.G>>4], d[c.G&15], d[c.B>>4], d[c.B&15]}
		return string(b)
	}
	blend := func(c color.RGBA) color.RGBA {
		m := func(f, b uint8) uint8 { return uint8(float64(f)*ribbonAlpha + float64(b)*(1-ribbonAlpha) + 0.5) }
		return rgb(m(c.R, colBackground.R), m(c.G, colBackground.G), m(c.B, colBackground.B))
	}
	return map[string]string{
		"background": hex(colBackground), "bank": hex(colBank), "linear": hex(colLinear),
		"pud": hex(colPUD), "pmd": hex(colPMD), "page": hex(colPage),
		"ribbon-pud": hex(blend(colPUD)), "ribbon-pmd": hex(blend(colPMD)), "ribbon-page": hex(blend(colPage)),
		"lost": hex(colLost), "reserved": hex(colReserved), "nomap": hex(colNoMap),
		"text": hex(colText1), "rodata": hex(colRodata), "initdata": hex(colInitData),
		"dtb": hex(colDTB), "initrd": hex(colInitrd), "tables": hex(colTables), "fatal": hex(colFatal),
		"diff": hex(colDiff), "goto": hex(colGoTo), "step": hex(colStep), "selected": hex(colSelected),
		"check": hex(colCheck), "fact": hex(colFact),
	}
}
