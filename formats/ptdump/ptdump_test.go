package ptdump

import (
	"os"
	"strings"
	"testing"
)

func read(t *testing.T, name string) string {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Two dumps of one machine, quoted in a mail (v5.4+ form with holes).
func TestTwoDumpsMailQuoted(t *testing.T) {
	ds, err := Parse(read(t, "ampereone-two-dumps.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 {
		t.Fatalf("%d dumps, want 2", len(ds))
	}
	lin := ds[0].Linear()
	if lin == nil || !lin.Ended || len(lin.Entries) != 41 {
		t.Fatalf("first linear section: %+v", lin)
	}
	first, last := lin.Entries[0], lin.Entries[len(lin.Entries)-1]
	if first.Start != 0xffff000000000000 || first.Size() != 2<<20 || first.Level != "PMD" || !first.Block() || first.Has("CON") || !first.Mapped() {
		t.Errorf("first entry %+v", first)
	}
	if last.Mapped() || last.Level != "PGD" || last.End != 0xffff800000000000 {
		t.Errorf("last entry %+v", last)
	}
	if e := lin.Entries[7]; !e.Has("CON") || !e.Block() || e.Size() != 960<<20 {
		t.Errorf("cont PMD entry %+v", e)
	}
	if e := ds[1].Linear().Entries[4]; e.Size() != 5264452<<10 || e.Block() {
		t.Errorf("mode 3 PTE run %+v", e)
	}
}

// The pre-v5.4 form: one marker, no holes, a 1G block named PGD (39-bit VA).
func TestOldForm(t *testing.T) {
	ds, err := Parse(read(t, "android-4.14-39bit.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lin := ds[0].Linear()
	if lin == nil || lin.Ended || len(lin.Entries) != 8 {
		t.Fatalf("linear section: %+v", lin)
	}
	if e := lin.Entries[7]; e.Level != "PGD" || !e.Block() || e.Size() != 1<<30 {
		t.Errorf("1G entry %+v", e)
	}
	if ds[0].Section("vmalloc() Area") == nil {
		t.Error("vmalloc section missing")
	}
}

func TestErrors(t *testing.T) {
	for in, want := range map[string]string{
		"---[ Linear Mapping ]---\n0xffff000000200000-0xffff000000000000  2M PMD RW\n":                                             "line 2: 0xffff000000200000-0xffff000000000000 ends before it starts",
		"---[ Linear Mapping ]---\n0xffff000000000000-0xffff000000200000  4M PMD RW\n":                                             "is 2M, but the size column says 4M",
		"---[ Linear Mapping ]---\n0xffff000000000000-0xffff000000200000  2M PQR RW\n":                                             "unknown level",
		"0xffff000000000000-0xffff000000200000  2M PMD RW\n":                                                                       "no \"---[",
		"---[ Linear Mapping ]---\n0xffff000000000000-0xffff000000200000  2M PMD\n0xffff000000100000-0xffff000000200000  1M PTE\n": "line 3: 0xffff000000100000 starts below",
	} {
		if _, err := Parse(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestSizeString(t *testing.T) {
	for size, want := range map[uint64]string{4 << 10: "4K", 2 << 20: "2M", 2112 << 10: "2112K", 130560 << 30: "130560G", 1 << 40: "1T"} {
		if got := sizeString(size); got != want {
			t.Errorf("sizeString(%#x) = %q, want %q", size, got, want)
		}
	}
}

// v5.6–v5.11 print no start marker and a bogus first range from 0.
func TestNoStartMarker(t *testing.T) {
	ds, err := Parse(`0x0000000000000000-0xffff000000000000    16776960T PGD
0xffff000000000000-0xffff000000200000           2M PMD       RW NX SHD AF        BLK UXN    MEM/NORMAL-TAGGED
0xffff000000200000-0xffff008000000000      524286M PUD
---[ Linear Mapping end ]---
---[ Modules start ]---
`)
	if err != nil {
		t.Fatal(err)
	}
	lin := ds[0].Linear()
	if lin == nil || !lin.Ended || len(lin.Entries) != 2 || lin.Entries[0].Start != 0xffff000000000000 {
		t.Fatalf("linear section %+v", lin)
	}
}

// Older section names; an invalid (F) leaf is mapped but not valid.
func TestNamesAndInvalid(t *testing.T) {
	ds, err := Parse(`---[ Linear mapping ]---
0xffff800000000000-0xffff800000001000           4K PTE F     RW NX SHD AF            UXN MEM/NORMAL
`)
	if err != nil {
		t.Fatal(err)
	}
	e := ds[0].Linear().Entries[0]
	if !e.Mapped() || !e.Has("F") || !ds[0].BlockColumn() {
		t.Errorf("entry %+v", e)
	}
	ds, err = Parse("---[ Kernel Mapping ]---\n0xffffffc000000000-0xffffffc000200000           2M     RW NX SHD AF    UXN MEM/NORMAL\n")
	if err != nil {
		t.Fatal(err)
	}
	if ds[0].Linear() == nil || ds[0].BlockColumn() {
		t.Errorf("3.19 dump: %+v", ds[0])
	}
}
