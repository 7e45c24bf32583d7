package check

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linmap/formats"
	"linmap/sim/layout"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./check -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./check -update rewrites it):\n%s", name, got)
	}
}

// TestRealSamplesGolden runs linmap check on every real machine's text as
// published, and keeps the report as a golden file: what the check says of
// each board is reviewed in the diff when it changes.
func TestRealSamplesGolden(t *testing.T) {
	files, err := filepath.Glob("../formats/testdata/real/*.txt")
	if err != nil || len(files) < 20 {
		t.Fatalf("%d real samples (%v)", len(files), err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Run([]formats.Input{{Name: name, Data: data}}, Options{})
			if err != nil {
				t.Fatalf("check refuses the sample: %v", err)
			}
			var b bytes.Buffer
			if err := WriteText(&b, rep); err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(name, ".txt")+".check.txt", b.Bytes())
		})
	}
}

// TestReportJSON pins the report's JSON field names: the contract with the
// app and scripts (docs/formats.md).
func TestReportJSON(t *testing.T) {
	data, err := os.ReadFile("../formats/testdata/real/qemu-virt-5.12rc8-iomem-nomap-vs-map.txt")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run([]formats.Input{{Name: "iomem.txt", Data: data}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep.Result = nil // the engine's result format has its own tests
	out, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json", append(out, '\n'))
}

// oracleCase is what the round trip reads of a real-kernel case.
type oracleCase struct {
	Kernel struct {
		Uname  string            `json:"uname"`
		Config map[string]string `json:"config"`
	} `json:"kernel"`
	Qemu struct {
		Load struct {
			Kernel layout.Addr `json:"kernel"`
		} `json:"load"`
	} `json:"qemu"`
	Memstart []string `json:"memstart_addr_derived"`
	Raw      struct {
		Cmdline  string   `json:"cmdline"`
		Memory   string   `json:"memblock_memory"`
		Reserved string   `json:"memblock_reserved"`
		IOMem    string   `json:"iomem"`
		Kallsyms string   `json:"kallsyms"`
		Dmesg    []string `json:"dmesg_selected"`
	} `json:"raw"`
}

// TestOracleRawRoundTrip: the texts a real kernel printed in every
// real-kernel case (memblock debugfs, /proc/iomem, kallsyms, dmesg lines,
// /proc/cmdline, uname -a) go through linmap check with every fact agreeing — X of
// "Memory: X/Y" is only bounded, never contradicted — and the layout they
// give puts the image where QEMU loaded it.
func TestOracleRawRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("../../shared/oracle/cases*/*.json")
	if len(files) == 0 {
		t.Skip("../../shared/oracle is not here")
	}
	for _, file := range files {
		name := filepath.Base(filepath.Dir(file)) + "/" + filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c oracleCase
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			in := []formats.Input{
				{Name: "memblock", Data: []byte("# cat /sys/kernel/debug/memblock/memory\n" + c.Raw.Memory + "# cat /sys/kernel/debug/memblock/reserved\n" + c.Raw.Reserved)},
				{Name: "iomem", Data: []byte(c.Raw.IOMem)},
				{Name: "kallsyms", Data: []byte(c.Raw.Kallsyms)},
				{Name: "dmesg", Data: []byte(strings.Join(c.Raw.Dmesg, "\n") + "\n")},
				{Name: "cmdline", Data: []byte(c.Raw.Cmdline)},
				{Name: "uname", Data: []byte(c.Kernel.Uname + "\n")},
			}
			rep, err := Run(in, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			WriteText(&b, rep)
			if rep.Result == nil || rep.Summary.Differs > 0 || rep.Summary.Agrees < 3 {
				t.Fatalf("%d agree, %d differ:\n%s", rep.Summary.Agrees, rep.Summary.Differs, b.String())
			}
			for _, f := range rep.Facts {
				if f.Verdict == Unchecked && f.Kind != KindMemoryAvailable {
					t.Errorf("unchecked %s: %s", f.Kind, f.Cause)
				}
			}
			if rep.Layout.Image.Base != c.Qemu.Load.Kernel {
				t.Errorf("image.base %s, QEMU loaded the kernel at %s", rep.Layout.Image.Base, c.Qemu.Load.Kernel)
			}
			// PHYS_OFFSET is not in the texts; where the model has the
			// kernel's VA size (VA_BITS is not in them either) it must be
			// the kernel's memstart_addr.
			if len(c.Memstart) == 1 && fmt.Sprint(rep.Result.VABits) == c.Kernel.Config["CONFIG_ARM64_VA_BITS"] && rep.Result.PhysOffset.String() != c.Memstart[0] {
				t.Errorf("PHYS_OFFSET %s, the kernel's memstart_addr %s", rep.Result.PhysOffset, c.Memstart[0])
			}
		})
	}
}
