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
	DebugPageallocBuilt  bool // CONFIG_DEBUG_PAGEALLOC

	// Command line
	RodataFull     bool // rodata_full
	RodataEnabled  bool // rodata_enabled (rodata=off clears it)
	DebugPagealloc bool
	MemLimit       uint64 // mem=, 0 if absent
	Crash          *cmdline.Crash
	NoKASLR        bool
	MovableNode    bool
	Malformed      []string // "Malformed early option" warnings
	Invalid        []string // "Invalid option string for rodata" values
	Unknown        []string // parameters this build does not have

	// Image: physical addresses
	TextOffset                         uint64
	Text, Stext, Etext, InitBegin, End uint64
	InitEnd, BssStop                   uint64
}

// CmdlineRules say how an era parses the early parameters that shape the
// linear map.
type CmdlineRules struct {
	Rodata         RodataSyntax
	DebugPagealloc bool // debug_pagealloc= exists (v4.6+ in this model)
}

// RodataSyntax is an era's rodata= parser.
type RodataSyntax uint8

const (
	// RodataIgnored: rodata= does not change the linear map (≤ v4.19).
	RodataIgnored RodataSyntax = iota
	// RodataBool: kstrtobool() values; anything else is "Malformed early
	// option 'rodata'"; no effect on the linear map (v4.6 – v4.19).
	RodataBool
	// RodataBoolOrFull: "full", or anything kstrtobool() takes; else
	// "Malformed early option 'rodata'" (v5.x – v6.1).
	RodataBoolOrFull
	// RodataFullOnOff: exactly "full", "on" or "off"; anything else is
	// "Invalid option string for rodata" and changes nothing (v6.12).
	RodataFullOnOff
	// RodataOnNoaliasOff: exactly "on" (= full), "noalias" (the old "on")
	// or "off"; anything else, "full" included, is invalid (v6.18+).
	RodataOnNoaliasOff
)

// FieldError builds the engine's input errors.
func FieldError(field, value, format string, args ...any) error {
	return &layout.FieldError{Field: field, Value: value, Msg: fmt.Sprintf(format, args...)}
}

// Resolve fills in the era's defaults and checks what the era accepts.
func Resolve(l *layout.Layout, s *Spec) (Config, error) {
	era := s.ID
	c := Config{Era: era}
	ps := l.Kernel.PageSize
	if ps == "" {
		ps = s.Kconfig.DefaultPageSize
	}
	shift, err := layout.ParsePageSize(ps)
	if err != nil {
		return c, FieldError("kernel.page_size", fmt.Sprintf("%q", l.Kernel.PageSize), "%v", err)
	}
	c.PageShift = shift
	name := map[int]string{12: "4K", 14: "16K", 16: "64K"}[shift]
	allowed, ok := s.Kconfig.VABits[name]
	if !ok {
		var sizes []string
		for k := range s.Kconfig.VABits {
			sizes = append(sizes, k)
		}
		sort.Strings(sizes)
		return c, FieldError("kernel.page_size", fmt.Sprintf("%q", ps), "era %s offers only %s pages", era, strings.Join(sizes, ", "))
	}
	c.VABits = l.Kernel.VABits
	if c.VABits == 0 {
		c.VABits = s.Kconfig.DefaultVABits[name]
	}
	found := false
	for _, v := range allowed {
		found = found || v == c.VABits
	}
	if !found {
		return c, FieldError("kernel.va_bits", fmt.Sprint(l.Kernel.VABits), "era %s with %s pages allows VA_BITS %s", era, name, joinInts(allowed))
	}
	d := s.Builds.For(name)

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
	c.DebugPageallocBuilt = pick(cf.DebugPagealloc, d.DebugPagealloc)

	if err := c.parseCmdline(l.Kernel.Cmdline, s.Policy.Cmdline(), l); err != nil {
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
func (c *Config) parseCmdline(s string, rules CmdlineRules, l *layout.Layout) error {
	c.RodataEnabled = true
	switch rules.Rodata {
	case RodataBoolOrFull, RodataFullOnOff:
		c.RodataFull = c.RodataFullDefault
	case RodataOnNoaliasOff:
		c.RodataFull = true // rodata_full is true by default from v6.18
	}
	var ram uint64
	for _, m := range l.Memory {
		ram += uint64(m.Size)
	}
	for _, p := range cmdline.Split(s) {
		switch p.Name {
		case "rodata":
			c.parseRodata(rules.Rodata, p.Value)
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
			if rules.DebugPagealloc && !c.DebugPageallocBuilt {
				// Without CONFIG_DEBUG_PAGEALLOC the parameter does not exist.
				c.Unknown = append(c.Unknown, "debug_pagealloc="+p.Value)
				continue
			}
			c.DebugPagealloc = on && rules.DebugPagealloc && c.DebugPageallocBuilt
		case "nokaslr":
			c.NoKASLR = true
		case "movable_node":
			c.MovableNode = true
		}
	}
	return nil
}

// parseRodata is the era's rodata= parser.
func (c *Config) parseRodata(syntax RodataSyntax, v string) {
	switch syntax {
	case RodataIgnored:
	case RodataBool:
		on, err := cmdline.Strtobool(v)
		if err != nil {
			c.Malformed = append(c.Malformed, "rodata")
			return
		}
		c.RodataEnabled = on
	case RodataBoolOrFull:
		if v == "full" {
			c.RodataEnabled, c.RodataFull = true, true
			return
		}
		on, err := cmdline.Strtobool(v)
		if err != nil {
			c.Malformed = append(c.Malformed, "rodata")
			return
		}
		// rodata=on|off both clear rodata_full; the alias of the text is
		// made read-only either way.
		c.RodataEnabled, c.RodataFull = on, false
	case RodataFullOnOff:
		switch v {
		case "full":
			c.RodataEnabled, c.RodataFull = true, true
		case "on":
			c.RodataEnabled, c.RodataFull = true, false
		case "off":
			c.RodataEnabled, c.RodataFull = false, false
		default:
			c.Invalid = append(c.Invalid, v)
		}
	case RodataOnNoaliasOff:
		switch v {
		case "on":
			c.RodataEnabled, c.RodataFull = true, true
		case "noalias":
			c.RodataEnabled, c.RodataFull = true, false
		case "off":
			c.RodataEnabled, c.RodataFull = false, false
		default:
			c.Invalid = append(c.Invalid, v)
		}
	}
}

// resolveImage turns the image's offsets into physical addresses.
func (c *Config) resolveImage(l *layout.Layout, d Build) error {
	im := l.Image
	c.TextOffset = d.TextOffset
	if im.TextOffset != nil {
		c.TextOffset = uint64(*im.TextOffset)
	}
	if c.TextOffset >= 2<<20 || c.TextOffset%4096 != 0 {
		return FieldError("image.text_offset", layout.Addr(c.TextOffset).String(), "must be 4 KiB aligned and below 2 MiB")
	}
	// Section offsets from _text, in address order. Missing ones take the
	// era's typical build, shrunk to fit under the next one; a default of
	// 0 (an era without that symbol) collapses onto the next.
	secs := []struct {
		name       string
		given, def uint64
		out        *uint64
	}{
		{"stext", uint64(im.Stext), d.Stext, &c.Stext},
		{"etext", uint64(im.Etext), d.Etext, &c.Etext},
		{"init_begin", uint64(im.InitBegin), d.InitBegin, &c.InitBegin},
		{"init_end", uint64(im.InitEnd), d.InitEnd, &c.InitEnd},
		{"bss_stop", uint64(im.BssStop), d.BssStop, &c.BssStop},
		{"end", uint64(im.End), d.End, &c.End},
	}
	next := d.End
	for _, s := range secs {
		next = max(next, s.given)
	}
	var off [6]uint64
	for i := len(secs) - 1; i >= 0; i-- {
		s := secs[i]
		switch {
		case s.given != 0:
			off[i] = s.given
		case s.def == 0:
			off[i] = next
		default:
			off[i] = min(s.def, next)
		}
		next = off[i]
	}
	for i := 1; i < len(off); i++ {
		if off[i-1] > off[i] {
			return FieldError("image."+secs[i].name, layout.Addr(off[i]).String(),
				"section offsets must grow: stext ≤ etext ≤ init_begin ≤ init_end ≤ bss_stop ≤ end, but %s is %#x", secs[i-1].name, off[i-1])
		}
	}
	if off[5] == 0 {
		return FieldError("image.end", "0x0", "the image must not be empty")
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
	c.Text = base
	for i, s := range secs {
		*s.out = base + off[i]
	}
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
