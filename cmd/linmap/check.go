package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"linmap/check"
)

const checkUsage = `usage: linmap check [-format text|json] [-era E] [-page-size P] [-va-bits N] [-cmdline S] FILE|- [FILE…]

Builds the layout from what a machine printed (a boot log, /proc/iomem,
memblock lists, an efi=debug map, kernel_page_tables, its .config and
System.map, a device tree), simulates it, and sets every fact the machine
printed beside the model's answer: agrees, differs (with the likely cause)
or unchecked. -era, -page-size, -va-bits and -cmdline override what the
inputs imply (to test "what if"). Exit status 0 when it ran, whatever it
found; 2 on bad input.
`

// cmdCheck implements "linmap check".
func cmdCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, checkUsage) }
	format := fs.String("format", "text", "output: text or json")
	ov := addOverrides(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "linmap check: -format %q: use text or json\n", *format)
		return 2
	}
	inputs, code := readInputs("check", fs, stdin, stderr)
	if code != 0 {
		return code
	}
	opts := check.Options{Era: *ov.era, PageSize: *ov.pageSize, VABits: *ov.vaBits}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "cmdline" {
			opts.Cmdline = ov.cmdline
		}
	})
	rep, err := check.Run(inputs, opts)
	if err != nil {
		fmt.Fprintf(stderr, "linmap check: %v\n", err)
		return 2
	}
	if *format == "json" {
		// The text report lists the assumptions; with JSON they are
		// notes on stderr too, as import writes them.
		if rep.Layout != nil {
			for _, a := range rep.Layout.Assumptions {
				fmt.Fprintf(stderr, "linmap check: note: %s\n", a)
			}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(rep)
	} else {
		err = check.WriteText(stdout, rep)
	}
	if err != nil {
		fmt.Fprintf(stderr, "linmap check: %v\n", err)
		return 1
	}
	return 0
}
