package model

import (
	"fmt"
	"strings"
	"testing"

	"linmap/sim"
	"linmap/sim/layout"
)

// banks64 is the app's drag benchmark layout (BENCHMARKS.md): 64 banks of
// 768 MiB on a 1 GiB stride, v6.1 defaults.
func banks64(t testing.TB) *layout.Layout {
	var banks []string
	for i := 0; i < 64; i++ {
		banks = append(banks, fmt.Sprintf(`{"base": "%#x", "size": "0x30000000"}`, 0x80000000+uint64(i)<<30))
	}
	l, err := layout.Parse([]byte(`{"format": "linmap-layout", "version": 1, "name": "64 banks",
	  "kernel": {"era": "v6.1", "page_size": "4K", "va_bits": 48}, "cpu": {},
	  "memory": [` + strings.Join(banks, ",") + `], "image": {"base": "0x80200000"}}`))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// BenchmarkDragMove is one move of a bank drag: the edit, the engine run
// and the model's bookkeeping (what the browser pays per move, natively).
func BenchmarkDragMove(b *testing.B) {
	m := New(banks64(b), "", sim.Run)
	from, _ := m.BeginDrag(DragBank, 32)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.DragTo(from+uint64(i%2+1)<<12, 4096)
	}
}
