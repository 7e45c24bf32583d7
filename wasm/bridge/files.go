package bridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"linmap/formats"
	"linmap/formats/dts"
	"linmap/sim"
	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/view"
)

// ImportAny reads text in any format formats.Import detects (layout JSON,
// DTS, DTB, memblock debugfs, memblock=debug, /proc/iomem, efi=debug,
// oracle files) and checks that the engine takes the result, so a bad
// paste or file is refused before it replaces the current layout. Parse
// errors carry the importer's line numbers. name is the file name, or ""
// for pasted text.
func ImportAny(name string, data []byte, run view.RunFunc) (*layout.Layout, formats.Format, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, "", errors.New("nothing to import: the text is empty")
	}
	l, f, err := formats.Import(name, data)
	if err != nil {
		return nil, f, err
	}
	if l.Name == "" {
		// The gallery, the file names of exports and the undo button
		// need a name; say where the layout came from.
		l.Name = strings.TrimSpace(name)
		if l.Name == "" {
			l.Name = "pasted " + f.Describe()
		}
	}
	if _, err := run(l); err != nil {
		return nil, f, err
	}
	return l, f, nil
}

// Export is one file the export buttons offer.
type Export struct {
	FileName string `js:"fileName"`
	Type     string `js:"type"` // MIME type of the Blob
	Text     string `js:"text"`
	Error    string `js:"error"`
}

// ExportKinds are the kinds Exported takes.
var ExportKinds = []string{"layout", "result", "ptdump", "dts"}

// Exported makes one export file of the current layout and result. The
// result exports need a layout the engine accepted.
func Exported(kind string, l *layout.Layout, res *result.Result) Export {
	stem := strings.TrimSuffix(FileName(l), ".json")
	fail := func(msg string) Export { return Export{Error: "Export " + kind + ": " + msg} }
	needResult := func() bool { return res != nil }
	switch kind {
	case "layout":
		data, err := l.Marshal()
		if err != nil {
			return fail(err.Error())
		}
		return Export{FileName: stem + ".json", Type: "application/json", Text: string(data)}
	case "result":
		if !needResult() {
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
		if !needResult() {
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
