package formats

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"linmap/formats/dmesg"
	"linmap/formats/dtb"
	"linmap/formats/dts"
	"linmap/formats/efi"
	"linmap/formats/evidence"
	"linmap/formats/iomem"
	"linmap/formats/kconfig"
	"linmap/formats/memblock"
	"linmap/formats/memblockdebug"
	"linmap/formats/oracle"
	"linmap/formats/ptdump"
	"linmap/formats/systemmap"
	"linmap/sim/layout"
)

// Input is one named input: a file's name (or "-" for standard input, or
// a name the app gives a pasted text) and its bytes.
type Input struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

// ErrUnrecognised is wrapped by the error for an input in none of the
// formats, so a caller that takes several inputs (the app's drop) can
// leave such a file out and say so, while an input that is one of them
// but malformed stays an error.
var ErrUnrecognised = errors.New("unrecognised input")

// DisplayName is how messages name an input.
func DisplayName(name string) string {
	if name == "" || name == "-" {
		return "standard input"
	}
	return name
}

// Read reads every input into evidence: each text is searched for every
// text format (a boot log often holds an EFI map and a memblock dump
// too). Errors name the input and the line.
func Read(inputs []Input) (*evidence.Evidence, error) {
	ev := &evidence.Evidence{}
	for _, in := range inputs {
		f, err := readFile(in, "")
		if err != nil {
			return nil, fmt.Errorf("%s: %w", DisplayName(in.Name), err)
		}
		ev.Files = append(ev.Files, f)
	}
	return ev, nil
}

// ImportAll reads the inputs and assembles one layout from them. When no
// input gives memory, the error wraps evidence.ErrNoMemory and the layout
// (reserved memory, command line, …) is returned with it.
func ImportAll(inputs []Input) (*layout.Layout, *evidence.Evidence, error) {
	ev, err := Read(inputs)
	if err != nil {
		return nil, nil, err
	}
	l, err := evidence.Assemble(ev)
	if err != nil && !errors.Is(err, evidence.ErrNoMemory) {
		names := make([]string, len(inputs))
		for i, in := range inputs {
			names[i] = DisplayName(in.Name)
		}
		return nil, ev, fmt.Errorf("%s: %w", strings.Join(names, ", "), err)
	}
	return l, ev, err
}

// Import detects the format and imports data alone. name is the file name
// ("-" or "" for standard input).
func Import(name string, data []byte) (*layout.Layout, Format, error) {
	f, ok := Detect(name, data)
	if !ok {
		var tried []string
		for _, f := range Formats {
			tried = append(tried, f.Describe())
		}
		return nil, "", fmt.Errorf("%w: it is none of %s", ErrUnrecognised, strings.Join(tried, ", "))
	}
	l, _, err := ImportAll([]Input{{Name: name, Data: data}})
	if err != nil {
		return nil, f, err
	}
	return l, f, nil
}

// ImportAs imports data as the given format only.
func ImportAs(f Format, name string, data []byte) (*layout.Layout, error) {
	file, err := readFile(Input{Name: name, Data: data}, f)
	if err != nil {
		return nil, err
	}
	return evidence.Assemble(&evidence.Evidence{Files: []*evidence.File{file}})
}

// readFile reads one input; only, when set, restricts it to one format.
func readFile(in Input, only Format) (*evidence.File, error) {
	f := &evidence.File{Name: in.Name}
	data := in.Data
	want := func(x Format) bool { return only == "" || only == x }
	add := func(name string) { f.Formats = append(f.Formats, name) }
	trimmed := bytes.TrimSpace(data)
	ext := strings.ToLower(filepath.Ext(in.Name))
	switch {
	case want(DTB) && (dtb.IsDTB(data) || only == DTB):
		l, notes, err := dtb.Read(data)
		if err != nil {
			return nil, err
		}
		f.DT, f.DTNotes = l, notes
		add(evidence.FormatDT)
		return f, nil
	case len(trimmed) > 0 && trimmed[0] == '{' && (only == "" || only == JSON || only == Oracle):
		var l *layout.Layout
		var err error
		switch {
		case oracle.IsCase(data) && only != JSON:
			l, err = oracle.FromCase(data)
		case oracle.IsHarnessLayout(data) && only != JSON:
			l, err = oracle.FromHarnessLayout(data)
		default:
			l, err = layout.Parse(data)
		}
		if err != nil {
			return nil, err
		}
		f.Layout = l
		add(evidence.FormatLayout)
		return f, nil
	case want(DTS) && (ext == ".dts" || ext == ".dtsi" || only == DTS || only == "" && isDTS(string(data))):
		l, notes, err := dts.Read(data)
		if err != nil {
			return nil, err
		}
		f.DT, f.DTNotes = l, notes
		add(evidence.FormatDT)
		return f, nil
	case only == "" && filepath.Base(in.Name) == "cmdline" && !bytes.Contains(trimmed, []byte("\n")):
		f.Cmdline = string(trimmed)
		add(evidence.FormatCmdline)
		return f, nil
	}
	if err := readText(f, string(data), want); err != nil {
		return nil, err
	}
	if len(f.Formats) == 0 {
		if only != "" {
			return nil, fmt.Errorf("nothing in it reads as %s", only.Describe())
		}
		var tried []string
		for _, x := range Formats {
			tried = append(tried, x.Describe())
		}
		return nil, fmt.Errorf("%w: it is none of %s", ErrUnrecognised, strings.Join(tried, ", "))
	}
	return f, nil
}

// readText runs every text format's reader that finds its lines.
func readText(f *evidence.File, text string, want func(Format) bool) error {
	add := func(name string) { f.Formats = append(f.Formats, name) }
	if want(Dmesg) {
		if lg := dmesg.Parse(text); lg.Found() {
			f.Log = lg
			add(evidence.FormatLog)
		}
	}
	if want(Memblock) && memblock.Detect(text) {
		ls, err := memblock.Parse(text, f.Name)
		if err != nil {
			return err
		}
		if len(ls.Memory) == 0 && len(ls.Reserved) > 0 {
			return fmt.Errorf("only memblock.reserved was found: paste /sys/kernel/debug/memblock/memory too (the memory list comes first)")
		}
		f.Memblock = ls
		add(evidence.FormatMemblock)
	}
	if want(MemblockDebug) && memblockdebug.Detect(text) {
		d, err := memblockdebug.Parse(text)
		if err != nil {
			return err
		}
		f.MemblockDump = d
		add(evidence.FormatMemblockDebug)
	}
	if want(IOMem) && iomem.Detect(text) {
		rs, err := iomem.Parse(text)
		if err != nil {
			return err
		}
		if iomem.Hidden(rs) {
			return fmt.Errorf("every address in this /proc/iomem is zero: the kernel hides them from unprivileged readers; read it as root")
		}
		f.IOMem = rs
		add(evidence.FormatIOMem)
	}
	if want(EFI) && efi.Detect(text) {
		ds, err := efi.Parse(text)
		if err != nil {
			return err
		}
		f.EFI = ds
		add(evidence.FormatEFI)
	}
	if want(Config) && kconfig.Detect(text) {
		c, err := kconfig.Parse(text)
		if err != nil {
			return err
		}
		f.Config = c
		add(evidence.FormatConfig)
	}
	if want(SystemMap) && systemmap.Detect(text) {
		m, err := systemmap.Parse(text)
		if err != nil {
			return err
		}
		f.Symbols = m
		add(evidence.FormatSymbols)
	}
	if want(Ptdump) && ptdump.Detect(text) {
		ds, err := ptdump.Parse(text)
		if err != nil {
			return err
		}
		f.Ptdumps = ds
		add(evidence.FormatPtdump)
	}
	return nil
}
