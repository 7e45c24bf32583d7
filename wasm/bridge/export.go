package bridge

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"

	"linmap/formats/dts"
	"linmap/sim"
	"linmap/sim/layout"
	"linmap/sim/result"
)

// Export is one file an export button offers.
type Export struct {
	FileName string `js:"fileName"`
	Type     string `js:"type"` // MIME type of the Blob
	Text     string `js:"text"`
	Error    string `js:"error"`
}

// ExportKinds are the kinds Exported takes (the PNG is drawn, not made
// here).
var ExportKinds = []string{"layout", "result", "ptdump", "dts"}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Stem is the exports' file name without extension: the layout's name
// made safe.
func Stem(l *layout.Layout) string {
	n := strings.Trim(unsafeName.ReplaceAllString(l.Name, "-"), "-.")
	if n == "" {
		n = "layout"
	}
	return n
}

// Exported makes one export file of the layout and result. The result
// exports need a layout the engine accepted.
func Exported(kind string, l *layout.Layout, res *result.Result) Export {
	stem := Stem(l)
	fail := func(msg string) Export { return Export{Error: "Export " + kind + ": " + msg} }
	switch kind {
	case "layout":
		data, err := l.Marshal()
		if err != nil {
			return fail(err.Error())
		}
		return Export{FileName: stem + ".json", Type: "application/json", Text: string(data)}
	case "result":
		if res == nil {
			return fail("the engine refused this layout, so there is no result")
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return fail(err.Error())
		}
		return Export{FileName: stem + ".result.json", Type: "application/json", Text: buf.String()}
	case "ptdump":
		if res == nil {
			return fail("the engine refused this layout, so there is no linear map")
		}
		var buf bytes.Buffer
		if err := sim.Ptdump(&buf, res); err != nil {
			return fail(err.Error())
		}
		return Export{FileName: stem + ".ptdump.txt", Type: "text/plain", Text: buf.String()}
	case "dts":
		return Export{FileName: stem + ".dts", Type: "text/plain", Text: string(dts.Export(l))}
	}
	return fail("unknown kind (use " + strings.Join(ExportKinds, ", ") + ")")
}
