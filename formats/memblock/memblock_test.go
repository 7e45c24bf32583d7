package memblock_test

import (
	"linmap/formats"
	"os"
	"strings"
	"testing"

	"linmap/sim"
	"linmap/sim/layout"
)

type rng struct {
	base, size layout.Addr
	nid        int
	flag       bool // hotplug for banks, no-map for reserved
}

func TestImport(t *testing.T) {
	tests := []struct {
		name, file, text string
		memory           []rng
		nReserved        int // reserved ranges imported: the NOMAP ones (the reserved list is the end of boot)
		noMap            []rng
		era              string
		image            layout.Addr
	}{
		{name: "old format, both lists, NOMAP invisible", file: "testdata/h-reserved-nomap.txt",
			memory: []rng{{0x40000000, 0x20000000, 0, false}, {0x60000000, 0x200000, 0, false}, {0x60200000, 0x3e10000, 0, false}, {0x64010000, 0x10000, 0, false}, {0x64020000, 0x5bfe0000, 0, false}},
			era:    "v6.1", image: 0x40200000},
		{name: "flagged format, memory only", file: "testdata/b16-3banks-memory.txt",
			memory: []rng{{0x40000000, 0x1fe00000, 0, false}, {0x62000000, 0x7c000000, 0, false}, {0xe0200000, 0x5fc00000, 0, false}},
			era:    sim.DefaultEra},
		{name: "flagged format, both lists without headers", file: "testdata/b16-3banks-both.txt",
			memory: []rng{{0x40000000, 0x1fe00000, 0, false}, {0x62000000, 0x7c000000, 0, false}, {0xe0200000, 0x5fc00000, 0, false}},
			era:    sim.DefaultEra, image: 0x40200000},
		{name: "flags, nodes, x, timestamps and a version line", text: `[    0.000000] Linux version 6.8.0-31-generic (buildd@x) #31-Ubuntu
# cat /sys/kernel/debug/memblock/memory
   0: 0x0000000000000000..0x000000000007ffff    0 NOMAP
   1: 0x0000000000080000..0x000000003fbfffff    0 NONE
   2: 0x0000000040000000..0x00000001ffffffff    1 HOTPLUG|MIRROR
   3: 0x0000000200000000..0x00000002ffffffff    x DRV_MNG
`,
			// DRV_MNG: hot-added by a driver after boot, not imported.
			memory: []rng{{0, 0x80000, 0, false}, {0x80000, 0x3fb80000, 0, false}, {0x40000000, 0x1c0000000, 1, true}},
			noMap:  []rng{{0, 0x80000, 0, true}}, nReserved: 1, era: "v6.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.text)
			if tt.file != "" {
				var err error
				if data, err = os.ReadFile(tt.file); err != nil {
					t.Fatal(err)
				}
			}
			l, err := Import(tt.file, data)
			if err != nil {
				t.Fatal(err)
			}
			var got []rng
			for _, m := range l.Memory {
				got = append(got, rng{m.Base, m.Size, m.NID, m.Hotplug})
			}
			if len(got) != len(tt.memory) {
				t.Fatalf("memory = %+v, want %+v", got, tt.memory)
			}
			for i := range got {
				if got[i] != tt.memory[i] {
					t.Errorf("memory[%d] = %+v, want %+v", i, got[i], tt.memory[i])
				}
			}
			if len(l.Reserved) != tt.nReserved {
				t.Errorf("%d reserved ranges, want %d", len(l.Reserved), tt.nReserved)
			}
			for _, nm := range tt.noMap {
				found := false
				for _, r := range l.Reserved {
					found = found || r.NoMap && r.Base == nm.base && r.Size == nm.size
				}
				if !found {
					t.Errorf("no no-map reserved range %s+%s in %+v", nm.base, nm.size, l.Reserved)
				}
			}
			if l.Kernel.Era != tt.era {
				t.Errorf("era = %q, want %q", l.Kernel.Era, tt.era)
			}
			if tt.image != 0 && l.Image.Base != tt.image {
				t.Errorf("image.base = %s, want %s", l.Image.Base, tt.image)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"reserved only", "# cat /sys/kernel/debug/memblock/reserved\n   0: 0x0000000040000000..0x000000004fffffff\n", "only memblock.reserved"},
		{"end below start", "   0: 0x0000000040000000..0x000000003fffffff\n", "line 1: end 0x3fffffff is below start 0x40000000"},
		{"unknown flag", "   0: 0x0000000040000000..0x000000007fffffff    0 NONE\n   1: 0x0000000080000000..0x00000000bfffffff    0 BOGUS\n", `line 2: unknown memblock flag "BOGUS"`},
		{"three lists", "   0: 0x0..0x1fff\n   0: 0x0..0xfff\n   0: 0x4000..0x4fff\n", "line 3: a second reserved list starts here"},
		{"too big", "   0: 0x10000000000000000..0x10000000000000001\n", "line 1"},
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
	for _, name := range []string{"testdata/h-reserved-nomap.txt", "testdata/b16-3banks-both.txt"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("   0: 0x0000000000000000..0xffffffffffffffff    x NOMAP|HOTPLUG\n"))
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
