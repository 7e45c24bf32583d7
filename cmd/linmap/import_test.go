package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linmap/formats/dtb"
	"linmap/sim/layout"
)

func TestCmdImport(t *testing.T) {
	fvp, err := os.ReadFile("../../formats/dts/testdata/fvp-base-revc.dts")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		stdin    string
		code     int
		stdout   string // substring of the layout JSON
		stderr   string // substring of the error line
		errLines int
	}{
		{"iomem file, auto", []string{"../../formats/iomem/testdata/h-reserved-nomap.txt"}, "", 0, `"base": "0x40200000"`, "", 0},
		{"dts from stdin", []string{"-format", "dts", "-"}, string(fvp), 0, `"name": "vram@18000000"`, "", 0},
		{"memblock forced", []string{"-format=memblock", "../../formats/memblock/testdata/b16-3banks-memory.txt"}, "", 0, `"base": "0xe0200000"`, "", 0},
		{"bad dts", []string{"-format", "dts", "-"}, "/dts-v1/;\n/ {\n\tmemory@0 {\n", 2, "", "linmap import: standard input: line 4: node \"memory@0\" opened at line 3 is never closed", 1},
		{"unrecognised", []string{"-"}, "hello", 2, "", "unrecognised input", 1},
		{"unknown format", []string{"-format", "yaml", "-"}, "", 2, "", `unknown format "yaml"`, 1},
		{"no file", []string{}, "", 2, "", "expected one or more FILEs", 0},
		{"missing file", []string{"/nonexistent/iomem"}, "", 2, "", "no such file", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := cmdImport(tt.args, strings.NewReader(tt.stdin), &out, &errb)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errb.String())
			}
			if !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stdout %q\nstderr %q", out.String(), errb.String())
			}
			if tt.errLines > 0 && strings.Count(errb.String(), "\n") != tt.errLines {
				t.Errorf("stderr has %d lines, want %d: %q", strings.Count(errb.String(), "\n"), tt.errLines, errb.String())
			}
			if code == 0 {
				if _, err := layout.Parse(out.Bytes()); err != nil {
					t.Errorf("output does not parse: %v", err)
				}
			}
		})
	}
}

func TestCmdExport(t *testing.T) {
	l := &layout.Layout{Kernel: layout.Kernel{Era: "v6.1", Cmdline: "mem=1G"},
		Memory:   []layout.Bank{{Base: 0x80000000, Size: 0x80000000}},
		Reserved: []layout.Reserved{{Base: 0x80000000, Size: 0x200000, Name: "tee", NoMap: true}},
		Image:    layout.Image{Base: 0x80200000}}
	js, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "board.json")
	if err := os.WriteFile(file, js, 0o644); err != nil {
		t.Fatal(err)
	}

	var out, errb bytes.Buffer
	if code := cmdExport([]string{"-format", "dts", file}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"memory@80000000 {", "reg = <0x0 0x80000000 0x0 0x80000000>;", "tee@80000000 {", "no-map;", `bootargs = "mem=1G";`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("DTS lacks %q:\n%s", want, out.String())
		}
	}
	// The DTS imports back to the same machine.
	dtsOut := out.String()
	out.Reset()
	if code := cmdImport([]string{"-"}, strings.NewReader(dtsOut), &out, &errb); code != 0 {
		t.Fatalf("re-import: exit %d: %s", code, errb.String())
	}
	back, err := layout.Parse(out.Bytes())
	if err != nil || len(back.Memory) != 1 || back.Memory[0].Size != 0x80000000 || len(back.Reserved) != 1 || !back.Reserved[0].NoMap {
		t.Errorf("re-import: %v %+v", err, back)
	}

	out.Reset()
	if code := cmdExport([]string{"-format", "dtb", "-"}, bytes.NewReader(js), &out, &errb); code != 0 || !dtb.IsDTB(out.Bytes()) {
		t.Errorf("dtb export: exit %d, %q", code, errb.String())
	}

	for _, args := range [][]string{{file}, {"-format", "svg", file}} {
		errb.Reset()
		if code := cmdExport(args, nil, &out, &errb); code != 2 || strings.Count(errb.String(), "\n") != 1 {
			t.Errorf("export %v: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

// Several files make one layout; each assumption is a note on stderr.
func TestCmdImportSeveral(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"dmesg.txt":    "[    0.000000] Linux version 6.1.0-56-arm64 (x@y) #1 SMP\n[    0.000000] Early memory node ranges\n[    0.000000]   node   0: [mem 0x0000000040000000-0x00000000bfffffff]\n",
		"config-6.1.0": "# Linux/arm64 6.1.0 Kernel Configuration\nCONFIG_ARM64_16K_PAGES=y\nCONFIG_ARM64_VA_BITS=47\n",
		"System.map":   "ffff800008000000 T _text\nffff800008010000 T _stext\nffff800009660000 T __init_begin\nffff80000a010000 B _end\n",
	}
	var args []string
	for _, name := range []string{"dmesg.txt", "config-6.1.0", "System.map"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	var out, errb bytes.Buffer
	if code := cmdImport(args, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	l, err := layout.Parse(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if l.Kernel.Era != "v6.1" || l.Kernel.PageSize != "16K" || l.Kernel.VABits != 47 || l.Image.InitBegin != 0x1660000 {
		t.Errorf("kernel %+v image %+v", l.Kernel, l.Image)
	}
	notes := strings.Count(errb.String(), "linmap import: note: ")
	if notes != len(l.Assumptions) || notes == 0 || !strings.Contains(errb.String(), "kernel.era = v6.1 (inferred)") {
		t.Errorf("%d notes for %d assumptions:\n%s", notes, len(l.Assumptions), errb.String())
	}
	// -format is for one FILE.
	if code := cmdImport(append([]string{"-format", "dmesg"}, args...), nil, &out, &errb); code != 2 {
		t.Errorf("-format with several files: exit %d", code)
	}
}

// A device tree whose memory the boot loader adds: its reserved memory is
// written, with a note on how to add banks.
func TestCmdImportDTWithoutMemory(t *testing.T) {
	dts := "/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;\n  tee@8e000000 { reg = <0 0x8e000000 0 0x2000000>; no-map; }; }; };\n"
	var out, errb bytes.Buffer
	if code := cmdImport([]string{"-"}, strings.NewReader(dts), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), `"name": "tee@8e000000"`) || !strings.Contains(errb.String(), `add banks to "memory"`) {
		t.Errorf("stdout %s\nstderr %s", out.String(), errb.String())
	}
}
