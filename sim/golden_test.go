package sim_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linmap/formats/oracle"
	"linmap/sim"
	"linmap/sim/layout"
	"linmap/sim/result"
)

// oracleDirs hold what real kernels built (shared/oracle beside the
// checkout): Debian 6.1 and 6.12, Debian 7.2, and 7.2 built with other
// page sizes and VA sizes.
var oracleDirs = []string{"../../shared/oracle/cases", "../../shared/oracle/cases-7.2", "../../shared/oracle/cases-built"}

type oracleCase struct {
	Kernel struct {
		Release string `json:"release"`
	} `json:"kernel"`
	Memstart    []string    `json:"memstart_addr_derived"`
	LinearStart layout.Addr `json:"PAGE_OFFSET_vabits_actual"`
	LinearEnd   layout.Addr `json:"PAGE_END"`
	Raw         struct {
		Dmesg []string `json:"dmesg_selected"`
	} `json:"raw"`
	Walk struct {
		Levels       int `json:"levels"`
		VABitsActual int `json:"vabits_actual"`
	} `json:"walk"`
	Gran []struct {
		PAStart layout.Addr `json:"pa_start"`
		PAEnd   layout.Addr `json:"pa_end"`
		Page    string      `json:"page"`
		Cont    bool        `json:"cont"`
	} `json:"linear_map_granularity"`
	Memory []struct {
		Base layout.Addr `json:"base"`
		End  layout.Addr `json:"end"`
	} `json:"memblock_memory"`
}

type shapeRun struct {
	PA, End layout.Addr
	Page    string
	Cont    bool
}

// shape merges the engine's mappings the way the oracle's
// linear_map_granularity does: by physical contiguity, leaf size and cont
// bit, ignoring permissions.
func shape(ms []result.Mapping) []shapeRun {
	var out []shapeRun
	for _, m := range ms {
		r := shapeRun{m.PA, m.PA + m.Size, m.Page, m.Cont}
		if n := len(out); n > 0 && out[n-1].End == r.PA && out[n-1].Page == r.Page && out[n-1].Cont == r.Cont {
			out[n-1].End = r.End
			continue
		}
		out = append(out, r)
	}
	return out
}

func TestOracleCases(t *testing.T) {
	var files []string
	for _, dir := range oracleDirs {
		fs, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		if len(fs) == 0 {
			t.Fatalf("no oracle cases in %s: shared/ must sit beside the checkout", dir)
		}
		files = append(files, fs...)
	}
	// More ground truth made with shared/tools/oracle for cases the shared
	// set lacks (LPA2 kernels on CPUs without LPA2).
	extra, _ := filepath.Glob("testdata/oracle/*.json")
	files = append(files, extra...)
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f)) + "/" + strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var want oracleCase
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			l, err := oracle.FromCase(data)
			if err != nil {
				t.Fatal(err)
			}
			res, err := sim.Run(l)
			if err != nil {
				t.Fatal(err)
			}
			if res.Fatal != nil {
				t.Fatalf("unexpected fatal: %s", res.Fatal.Message)
			}
			if len(want.Memstart) != 1 || want.Memstart[0] != res.PhysOffset.String() {
				t.Errorf("PHYS_OFFSET = %s, kernel had %v", res.PhysOffset, want.Memstart)
			}
			if res.Levels != want.Walk.Levels || res.VABitsActual != want.Walk.VABitsActual {
				t.Errorf("%d levels, va_bits_actual %d; kernel had %d, %d", res.Levels, res.VABitsActual, want.Walk.Levels, want.Walk.VABitsActual)
			}
			if res.LinearStart != want.LinearStart || res.LinearEnd != want.LinearEnd {
				t.Errorf("linear region [%s, %s), kernel had [%s, %s)", res.LinearStart, res.LinearEnd, want.LinearStart, want.LinearEnd)
			}
			got := shape(res.Mappings)
			var exp []shapeRun
			for _, g := range want.Gran {
				exp = append(exp, shapeRun{g.PAStart, g.PAEnd, g.Page, g.Cont})
			}
			if !equalRuns(got, exp) {
				t.Errorf("linear map differs from the kernel's\n got: %s\nwant: %s", fmtRuns(got), fmtRuns(exp))
			}
			// The kernel messages the engine predicts are in the kernel's log
			// (where the harness kept its selected lines).
			if len(want.Raw.Dmesg) > 0 {
				for _, w := range res.Warnings {
					found := false
					for _, line := range want.Raw.Dmesg {
						found = found || strings.Contains(line, w)
					}
					if !found {
						t.Errorf("the engine warns %q; the kernel's log does not have it", w)
					}
				}
			}
			// And what the kernel printed of the messages the engine models,
			// the engine predicts.
			for _, line := range want.Raw.Dmesg {
				for _, msg := range modelledMessages {
					if !strings.Contains(line, msg) {
						continue
					}
					found := false
					for _, w := range res.Warnings {
						found = found || strings.Contains(line, w)
					}
					if !found {
						t.Errorf("the kernel printed %q; the engine does not warn it", line)
					}
				}
			}
			var mem []string
			for _, m := range res.Memblock.Memory {
				mem = append(mem, m.Base.String()+"-"+(m.Base+m.Size).String())
			}
			var wmem []string
			for _, m := range want.Memory {
				wmem = append(wmem, m.Base.String()+"-"+m.End.String())
			}
			if strings.Join(mem, " ") != strings.Join(wmem, " ") {
				t.Errorf("memblock.memory = %v, kernel had %v", mem, wmem)
			}
		})
	}
}

// modelledMessages are kernel messages the engine must predict when the
// kernel printed them.
var modelledMessages = []string{"Invalid option string for rodata", "Malformed early option", "Unknown kernel command line parameters \"debug_pagealloc",
	"failed to allocate kfence pool", "Memory doesn't fit in the linear mapping", "Ignoring memory", "initrd not fully accessible",
	"Reserved memory: node", "Reserved memory: failed to reserve"}

func equalRuns(a, b []shapeRun) bool {
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

func fmtRuns(rs []shapeRun) string {
	var sb strings.Builder
	for _, r := range rs {
		c := "-"
		if r.Cont {
			c = "C"
		}
		sb.WriteString("\n  " + r.PA.String() + "-" + r.End.String() + " " + r.Page + " " + c)
	}
	return sb.String()
}
