package efi_test

import (
	"linmap/formats"
	"os"
	"strings"
	"testing"

	"linmap/sim/layout"
)

type rng struct {
	base, size layout.Addr
	noMap      bool
}

func collect(l *layout.Layout) (mem, rsv []rng) {
	for _, m := range l.Memory {
		mem = append(mem, rng{m.Base, m.Size, false})
	}
	for _, r := range l.Reserved {
		rsv = append(rsv, rng{r.Base, r.Size, r.NoMap})
	}
	return
}

func eq(a, b []rng) bool {
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

func TestImport(t *testing.T) {
	thunderx, err := os.ReadFile("testdata/thunderx-4.8.txt")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		text     string
		mem, rsv []rng
	}{
		// The kernel's own verdict (memblock=debug in the same log) has
		// NOMAP at 0xfffe0000 and three runs on node 1, 64K-rounded.
		{"ThunderX, old long names with *", string(thunderx),
			[]rng{{0x1400000, 0xffec00000, false}, {0x10000400000, 0xfffc00000, false}},
			[]rng{{0xfffed000, 0x13000, true}, {0x10ff9e98000, 0x89000, true}, {0x10ffaeb6000, 0x13f000, true}, {0x10ffffb9000, 0x46000, true}}},
		{"new short names without *: ACPI reclaim reserved, NVS no-map, MMIO skipped", `efi: Processing EFI memory map:
efi:   0x000040000000-0x00004fffffff [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
efi:   0x000050000000-0x00005000ffff [ACPI Reclaim|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
efi:   0x000050010000-0x00005001ffff [ACPI Mem NVS|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
efi:   0x000050020000-0x00007fffffff [Boot Data   |   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
efi:   0x000080000000-0x0000801fffff [Runtime Code|RUN|  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]
efi:   0x000090000000-0x000090000fff [MMIO        |RUN|  |  |  |  |  |  |  |  |   |  |  |  |UC]
efi:   0x0000a0000000-0x0000a00fffff [Conventional|   |  |  |  |  |  |  |  |  |   |  |  |WC|UC]
`,
			[]rng{{0x40000000, 0x40200000, false}, {0xa0000000, 0x100000, false}},
			[]rng{{0x50000000, 0x10000, false}, {0x50010000, 0x10000, true}, {0x80000000, 0x200000, true}, {0xa0000000, 0x100000, true}}},
		{"x86 efi_print_memmap form", `[    0.000000] efi: mem00: [Boot Data   |   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000000000-0x0000000000000fff] (0MB)
[    0.000000] efi: mem01: [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000001000-0x000000000009ffff] (0MB)
`, []rng{{0, 0xa0000, false}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Import("", []byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			mem, rsv := collect(l)
			if !eq(mem, tt.mem) || !eq(rsv, tt.rsv) {
				t.Errorf("memory %+v reserved %+v\nwant   %+v reserved %+v", mem, rsv, tt.mem, tt.rsv)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"unknown type", "efi:   0x000040000000-0x00004fffffff [Weird Memory|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]\n", `line 1: unknown EFI memory type "Weird Memory"`},
		{"only MMIO", "efi:   0x000090000000-0x000090000fff [MMIO        |RUN|  |  |  |  |  |  |  |  |   |  |  |  |UC]\n", "no cacheable"},
		{"backwards", "efi:   0x000050000000-0x00004fffffff [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]\n", "line 1: 0x000050000000-0x00004fffffff is not a range"},
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
	data, err := os.ReadFile("testdata/thunderx-4.8.txt")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("efi: mem00: [Conventional|SP|WB] range=[0x0-0xfff] (0MB)\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if l, err := Import("", data); err == nil {
			if err := l.Check(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// Import reads data as an EFI map only (the test files hold other formats
// too).
func Import(name string, data []byte) (*layout.Layout, error) {
	return formats.ImportAs(formats.EFI, name, data)
}
