package systemmap

import (
	"strings"
	"testing"
)

// From the v6.1 real-kernel case (kallsyms without _text).
const kallsyms61 = `ffff800008010000 T _stext
ffff800008d00000 D _etext
ffff800009660000 T __init_begin
`

const systemMap419 = `ffff000008080000 t _head
ffff000008080000 T _text
ffff000008081000 T _stext
ffff000008b70000 T _etext
ffff000009120000 T __init_begin
ffff0000091e0000 T __init_end
ffff0000093d0000 B __bss_stop
ffff000009400000 B _end
ffff0000092c2000 t some_function	[ext4]
`

func TestSections(t *testing.T) {
	m, err := Parse(systemMap419)
	if err != nil {
		t.Fatal(err)
	}
	s, err := m.Sections(0x10000)
	if err != nil {
		t.Fatal(err)
	}
	if s.Text != 0xffff000008080000 || s.TextOffset != 0x80000 || s.Stext != 0x1000 || s.Etext != 0xaf0000 ||
		s.InitBegin != 0x10a0000 || s.InitEnd != 0x1160000 || s.BssStop != 0x1350000 || s.End != 0x1380000 || s.TextFromStext {
		t.Errorf("%+v", s)
	}
	m, err = Parse(kallsyms61)
	if err != nil {
		t.Fatal(err)
	}
	s, err = m.Sections(0x10000)
	if err != nil {
		t.Fatal(err)
	}
	if !s.TextFromStext || s.Stext != 0x10000 || s.InitBegin != 0x1660000 || s.TextOffset != 0 || s.Lines["__init_begin"] != 3 {
		t.Errorf("%+v", s)
	}
}

func TestErrors(t *testing.T) {
	for in, want := range map[string]string{
		"0000000000000000 T _stext\n0000000000000000 T _text\n": "read it as root",
		"ffff800008010000 T foo\n":                              "not a System.map",
		"ffff800008010000 T _text\nffff000000000000 T _end\n":   "line 2: _end",
	} {
		m, err := Parse(in)
		if err == nil {
			_, err = m.Sections(0x10000)
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}
