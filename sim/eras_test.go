package sim_test

import (
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"linmap/sim"
	"linmap/sim/layout"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated era tables in README.md and docs/layout-format.md")

// TestRegistry walks the era registry and checks that everything that
// lists eras agrees with it: the JSON schema's enum and default, the docs'
// tables, ptdump, the version mapping and the engine itself.
func TestRegistry(t *testing.T) {
	eras := sim.Eras()
	ids := sim.EraIDs()
	if len(eras) == 0 || ids[len(ids)-1] != sim.DefaultEra {
		t.Fatalf("the default era %s must be the newest registry entry (%v)", sim.DefaultEra, ids)
	}
	seen := map[string]bool{}
	var lastSince sim.Version
	for _, e := range eras {
		if seen[e.ID] {
			t.Errorf("era %s is registered twice", e.ID)
		}
		seen[e.ID] = true
		if e.Policy == nil || e.Messages.AllocFail == nil || e.Messages.Sites == nil || e.Label == "" || e.Summary == "" || e.Released == "" {
			t.Errorf("era %s lacks a policy, messages, label, summary or release", e.ID)
		}
		if e.Kconfig.VABits[e.Kconfig.DefaultPageSize] == nil {
			t.Errorf("era %s: default page size %s has no VA_BITS", e.ID, e.Kconfig.DefaultPageSize)
		}
		for ps, vas := range e.Kconfig.VABits {
			if !slices.Contains(vas, e.Kconfig.DefaultVABits[ps]) {
				t.Errorf("era %s %s: default VA_BITS %d is not a choice %v", e.ID, ps, e.Kconfig.DefaultVABits[ps], vas)
			}
			b := e.Builds.For(ps)
			if b.End == 0 || b.Stext > b.Etext || b.Etext > b.InitBegin || b.InitBegin > b.End {
				t.Errorf("era %s %s: image defaults out of order: %+v", e.ID, ps, b)
			}
			// Every page size / VA_BITS pair runs with the defaults.
			for _, va := range vas {
				l := &layout.Layout{Kernel: layout.Kernel{Era: e.ID, PageSize: ps, VABits: va}, Memory: []layout.Bank{{Base: 0x40000000, Size: 1 << 30}}}
				r, err := sim.Run(l)
				if err != nil || r.Era != e.ID || r.EraLabel != e.Label || r.Fatal != nil {
					t.Errorf("era %s %s/%d with defaults: %v %+v", e.ID, ps, va, err, r)
				}
			}
		}
		if !e.Since.IsZero() {
			if e.Since.Less(lastSince) {
				t.Errorf("era %s: rules from %s, before the previous era's %s: the registry is ordered", e.ID, e.Since, lastSince)
			}
			lastSince = e.Since
			// The version mapping sends an era's first version to it.
			if got, ok := sim.EraForVersion(e.Since); !ok || got.ID != e.ID {
				t.Errorf("EraForVersion(%s) = %v, want %s", e.Since, got, e.ID)
			}
		}
		// ptdump prints with the era's style.
		var sb strings.Builder
		r, _ := sim.Run(&layout.Layout{Kernel: layout.Kernel{Era: e.ID}, Memory: []layout.Bank{{Base: 0x40000000, Size: 1 << 30}}})
		if err := sim.Ptdump(&sb, r); err != nil || !strings.HasPrefix(sb.String(), "---[ "+e.Ptdump.Title) || e.Ptdump.StartEnd != strings.Contains(sb.String(), "Linear Mapping end") {
			t.Errorf("era %s: ptdump %v:\n%s", e.ID, err, sb.String())
		}
	}

	// The JSON schema's era enum is the registry plus "" (the default).
	var schema struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Description string `json:"description"`
				Enum        []any  `json:"enum"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	data, err := os.ReadFile("../docs/layout.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	era := schema.Defs["kernel"].Properties["era"]
	var enum []string
	for _, v := range era.Enum {
		enum = append(enum, v.(string))
	}
	want := append(slices.Clone(ids), "")
	wantDesc := "Kernel era; empty means " + sim.DefaultEra + "."
	if !slices.Equal(enum, want) || era.Description != wantDesc {
		if *updateDocs {
			quoted, _ := json.Marshal(want)
			re := regexp.MustCompile(`("era": \{\s*"description": )"[^"]*"(,\s*"type": "string",\s*"enum": )\[[^\]]*\]`)
			fixed := re.ReplaceAll(data, []byte(`${1}"`+wantDesc+`"${2}`+strings.ReplaceAll(string(quoted), ",", ", ")))
			if err := os.WriteFile("../docs/layout.schema.json", fixed, 0o644); err != nil {
				t.Fatal(err)
			}
		} else {
			t.Errorf("schema era enum %q and description %q; the registry has %q, default %s: run go test ./sim -run TestRegistry -update-docs", enum, era.Description, want, sim.DefaultEra)
		}
	}

	// The docs' generated tables are the registry's.
	for _, doc := range []struct {
		file   string
		blocks map[string]string
	}{
		{"../README.md", map[string]string{"eras": sim.EraTable()}},
		{"../docs/layout-format.md", map[string]string{"eras": sim.EraTable(), "images": sim.ImageTable()}},
	} {
		text, err := os.ReadFile(doc.file)
		if err != nil {
			t.Fatal(err)
		}
		got := string(text)
		for name, want := range doc.blocks {
			re := regexp.MustCompile(`(?s)(<!-- ` + name + `:begin[^>]*-->\n)(.*?)(<!-- ` + name + `:end -->)`)
			m := re.FindStringSubmatch(got)
			if m == nil {
				t.Errorf("%s has no generated %q block (<!-- %s:begin --> … <!-- %s:end -->)", doc.file, name, name, name)
				continue
			}
			if m[2] != want {
				if *updateDocs {
					got = strings.Replace(got, m[0], m[1]+want+m[3], 1)
					continue
				}
				t.Errorf("%s: the %q table differs from the registry: run go test ./sim -run TestRegistry -update-docs", doc.file, name)
			}
		}
		if *updateDocs && got != string(text) {
			if err := os.WriteFile(doc.file, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// No era id literal outside the registry and the tests: the other packages
// read sim.Eras().
func TestNoEraLiterals(t *testing.T) {
	lit := regexp.MustCompile(`"(` + strings.Join(quoteIDs(), "|") + `)"`)
	var bad []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "dist" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || path == filepath.Join("..", "sim", "eras.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range lit.FindAll(src, -1) {
			bad = append(bad, path+": "+string(m))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("era ids written outside the registry:\n%s", strings.Join(dedupe(bad), "\n"))
	}
}

func quoteIDs() []string {
	var out []string
	for _, id := range sim.EraIDs() {
		out = append(out, regexp.QuoteMeta(id))
	}
	return out
}

func dedupe(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
