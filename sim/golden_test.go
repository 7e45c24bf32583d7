package sim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linmap/formats/oracle"
	"linmap/sim/layout"
	"linmap/sim/result"
)

// oracleDir holds what real kernels built (shared/oracle beside the checkout).
const oracleDir = "../../shared/oracle/cases"

type oracleCase struct {
	Memstart []string `json:"memstart_addr_derived"`
	Gran     []struct {
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
	files, _ := filepath.Glob(filepath.Join(oracleDir, "*.json"))
	if len(files) == 0 {
		t.Fatalf("no oracle cases in %s: shared/ must sit beside the checkout", oracleDir)
	}
	// More ground truth made with shared/tools/oracle for cases the shared
	// set lacks (LPA2 kernels on CPUs without LPA2).
	extra, _ := filepath.Glob("testdata/oracle/*.json")
	files = append(files, extra...)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
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
			res, err := Run(l)
			if err != nil {
				t.Fatal(err)
			}
			if res.Fatal != nil {
				t.Fatalf("unexpected fatal: %s", res.Fatal.Message)
			}
			if len(want.Memstart) != 1 || want.Memstart[0] != res.PhysOffset.String() {
				t.Errorf("PHYS_OFFSET = %s, kernel had %v", res.PhysOffset, want.Memstart)
			}
			got := shape(res.Mappings)
			var exp []shapeRun
			for _, g := range want.Gran {
				exp = append(exp, shapeRun{g.PAStart, g.PAEnd, g.Page, g.Cont})
			}
			if !equalRuns(got, exp) {
				t.Errorf("linear map differs from the kernel's\n got: %s\nwant: %s", fmtRuns(got), fmtRuns(exp))
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
