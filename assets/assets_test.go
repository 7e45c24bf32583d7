package assets

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linmap/formats/oracle"
	"linmap/sim"
	"linmap/sim/layout"
)

var update = flag.Bool("update", false, "regenerate assets/presets/oracle-*.json from ../shared/oracle/cases*")

// caseDirs are the oracle's results, beside the checkout, and the prefix
// their presets take: Debian 6.1/6.12, Debian 7.2, 7.2 built here.
var caseDirs = []struct{ dir, prefix string }{
	{"../../shared/oracle/cases", "oracle-"},
	{"../../shared/oracle/cases-7.2", "oracle-7.2-"},
	{"../../shared/oracle/cases-built", "oracle-built-"},
}

func TestPresets(t *testing.T) {
	ps := Presets()
	if len(ps) < len(galleryOrder) {
		t.Fatalf("%d presets, want at least %d", len(ps), len(galleryOrder))
	}
	for i, id := range galleryOrder {
		if ps[i].ID != id {
			t.Errorf("gallery position %d is %q, want %q", i, ps[i].ID, id)
		}
	}
	seen := map[string]bool{}
	for _, p := range ps {
		t.Run(p.ID, func(t *testing.T) {
			l, err := layout.Parse(p.Layout)
			if err != nil {
				t.Fatal(err)
			}
			if l.Name == "" || l.Description == "" || l.Source == "" {
				t.Errorf("name %q, description %q, source %q: all three are required", l.Name, l.Description, l.Source)
			}
			if strings.Contains(l.Description, "\n") {
				t.Errorf("description is not one line")
			}
			if seen[l.Name] {
				t.Errorf("name %q is used twice", l.Name)
			}
			seen[l.Name] = true
			if _, ok := sim.LookupEra(l.Kernel.Era); !ok {
				t.Errorf("era %q is not simulated", l.Kernel.Era)
			}
			if l.Image.Base == 0 {
				t.Errorf("image.base is not set")
			}
			if _, err := sim.Run(l); err != nil {
				t.Errorf("sim.Run: %v", err)
			}
		})
	}
}

// TestSeeds pins the seed-thread scenarios to the numbers of the brief.
func TestSeeds(t *testing.T) {
	type bank struct{ base, size layout.Addr }
	tests := []struct {
		id         string
		memory     []bank
		image, off layout.Addr
		end        layout.Addr
		reserved   int
	}{
		{"seed-a-kernel-in-second-block", []bank{{0x100000, 0x20100000}, {0x40000000, 0x40000000}}, 0x40080000, 0x80000, 0, 0},
		{"seed-b-hypothesis2", []bank{{0x40000000, 0xc00000}, {0x60000000, 0x1f000000}, {0x80000000, 0x3ff00000}}, 0x40080000, 0x80000, 0xb80000, 1},
		{"seed-c-unaligned-head", []bank{{0x40100000, 0x3ff00000}}, 0x40180000, 0x180000, 0, 0},
	}
	for _, tt := range tests {
		p, ok := Lookup(tt.id)
		if !ok {
			t.Fatalf("no preset %s", tt.id)
		}
		l, err := layout.Parse(p.Layout)
		if err != nil {
			t.Fatal(err)
		}
		if l.Kernel.Era != "v3.18" || l.Kernel.PageSize != "4K" || l.Kernel.VABits != 39 {
			t.Errorf("%s: kernel %+v, want v3.18 4K/39", tt.id, l.Kernel)
		}
		var got []bank
		for _, m := range l.Memory {
			got = append(got, bank{m.Base, m.Size})
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.memory) {
			t.Errorf("%s: memory %v, want %v", tt.id, got, tt.memory)
		}
		if l.Image.Base != tt.image || l.Image.TextOffset == nil || *l.Image.TextOffset != tt.off || l.Image.End != tt.end {
			t.Errorf("%s: image %+v", tt.id, l.Image)
		}
		if len(l.Reserved) != tt.reserved {
			t.Errorf("%s: reserved %+v", tt.id, l.Reserved)
		}
	}
	b, _ := Lookup("seed-b-hypothesis2")
	l, _ := layout.Parse(b.Layout)
	if r := l.Reserved[0]; r.Name != "firmware" || r.Base != 0x40000000 || r.Size != 0x80000 || r.NoMap {
		t.Errorf("seed B reserved = %+v", r)
	}
	if l.Image.Base+l.Image.End != 0x40c00000 {
		t.Errorf("seed B _end = %s, want 0x40c00000", l.Image.Base+l.Image.End)
	}
}

// oraclePreset converts one oracle result into its preset.
func oraclePreset(caseFile, prefix string) ([]byte, error) {
	data, err := os.ReadFile(caseFile)
	if err != nil {
		return nil, err
	}
	l, err := oracle.FromCase(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", caseFile, err)
	}
	id := strings.TrimSuffix(prefix+filepath.Base(caseFile), ".json")
	l.Name = "Oracle: " + strings.TrimPrefix(id, "oracle-")
	what := fmt.Sprintf("Real-kernel result: %s %s/%d under QEMU virt, cmdline %q", l.Kernel.Era, l.Kernel.PageSize, l.Kernel.VABits, l.Kernel.Cmdline)
	if l.Description != "" {
		l.Description = strings.TrimSuffix(l.Description, ".") + ". " + what + "."
	} else {
		l.Description = what + "."
	}
	l.Source += "; generated from shared/oracle/" + filepath.Base(filepath.Dir(caseFile)) + "/" + filepath.Base(caseFile) + " by assets_test.go -update"
	return l.Marshal()
}

// TestOraclePresets checks (or with -update writes) oracle-<case>.json for
// every oracle case, so the presets follow the oracle when it grows.
func TestOraclePresets(t *testing.T) {
	var cases, prefixes []string
	for _, d := range caseDirs {
		fs, _ := filepath.Glob(filepath.Join(d.dir, "*.json"))
		if len(fs) == 0 {
			t.Fatalf("no oracle cases at %s: shared/ must sit beside the checkout", d.dir)
		}
		for _, f := range fs {
			cases, prefixes = append(cases, f), append(prefixes, d.prefix)
		}
	}
	for i, c := range cases {
		want, err := oraclePreset(c, prefixes[i])
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join("presets", prefixes[i]+filepath.Base(c))
		if *update {
			if err := os.WriteFile(file, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil || string(got) != string(want) {
			t.Errorf("%s is missing or stale: run go test ./assets -run TestOraclePresets -update", file)
		}
	}
}
