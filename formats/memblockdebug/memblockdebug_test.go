package memblockdebug_test

import (
	"linmap/formats"
	"os"
	"strings"
	"testing"

	"linmap/sim/layout"
)

func TestThunderX(t *testing.T) {
	data, err := os.ReadFile("testdata/thunderx-4.8.txt")
	if err != nil {
		t.Fatal(err)
	}
	l, err := Import("thunderx-4.8.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Memory) != 9 || l.Memory[3].Base != 0x10000400000 || l.Memory[3].NID != 1 || l.Memory[0].Size != 0xfebe0000 {
		t.Errorf("memory = %+v", l.Memory)
	}
	nomap, plain := 0, 0
	for _, r := range l.Reserved {
		if r.NoMap {
			nomap++
		} else {
			plain++
		}
	}
	if nomap != 4 || plain != 13 {
		t.Errorf("%d no-map and %d reserved ranges, want 4 and 13", nomap, plain)
	}
	// reserved[0] is the v4.8 kernel: _text at 0x1400000 + text_offset 0x80000.
	if l.Image.Base != 0x1480000 || l.Image.TextOffset == nil || *l.Image.TextOffset != 0x80000 || l.Image.End != 0x1010000 {
		t.Errorf("image = %+v", l.Image)
	}
}

func TestInline(t *testing.T) {
	tests := []struct {
		name, text string
		memory     []layout.Bank
		nomap      int
		cmdline    string
	}{
		{"caller ids and tabs, hotplug, two blocks (last wins)", "[    0.000000][    T0] MEMBLOCK configuration:\n" +
			"[    0.000000][    T0]  memory[0x0]\t[0x0000000090000000-0x0000000091ffffff], 0x0000000002000000 bytes on node 0 flags: 0x0\n" +
			"[    0.000000][    T0] Kernel command line: BOOT_IMAGE=/vmlinuz mem=4G\n" +
			"[    0.100000][    T0] MEMBLOCK configuration:\n" +
			"[    0.100000][    T0]  memory[0x0]\t[0x0000000090000000-0x0000000091ffffff], 0x0000000002000000 bytes on node 0 flags: 0x0\n" +
			"[    0.100000][    T0]  memory[0x1]\t[0x0000000092000000-0x00000000928fffff], 0x0000000000900000 bytes on node 0 flags: 0x4\n" +
			"[    0.100000][    T0]  memory[0x2]\t[0x0000080000000000-0x00000807ffffffff], 0x0000000800000000 bytes on node 1 flags: 0x1\n",
			[]layout.Bank{{Base: 0x90000000, Size: 0x2000000}, {Base: 0x92000000, Size: 0x900000}, {Base: 0x80000000000, Size: 0x800000000, NID: 1, Hotplug: true}},
			1, "BOOT_IMAGE=/vmlinuz mem=4G"},
		{"v3.x without node", " MEMBLOCK configuration:\n  memory[0x0]\t[0x00000080000000-0x000000ffffffff], 0x80000000 bytes flags: 0x0\n",
			[]layout.Bank{{Base: 0x80000000, Size: 0x80000000}}, 0, ""},
		{"early node ranges fallback", "[    0.000000] Early memory node ranges\n[    0.000000]   node   0: [mem 0x0000000040000000-0x000000005fffffff]\n[    0.000000]   node   1: [mem 0x0000000060200000-0x00000000bfffffff]\n",
			[]layout.Bank{{Base: 0x40000000, Size: 0x20000000}, {Base: 0x60200000, Size: 0x5fe00000, NID: 1}}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Import("", []byte(tt.text))
			if err != nil {
				t.Fatal(err)
			}
			if len(l.Memory) != len(tt.memory) {
				t.Fatalf("memory = %+v", l.Memory)
			}
			for i, m := range l.Memory {
				w := tt.memory[i]
				if m.Base != w.Base || m.Size != w.Size || m.NID != w.NID || m.Hotplug != w.Hotplug {
					t.Errorf("memory[%d] = %+v, want %+v", i, m, w)
				}
			}
			n := 0
			for _, r := range l.Reserved {
				if r.NoMap {
					n++
				}
			}
			if n != tt.nomap || l.Kernel.Cmdline != tt.cmdline {
				t.Errorf("%d no-map, cmdline %q; want %d, %q", n, l.Kernel.Cmdline, tt.nomap, tt.cmdline)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"size mismatch", "MEMBLOCK configuration:\n memory[0x0]\t[0x40000000-0x4fffffff], 0x1000 bytes flags: 0x0\n", "line 2: memory[0x0] spans 0x10000000 bytes but says 0x1000 bytes"},
		{"empty block", "MEMBLOCK configuration:\n memory.cnt  = 0x0\n", "no memory[0x…] lines"},
		{"backwards", "MEMBLOCK configuration:\n memory[0x0]\t[0x50000000-0x4fffffff], 0x0 bytes flags: 0x0\n", "line 2: [0x50000000-0x4fffffff] is not a range"},
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
	f.Add([]byte("Early memory node ranges\n  node   0: [mem 0x0-0xffffffffffffffff]\n"))
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
