package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"linmap/sim/result"
)

// Layouts the tests run, written to a temporary directory.
var testLayouts = map[string]string{
	// One 1 GiB bank, v6.1, rodata=on: block mappings around a page-mapped
	// kernel alias.
	"small": `{"format": "linmap-layout", "version": 1, "name": "small",
		"kernel": {"era": "v6.1", "cmdline": "rodata=on"},
		"memory": [{"base": "0x40000000", "size": "1G"}],
		"image": {"base": "0x40200000"}}`,
	// v3.18 limits table allocation to the first bank, which the image
	// fills: early_alloc panics.
	"v318": `{"format": "linmap-layout", "version": 1,
		"kernel": {"era": "v3.18", "page_size": "4K", "va_bits": 39},
		"memory": [{"base": "0x40000000", "size": "0xc00000"},
		           {"base": "0x60000000", "size": "0x1f000000"},
		           {"base": "0x80000000", "size": "0x3ff00000"}],
		"reserved": [{"base": "0x40000000", "size": "0x80000"}],
		"image": {"base": "0x40080000", "text_offset": "0x80000", "end": "0xb80000"}}`,
	// Like the QEMU oracle runs: one 2 GiB bank, the image 2 MiB in.
	"oracle": `{"format": "linmap-layout", "version": 1, "name": "oracle",
		"kernel": {"era": "v6.12", "cmdline": "rodata=on"},
		"memory": [{"base": "0x40000000", "size": "0x80000000"}],
		"image": {"base": "0x40200000"}}`,
	"badsize": `{"kernel": {"era": "v6.1"},
		"memory": [{"base": "0x40000000", "size": "1Q"}]}`,
	"badera": `{"kernel": {"era": "v9.9"},
		"memory": [{"base": "0x40000000", "size": "1G"}]}`,
}

// writeLayouts writes testLayouts and returns their paths by name.
func writeLayouts(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for name, js := range testLayouts {
		p := filepath.Join(dir, name+".json")
		if err := os.WriteFile(p, []byte(js), 0o644); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	return paths
}

// expand replaces {name} in args by the path of that layout.
func expand(args []string, paths map[string]string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		for name, p := range paths {
			a = strings.ReplaceAll(a, "{"+name+"}", p)
		}
		out[i] = a
	}
	return out
}

func runCLI(t *testing.T, args []string, stdin string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestRun(t *testing.T) {
	paths := writeLayouts(t)
	tests := []struct {
		name  string
		args  []string
		stdin string // a testLayouts name, fed on stdin
		code  int
		want  []string // regexps stdout must match
		not   []string // regexps stdout must not match
		err   string   // regexp the single stderr line must match (code != 0)
	}{
		{name: "summary", args: []string{"{small}"}, want: []string{
			`(?m)^small: era v6\.1, 4K pages, VA_BITS 48 \(48 in use\), 4 levels$`,
			`(?m)^PHYS_OFFSET   0x40000000$`,
			`(?m)^PAGE_OFFSET   0xffff000000000000$`,
			`(?m)^mapped        1G in \d+ runs: .*2M\+cont 992M;`,
			`(?m)^lost          none$`,
			`(?m)^outcome       boots$`,
		}},
		{name: "summary is the default format", args: []string{"-format", "summary", "{small}"}, want: []string{`(?m)^outcome       boots$`}},
		{name: "json", args: []string{"-format", "json", "{small}"}, want: []string{
			`"era": "v6\.1"`, `"phys_offset": "0x40000000"`, `"page_offset": "0xffff000000000000"`,
			`"purpose": "kernel-alias"`, `"leaf_bytes": "0x200000"`, `"fatal": null`, `"kind": "leaves"`,
		}},
		{name: "ptdump", args: []string{"-format=ptdump", "{small}"}, want: []string{
			`(?m)^---\[ Linear Mapping start \]---$`,
			`(?m)^0xffff000000000000-0xffff000000200000 +2M PMD +RW NX .*BLK`,
			`(?m)^0xffff000002000000-0xffff000040000000 +992M PMD +RW NX .*CON BLK`,
			`(?m)^---\[ Linear Mapping end \]---$`,
		}},
		{name: "trace", args: []string{"-format", "trace", "{small}"}, want: []string{
			`(?m)^   0 info     PAGE_OFFSET = 0xffff000000000000`,
			`(?m)^ +\d+ memblock early_init_dt_add_memory_arch: memblock_add \[0x40000000-0x80000000\)`,
			`(?m)^ +\d+ map      __map_memblock: `,
		}, not: []string{`(?m)^ +\d+ fatal`}},
		{name: "stdin", args: []string{"-"}, stdin: "small", want: []string{`(?m)^small: era v6\.1, 4K pages`, `(?m)^outcome       boots$`}},

		// Overrides replace the layout's values.
		{name: "-era", args: []string{"-era", "v6.12", "{small}"}, want: []string{
			`(?m)^small: era v6\.12, 4K pages, VA_BITS 52 \(48 in use\), 4 levels$`, `(?m)^PHYS_OFFSET   -0x`}},
		{name: "-page-size", args: []string{"-page-size", "64K", "{small}"}, want: []string{`(?m)^small: era v6\.1, 64K pages, VA_BITS 48 \(48 in use\), 3 levels$`}},
		{name: "-va-bits", args: []string{"-va-bits", "39", "{small}"}, want: []string{
			`(?m)^small: era v6\.1, 4K pages, VA_BITS 39 \(39 in use\), 3 levels$`, `(?m)^PAGE_OFFSET   0xffffff8000000000$`}},
		{name: "-cmdline replaces the layout's", args: []string{"-cmdline", "rodata=full", "{small}"},
			want: []string{`(?m)^mapped        1G in \d+ runs: 2M 20M; 4K 1004M;$`}, not: []string{`2M\+cont`}},
		{name: "-cmdline empty is still an override", args: []string{"-cmdline", "", "{small}"},
			want: []string{`(?m)^mapped        1G in \d+ runs: 2M 20M; 4K 1004M;$`}},
		{name: "-cmdline mem=", args: []string{"-cmdline", "mem=512M rodata=on", "{small}"},
			want: []string{`(?m)^lost          0x60000000-0x80000000 \(512M\) mem-limit: `}},
		{name: "all overrides", args: []string{"-era", "v6.12", "-page-size", "16K", "-va-bits", "47", "-cmdline", "mem=512M", "-format", "summary", "{small}"},
			want: []string{`(?m)^small: era v6\.12, 16K pages, VA_BITS 47 \(47 in use\), 3 levels$`, `(?m)^mapped        512M in \d+ runs: 16K 512M;$`}},

		// A simulated panic is a result.
		{name: "v3.18 panic", args: []string{"{v318}"}, want: []string{
			`(?m)^\(unnamed layout\): era v3\.18, 4K pages, VA_BITS 39 \(39 in use\), 3 levels$`,
			`(?m)^outcome       BOOT FAILS: ERROR: Failed to allocate 0x1000 bytes below 0x0\.$`,
			`(?m)^lost          0x80000000-0xbff00000 \(1023M\) not-reached: `,
		}, not: []string{`outcome       boots`}},
		{name: "v3.18 panic, json", args: []string{"-format", "json", "{v318}"}, want: []string{
			`"message": "ERROR: Failed to allocate 0x1000 bytes below 0x0\."`, `"reason": "not-reached"`}},
		{name: "v3.18 panic, trace", args: []string{"-format", "trace", "{v318}"}, want: []string{
			`(?m)^ +\d+ fatal    create_mapping: ERROR: Failed to allocate 0x1000 bytes below 0x0\.$`}},

		// Bad input: exit 2, one line naming the field.
		{name: "bad size", args: []string{"{badsize}"}, code: 2, err: `^linmap: .*badsize\.json: memory\[0\]\.size = "1Q": .*$`},
		{name: "bad size on stdin", args: []string{"-"}, stdin: "badsize", code: 2, err: `^linmap: standard input: memory\[0\]\.size = "1Q": `},
		{name: "not JSON", args: []string{"-"}, stdin: "", code: 2, err: `^linmap: standard input: \(document\): not valid JSON`},
		{name: "unknown era in layout", args: []string{"{badera}"}, code: 2, err: `kernel\.era = "v9\.9": unknown era; choose one of v3\.18, .*v7\.2$`},
		{name: "unknown era flag", args: []string{"-era", "v5.4", "{small}"}, code: 2, err: `kernel\.era = "v5\.4": unknown era`},
		{name: "era rejects the page size", args: []string{"-era", "v3.18", "-page-size", "16K", "{small}"}, code: 2, err: `kernel\.page_size = "16K": era v3\.18 offers only 4K, 64K pages`},
		{name: "era rejects VA_BITS", args: []string{"-page-size", "16K", "-va-bits", "39", "{small}"}, code: 2, err: `kernel\.va_bits = 39: era v6\.1 with 16K pages allows VA_BITS 36, 47, 48$`},
		{name: "image not at text_offset", args: []string{"-era", "v4.19", "{small}"}, code: 2, err: `image\.base = 0x40200000: the Image must be loaded text_offset \(0x80000\)`},
		{name: "bad mem=", args: []string{"-cmdline", "mem=lots", "{small}"}, code: 2, err: `kernel\.cmdline = mem=lots: `},
		{name: "bad format", args: []string{"-format", "svg", "{small}"}, code: 2, err: `-format "svg"`},
		{name: "missing file", args: []string{"/nonexistent/layout.json"}, code: 2, err: `no such file`},

		{name: "eras", args: []string{"eras"}, want: []string{
			`(?m)\Av3\.18 +Dec 2014 +from v3\.7 +PHYS_OFFSET = image load address`,
			`(?m)^rfc-2014 +not merged +not released +.*\(reconstructed from the discussion: the patch text is lost\)$`,
			`(?m)^v6\.18 +Nov 2025 +from v6\.18 +No linear-map randomisation`,
			`(?m)^v7\.2 +Aug 2026 +from v7\.2 +The kernel alias and data/bss are mapped first`,
		}},
		{name: "eras json", args: []string{"eras", "-format", "json"}, want: []string{`"id": "v7.2"`, `"since": "4.12"`, `"checked": "Debian 6.1.192 under QEMU"`, `"default_page_size": "4K"`}},
		{name: "eras markdown", args: []string{"eras", "-format", "markdown"}, want: []string{"(?m)^\\| `v7\\.2` \\| Aug 2026 \\| v7\\.2 \\|"}},
		{name: "eras bad format", args: []string{"eras", "-format", "csv"}, code: 2, err: `eras: -format "csv"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdin := ""
			if tt.stdin != "" {
				stdin = testLayouts[tt.stdin]
			}
			code, out, errs := runCLI(t, expand(tt.args, paths), stdin)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, tt.code, errs)
			}
			for _, re := range tt.want {
				if !regexp.MustCompile(re).MatchString(out) {
					t.Errorf("stdout does not match %s:\n%s", re, out)
				}
			}
			for _, re := range tt.not {
				if regexp.MustCompile(re).MatchString(out) {
					t.Errorf("stdout matches %s:\n%s", re, out)
				}
			}
			if tt.code == 0 {
				if errs != "" {
					t.Errorf("stderr: %s", errs)
				}
				return
			}
			// The usage text is several lines; bad input is exactly one.
			if strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "\n") {
				t.Errorf("stderr is not one line: %q", errs)
			}
			if !regexp.MustCompile(tt.err).MatchString(strings.TrimSuffix(errs, "\n")) {
				t.Errorf("stderr %q does not match %s", errs, tt.err)
			}
			if tt.code == 2 && out != "" {
				t.Errorf("stdout not empty on bad input: %q", out)
			}
		})
	}
}

// TestRunFormatsAgree checks the formats describe the same run: the JSON
// decodes into a result, the trace has one line per step, and stdin gives
// what the file gives.
func TestRunFormatsAgree(t *testing.T) {
	paths := writeLayouts(t)
	for _, name := range []string{"small", "v318", "oracle"} {
		t.Run(name, func(t *testing.T) {
			code, js, errs := runCLI(t, []string{"-format", "json", paths[name]}, "")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var r result.Result
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				t.Fatalf("json output does not decode: %v", err)
			}
			if len(r.Trace) == 0 || len(r.Mappings) == 0 || r.Stats.MappedBytes == 0 {
				t.Fatalf("empty result: %d steps, %d mappings", len(r.Trace), len(r.Mappings))
			}
			var sum result.Addr
			for _, m := range r.Mappings {
				sum += m.Size
			}
			if sum != r.Stats.MappedBytes {
				t.Errorf("mappings add up to %s, stats.mapped_bytes %s", sum, r.Stats.MappedBytes)
			}
			if (name == "v318") != (r.Fatal != nil) {
				t.Errorf("fatal = %+v", r.Fatal)
			}
			if r.Fatal != nil && (r.Fatal.Step >= len(r.Trace) || r.Trace[r.Fatal.Step].Kind != result.StepFatal) {
				t.Errorf("fatal.step %d does not index a fatal step", r.Fatal.Step)
			}

			_, trace, _ := runCLI(t, []string{"-format", "trace", paths[name]}, "")
			if n := strings.Count(trace, "\n"); n != len(r.Trace) {
				t.Errorf("trace has %d lines, json %d steps", n, len(r.Trace))
			}

			_, fromFile, _ := runCLI(t, []string{paths[name]}, "")
			code, fromStdin, errs := runCLI(t, []string{"-"}, testLayouts[name])
			if code != 0 || fromStdin != fromFile {
				t.Errorf("stdin run differs (exit %d, %s):\n%s\nfile:\n%s", code, errs, fromStdin, fromFile)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	paths := writeLayouts(t)
	tests := []struct {
		name string
		args []string
		code int
		want []string // regexps on stdout
		err  string   // substring of stderr
	}{
		{"text", []string{"diff", "-era", "v6.1", "-era", "v6.12", "{oracle}"}, 0, []string{
			`(?m)^ +v6\.1 +v6\.12$`,
			`(?m)^era +v6\.1 +v6\.12$`,
			`(?m)^kernel alias starts at +0x40210000 +0x40200000$`,
			`(?m)^outcome +boots +boots$`,
			`(?m)^\d+ physical ranges differ:$`,
			`(?m)^  0x40200000-0x40210000 +64K  4K\+cont → 2M$`,
		}, ""},
		{"same era twice", []string{"diff", "-era", "v6.1", "-era", "v6.1", "{oracle}"}, 0, []string{
			`(?m)^kernel alias starts at +0x40210000 +0x40210000$`, `(?m)^0 physical ranges differ:$`}, ""},
		{"two command lines", []string{"diff", "-era", "v6.1", "-cmdline-a", "rodata=on", "-cmdline-b", "rodata=full", "{oracle}"}, 0, []string{
			`(?m)^ +v6\.1 \[rodata=on\] +v6\.1 \[rodata=full\]$`, `(?m)^  0x42000000-0x80000000 +992M  2M\+cont → 4K$`}, ""},
		{"three eras", []string{"diff", "-era", "v6.1", "-era", "v6.12", "-era", "v6.18", "{oracle}"}, 2, nil, "usage: linmap diff"},
		{"bad format", []string{"diff", "-era", "v6.1", "-era", "v6.12", "-format", "html", "{oracle}"}, 2, nil, `-format "html"`},
		{"unknown era", []string{"diff", "-era", "v6.1", "-era", "v7", "{oracle}"}, 2, nil, `kernel.era = "v7": unknown era`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, expand(tt.args, paths), "")
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, tt.code, errs)
			}
			for _, re := range tt.want {
				if !regexp.MustCompile(re).MatchString(out) {
					t.Errorf("stdout does not match %s:\n%s", re, out)
				}
			}
			if !strings.Contains(errs, tt.err) || (tt.err == "") != (errs == "") {
				t.Errorf("stderr %q, want it to contain %q", errs, tt.err)
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		code, out, errs := runCLI(t, []string{"diff", "-era", "v6.1", "-era", "v6.12", "-format", "json", paths["oracle"]}, "")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		var d struct {
			A, B   string
			Ranges []struct {
				PA, Size, A, B string
			} `json:"ranges"`
			Summary []struct {
				What, A, B string
			} `json:"summary"`
		}
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if d.A != "v6.1" || d.B != "v6.12" {
			t.Errorf("A, B = %q, %q", d.A, d.B)
		}
		rows := map[string][2]string{}
		for _, r := range d.Summary {
			rows[r.What] = [2]string{r.A, r.B}
		}
		// v6.1 starts the alias at _stext (_text + 0x10000), v6.12 at _text.
		if got := rows["kernel alias starts at"]; got != [2]string{"0x40210000", "0x40200000"} {
			t.Errorf("kernel alias starts at %v, want [0x40210000 0x40200000]", got)
		}
		if got := rows["era"]; got != [2]string{"v6.1", "v6.12"} {
			t.Errorf("era row %v", got)
		}
		found := false
		for _, r := range d.Ranges {
			if r.PA == "0x40200000" && r.Size == "0x10000" && r.A == "4K+cont" && r.B == "2M" {
				found = true
			}
		}
		if !found || len(d.Ranges) == 0 {
			t.Errorf("no range 0x40200000+0x10000 4K+cont → 2M in %+v", d.Ranges)
		}
	})
}
