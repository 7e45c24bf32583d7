package bridge

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"
)

// FrameTime is the Go-side CPU time of one drawn frame: the Update calls
// since the previous frame, the Draw, the engine runs inside Update, and
// the bridge's work after Draw (the panel, the test snapshot, autosave).
// Allocs counts the heap objects Go allocated from the previous frame's
// end to this Draw's end (Ebiten's own included).
type FrameTime struct {
	Update, Draw, Engine, Bridge time.Duration
	Allocs                       uint64
}

// Total is everything Go spent on the frame.
func (f FrameTime) Total() time.Duration { return f.Update + f.Draw + f.Bridge }

// Stat summarises durations in milliseconds.
type Stat struct {
	MeanMs float64 `json:"mean_ms"`
	P50Ms  float64 `json:"p50_ms"`
	P95Ms  float64 `json:"p95_ms"`
	MaxMs  float64 `json:"max_ms"`
}

// Perf summarises frames: the total (the budget), and its parts.
type Perf struct {
	Count  int  `json:"count"`
	Total  Stat `json:"total"`
	Update Stat `json:"update"`
	Draw   Stat `json:"draw"`
	Bridge Stat `json:"bridge"`
	Engine Stat `json:"engine"`
	// Allocs is heap objects per frame: mean and max.
	AllocsMean float64 `json:"allocs_mean"`
	AllocsMax  uint64  `json:"allocs_max"`
}

func stat(ds []time.Duration) Stat {
	if len(ds) == 0 {
		return Stat{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum time.Duration
	for _, v := range s {
		sum += v
	}
	ms := func(v time.Duration) float64 { return float64(v) / 1e6 }
	return Stat{
		MeanMs: ms(sum) / float64(len(s)),
		P50Ms:  ms(s[len(s)/2]),
		P95Ms:  ms(s[(len(s)*95)/100]),
		MaxMs:  ms(s[len(s)-1]),
	}
}

// Summarise computes Perf from recorded frames.
func Summarise(fs []FrameTime) Perf {
	var t, u, d, b, e []time.Duration
	var allocs, most uint64
	for _, f := range fs {
		t = append(t, f.Total())
		u = append(u, f.Update)
		d = append(d, f.Draw)
		b = append(b, f.Bridge)
		e = append(e, f.Engine)
		allocs, most = allocs+f.Allocs, max(most, f.Allocs)
	}
	p := Perf{Count: len(fs), Total: stat(t), Update: stat(u), Draw: stat(d), Bridge: stat(b), Engine: stat(e), AllocsMax: most}
	if len(fs) > 0 {
		p.AllocsMean = float64(allocs) / float64(len(fs))
	}
	return p
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return `{"error":` + strconv.Quote(err.Error()) + `}`
	}
	return string(b)
}
