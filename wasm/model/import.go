package model

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"linmap/assets"
	"linmap/formats"
	"linmap/sim/layout"
	"linmap/wasm/numfmt"
)

// File is one file (or pasted text) handed to Import.
type File struct {
	Name string // "" for pasted text
	Data []byte
}

func (f File) what() string {
	if f.Name == "" {
		return "pasted text"
	}
	return f.Name
}

// Assumption is one thing an import had to assume (an era, where the image
// was loaded, a skipped include's cells), shown beside the result so the
// user can see what the simulation rests on.
type Assumption struct {
	Source string `js:"source" json:"source"` // the file it is about ("" for the layout)
	Text   string `js:"text" json:"text"`
}

// assumptionsOf lists what the importer assumed to build l, as it
// recorded it in the layout (layout.Assumptions).
func assumptionsOf(l *layout.Layout, source string) []Assumption {
	var out []Assumption
	for _, a := range l.Assumptions {
		src := a.Source
		if src == "" {
			src = source
		}
		text := a.Field
		if a.Value != "" {
			text += " = " + a.Value
		}
		out = append(out, Assumption{Source: src, Text: text + " (" + a.Kind + "): " + a.Reason})
	}
	return out
}

// ImportError is an import that changed nothing: for each file, why.
type ImportError struct {
	Files []string // "x.dts (device-tree source): line 3: …"
}

func (e *ImportError) Error() string { return "Not imported: " + strings.Join(e.Files, "; ") }

// Import is the one way files become the layout: dropped, opened or pasted,
// one or several. Each is detected and imported (formats.Import); the
// engine must take the result. The first file that yields a layout becomes
// it; the others are listed as assumptions, so what was not used is said.
// When nothing can be imported the layout stays and the error names each
// file's fault (field and value, or line).
func (m *Model) Import(files ...File) error {
	var used *layout.Layout
	var usedFrom File
	var usedFormat formats.Format
	var failed []string
	var notes []Assumption
	for _, f := range files {
		l, format, err := m.importOne(f)
		if err != nil {
			what := f.what()
			if format != "" {
				what += " (" + format.Describe() + ")"
			}
			failed = append(failed, what+": "+err.Error())
			continue
		}
		if used == nil {
			used, usedFrom, usedFormat = l, f, format
			continue
		}
		notes = append(notes, Assumption{Source: f.what(), Text: fmt.Sprintf("also a %s; the layout is %s's", format.Describe(), usedFrom.what())})
	}
	if used == nil {
		err := &ImportError{Files: failed}
		if len(files) == 0 {
			err.Files = []string{"nothing to import"}
		}
		m.Notify(CodeImportFailed, Error, err.Error())
		return err
	}
	for _, f := range failed {
		notes = append(notes, Assumption{Source: "", Text: "not used: " + f})
	}
	m.SetLayout(used, "import "+usedFrom.what(), "", append(assumptionsOf(used, usedFrom.what()), notes...))
	m.dismissCode(CodeImportFailed)
	m.Notify(CodeImported, Info, fmt.Sprintf("Imported %s as %s: %s.", usedFrom.what(), usedFormat.Describe(), numfmt.Plural(uint64(len(used.Memory)), "memory bank")))
	return nil
}

func (m *Model) importOne(f File) (*layout.Layout, formats.Format, error) {
	if len(bytes.TrimSpace(f.Data)) == 0 {
		return nil, "", errors.New("nothing to import: the text is empty")
	}
	l, format, err := formats.Import(f.Name, f.Data)
	if err != nil {
		return nil, format, err
	}
	if l.Name == "" {
		// The gallery, export file names and the undo button need a
		// name: say where the layout came from.
		l.Name = strings.TrimSpace(f.Name)
		if l.Name == "" {
			l.Name = "pasted " + format.Describe()
		}
	}
	if _, err := m.simulate(l); err != nil {
		return nil, format, err
	}
	return l, format, nil
}

// presetLayout is the embedded preset id and its layout.
func presetLayout(id string) (assets.Preset, *layout.Layout, error) {
	p, ok := assets.Lookup(id)
	if !ok {
		return p, nil, fmt.Errorf("no preset %q", id)
	}
	l, err := layout.Parse(p.Layout)
	if err != nil {
		return p, nil, fmt.Errorf("%s: %w", p.ID, err)
	}
	return p, l, nil
}

// OpenPreset makes a model showing the embedded preset id (the app's
// first layout, and the tests').
func OpenPreset(id string, run RunFunc) (*Model, error) {
	_, l, err := presetLayout(id)
	if err != nil {
		return nil, err
	}
	return New(l, id, run), nil
}

// LoadPreset makes an embedded preset the layout.
func (m *Model) LoadPreset(id string) error {
	p, l, err := presetLayout(id)
	if err != nil {
		m.Notify(CodeImportFailed, Error, err.Error())
		return err
	}
	m.SetLayout(l, "preset "+p.Name, p.ID, assumptionsOf(l, ""))
	m.Notify(CodePreset, Info, "Preset: "+p.Name+".")
	return nil
}
