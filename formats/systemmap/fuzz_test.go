package systemmap

import "testing"

// FuzzParse: any text parses or fails cleanly, and sections of a parsed map
// are offsets no larger than 4 GiB.
func FuzzParse(f *testing.F) {
	f.Add(systemMap419)
	f.Add(kallsyms61)
	f.Add("ffffffffffffffff T _text\n0000000000000001 T _end\n")
	f.Fuzz(func(t *testing.T, text string) {
		m, err := Parse(text)
		if err != nil {
			return
		}
		s, err := m.Sections(0x10000)
		if err != nil {
			return
		}
		for _, v := range []uint64{s.Stext, s.Etext, s.InitBegin, s.InitEnd, s.BssStop, s.End} {
			if v > 1<<32 {
				t.Fatalf("offset %#x", v)
			}
		}
	})
}
