package ptdump

import "testing"

// FuzzParse: any text parses or fails with an error; parsed entries are
// ordered, non-empty ranges.
func FuzzParse(f *testing.F) {
	f.Add("---[ Linear Mapping start ]---\n0xffff000000000000-0xffff000000200000           2M PMD       RW NX SHD AF        BLK UXN    MEM/NORMAL-TAGGED\n0xffff000000200000-0xffff008000000000      511G PUD\n---[ Linear Mapping end ]---\n")
	f.Add("> ---[ Linear Mapping ]---\n> 0xffffffc040000000-0xffffffc080000000           1G PGD       RW NX SHD AF NG     BLK UXN MEM/NORMAL\n")
	f.Add("---[ Linear Mapping ]---\n0xfffffffffff00000-0x0000000000000000  1M PTE RW\n")
	f.Fuzz(func(t *testing.T, text string) {
		ds, err := Parse(text)
		if err != nil {
			return
		}
		for _, d := range ds {
			for _, s := range d.Sections {
				for i, e := range s.Entries {
					if e.End != 0 && e.End <= e.Start {
						t.Fatalf("line %d: empty or reversed range", e.Line)
					}
					if i > 0 && e.Start < s.Entries[i-1].End {
						t.Fatalf("line %d: overlaps the entry before", e.Line)
					}
				}
			}
		}
	})
}
