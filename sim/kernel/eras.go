package kernel

import (
	"linmap/sim/geom"
	"linmap/sim/layout"
	"linmap/sim/memblock"
	"linmap/sim/result"
)

type eraEntry struct {
	era      Era
	defaults Defaults
}

var eras = map[string]eraEntry{
	"v3.18":    {Classic{}, v3_18Defaults},
	"rfc-2014": {Classic{RFC: true}, v3_18Defaults},
	"v4.6":     {v4_6, v4_6Defaults},
	"v4.19":    {v4_19, v4_19Defaults},
	"v5.15":    {v5_15, v5_15Defaults},
	"v6.1":     {v6_1, v6_1Defaults},
	"v6.12":    {v6_12, v6_12Defaults},
	"v6.18":    {v6_18, v6_18Defaults},
}

// defaultsFor adjusts an era's typical image to the page size: Debian's
// 16K builds of 6.12 have a larger __init_begin and _end.
func defaultsFor(era string, pageShift int) Defaults {
	d := eras[era].defaults
	if (era == "v6.12" || era == "v6.18") && pageShift != 12 {
		d.InitBegin, d.End = 0x1d30000, 0x2be0000
	}
	return d
}

// Options are what the sim package knows about an era (its Kconfig).
type Options struct {
	VAChoices     map[string][]int
	DefaultPage   string
	DefaultVABits map[string]int
}

// Run simulates one boot. The layout must have passed layout.Check.
func Run(l *layout.Layout, era string, o Options) (*result.Result, error) {
	e, ok := eras[era]
	if !ok {
		return nil, FieldError("kernel.era", era, "unknown era")
	}
	shift, _ := layout.ParsePageSize(l.Kernel.PageSize)
	if shift == 0 {
		shift, _ = layout.ParsePageSize(o.DefaultPage)
	}
	cfg, err := Resolve(l, era, o.VAChoices, o.DefaultPage, o.DefaultVABits, defaultsFor(era, shift))
	if err != nil {
		return nil, err
	}
	cpu52 := l.CPU.LPA2
	if cfg.PageShift == 16 {
		cpu52 = l.CPU.VA52
	}
	g, err := geom.New(cfg.PageShift, cfg.VABits, cpu52)
	if err != nil {
		return nil, err
	}
	// Roughly a dozen steps, a few table runs and mappings per bank.
	n := len(l.Memory) + len(l.Reserved) + 8
	res := &result.Result{Era: era, PageSize: g.PageName(), VABits: g.VABits, VABitsActual: g.VABitsActual, Levels: g.Levels,
		Trace: make([]result.Step, 0, 12*n), Tables: make([]result.Tables, 0, 3*n), Mappings: make([]result.Mapping, 0, 4*n)}
	b := &Boot{L: l, Cfg: cfg, G: g, Res: res, MB: memblock.Memblock{}}
	if m, ok := e.era.(*Modern); ok && m.AllocFail == "" {
		c := *m
		c.AllocFail = allocFailOld(g.PageSize(), era != "v4.6")
		e.era = &c
	}
	e.era.Boot(b)
	b.Finish()
	return res, nil
}
