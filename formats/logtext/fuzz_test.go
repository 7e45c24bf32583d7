package logtext

import (
	"strings"
	"testing"
)

// FuzzLines: any text splits into lines numbered upwards within the input,
// none longer than the input and none holding a line break.
func FuzzLines(f *testing.F) {
	f.Add("> > [    0.000000] Zone ranges:\n> > [    0.000000]   DMA  [mem 0x0=\n-0x1] =3D\n")
	f.Add("Mar  3 18:52:42 rock64 kernel: [    0.000000] x\n[Fri Oct 16 12:43:58 2020] y\n<6>z\r\n")
	f.Add("[    0.000000][    T0] a very long line that is wrapped at seventy two columns by a mail\nclient\n")
	f.Fuzz(func(t *testing.T, text string) {
		ls := Lines(text)
		raw := strings.Count(text, "\n") + 1
		if len(ls) > raw {
			t.Fatalf("%d lines from %d", len(ls), raw)
		}
		prev := 0
		for _, l := range ls {
			if l.N <= prev || l.N > raw {
				t.Fatalf("line number %d after %d (of %d)", l.N, prev, raw)
			}
			prev = l.N
			if strings.ContainsAny(l.Text, "\n") {
				t.Fatalf("line %d holds a line break: %q", l.N, l.Text)
			}
		}
	})
}
