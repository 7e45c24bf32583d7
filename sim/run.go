// Package sim simulates how an arm64 Linux kernel of a given era builds its
// linear map for a given machine layout.
package sim

import (
	"fmt"
	"io"
	"strings"

	"linmap/sim/kernel"
	"linmap/sim/layout"
	"linmap/sim/ptdump"
	"linmap/sim/result"
)

// Run simulates the layout's kernel era booting on the layout's machine.
// It returns an error only for input the era cannot take (a
// *layout.FieldError naming the field and value); a simulated panic is a
// result with Fatal set.
func Run(l *layout.Layout) (*result.Result, error) {
	if err := l.Check(); err != nil {
		return nil, err
	}
	id := l.Kernel.Era
	if id == "" {
		id = DefaultEra
	}
	e, ok := LookupEra(id)
	if !ok {
		return nil, &layout.FieldError{Field: "kernel.era", Value: fmt.Sprintf("%q", l.Kernel.Era),
			Msg: "unknown era; choose one of " + strings.Join(EraIDs(), ", ")}
	}
	res, err := kernel.Run(l, &e.Spec)
	if err != nil {
		return nil, err
	}
	res.EraLabel = e.Label
	res.EraNote = e.Note
	return res, nil
}

// Ptdump writes r's linear map as its era's kernel_page_tables shows it.
func Ptdump(w io.Writer, r *result.Result) error {
	e, ok := LookupEra(r.Era)
	if !ok {
		return fmt.Errorf("ptdump: unknown era %q", r.Era)
	}
	return ptdump.Write(w, r, e.Ptdump)
}
