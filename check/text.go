package check

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the report for people: the inputs, the model (with
// every assumption), then each fact with its verdict. Runs of agreeing
// ptdump ranges are folded into one line.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintln(&b, "inputs:")
	for _, in := range r.Inputs {
		fmt.Fprintf(&b, "  %s: %s\n", in.Name, strings.Join(in.Formats, ", "))
	}
	if res := r.Result; res != nil {
		outcome := "boots"
		if res.Fatal != nil {
			outcome = "BOOT FAILS: " + res.Fatal.Message
		}
		fmt.Fprintf(&b, "model: era %s, %s pages, VA_BITS %d (%d in use), PHYS_OFFSET %s, linear region %s-%s; %s\n",
			res.EraLabel, res.PageSize, res.VABits, res.VABitsActual, res.PhysOffset, res.LinearStart, res.LinearEndText(), outcome)
	} else {
		fmt.Fprintf(&b, "model: none (%s)\n", r.Problem)
	}
	if r.Layout != nil && len(r.Layout.Assumptions) > 0 {
		fmt.Fprintln(&b, "assumptions:")
		for _, a := range r.Layout.Assumptions {
			fmt.Fprintf(&b, "  %s\n", a)
		}
	}
	fmt.Fprintf(&b, "facts: %d agree, %d differ, %d unchecked\n", r.Summary.Agrees, r.Summary.Differs, r.Summary.Unchecked)
	facts := r.Facts
	for i := 0; i < len(facts); i++ {
		f := facts[i]
		if f.Kind == KindPtdump && f.Verdict == Agrees {
			j := i
			for j+1 < len(facts) && facts[j+1].Kind == KindPtdump && facts[j+1].Verdict == Agrees && ptdumpName(facts[j+1]) == ptdumpName(f) {
				j++
			}
			if j > i {
				last := facts[j]
				fmt.Fprintf(&b, "  agrees     %s: linear map %s-%s: %d ranges agree (%s lines %d-%d)\n", ptdumpName(f), f.Ranges[0].Start, last.Ranges[0].End,
					j-i+1, f.Printed.Source.File, f.Printed.Source.Line, last.Printed.Source.Line)
				i = j
				continue
			}
		}
		writeFact(&b, f)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func ptdumpName(f Fact) string {
	name, _, _ := strings.Cut(f.What, ": ")
	return name
}

func writeFact(b *strings.Builder, f Fact) {
	verdict := map[string]string{Agrees: "agrees", Differs: "DIFFERS", Unchecked: "unchecked"}[f.Verdict]
	src := f.Printed.Source.File
	if f.Printed.Source.Line > 0 {
		src += fmt.Sprintf(":%d", f.Printed.Source.Line)
	}
	fmt.Fprintf(b, "  %-10s %s: printed %s (%s)", verdict, f.What, f.Printed.Value, src)
	if f.Model != "" {
		fmt.Fprintf(b, ", model %s", f.Model)
	}
	b.WriteString("\n")
	if f.Cause != "" {
		fmt.Fprintf(b, "             %s\n", f.Cause)
	}
}
