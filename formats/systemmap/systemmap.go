// Package systemmap reads a System.map or /proc/kallsyms ("ffff800008010000
// T _stext", kallsyms adding "\t[module]") and gives the kernel image's
// section boundaries as offsets from _text: what layout.Image wants.
package systemmap

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"linmap/formats/logtext"
)

var reSym = regexp.MustCompile(`^([0-9a-fA-F]{8,16})\s+([A-Za-z?])\s+(\S+)(?:\s+\[\S+\])?$`)

// Symbol is one line.
type Symbol struct {
	Addr uint64
	Type byte
	Line int
}

// Map holds the symbols linmap uses (the section boundaries), by name.
type Map struct {
	syms map[string]Symbol
	n    int // lines read
	// Zero: kallsyms read without privilege prints every address as 0.
	Zero bool
}

// Names are the symbols kept: the image's section boundaries.
var Names = []string{"_text", "_stext", "_etext", "__start_rodata", "__init_begin", "__init_end", "_sdata", "_edata", "__bss_start", "__bss_stop", "_end", "swapper_pg_dir"}

var wanted = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range Names {
		m[n] = true
	}
	return m
}()

// Detect reports whether text holds System.map lines naming the image.
func Detect(text string) bool {
	for _, l := range logtext.Lines(text) {
		if m := reSym.FindStringSubmatch(strings.TrimSpace(l.Text)); m != nil && (m[3] == "_stext" || m[3] == "_text" || m[3] == "__init_begin") {
			return true
		}
	}
	return false
}

// Parse reads the symbols. It fails when none of the image's boundaries
// is there.
func Parse(text string) (*Map, error) {
	m := &Map{syms: map[string]Symbol{}, Zero: true}
	for _, l := range logtext.Lines(text) {
		s := reSym.FindStringSubmatch(strings.TrimSpace(l.Text))
		if s == nil {
			continue
		}
		m.n++
		a, err := strconv.ParseUint(s[1], 16, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: %q is not an address", l.N, s[1])
		}
		if !wanted[s[3]] {
			continue
		}
		if a != 0 {
			m.Zero = false
		}
		if _, dup := m.syms[s[3]]; !dup {
			m.syms[s[3]] = Symbol{Addr: a, Type: s[2][0], Line: l.N}
		}
	}
	if len(m.syms) == 0 {
		return nil, fmt.Errorf("no _text, _stext or __init_begin line: not a System.map of an arm64 kernel")
	}
	if m.Zero {
		return nil, fmt.Errorf("every address is 0: /proc/kallsyms hides them from unprivileged readers; read it as root")
	}
	return m, nil
}

// Lookup returns a symbol.
func (m *Map) Lookup(name string) (Symbol, bool) {
	s, ok := m.syms[name]
	return s, ok
}

// Sections are the image's boundaries as offsets from _text (0 when the map
// does not have the symbol).
type Sections struct {
	Text                             uint64 // _text's address
	Stext, Etext, InitBegin, InitEnd uint64
	BssStop, End                     uint64
	TextOffset                       uint64 // _text modulo 2 MiB: the Image header's text_offset
	TextFromStext                    bool   // _text was not in the map: _stext − the given gap
	Lines                            map[string]int
}

// Sections computes the offsets. stextGap is _stext − _text to assume when
// the map lacks _text (kallsyms of kernels built without KALLSYMS_ALL omit
// it): the era's typical value.
func (m *Map) Sections(stextGap uint64) (Sections, error) {
	s := Sections{Lines: map[string]int{}}
	for name, sym := range m.syms {
		s.Lines[name] = sym.Line
	}
	text, ok := m.syms["_text"]
	if ok {
		s.Text = text.Addr
	} else if st, ok := m.syms["_stext"]; ok {
		s.Text, s.TextFromStext = st.Addr-stextGap, true
	} else {
		return s, fmt.Errorf("neither _text nor _stext: the image's start is unknown")
	}
	off := func(name string) (uint64, error) {
		sym, ok := m.syms[name]
		if !ok {
			return 0, nil
		}
		if sym.Addr < s.Text || sym.Addr-s.Text > 1<<32 {
			return 0, fmt.Errorf("line %d: %s = %#x is not within 4 GiB above _text (%#x)", sym.Line, name, sym.Addr, s.Text)
		}
		return sym.Addr - s.Text, nil
	}
	var err error
	for _, f := range []struct {
		name string
		dst  *uint64
	}{{"_stext", &s.Stext}, {"_etext", &s.Etext}, {"__init_begin", &s.InitBegin}, {"__init_end", &s.InitEnd}, {"__bss_stop", &s.BssStop}, {"_end", &s.End}} {
		if *f.dst, err = off(f.name); err != nil {
			return s, err
		}
	}
	s.TextOffset = s.Text & (2<<20 - 1)
	return s, nil
}
