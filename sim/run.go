// Package sim simulates how an arm64 Linux kernel of a given era builds its
// linear map for a given machine layout.
package sim

import (
	"fmt"
	"strings"

	"linmap/sim/kernel"
	"linmap/sim/layout"
	"linmap/sim/result"
)

// DefaultEra is used when a layout names none: the newest era checked
// against real kernels.
const DefaultEra = "v6.12"

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
	info, ok := LookupEra(id)
	if !ok {
		ids := make([]string, len(eraTable))
		for i, e := range eraTable {
			ids[i] = e.ID
		}
		return nil, &layout.FieldError{Field: "kernel.era", Value: fmt.Sprintf("%q", l.Kernel.Era),
			Msg: "unknown era; choose one of " + strings.Join(ids, ", ")}
	}
	res, err := kernel.Run(l, id, kernel.Options{VAChoices: info.VABits, DefaultPage: info.DefaultPageSize, DefaultVABits: info.DefaultVABits})
	if err != nil {
		return nil, err
	}
	res.EraLabel = info.Label
	res.EraNote = info.Note
	return res, nil
}
