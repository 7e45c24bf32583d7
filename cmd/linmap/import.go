package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"linmap/formats"
	"linmap/formats/dtb"
	"linmap/formats/dts"
	"linmap/sim/layout"
)

const importUsage = `usage: linmap import [-format FORMAT] FILE|-

Reads a machine description and writes it as a linmap layout (JSON).
FORMAT is auto (the default: detected from the content) or one of
dts, dtb, memblock, memblock-debug, iomem, efi, json, oracle.
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
	format := fs.String("format", "auto", "input format")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	f, err := formats.Parse(*format)
	if err != nil {
		fmt.Fprintf(stderr, "linmap import: %v\n", err)
		return 2
	}
	name, data, code := readInput("import", fs, stdin, stderr)
	if code != 0 {
		return code
	}
	var l *layout.Layout
	if f == "" {
		l, _, err = formats.Import(name, data)
	} else {
		l, err = formats.ImportAs(f, name, data)
	}
	if err != nil {
		fmt.Fprintf(stderr, "linmap import: %s: %v\n", displayName(name), err)
		return 2
	}
	out, err := l.Marshal()
	if err != nil {
		fmt.Fprintf(stderr, "linmap import: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(out); err != nil {
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
		fmt.Fprintf(stderr, "linmap export: %s: %v\n", displayName(name), err)
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
	if cmd != "" {
		cmd = " " + cmd
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "linmap%s: expected one FILE (or - for standard input), got %d arguments\n", cmd, fs.NArg())
		fs.Usage()
		return "", nil, 2
	}
	name := fs.Arg(0)
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		fmt.Fprintf(stderr, "linmap%s: %v\n", cmd, err)
		return "", nil, 2
	}
	return name, data, 0
}

func displayName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}
