package dmesg

import "testing"

// FuzzParse: any text is read without a panic, and every fact points at a
// line of the input.
func FuzzParse(f *testing.F) {
	f.Add(log)
	f.Add("[    0.000000] Virtual kernel memory layout:\n    memory  : 0xffff800000000000 - 0xffff800000000000   (     0 MB)\n      0xffff - 0x1 (1 MB actual)\n")
	f.Add("cma: Reserved 18446744073709551615 MiB at 0xffffffffffffffff\nReserved memory: created CMA memory pool at 0xfffffffffff00000, size 4096 MiB\n")
	f.Fuzz(func(t *testing.T, text string) {
		lg := Parse(text)
		lg.PageShift()
		for _, r := range lg.Reserved {
			if r.End <= r.Start || r.At.N == 0 {
				t.Fatalf("reserved %+v", r)
			}
		}
		for _, m := range lg.Messages {
			if m.At.N == 0 {
				t.Fatalf("message without a line: %+v", m)
			}
		}
	})
}
