// Package bridge is the app's only link to JavaScript: it installs
// window.linmap (the controls' API), window.linmapTest (test hooks) and the
// readiness and frame markers, and renders the HTML panel through
// window.linmapUI. 64-bit values cross as hex strings because JavaScript
// numbers lose precision above 2^53.
//
// The panel types below are plain Go so they are tested natively; the
// syscall/js code is in bridge_js.go.
package bridge

import (
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"linmap/assets"
	"linmap/sim"
	"linmap/sim/layout"
	"linmap/sim/result"
	"linmap/wasm/numfmt"
	"linmap/wasm/edit"
	"linmap/wasm/view"
)

// PresetEntry is one entry of the preset picker.
type PresetEntry struct {
	ID          string `js:"id"`
	Name        string `js:"name"`
	Description string `js:"description"`
}

// Presets lists the embedded preset layouts in gallery order.
func Presets() []PresetEntry {
	var out []PresetEntry
	for _, p := range assets.Presets() {
		out = append(out, PresetEntry{ID: p.ID, Name: p.Name, Description: p.Description})
	}
	return out
}

// Era is one entry of the era picker.
type Era struct {
	ID      string `js:"id"`
	Label   string `js:"label"`
	Note    string `js:"note"`
	Summary string `js:"summary"`
}

// Amount is a byte count or other 64-bit number: exact hex plus a short
// human form.
type Amount struct {
	Key   string `js:"key"`
	Hex   string `js:"hex"`
	Human string `js:"human"`
}

// TableCount is page-table pages at one level.
type TableCount struct {
	Level string `js:"level"`
	Pages string `js:"pages"`
	Bytes string `js:"bytes"`
}

// Results is the results panel.
type Results struct {
	EraLabel    string       `js:"eraLabel"`
	EraNote     string       `js:"eraNote"`
	PageSize    string       `js:"pageSize"`
	VABits      string       `js:"vaBits"`
	Levels      string       `js:"levels"`
	PhysOffset  string       `js:"physOffset"`
	PageOffset  string       `js:"pageOffset"`
	Linear      string       `js:"linear"`
	KernelImage string       `js:"kernelImage"`
	Mapped      Amount       `js:"mapped"`
	ByPage      []Amount     `js:"byPage"`
	TLBEntries  string       `js:"tlbEntries"`
	Tables      []TableCount `js:"tables"`
	TableBytes  Amount       `js:"tableBytes"`
	Lost        []Amount     `js:"lost"`
	LostTotal   Amount       `js:"lostTotal"`
	Warnings    []string     `js:"warnings"`
	Fatal       string       `js:"fatal"`
}

// Panel is everything the HTML side shows; it is rebuilt from one
// view.Snapshot so that canvas and panel always agree.
type Panel struct {
	Controls  edit.Controls `js:"controls"`
	Eras      []Era         `js:"eras"`
	PageSizes []string      `js:"pageSizes"`
	VABits    []int         `js:"vaBits"`
	Banks     int           `js:"banks"`
	Selected  string        `js:"selected"`
	Notice    string        `js:"notice"`
	RunError  string        `js:"runError"`
	Results   *Results      `js:"results"`
}

func amount(key string, v uint64) Amount {
	return Amount{Key: key, Hex: numfmt.Hex(v), Human: numfmt.Size(v)}
}

// PanelOf builds the panel from a snapshot.
func PanelOf(s view.Snapshot) Panel {
	c := edit.ControlsOf(s.Layout)
	p := Panel{
		Controls:  c,
		PageSizes: edit.PageSizes(c.Era),
		VABits:    edit.VABitsFor(c.Era, c.PageSize),
		Banks:     len(s.Layout.Memory),
		Selected:  s.Selected,
		Notice:    s.Notice,
		RunError:  s.RunError,
	}
	for _, e := range sim.Eras() {
		p.Eras = append(p.Eras, Era{ID: e.ID, Label: e.Label + " (" + e.Released + ")", Note: e.Note, Summary: e.Summary})
	}
	if s.Result != nil {
		p.Results = resultsOf(s.Result)
	}
	return p
}

func resultsOf(r *result.Result) *Results {
	out := &Results{
		EraLabel:   r.EraLabel,
		EraNote:    r.EraNote,
		PageSize:   r.PageSize,
		VABits:     strconv.Itoa(r.VABits),
		Levels:     strconv.Itoa(r.Levels),
		PhysOffset: r.PhysOffset.String(),
		PageOffset: numfmt.Hex(uint64(r.PageOffset)),
		Linear:     numfmt.Hex(uint64(r.LinearStart)) + " .. " + linearEnd(r),
		Mapped:     amount("mapped", uint64(r.Stats.MappedBytes)),
		TLBEntries: strconv.FormatUint(r.Stats.TLBEntries, 10),
		TableBytes: amount("tables", uint64(r.Stats.TableBytes)),
		LostTotal:  amount("lost", uint64(r.Stats.LostBytes)),
		Warnings:   r.Warnings,
	}
	if r.VABitsActual != 0 && r.VABitsActual != r.VABits {
		out.VABits += " (" + strconv.Itoa(r.VABitsActual) + " at run time)"
	}
	if r.PhysOffset < 0 {
		out.PhysOffset = r.PhysOffset.String()
	} else {
		out.PhysOffset = numfmt.Hex(uint64(r.PhysOffset))
	}
	if ki := r.KernelImage; ki.Size != 0 {
		out.KernelImage = numfmt.Hex(uint64(ki.VA)) + " ← PA " + numfmt.Hex(uint64(ki.PA)) + " (" + numfmt.Size(uint64(ki.Size)) + ")"
	}
	for _, k := range sortedKeys(r.Stats.BytesByPage) {
		out.ByPage = append(out.ByPage, amount(k, uint64(r.Stats.BytesByPage[k])))
	}
	pageBytes := uint64(4096)
	if sh, err := layout.ParsePageSize(r.PageSize); err == nil {
		pageBytes = 1 << sh
	}
	for _, k := range sortedKeys(r.Stats.TablesByLevel) {
		n := r.Stats.TablesByLevel[k]
		out.Tables = append(out.Tables, TableCount{Level: k, Pages: strconv.FormatInt(n, 10), Bytes: numfmt.Size(uint64(n) * pageBytes)})
	}
	for _, k := range sortedKeys(r.Stats.LostByReason) {
		out.Lost = append(out.Lost, amount(k, uint64(r.Stats.LostByReason[k])))
	}
	if r.Fatal != nil {
		out.Fatal = r.Fatal.Message
	}
	return out
}

// linearEnd prints the first VA past the linear region; 0 means 2^64.
func linearEnd(r *result.Result) string {
	if r.LinearEnd == 0 {
		return "2^64"
	}
	return numfmt.Hex(uint64(r.LinearEnd))
}

// sortedKeys orders leaf sizes and levels the way a kernel engineer reads
// them: by size when the key is a size ("4K" < "2M" < "1G"), else by name.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) uint64 {
		base, _, _ := strings.Cut(k, "+")
		if v, err := layout.ParseAddr(base); err == nil {
			return uint64(v)
		}
		return levelRank[k]
	}
	sort.SliceStable(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

var levelRank = map[string]uint64{"PGD": 1, "P4D": 2, "PUD": 3, "PMD": 4, "PTE": 5}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// FileName is the export's file name: the layout's name made safe.
func FileName(l *layout.Layout) string {
	n := strings.Trim(unsafeName.ReplaceAllString(l.Name, "-"), "-.")
	if n == "" {
		n = "layout"
	}
	return n + ".json"
}

// Import parses a layout file and checks that its era can take it, so a bad
// file is refused before it replaces the current layout.
func Import(data []byte, run view.RunFunc) (*layout.Layout, error) {
	l, err := layout.Parse(data)
	if err != nil {
		return nil, err
	}
	if _, err := run(l); err != nil {
		return nil, err
	}
	return l, nil
}

// FrameTime is the Go-side CPU time of one drawn frame: the Update calls
// since the previous frame, the Draw, and the engine runs inside Update.
type FrameTime struct{ Update, Draw, Engine time.Duration }

// Stat summarises durations in milliseconds.
type Stat struct {
	MeanMs float64 `json:"mean_ms"`
	P50Ms  float64 `json:"p50_ms"`
	P95Ms  float64 `json:"p95_ms"`
	MaxMs  float64 `json:"max_ms"`
}

// Perf summarises frames: Update+Draw (the budget), and its parts.
type Perf struct {
	Count      int  `json:"count"`
	UpdateDraw Stat `json:"update_draw"`
	Update     Stat `json:"update"`
	Draw       Stat `json:"draw"`
	Engine     Stat `json:"engine"`
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
	var ud, u, d, e []time.Duration
	for _, f := range fs {
		ud = append(ud, f.Update+f.Draw)
		u = append(u, f.Update)
		d = append(d, f.Draw)
		e = append(e, f.Engine)
	}
	return Perf{Count: len(fs), UpdateDraw: stat(ud), Update: stat(u), Draw: stat(d), Engine: stat(e)}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return `{"error":` + strconv.Quote(err.Error()) + `}`
	}
	return string(b)
}
