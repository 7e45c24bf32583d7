package kernel

import (
	"fmt"
	"sort"
	"strings"

	"linmap/sim/cmdline"
	"linmap/sim/layout"
)

// Config is a layout resolved against its era: every default filled in,
// the command line parsed, image sections as physical addresses.
type Config struct {
	Era       string
	PageShift int
	VABits    int

	// Kconfig
	KFENCE               bool
	KFENCESampleInterval uint64
	KFENCENumObjects     uint64
	ZoneDMA, ZoneDMA32   bool
	RandomizeBase        bool
	RodataFullDefault    bool

	// Command line
	RodataFull     bool
	DebugPagealloc bool
	MemLimit       uint64 // mem=, 0 if absent
	Crash          *cmdline.Crash
	NoKASLR        bool
	MovableNode    bool
	Malformed      []string // "Malformed early option" warnings

	// Image: physical addresses
	TextOffset                         uint64
	Text, Stext, Etext, InitBegin, End uint64
}

// Defaults is what an era's typical build looks like where the layout is
// silent.
type Defaults struct {
	TextOffset                    uint64
	Stext, Etext, InitBegin, End  uint64
	KFENCE                        bool
	KFENCESampleInterval          uint64
	RodataFullDefault, Randomize  bool
	HasRodataFull, RodataOnIsFull bool // era knows rodata=full; v6.18's rodata=on means full
	HasDebugPagealloc             bool
}

// FieldError builds the engine's input errors.
func FieldError(field, value, format string, args ...any) error {
	return &layout.FieldError{Field: field, Value: value, Msg: fmt.Sprintf(format, args...)}
}

// Resolve fills in the era's defaults and checks what the era accepts.
func Resolve(l *layout.Layout, era string, vaChoices map[string][]int, defPage string, defVA map[string]int, d Defaults) (Config, error) {
	c := Config{Era: era}
	ps := l.Kernel.PageSize
	if ps == "" {
		ps = defPage
	}
	shift, err := layout.ParsePageSize(ps)
	if err != nil {
		return c, FieldError("kernel.page_size", fmt.Sprintf("%q", l.Kernel.PageSize), "%v", err)
	}
	c.PageShift = shift
	name := map[int]string{12: "4K", 14: "16K", 16: "64K"}[shift]
	allowed, ok := vaChoices[name]
	if !ok {
		var sizes []string
		for k := range vaChoices {
			sizes = append(sizes, k)
		}
		sort.Strings(sizes)
		return c, FieldError("kernel.page_size", fmt.Sprintf("%q", ps), "era %s offers only %s pages", era, strings.Join(sizes, ", "))
	}
	c.VABits = l.Kernel.VABits
	if c.VABits == 0 {
		c.VABits = defVA[name]
	}
	found := false
	for _, v := range allowed {
		found = found || v == c.VABits
	}
	if !found {
		return c, FieldError("kernel.va_bits", fmt.Sprint(l.Kernel.VABits), "era %s with %s pages allows VA_BITS %s", era, name, joinInts(allowed))
	}

	cf := l.Kernel.Config
	c.KFENCE = pick(cf.KFENCE, d.KFENCE)
	c.KFENCESampleInterval = d.KFENCESampleInterval
	if cf.KFENCESampleInterval != nil {
		if *cf.KFENCESampleInterval < 0 {
			return c, FieldError("kernel.config.kfence_sample_interval", fmt.Sprint(*cf.KFENCESampleInterval), "must be ≥ 0 (milliseconds)")
		}
		c.KFENCESampleInterval = uint64(*cf.KFENCESampleInterval)
	}
	c.KFENCENumObjects = 255
	if cf.KFENCENumObjects != nil {
		if *cf.KFENCENumObjects < 1 || *cf.KFENCENumObjects > 1<<20 {
			return c, FieldError("kernel.config.kfence_num_objects", fmt.Sprint(*cf.KFENCENumObjects), "must be between 1 and 1048576")
		}
		c.KFENCENumObjects = uint64(*cf.KFENCENumObjects)
	}
	c.ZoneDMA = pick(cf.ZoneDMA, true)
	c.ZoneDMA32 = pick(cf.ZoneDMA32, true)
	c.RandomizeBase = pick(cf.RandomizeBase, d.Randomize)
	c.RodataFullDefault = pick(cf.RodataFullDefault, d.RodataFullDefault)

	if err := c.parseCmdline(l.Kernel.Cmdline, d, l); err != nil {
		return c, err
	}
	if err := c.resolveImage(l, d); err != nil {
		return c, err
	}
	return c, nil
}

func pick(p *bool, def bool) bool {
	if p != nil {
		return *p
	}
	return def
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// parseCmdline applies the early parameters that shape the linear map.
func (c *Config) parseCmdline(s string, d Defaults, l *layout.Layout) error {
	c.RodataFull = d.HasRodataFull && c.RodataFullDefault
	if d.RodataOnIsFull {
		c.RodataFull = true
	}
	var ram uint64
	for _, m := range l.Memory {
		ram += uint64(m.Size)
	}
	for _, p := range cmdline.Split(s) {
		switch p.Name {
		case "rodata":
			switch {
			case p.Value == "full" && d.HasRodataFull:
				c.RodataFull = true
			case p.Value == "noalias" && d.RodataOnIsFull:
				c.RodataFull = false
			default:
				on, err := cmdline.Strtobool(p.Value)
				if err != nil {
					c.Malformed = append(c.Malformed, "rodata")
					continue
				}
				// rodata=off also turns rodata=full off; the linear alias
				// of the text is made read-only either way (smp_cpus_done).
				c.RodataFull = on && d.RodataOnIsFull
			}
		case "mem":
			v, rest, err := cmdline.Memparse(p.Value)
			if err != nil || v == 0 {
				return FieldError("kernel.cmdline", "mem="+p.Value, "mem= needs a size such as 768M")
			}
			_ = rest // the kernel ignores trailing text after the size
			c.MemLimit = v &^ ((uint64(1) << c.PageShift) - 1)
		case "crashkernel":
			cr, err := cmdline.ParseCrashkernel(p.Value, ram)
			if err != nil {
				return FieldError("kernel.cmdline", "crashkernel="+p.Value, "%v", err)
			}
			if cr.Size != 0 {
				c.Crash = &cr
			}
		case "kfence.sample_interval":
			v, rest, err := cmdline.Memparse(p.Value)
			if err != nil || rest != "" {
				return FieldError("kernel.cmdline", "kfence.sample_interval="+p.Value, "needs a number of milliseconds")
			}
			c.KFENCESampleInterval = v
		case "debug_pagealloc":
			on, err := cmdline.Strtobool(p.Value)
			if err != nil {
				c.Malformed = append(c.Malformed, "debug_pagealloc")
				continue
			}
			c.DebugPagealloc = on && d.HasDebugPagealloc
		case "nokaslr":
			c.NoKASLR = true
		case "movable_node":
			c.MovableNode = true
		}
	}
	return nil
}

// resolveImage turns the image's offsets into physical addresses.
func (c *Config) resolveImage(l *layout.Layout, d Defaults) error {
	im := l.Image
	c.TextOffset = d.TextOffset
	if im.TextOffset != nil {
		c.TextOffset = uint64(*im.TextOffset)
	}
	if c.TextOffset >= 2<<20 || c.TextOffset%4096 != 0 {
		return FieldError("image.text_offset", layout.Addr(c.TextOffset).String(), "must be 4 KiB aligned and below 2 MiB")
	}
	off := func(v layout.Addr, def uint64) uint64 {
		if v != 0 {
			return uint64(v)
		}
		return def
	}
	// Missing offsets take the era's typical build, shrunk to fit under
	// the ones that were given.
	end := off(im.End, max(d.End, uint64(im.InitBegin), uint64(im.Etext), uint64(im.Stext)))
	init := off(im.InitBegin, min(d.InitBegin, end))
	etext := off(im.Etext, min(d.Etext, init))
	stext := off(im.Stext, min(d.Stext, etext))
	if !(stext <= etext && etext <= init && init <= end) || end == 0 {
		return FieldError("image", fmt.Sprintf("stext %#x etext %#x init_begin %#x end %#x", stext, etext, init, end),
			"section offsets must grow: stext ≤ etext ≤ init_begin ≤ end, end > 0")
	}
	base := uint64(im.Base)
	if base == 0 {
		// Where boot loaders put it: 2 MiB into the first bank, plus TEXT_OFFSET.
		first := uint64(l.Memory[0].Base)
		for _, m := range l.Memory {
			first = min(first, uint64(m.Base))
		}
		base = alignUp(first, 2<<20) + 2<<20 + c.TextOffset
		if c.TextOffset != 0 {
			base -= 2 << 20
		}
	}
	if (base-c.TextOffset)%(2<<20) != 0 {
		return FieldError("image.base", layout.Addr(base).String(),
			"the Image must be loaded text_offset (%#x) bytes above a 2 MiB aligned address", c.TextOffset)
	}
	c.Text, c.Stext, c.Etext, c.InitBegin, c.End = base, base+stext, base+etext, base+init, base+end
	inBank := false
	for _, m := range l.Memory {
		if base >= uint64(m.Base) && c.End <= uint64(m.End()) {
			inBank = true
		}
	}
	if !inBank {
		return FieldError("image.base", layout.Addr(base).String(), "the kernel image [%#x-%#x) must lie inside one memory bank", base, c.End)
	}
	return nil
}
