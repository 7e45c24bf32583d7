package model

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"linmap/assets"
	"linmap/formats"
	"linmap/formats/evidence"
	"linmap/sim/layout"
	"linmap/wasm/numfmt"
)

// File is one file (or pasted text) handed to Import, AddInputs or Check.
type File struct {
	Name string // "" for pasted text
	Data []byte
}

// Input is one file or pasted text about the board, as read: the inputs
// the layout was built from, or those gathered to import or check
// together.
type Input struct {
	Name string // the file's name, or "pasted text", "pasted text 2", …
	Data []byte
	// Formats is what was found in it ("kernel log", "kernel_page_tables"):
	// a boot log often holds an EFI map or a memblock dump too.
	Formats []string
	// Main is the format it is detected as, for messages.
	Main formats.Format
}

// describe names the input with its main format: "pasted text
// (device-tree source)".
func (in Input) describe() string {
	if in.Main == "" {
		return in.Name
	}
	return in.Name + " (" + in.Main.Describe() + ")"
}

// inputs are the files and texts the user gave about the board.
type inputs struct {
	// pending were added (Add text) and not yet imported or checked.
	pending []Input
	// source is what the layout was last built from by an import or a
	// check; Check takes it when nothing is pending.
	source []Input
	// hint says what the gathered inputs lack ("" when nothing).
	hint string
	// taken counts the times the files handed with AddInputs,
	// ImportPasted or CheckBoard (the paste box's text) were used: the
	// page empties its box then, so the text is not given twice.
	taken int
}

// Taken grows each time the text handed with AddInputs, ImportPasted or
// CheckBoard was used.
func (m *Model) Taken() int { return m.in.taken }

// Inputs is what was gathered and not yet imported or checked.
func (m *Model) Inputs() []Input { return m.in.pending }

// SourceInputs is what the last import or check built the layout from.
func (m *Model) SourceInputs() []Input { return m.in.source }

// readSet reads files into inputs after base, naming pasted texts
// "pasted text", "pasted text 2", …. A file in none of the formats is
// left out with a note (a README dropped with the logs); a malformed one,
// or an empty text, is a failure naming the file and the line.
func readSet(base []Input, files []File) (set []Input, failed []string, skipped []layout.Assumption) {
	set = append([]Input(nil), base...)
	for _, f := range files {
		in, err := readInput(f, set)
		switch {
		case errors.Is(err, formats.ErrUnrecognised):
			skipped = append(skipped, layout.Assumption{Field: "input", Kind: layout.Skipped, Source: in.Name,
				Reason: "not used: " + err.Error()})
		case err != nil:
			failed = append(failed, in.describe()+": "+err.Error())
		default:
			set = append(set, in)
		}
	}
	return set, failed, skipped
}

func readInput(f File, others []Input) (Input, error) {
	in := Input{Name: strings.TrimSpace(f.Name), Data: f.Data}
	if in.Name == "" {
		in.Name = pastedName(others)
	}
	if len(bytes.TrimSpace(f.Data)) == 0 {
		return in, errors.New("nothing to import: the text is empty")
	}
	in.Main, _ = formats.Detect(in.Name, in.Data)
	ev, err := formats.Read([]formats.Input{{Name: in.Name, Data: in.Data}})
	if err != nil {
		// Read names the input; the caller names it with its format.
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		return in, err
	}
	in.Formats = ev.Files[0].Formats
	return in, nil
}

// pastedName is the next free name for a pasted text.
func pastedName(others []Input) string {
	used := map[string]bool{}
	for _, o := range others {
		used[o.Name] = true
	}
	name := "pasted text"
	for n := 2; used[name]; n++ {
		name = "pasted text " + strconv.Itoa(n)
	}
	return name
}

func formatsInputs(set []Input) []formats.Input {
	out := make([]formats.Input, len(set))
	for i, in := range set {
		out[i] = formats.Input{Name: in.Name, Data: in.Data}
	}
	return out
}

// names lists the inputs for messages: "dmesg.txt and ptdump.txt".
func names(set []Input, describe bool) string {
	parts := make([]string, len(set))
	for i, in := range set {
		parts[i] = in.Name
		if describe {
			parts[i] = in.describe()
		}
	}
	switch len(parts) {
	case 0:
		return "nothing"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// ImportError is an import that changed nothing: for each file, why.
type ImportError struct {
	Files []string // "x.dts (device-tree source): line 3: …"
}

func (e *ImportError) Error() string { return "Not imported: " + strings.Join(e.Files, "; ") }

// Import is the one way files become the layout: dropped, opened or
// pasted, one or several. The files given, with everything gathered
// (AddInputs), build ONE layout (formats.ImportAll, as "linmap import
// FILE…" does): a boot log gives the kernel, a ptdump the page size, a
// .config the options. What the import inferred or assumed, and any file
// it left out, is in the layout's assumptions. When the files cannot be
// read, give no memory, or the engine refuses the result, the layout
// stays and a notice says why, naming the file and line.
func (m *Model) Import(files ...File) error { return m.importSet(m.in.pending, files) }

// ImportPasted is Import for the paste box's text: Taken grows when the
// text was used (imported, or kept gathered for want of memory).
func (m *Model) ImportPasted(files ...File) error {
	err := m.importSet(m.in.pending, files)
	if len(files) > 0 && (err == nil || errors.Is(err, evidence.ErrNoMemory)) {
		m.in.taken++
	}
	return err
}

// AddInputs gathers files to import or check together later. A file that
// cannot be read is refused (the notice names it and its line); one in
// none of the formats too, since nothing would use it.
func (m *Model) AddInputs(files ...File) error {
	set, failed, skipped := readSet(m.in.pending, files)
	for _, s := range skipped {
		failed = append(failed, s.Source+": "+s.Reason)
	}
	if len(failed) > 0 {
		err := &ImportError{Files: failed}
		m.Notify(CodeImportFailed, Error, "Not added: "+strings.Join(failed, "; "))
		return err
	}
	m.in.pending = set
	m.in.taken++
	m.dismissCode(CodeImportFailed)
	m.changed()
	return nil
}

// RemoveInput drops the i-th gathered input.
func (m *Model) RemoveInput(i int) {
	if i < 0 || i >= len(m.in.pending) {
		return
	}
	m.in.pending = append(m.in.pending[:i:i], m.in.pending[i+1:]...)
	m.in.hint = ""
	m.changed()
}

// ClearInputs drops every gathered input.
func (m *Model) ClearInputs() {
	if len(m.in.pending) > 0 {
		m.in.pending, m.in.hint = nil, ""
		m.changed()
	}
}

func (m *Model) importSet(base []Input, files []File) error {
	set, failed, skipped := readSet(base, files)
	fail := func(msgs ...string) error {
		err := &ImportError{Files: msgs}
		m.Notify(CodeImportFailed, Error, err.Error())
		return err
	}
	switch {
	case len(failed) > 0:
		return fail(failed...)
	case len(set) == 0 && len(skipped) > 0:
		var msgs []string
		for _, s := range skipped {
			msgs = append(msgs, s.Source+": "+strings.TrimPrefix(s.Reason, "not used: "))
		}
		return fail(msgs...)
	case len(set) == 0:
		return fail("nothing to import: paste a text, or drop or open files")
	}
	l, _, err := formats.ImportAll(formatsInputs(set))
	if errors.Is(err, evidence.ErrNoMemory) {
		return m.noMemory(set, l, err)
	}
	if err != nil {
		return fail(err.Error())
	}
	l.Assumptions = append(l.Assumptions, skipped...)
	nameLayout(l, set)
	r, err := m.simulate(l)
	if err != nil {
		return fail(names(set, true) + ": " + err.Error())
	}
	m.setLayout(l, "import "+label(set), "", r)
	m.in.source, m.in.pending, m.in.hint = set, nil, ""
	m.dismissCode(CodeImportFailed)
	m.dismissCode(CodeNoMemory)
	banks := numfmt.Plural(uint64(len(l.Memory)), "memory bank")
	if len(set) == 1 && set[0].Main != "" {
		m.Notify(CodeImported, Info, fmt.Sprintf("Imported %s as %s: %s.", set[0].Name, set[0].Main.Describe(), banks))
	} else {
		m.Notify(CodeImported, Info, fmt.Sprintf("Imported %s together: %s.", names(set, true), banks))
	}
	return nil
}

// noMemory handles inputs that give everything but the memory (a device
// tree whose /memory the boot loader fills in, a .config, a ptdump of
// another section): a layout needs banks, so it stays as it is, and the
// inputs stay gathered so that adding one that gives the memory and
// importing again completes them. The notice says how.
func (m *Model) noMemory(set []Input, l *layout.Layout, err error) error {
	m.in.pending = set
	// The device tree's case first: a canvas notice shows one line.
	msg := "Not imported: " + err.Error() + "."
	if dt := dtName(set); dt != "" {
		nomap := 0
		for _, r := range l.Reserved {
			if r.NoMap {
				nomap++
			}
		}
		msg = fmt.Sprintf("Not imported: %s has no memory banks (the boot loader fills /memory in); its reserved memory is read: %s (%d no-map).",
			dt, numfmt.Plural(uint64(len(l.Reserved)), "range"), nomap)
	}
	m.in.hint = msg + " " + addBanks
	m.Notify(CodeNoMemory, Error, m.in.hint)
	return err
}

// addBanks says how to complete inputs that give no memory, in the app.
const addBanks = "To add banks: paste /proc/iomem, /sys/kernel/debug/memblock/memory or a boot log with \"Early memory node ranges\" and press Add text (or drop it with the others), or type one line per bank such as \"40000000-bfffffff : System RAM\"; then Import. What you gave stays in the list."

// Hint says what the gathered inputs lack (memory), or "".
func (m *Model) Hint() string { return m.in.hint }

// dtName is the first device tree among the inputs, or "".
func dtName(set []Input) string {
	for _, in := range set {
		for _, f := range in.Formats {
			if f == evidence.FormatDT {
				return in.Name
			}
		}
	}
	return ""
}

// nameLayout names an unnamed layout after its inputs: the gallery,
// export file names and the undo button need a name.
func nameLayout(l *layout.Layout, set []Input) {
	if l.Name != "" {
		return
	}
	// A pasted text is named by what it is: "pasted kernel log +1".
	first := set[0].Name
	if strings.HasPrefix(first, "pasted text") && set[0].Main != "" {
		first = "pasted " + set[0].Main.Describe()
	}
	l.Name = first
	if len(set) > 1 {
		l.Name += " +" + strconv.Itoa(len(set)-1)
	}
}

// label names inputs for the undo button: "dmesg.txt", "dmesg.txt +1".
func label(set []Input) string {
	if len(set) == 0 {
		return ""
	}
	if len(set) == 1 {
		return set[0].Name
	}
	return set[0].Name + " +" + strconv.Itoa(len(set)-1)
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
	m.SetLayout(l, "preset "+p.Name, p.ID)
	m.Notify(CodePreset, Info, "Preset: "+p.Name+".")
	return nil
}
