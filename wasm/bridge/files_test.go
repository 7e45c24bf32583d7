package bridge

import (
	"os"
	"strings"
	"testing"

	"linmap/assets"
	"linmap/formats"
	"linmap/sim"
	"linmap/sim/layout"
	"linmap/sim/result"
)

func TestImportAny(t *testing.T) {
	memblock, err := os.ReadFile("../../formats/memblock/testdata/b16-3banks-memory.txt")
	if err != nil {
		t.Fatal(err)
	}
	juno, _ := assets.Lookup("arm-juno-r2")
	tests := []struct {
		name, file, text string
		format           formats.Format
		banks            int
		layoutName       string
		err              string
	}{
		{name: "pasted memblock", text: string(memblock), format: formats.Memblock, banks: 3, layoutName: "pasted memblock debugfs list"},
		{name: "file keeps its name", file: "memory", text: string(memblock), format: formats.Memblock, banks: 3, layoutName: "memory"},
		{name: "layout JSON", file: "x.json", text: string(juno.Layout), format: formats.JSON, banks: 2, layoutName: "Arm Juno r2"},
		{name: "empty", text: " \n\t", err: "nothing to import"},
		{name: "unknown", text: "hello world\n", err: "unrecognised input"},
		{name: "bad JSON has a place", file: "x.json", text: "{\n\"memory\": [}\n", err: "(document)"},
		{name: "engine refuses", file: "x.json", text: `{"kernel":{"era":"v99"},"memory":[{"base":"0x40000000","size":"1G"}],"image":{"base":"0x40000000"}}`, err: "v99"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, f, err := ImportAny(tc.file, []byte(tc.text), sim.Run)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				if l != nil {
					t.Fatal("a refused import returned a layout")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f != tc.format || len(l.Memory) != tc.banks || !strings.HasPrefix(l.Name, tc.layoutName) {
				t.Fatalf("got %s, %d banks, name %q; want %s, %d, %q", f, len(l.Memory), l.Name, tc.format, tc.banks, tc.layoutName)
			}
		})
	}
}

func TestExported(t *testing.T) {
	p, _ := assets.Lookup("arm-juno-r2")
	l, err := layout.Parse(p.Layout)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(l)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind     string
		res      *result.Result
		file     string
		contains string
		err      string
	}{
		{kind: "layout", res: res, file: "Arm-Juno-r2.json", contains: `"format": "linmap-layout"`},
		{kind: "result", res: res, file: "Arm-Juno-r2.result.json", contains: `"mappings"`},
		{kind: "ptdump", res: res, file: "Arm-Juno-r2.ptdump.txt", contains: "Linear Mapping"},
		{kind: "dts", res: res, file: "Arm-Juno-r2.dts", contains: "memory@"},
		{kind: "result", err: "Export result: the engine refused this layout"},
		{kind: "ptdump", err: "Export ptdump: the engine refused this layout"},
		{kind: "dts", file: "Arm-Juno-r2.dts", contains: "/dts-v1/;"}, // needs no result
		{kind: "png", res: res, err: "Export png: unknown kind"},
	}
	for _, tc := range tests {
		e := Exported(tc.kind, l, tc.res)
		if tc.err != "" {
			if !strings.HasPrefix(e.Error, tc.err) || e.Text != "" {
				t.Errorf("%s: error %q, want prefix %q", tc.kind, e.Error, tc.err)
			}
			continue
		}
		if e.Error != "" || e.FileName != tc.file || !strings.Contains(e.Text, tc.contains) {
			t.Errorf("%s: %q %q error %q; want file %q containing %q", tc.kind, e.FileName, e.Text[:min(len(e.Text), 80)], e.Error, tc.file, tc.contains)
		}
	}
	// The DTS export imports back to the same banks.
	back, _, err := formats.Import("x.dts", []byte(Exported("dts", l, res).Text))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Memory) != len(l.Memory) || back.Memory[0].Base != l.Memory[0].Base {
		t.Fatalf("DTS round trip: %v, want %v", back.Memory, l.Memory)
	}
}
