// Package layout is linmap's layout format v1: a machine's memory banks,
// reserved ranges, kernel image placement, kernel era and options. It is
// the contract shared by the engine, the CLI, the browser app and every
// import and export. See docs/layout-format.md.
package layout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// FormatName and Version identify a layout document.
const (
	FormatName = "linmap-layout"
	Version    = 1
)

// Layout is one machine plus one kernel configuration.
type Layout struct {
	Format      string     `json:"format"`
	Version     int        `json:"version"`
	Name        string     `json:"name,omitempty"`
	Source      string     `json:"source,omitempty"`
	Description string     `json:"description,omitempty"`
	Kernel      Kernel     `json:"kernel"`
	CPU         CPU        `json:"cpu"`
	Memory      []Bank     `json:"memory"`
	Reserved    []Reserved `json:"reserved,omitempty"`
	Image       Image      `json:"image"`
	DTB         *Blob      `json:"dtb,omitempty"`
	Initrd      *Blob      `json:"initrd,omitempty"`

	Extra map[string]json.RawMessage `json:"-"` // unknown keys, kept for round trips
}

// Kernel selects the era and its build and boot options. Zero values mean
// "the era's default" (page size, VA_BITS, config options).
type Kernel struct {
	Era      string `json:"era"`
	PageSize string `json:"page_size,omitempty"` // "4K", "16K", "64K"
	VABits   int    `json:"va_bits,omitempty"`
	Cmdline  string `json:"cmdline,omitempty"`
	// KASLRSeed is the device tree's /chosen/kaslr-seed (64 bits); the
	// linear-map randomisation uses its top 16 bits. Zero: no seed.
	KASLRSeed Addr   `json:"kaslr_seed,omitempty"`
	Config    Config `json:"config"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Config holds the Kconfig options that shape the linear map. A nil field
// takes the era's defconfig value.
type Config struct {
	KFENCE               *bool `json:"kfence,omitempty"`
	KFENCESampleInterval *int  `json:"kfence_sample_interval,omitempty"`
	KFENCENumObjects     *int  `json:"kfence_num_objects,omitempty"`
	ZoneDMA              *bool `json:"zone_dma,omitempty"`
	ZoneDMA32            *bool `json:"zone_dma32,omitempty"`
	RandomizeBase        *bool `json:"randomize_base,omitempty"`
	RodataFullDefault    *bool `json:"rodata_full_default_enabled,omitempty"`
	DebugPagealloc       *bool `json:"debug_pagealloc,omitempty"` // CONFIG_DEBUG_PAGEALLOC: debug_pagealloc= exists

	Extra map[string]json.RawMessage `json:"-"`
}

// CPU describes the boot CPU's relevant features.
type CPU struct {
	VA52         bool `json:"va52,omitempty"`          // FEAT_LVA (52-bit VA with 64K pages)
	LPA2         bool `json:"lpa2,omitempty"`          // FEAT_LPA2 (52-bit VA/PA with 4K/16K pages)
	BBML2NoAbort bool `json:"bbml2_noabort,omitempty"` // break-before-make level 2 without aborts
	PABits       int  `json:"pa_bits,omitempty"`       // ID_AA64MMFR0_EL1.PARange in bits; 0 = 48
	Realm        bool `json:"realm,omitempty"`         // the kernel runs as an Arm CCA realm guest (is_realm_world())

	Extra map[string]json.RawMessage `json:"-"`
}

// Bank is one memory range as firmware declares it (a DT memory node's reg
// entry, an EFI conventional-memory descriptor, …).
type Bank struct {
	Base    Addr   `json:"base"`
	Size    Addr   `json:"size"`
	Name    string `json:"name,omitempty"`
	NID     int    `json:"nid,omitempty"`
	Hotplug bool   `json:"hotplug,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// End is the first address past the bank.
func (b Bank) End() Addr { return b.Base + b.Size }

// Reserved is a /memreserve/ entry or a /reserved-memory child. NoMap ones
// are removed from (≤ v5.10) or marked NOMAP in memblock and never linear
// mapped; the others are only reserved.
type Reserved struct {
	Base     Addr   `json:"base"`
	Size     Addr   `json:"size"`
	Name     string `json:"name,omitempty"`
	NoMap    bool   `json:"no_map,omitempty"`
	Reusable bool   `json:"reusable,omitempty"`
	// RegIndex is which <base size> pair of its /reserved-memory node this
	// range is (0: the first). Pairs of one node share its Name; v7.2
	// reserves only the first.
	RegIndex int `json:"reg_index,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// End is the first address past the range.
func (r Reserved) End() Addr { return r.Base + r.Size }

// Image places the kernel Image. Base is the physical address of _text
// (where the Image was loaded); the other fields are offsets from Base.
// Zero offsets take the era's typical build.
type Image struct {
	Base       Addr  `json:"base"`
	TextOffset *Addr `json:"text_offset,omitempty"` // Image header text_offset (≤ v5.7: 0x80000)
	Stext      Addr  `json:"stext,omitempty"`
	Etext      Addr  `json:"etext,omitempty"`
	InitBegin  Addr  `json:"init_begin,omitempty"`
	InitEnd    Addr  `json:"init_end,omitempty"` // __init_end (= _sdata): v7.2 maps [__init_end, __bss_stop) first
	BssStop    Addr  `json:"bss_stop,omitempty"` // __bss_stop
	End        Addr  `json:"end,omitempty"`

	Extra map[string]json.RawMessage `json:"-"`
}

// Blob is a DTB or initrd in memory.
type Blob struct {
	Base Addr `json:"base"`
	Size Addr `json:"size"`

	Extra map[string]json.RawMessage `json:"-"`
}

// The alias types below have no methods, so encodeObject/decodeObject can
// use the standard encoding without recursing into these marshalers.
type (
	layoutJSON   Layout
	kernelJSON   Kernel
	configJSON   Config
	cpuJSON      CPU
	bankJSON     Bank
	reservedJSON Reserved
	imageJSON    Image
	blobJSON     Blob
)

func (l *Layout) UnmarshalJSON(b []byte) (err error) {
	l.Extra, err = decodeObject(b, (*layoutJSON)(l))
	return
}
func (l Layout) MarshalJSON() ([]byte, error) { return encodeObject(layoutJSON(l), l.Extra) }
func (k *Kernel) UnmarshalJSON(b []byte) (err error) {
	k.Extra, err = decodeObject(b, (*kernelJSON)(k))
	return
}
func (k Kernel) MarshalJSON() ([]byte, error) { return encodeObject(kernelJSON(k), k.Extra) }
func (c *Config) UnmarshalJSON(b []byte) (err error) {
	c.Extra, err = decodeObject(b, (*configJSON)(c))
	return
}
func (c Config) MarshalJSON() ([]byte, error) { return encodeObject(configJSON(c), c.Extra) }
func (c *CPU) UnmarshalJSON(b []byte) (err error) {
	c.Extra, err = decodeObject(b, (*cpuJSON)(c))
	return
}
func (c CPU) MarshalJSON() ([]byte, error) { return encodeObject(cpuJSON(c), c.Extra) }
func (m *Bank) UnmarshalJSON(b []byte) (err error) {
	m.Extra, err = decodeObject(b, (*bankJSON)(m))
	return
}
func (m Bank) MarshalJSON() ([]byte, error) { return encodeObject(bankJSON(m), m.Extra) }
func (r *Reserved) UnmarshalJSON(b []byte) (err error) {
	r.Extra, err = decodeObject(b, (*reservedJSON)(r))
	return
}
func (r Reserved) MarshalJSON() ([]byte, error) { return encodeObject(reservedJSON(r), r.Extra) }
func (i *Image) UnmarshalJSON(b []byte) (err error) {
	i.Extra, err = decodeObject(b, (*imageJSON)(i))
	return
}
func (i Image) MarshalJSON() ([]byte, error) { return encodeObject(imageJSON(i), i.Extra) }
func (o *Blob) UnmarshalJSON(b []byte) (err error) {
	o.Extra, err = decodeObject(b, (*blobJSON)(o))
	return
}
func (o Blob) MarshalJSON() ([]byte, error) { return encodeObject(blobJSON(o), o.Extra) }

// Parse decodes and checks a layout document. Errors are *FieldError values
// naming the field and the value.
func Parse(data []byte) (*Layout, error) {
	var l Layout
	if err := json.Unmarshal(data, &l); err != nil {
		var fe *FieldError
		if asFieldError(err, &fe) {
			return nil, fe
		}
		return nil, &FieldError{Field: "(document)", Msg: "not valid JSON: " + err.Error()}
	}
	if err := l.Check(); err != nil {
		return nil, err
	}
	return &l, nil
}

func asFieldError(err error, out **FieldError) bool {
	fe, ok := err.(*FieldError)
	if ok {
		*out = fe
	}
	return ok
}

// Marshal writes the layout as indented JSON, the export format.
func (l *Layout) Marshal() ([]byte, error) {
	c := *l
	if c.Format == "" {
		c.Format = FormatName
	}
	if c.Version == 0 {
		c.Version = Version
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Clone returns a deep copy (the app edits copies so the current layout is
// never lost on a failed edit).
func (l *Layout) Clone() *Layout {
	b, err := json.Marshal(l)
	if err != nil {
		panic(err) // a Layout always marshals
	}
	var c Layout
	if err := json.Unmarshal(b, &c); err != nil {
		panic(err)
	}
	return &c
}

// Check validates what does not depend on the era: the document header,
// non-empty and non-overlapping banks, ranges that do not wrap, and an image
// that lies in memory. Era-dependent checks (page size, VA_BITS) are made by
// the engine.
func (l *Layout) Check() error {
	if l.Format != "" && l.Format != FormatName {
		return fieldErr("format", fmt.Sprintf("%q", l.Format), "expected %q", FormatName)
	}
	if l.Version != 0 && l.Version != Version {
		return fieldErr("version", fmt.Sprint(l.Version), "this linmap reads layout format version %d", Version)
	}
	if len(l.Memory) == 0 {
		return fieldErr("memory", "[]", "at least one memory bank is needed")
	}
	for i, b := range l.Memory {
		f := fmt.Sprintf("memory[%d]", i)
		if b.Size == 0 {
			return fieldErr(f+".size", b.Size.String(), "a bank must not be empty")
		}
		if b.Base+b.Size < b.Base && b.Base+b.Size != 0 {
			return fieldErr(f+".size", b.Size.String(), "bank at %s wraps past the top of the 64-bit space", b.Base)
		}
		if b.NID < 0 {
			return fieldErr(f+".nid", fmt.Sprint(b.NID), "node id must be ≥ 0")
		}
		for j := 0; j < i; j++ {
			o := l.Memory[j]
			if b.Base < o.Base+o.Size && o.Base < b.Base+b.Size {
				return fieldErr(f, fmt.Sprintf("%s..%s", b.Base, b.End()), "overlaps memory[%d] (%s..%s)", j, o.Base, o.End())
			}
		}
	}
	for i, r := range l.Reserved {
		f := fmt.Sprintf("reserved[%d]", i)
		if r.Size == 0 {
			return fieldErr(f+".size", r.Size.String(), "a reserved range must not be empty")
		}
		if r.Base+r.Size < r.Base && r.Base+r.Size != 0 {
			return fieldErr(f+".size", r.Size.String(), "range at %s wraps past the top of the 64-bit space", r.Base)
		}
	}
	if err := checkBlob("dtb", l.DTB); err != nil {
		return err
	}
	if err := checkBlob("initrd", l.Initrd); err != nil {
		return err
	}
	if l.Image.Base != 0 && !l.InMemory(l.Image.Base) {
		return fieldErr("image.base", l.Image.Base.String(), "the kernel image must be loaded into a memory bank")
	}
	// Given section offsets must grow; missing ones are the era's.
	im := l.Image
	secs := []struct {
		name string
		v    Addr
	}{{"stext", im.Stext}, {"etext", im.Etext}, {"init_begin", im.InitBegin}, {"init_end", im.InitEnd}, {"bss_stop", im.BssStop}, {"end", im.End}}
	var prev string
	var pv Addr
	for _, s := range secs {
		if s.v == 0 {
			continue
		}
		if prev != "" && s.v < pv {
			return fieldErr("image."+s.name, s.v.String(), "must not be below image.%s (%s)", prev, pv)
		}
		prev, pv = s.name, s.v
	}
	for i, r := range l.Reserved {
		if r.RegIndex < 0 {
			return fieldErr(fmt.Sprintf("reserved[%d].reg_index", i), fmt.Sprint(r.RegIndex), "must be ≥ 0")
		}
	}
	return nil
}

func checkBlob(name string, b *Blob) error {
	if b == nil {
		return nil
	}
	if b.Size == 0 {
		return fieldErr(name+".size", b.Size.String(), "must not be empty (omit %s instead)", name)
	}
	if b.Base+b.Size < b.Base && b.Base+b.Size != 0 {
		return fieldErr(name+".size", b.Size.String(), "wraps past the top of the 64-bit space")
	}
	return nil
}

// InMemory reports whether pa lies in one of the declared banks.
func (l *Layout) InMemory(pa Addr) bool {
	for _, b := range l.Memory {
		if pa >= b.Base && pa-b.Base < b.Size {
			return true
		}
	}
	return false
}

// ParsePageSize turns "4K"/"16K"/"64K" (any case, also "4k", "4096") into
// PAGE_SHIFT.
func ParsePageSize(s string) (int, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "4K", "4096", "4KB":
		return 12, nil
	case "16K", "16384", "16KB":
		return 14, nil
	case "64K", "65536", "64KB":
		return 16, nil
	}
	return 0, fmt.Errorf("%q is not a page size (4K, 16K or 64K)", s)
}
