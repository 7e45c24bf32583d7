package iomem_test

import (
	"linmap/formats"
	"os"
	"strings"
	"testing"

	"linmap/sim/layout"
)

func TestImport(t *testing.T) {
	type rng struct{ base, size layout.Addr }
	tests := []struct {
		file           string
		memory, noMap  []rng
		image          layout.Image
		nestedReserved int
	}{
		// Nested "reserved" lines are the end of boot's memblock.reserved:
		// not reservations (nestedReserved counts what was imported).
		// The DT had one bank 0x40000000+2G and two no-map ranges:
		// System RAM is split around them and joined again here.
		{"testdata/h-reserved-nomap.txt", []rng{{0x40000000, 0x80000000}}, []rng{{0x60000000, 0x200000}, {0x64010000, 0x10000}},
			layout.Image{Base: 0x40200000, Stext: 0x10000, InitBegin: 0x1660000, End: 0x2010000}, 0},
		// 6.12 (16K) starts "Kernel code" at _text.
		{"testdata/g16-kfence-100.txt", []rng{{0x40000000, 0x80000000}}, nil,
			layout.Image{Base: 0x40200000, InitBegin: 0x1d30000, End: 0x2be0000}, 0},
		// mem=768M: the kernel had already cut memory down.
		{"testdata/e-mem-768M.txt", []rng{{0x40000000, 0x20000000}, {0x60100000, 0x10000000}}, nil,
			layout.Image{Base: 0x40200000, Stext: 0x10000, InitBegin: 0x1660000, End: 0x2010000}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Import(tt.file, data)
			if err != nil {
				t.Fatal(err)
			}
			var mem, nomap []rng
			for _, m := range l.Memory {
				mem = append(mem, rng{m.Base, m.Size})
			}
			nested := 0
			for _, r := range l.Reserved {
				if r.NoMap {
					nomap = append(nomap, rng{r.Base, r.Size})
				} else {
					nested++
				}
			}
			if !eq(mem, tt.memory) || !eq(nomap, tt.noMap) {
				t.Errorf("memory %+v no-map %+v, want %+v %+v", mem, nomap, tt.memory, tt.noMap)
			}
			if nested != tt.nestedReserved {
				t.Errorf("%d nested reserved, want %d", nested, tt.nestedReserved)
			}
			im := l.Image
			if im.Base != tt.image.Base || im.Stext != tt.image.Stext || im.InitBegin != tt.image.InitBegin || im.End != tt.image.End || im.TextOffset == nil || *im.TextOffset != 0 {
				t.Errorf("image = %+v, want %+v", im, tt.image)
			}
		})
	}
}

func eq[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"unprivileged", "00000000-00000000 : System RAM\n  00000000-00000000 : Kernel code\n", "read it as root"},
		{"no RAM", "09000000-09000fff : pl011@9000000\n09010000-09010fff : pl031@9010000\n", `no top-level "System RAM"`},
		{"backwards", "40000000-5fffffff : System RAM\n7fffffff-60000000 : System RAM\n", "line 2: end 60000000 is below start 7fffffff"},
		{"whole space", "0-ffffffffffffffff : System RAM\n", "line 1: a range covering the whole 64-bit space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Import("", []byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzImport(f *testing.F) {
	for _, name := range []string{"testdata/h-reserved-nomap.txt", "testdata/g16-kfence-100.txt"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("40000000-40ffffff : System RAM\n  40000000-40ffffff : Kernel code\n  40000000-3fffffff : Kernel data\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if l, err := Import("", data); err == nil {
			if err := l.Check(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// Import reads data as formats.Import does (every format the text holds).
func Import(name string, data []byte) (*layout.Layout, error) {
	l, _, err := formats.Import(name, data)
	return l, err
}
