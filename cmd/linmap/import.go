package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"linmap/formats"
	"linmap/formats/dtb"
	"linmap/formats/dts"
	"linmap/formats/evidence"
	"linmap/sim/layout"
)

const importUsage = `usage: linmap import [-format FORMAT] FILE|- [FILE…]

Reads what a machine printed or declares — a device tree, memblock lists,
/proc/iomem, a boot log (with its efi=debug map or memblock=debug dump),
a .config, a System.map, kernel_page_tables — and writes one linmap layout
(JSON) built from all of them. Every value it had to infer or assume is a
note on standard error and in the layout's "assumptions".
FORMAT (one FILE only) is auto (the default: detected from the content) or
one of dts, dtb, memblock, memblock-debug, iomem, efi, dmesg, config,
system-map, ptdump, json, oracle.
`

const exportUsage = `usage: linmap export -format dts|dtb|json FILE|-

Reads a layout (or anything "linmap import" reads) and writes it as a
device-tree source, a device-tree blob, or layout JSON.
`

// cmdImport implements "linmap import". Bad input is one line on stderr
// and exit status 2.
func cmdImport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, importUsage) }
	format := fs.String("format", "auto", "input format (one FILE only)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	f, err := formats.Parse(*format)
	if err != nil {
		fmt.Fprintf(stderr, "linmap import: %v\n", err)
		return 2
	}
	inputs, code := readInputs("import", fs, stdin, stderr)
	if code != 0 {
		return code
	}
	var l *layout.Layout
	switch {
	case f != "" && len(inputs) > 1:
		fmt.Fprintln(stderr, "linmap import: -format applies to one FILE; with several, each is detected from its content")
		return 2
	case f != "":
		l, err = formats.ImportAs(f, inputs[0].Name, inputs[0].Data)
		if err != nil {
			err = fmt.Errorf("%s: %w", formats.DisplayName(inputs[0].Name), err)
		}
	default:
		var ev *evidence.Evidence
		l, ev, err = formats.ImportAll(inputs)
		if errors.Is(err, evidence.ErrNoMemory) && hasDT(ev) {
			// A device tree whose memory the boot loader fills in: its
			// reserved memory is still worth a layout, to complete by hand.
			writeNotes(stderr, l)
			fmt.Fprintf(stderr, "linmap import: note: %v\n", err)
			return writeLayout(stdout, stderr, l)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "linmap import: %v\n", err)
		return 2
	}
	writeNotes(stderr, l)
	return writeLayout(stdout, stderr, l)
}

// hasDT reports whether an input was a device tree.
func hasDT(ev *evidence.Evidence) bool {
	if ev == nil {
		return false
	}
	for _, f := range ev.Files {
		if f.DT != nil {
			return true
		}
	}
	return false
}

// writeNotes prints one note per assumption.
func writeNotes(w io.Writer, l *layout.Layout) {
	for _, a := range l.Assumptions {
		fmt.Fprintf(w, "linmap import: note: %s\n", a)
	}
}

func writeLayout(stdout, stderr io.Writer, l *layout.Layout) int {
	out, err := l.Marshal()
	if err == nil {
		_, err = stdout.Write(out)
	}
	if err != nil {
		fmt.Fprintf(stderr, "linmap import: %v\n", err)
		return 1
	}
	return 0
}

// cmdExport implements "linmap export".
func cmdExport(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, exportUsage) }
	format := fs.String("format", "", "output format: dts, dtb or json")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	switch *format {
	case "dts", "dtb", "json":
	case "":
		fmt.Fprintln(stderr, "linmap export: -format is required (dts, dtb or json)")
		return 2
	default:
		fmt.Fprintf(stderr, "linmap export: unknown output format %q (known: dts, dtb, json)\n", *format)
		return 2
	}
	name, data, code := readInput("export", fs, stdin, stderr)
	if code != 0 {
		return code
	}
	l, _, err := formats.Import(name, data)
	if err != nil {
		fmt.Fprintf(stderr, "linmap export: %s: %v\n", formats.DisplayName(name), err)
		return 2
	}
	var out []byte
	switch *format {
	case "dts":
		out = dts.Export(l)
	case "dtb":
		out, err = dtb.Export(l)
	case "json":
		out, err = l.Marshal()
	}
	if err == nil {
		_, err = stdout.Write(out)
	}
	if err != nil {
		fmt.Fprintf(stderr, "linmap export: %v\n", err)
		return 1
	}
	return 0
}

// readInput reads the one FILE argument, "-" meaning standard input.
// cmd is the subcommand ("" for the plain simulation).
func readInput(cmd string, fs *flag.FlagSet, stdin io.Reader, stderr io.Writer) (string, []byte, int) {
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "linmap%s: expected one FILE (or - for standard input), got %d arguments\n", cmdName(cmd), fs.NArg())
		fs.Usage()
		return "", nil, 2
	}
	in, code := readFiles(cmd, fs.Args(), stdin, stderr)
	if code != 0 {
		return "", nil, code
	}
	return in[0].Name, in[0].Data, 0
}

// readInputs reads one or more FILE arguments ("-", once, is standard
// input).
func readInputs(cmd string, fs *flag.FlagSet, stdin io.Reader, stderr io.Writer) ([]formats.Input, int) {
	if fs.NArg() == 0 {
		fmt.Fprintf(stderr, "linmap%s: expected one or more FILEs (or - for standard input)\n", cmdName(cmd))
		fs.Usage()
		return nil, 2
	}
	return readFiles(cmd, fs.Args(), stdin, stderr)
}

func readFiles(cmd string, names []string, stdin io.Reader, stderr io.Writer) ([]formats.Input, int) {
	var in []formats.Input
	stdinRead := false
	for _, name := range names {
		var data []byte
		var err error
		if name == "-" {
			if stdinRead {
				fmt.Fprintf(stderr, "linmap%s: - (standard input) given twice\n", cmdName(cmd))
				return nil, 2
			}
			stdinRead = true
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(name)
		}
		if err != nil {
			fmt.Fprintf(stderr, "linmap%s: %v\n", cmdName(cmd), err)
			return nil, 2
		}
		in = append(in, formats.Input{Name: name, Data: data})
	}
	return in, 0
}

func cmdName(cmd string) string {
	if cmd != "" {
		return " " + cmd
	}
	return ""
}
