// Command linmap runs the arm64 linear-map simulator from the command line.
//
//	linmap [-era E] [-page-size P] [-va-bits N] [-cmdline S] [-format json|ptdump|summary|trace] LAYOUT.json|-
//	linmap diff -era A -era B [-format text|json] LAYOUT.json|-
//	linmap import [-format F] FILE|-
//	linmap export -format dts|dtb|json LAYOUT.json|-
//	linmap eras
//
// Bad input exits with status 2 and one line on stderr; a simulated kernel
// panic is a result (exit 0).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"linmap/sim"
	"linmap/sim/layout"
	"linmap/sim/result"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "import":
			return cmdImport(args[1:], stdin, stdout, stderr)
		case "export":
			return cmdExport(args[1:], stdin, stdout, stderr)
		case "diff":
			return cmdDiff(args[1:], stdin, stdout, stderr)
		case "eras":
			return cmdEras(args[1:], stdout, stderr)
		}
	}
	return cmdRun(args, stdin, stdout, stderr)
}

const runUsage = `usage: linmap [-era E] [-page-size 4K|16K|64K] [-va-bits N] [-cmdline S]
              [-format summary|json|ptdump|trace] LAYOUT.json|-
       linmap diff -era A -era B [-format text|json] LAYOUT.json|-
       linmap import [-format F] FILE|-     (dts, dtb, memblock, iomem, efi, …)
       linmap export -format dts|dtb|json LAYOUT.json|-
       linmap eras [-format text|json|markdown]
`

// overrides are the flags that replace layout fields.
type overrides struct {
	era, pageSize, cmdline *string
	vaBits                 *int
}

func addOverrides(fs *flag.FlagSet) overrides {
	return overrides{
		era:      fs.String("era", "", "kernel era (see linmap eras); default: the layout's"),
		pageSize: fs.String("page-size", "", "page size: 4K, 16K or 64K; default: the layout's"),
		vaBits:   fs.Int("va-bits", 0, "VA_BITS; default: the layout's"),
		cmdline:  fs.String("cmdline", "", "kernel command line; replaces the layout's"),
	}
}

func (o overrides) apply(l *layout.Layout, fs *flag.FlagSet) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *o.era != "" {
		l.Kernel.Era = *o.era
	}
	if *o.pageSize != "" {
		l.Kernel.PageSize = *o.pageSize
	}
	if *o.vaBits != 0 {
		l.Kernel.VABits = *o.vaBits
	}
	if set["cmdline"] {
		l.Kernel.Cmdline = *o.cmdline
	}
}

func cmdRun(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("linmap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, runUsage) }
	ov := addOverrides(fs)
	format := fs.String("format", "summary", "output: summary, json, ptdump or trace")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	switch *format {
	case "summary", "json", "ptdump", "trace":
	default:
		fmt.Fprintf(stderr, "linmap: -format %q: use summary, json, ptdump or trace\n", *format)
		return 2
	}
	l, code := loadLayout("", fs, stdin, stderr)
	if l == nil {
		return code
	}
	ov.apply(l, fs)
	res, err := sim.Run(l)
	if err != nil {
		fmt.Fprintf(stderr, "linmap: %s: %v\n", displayName(fs.Arg(0)), err)
		return 2
	}
	switch *format {
	case "json":
		if code := writeJSON(stdout, stderr, res); code != 0 {
			return code
		}
	case "ptdump":
		if err := sim.Ptdump(stdout, res); err != nil {
			fmt.Fprintf(stderr, "linmap: %v\n", err)
			return 1
		}
	case "trace":
		for i, s := range res.Trace {
			fn := ""
			if s.Func != "" {
				fn = s.Func + ": "
			}
			fmt.Fprintf(stdout, "%4d %-8s %s%s\n", i, s.Kind, fn, s.Text)
		}
	default:
		writeSummary(stdout, l, res)
	}
	return 0
}

// loadLayout reads the one LAYOUT argument ("-": standard input) and
// parses it; on failure it has printed one line and returns the exit code.
func loadLayout(cmd string, fs *flag.FlagSet, stdin io.Reader, stderr io.Writer) (*layout.Layout, int) {
	name, data, code := readInput(cmd, fs, stdin, stderr)
	if code != 0 {
		return nil, code
	}
	l, err := layout.Parse(data)
	if err != nil {
		fmt.Fprintf(stderr, "linmap: %s: %v\n", displayName(name), err)
		return nil, 2
	}
	return l, 0
}

func writeSummary(w io.Writer, l *layout.Layout, r *result.Result) {
	name := l.Name
	if name == "" {
		name = "(unnamed layout)"
	}
	era := r.EraLabel
	if r.EraNote != "" {
		era += " — " + r.EraNote
	}
	fmt.Fprintf(w, "%s: era %s, %s pages, VA_BITS %d (%d in use), %d levels\n", name, era, r.PageSize, r.VABits, r.VABitsActual, r.Levels)
	fmt.Fprintf(w, "PHYS_OFFSET   %s\nPAGE_OFFSET   %s\nlinear region %s-%s\n", r.PhysOffset, r.PageOffset, r.LinearStart, endName(r.LinearEnd))
	fmt.Fprintf(w, "mapped        %s in %d runs:", layout.FormatSize(uint64(r.Stats.MappedBytes)), len(r.Mappings))
	for _, k := range sortedKeys(r.Stats.BytesByPage) {
		fmt.Fprintf(w, " %s %s;", k, layout.FormatSize(uint64(r.Stats.BytesByPage[k])))
	}
	fmt.Fprintf(w, "\nTLB entries   %d\n", r.Stats.TLBEntries)
	fmt.Fprintf(w, "page tables   %s\n", tableSummary(r))
	if len(r.Lost) == 0 {
		fmt.Fprintln(w, "lost          none")
	}
	for _, x := range r.Lost {
		fmt.Fprintf(w, "lost          %s-%s (%s) %s: %s\n", x.Base, x.Base+x.Size, layout.FormatSize(uint64(x.Size)), x.Reason, x.Detail)
	}
	for _, m := range r.Warnings {
		fmt.Fprintf(w, "warning       %s\n", m)
	}
	if r.Fatal != nil {
		fmt.Fprintf(w, "outcome       BOOT FAILS: %s\n", r.Fatal.Message)
	} else {
		fmt.Fprintln(w, "outcome       boots")
	}
}

func endName(a layout.Addr) string {
	if a == 0 {
		return "2^64"
	}
	return a.String()
}

func tableSummary(r *result.Result) string {
	var parts []string
	for _, lvl := range []string{"PGD", "P4D", "PUD", "PMD", "PTE"} {
		if n := r.Stats.TablesByLevel[lvl]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", lvl, n))
		}
	}
	if len(parts) == 0 {
		return "none allocated"
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" (%s)", layout.FormatSize(uint64(r.Stats.TableBytes)))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// cmdEras lists the era registry: what each era changed, the kernel
// versions it describes and the VA_BITS its Kconfig offered.
func cmdEras(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eras", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "text, json or markdown")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	eras := sim.Eras()
	switch *format {
	case "json":
		var out []sim.EraInfo
		for _, e := range eras {
			out = append(out, e.Info())
		}
		return writeJSON(stdout, stderr, out)
	case "markdown":
		fmt.Fprint(stdout, sim.EraTable())
	case "text":
		wID, wRel := 0, 0
		for _, e := range eras {
			wID, wRel = max(wID, len(e.ID)), max(wRel, len(e.Released))
		}
		for _, e := range eras {
			since := "not released"
			if !e.Since.IsZero() {
				since = "from v" + e.Since.String()
			}
			note := ""
			if e.Note != "" {
				note = " (" + e.Note + ")"
			}
			fmt.Fprintf(stdout, "%-*s  %-*s  %-13s  %s%s\n", wID, e.ID, wRel, e.Released, since, e.Summary, note)
		}
	default:
		fmt.Fprintf(stderr, "linmap: eras: -format %q: use text, json or markdown\n", *format)
		return 2
	}
	return 0
}

// writeJSON writes v as indented JSON, the CLI's machine-readable output.
func writeJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "linmap: %v\n", err)
		return 1
	}
	return 0
}
