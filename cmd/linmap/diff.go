package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"linmap/sim"
	"linmap/sim/compare"
	"linmap/sim/layout"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

const diffUsage = `usage: linmap diff -era A -era B [-cmdline-a S] [-cmdline-b S] [-format text|json] LAYOUT.json|-

Runs the layout twice (two eras, or the same era with two command lines)
and lists the physical ranges whose leaf size, contiguous bit or
mapped/lost state differ, with a summary table.
`

func cmdDiff(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, diffUsage) }
	var eras multiFlag
	fs.Var(&eras, "era", "era to compare (give twice, or once to compare two command lines)")
	cmdA := fs.String("cmdline-a", "", "command line for the first run (default: the layout's)")
	cmdB := fs.String("cmdline-b", "", "command line for the second run (default: the layout's)")
	format := fs.String("format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if len(eras) > 2 {
		fs.Usage()
		return 2
	}
	l, code := loadLayout("diff", fs, stdin, stderr)
	if l == nil {
		return code
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	variant := func(i int, cmd string, useCmd bool) (*layout.Layout, string) {
		c := l.Clone()
		switch {
		case len(eras) == 2:
			c.Kernel.Era = eras[i]
		case len(eras) == 1:
			c.Kernel.Era = eras[0]
		}
		if useCmd {
			c.Kernel.Cmdline = cmd
		}
		label := c.Kernel.Era
		if useCmd {
			label += " [" + cmd + "]"
		}
		return c, label
	}
	la, nameA := variant(0, *cmdA, set["cmdline-a"])
	lb, nameB := variant(1, *cmdB, set["cmdline-b"])
	ra, err := sim.Run(la)
	if err != nil {
		fmt.Fprintf(stderr, "linmap diff: %s (%s): %v\n", displayName(fs.Arg(0)), nameA, err)
		return 2
	}
	rb, err := sim.Run(lb)
	if err != nil {
		fmt.Fprintf(stderr, "linmap diff: %s (%s): %v\n", displayName(fs.Arg(0)), nameB, err)
		return 2
	}
	d := compare.Results(ra, rb)
	if *format == "json" {
		if code := writeJSON(stdout, stderr, struct {
			A string `json:"a"`
			B string `json:"b"`
			compare.Diff
		}{nameA, nameB, d}); code != 0 {
			return code
		}
		return 0
	}
	if *format != "text" {
		fmt.Fprintf(stderr, "linmap diff: -format %q: use text or json\n", *format)
		return 2
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\t%s\t%s\n", nameA, nameB)
	for _, r := range d.Summary {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.What, r.A, r.B)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "\n%d physical ranges differ:\n", len(d.Ranges))
	for _, r := range d.Ranges {
		fmt.Fprintf(stdout, "  %s-%s %8s  %s → %s\n", r.PA, r.PA+r.Size, layout.FormatSize(uint64(r.Size)), r.A, r.B)
	}
	return 0
}
