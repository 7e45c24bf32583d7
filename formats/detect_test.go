package formats

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linmap/formats/dtb"
	"linmap/formats/dts"
	"linmap/sim"
	"linmap/sim/layout"
)

func TestDetect(t *testing.T) {
	fvp, err := os.ReadFile("dts/testdata/fvp-base-revc.dts")
	if err != nil {
		t.Fatal(err)
	}
	tree, err := dts.Parse(fvp)
	if err != nil {
		t.Fatal(err)
	}
	ql := &layout.Layout{Kernel: layout.Kernel{Era: "v6.1"}, Memory: []layout.Bank{{Base: 0x40000000, Size: 1 << 30}}}
	qjson, err := ql.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string // file name given as the hint
		file string // sample to read ("" uses data)
		data []byte
		want Format
	}{
		{name: "fvp.dts", file: "dts/testdata/fvp-base-revc.dts", want: DTS},
		{name: "-", file: "dts/testdata/fvp-base-revc.dts", want: DTS}, // by content: /dts-v1/
		{name: "-", data: dtb.Encode(tree), want: DTB},
		{name: "x.json", data: qjson, want: JSON},
		{name: "-", file: "testdata/oracle-case-h-reserved-nomap.json", want: Oracle},
		{name: "-", file: "testdata/oracle-layout-b-3banks-holes.json", want: Oracle},
		{name: "-", file: "memblock/testdata/h-reserved-nomap.txt", want: Memblock},
		{name: "-", file: "memblock/testdata/b16-3banks-memory.txt", want: Memblock},
		{name: "-", file: "iomem/testdata/h-reserved-nomap.txt", want: IOMem},
		{name: "-", file: "efi/testdata/thunderx-4.8.txt", want: MemblockDebug}, // the log holds both
		{name: "-", data: []byte("efi:   0x000040000000-0x00004fffffff [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC]\n"), want: EFI},
		{name: "-", data: []byte("[    0.000000] Early memory node ranges\n[    0.000000]   node   0: [mem 0x0000000040000000-0x000000005fffffff]\n"), want: Dmesg},
	}
	for _, tt := range tests {
		data := tt.data
		if tt.file != "" {
			if data, err = os.ReadFile(tt.file); err != nil {
				t.Fatal(err)
			}
		}
		got, ok := Detect(tt.name, data)
		if !ok || got != tt.want {
			t.Errorf("Detect(%s %s) = %q, want %q", tt.name, tt.file, got, tt.want)
			continue
		}
		l, f, err := Import(tt.name, data)
		if err != nil || f != tt.want {
			t.Errorf("Import(%s %s): format %q, error %v", tt.name, tt.file, f, err)
			continue
		}
		if err := l.Check(); err != nil || l.Kernel.Era == "" {
			t.Errorf("Import(%s %s): era %q, check %v", tt.name, tt.file, l.Kernel.Era, err)
		}
		// Every import is something the engine can run.
		if _, err := sim.Run(l); err != nil {
			t.Errorf("Import(%s %s): sim.Run: %v", tt.name, tt.file, err)
		}
	}
}

func TestUnrecognised(t *testing.T) {
	_, _, err := Import("notes.txt", []byte("hello, world\n"))
	if err == nil || !strings.Contains(err.Error(), "unrecognised input: it is none of device-tree blob, linmap layout JSON") || !strings.Contains(err.Error(), "EFI memory map") {
		t.Errorf("error = %v", err)
	}
	// Read and ImportAll say which input it is and keep the sentinel, so
	// a caller can tell "not one of the formats" from "malformed".
	_, err = Read([]Input{{Name: "notes.txt", Data: []byte("hello, world\n")}})
	if !errors.Is(err, ErrUnrecognised) || !strings.HasPrefix(err.Error(), "notes.txt: unrecognised input") {
		t.Errorf("Read: %v", err)
	}
	_, err = Read([]Input{{Name: "bad.dts", Data: []byte("/dts-v1/;\n/ { memory@0 { reg = <1 ; }; };\n")}})
	if err == nil || errors.Is(err, ErrUnrecognised) {
		t.Errorf("a malformed DTS: %v, want an error that is not ErrUnrecognised", err)
	}
}

func TestParseFormat(t *testing.T) {
	for _, f := range Formats {
		if got, err := Parse(string(f)); err != nil || got != f {
			t.Errorf("Parse(%q) = %q, %v", f, got, err)
		}
	}
	if f, err := Parse("auto"); err != nil || f != "" {
		t.Errorf("Parse(auto) = %q, %v", f, err)
	}
	if _, err := Parse("yaml"); err == nil || !strings.Contains(err.Error(), `unknown format "yaml" (known: auto, dtb, json`) {
		t.Errorf("Parse(yaml) error = %v", err)
	}
}

// TestOracleRawTexts: the real-kernel texts of every oracle case (read
// from ../../shared when it is there) import, give back the memory the
// kernel reported, and /proc/iomem places the image where QEMU loaded it.
func TestOracleRawTexts(t *testing.T) {
	files, _ := filepath.Glob("../../shared/oracle/cases/*.json")
	if len(files) == 0 {
		files = []string{"testdata/oracle-case-h-reserved-nomap.json"}
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Raw  map[string]any `json:"raw"`
			Qemu struct {
				Load struct {
					Kernel layout.Addr `json:"kernel"`
				} `json:"load"`
			} `json:"qemu"`
		}
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		mem, _ := c.Raw["memblock_memory"].(string)
		rsv, _ := c.Raw["memblock_reserved"].(string)
		io, _ := c.Raw["iomem"].(string)
		name := filepath.Base(file)

		l, f, err := Import("-", []byte(mem+"\n"+rsv))
		if err != nil || f != Memblock {
			t.Errorf("%s memblock: %v %v", name, f, err)
		} else if want := strings.Count(strings.TrimSpace(mem), "\n") + 1; len(l.Memory) != want {
			t.Errorf("%s memblock: %d banks, want %d", name, len(l.Memory), want)
		}
		l, f, err = Import("-", []byte(io))
		if err != nil || f != IOMem {
			t.Errorf("%s iomem: %v %v", name, f, err)
		} else if l.Image.Base != c.Qemu.Load.Kernel {
			t.Errorf("%s iomem: image.base %s, QEMU loaded the kernel at %s", name, l.Image.Base, c.Qemu.Load.Kernel)
		}
		if _, f, err := Import(name, data); err != nil || f != Oracle {
			t.Errorf("%s: %v %v", name, f, err)
		}
	}
}

func FuzzImport(f *testing.F) {
	for _, file := range []string{"dts/testdata/hi6220-hikey.dts", "memblock/testdata/h-reserved-nomap.txt", "iomem/testdata/h-reserved-nomap.txt", "efi/testdata/thunderx-4.8.txt", "testdata/oracle-layout-b-3banks-holes.json"} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(file, data)
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if l, _, err := Import(name, data); err == nil {
			if err := l.Check(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
