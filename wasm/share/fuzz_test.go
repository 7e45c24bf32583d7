package share

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"io"
	"testing"

	"linmap/assets"
	"linmap/sim/layout"
)

func mustFlate(t testing.TB, w io.Writer) *flate.Writer {
	t.Helper()
	fw, err := flate.NewWriter(w, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	return fw
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzDecode: any fragment either fails with an error (never a panic, never
// a layout) or opens a state that encodes and decodes back to itself.
func FuzzDecode(f *testing.F) {
	for _, p := range assets.Presets()[:4] {
		l, _ := layout.Parse(p.Layout)
		frag, _ := Encode(State{Layout: l, View: View{PA: &Window{Lo: 1, Hi: 2}}})
		f.Add(frag)
		f.Add("v0=" + base64.RawURLEncoding.EncodeToString(p.Layout))
	}
	f.Add("#v1=")
	f.Add("v2=AAAA")
	f.Add("#x")
	f.Fuzz(func(t *testing.T, frag string) {
		s, err := Decode(frag)
		if err != nil {
			if s.Layout != nil {
				t.Fatal("a failed decode returned a layout")
			}
			return
		}
		again, err := Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := Decode(again)
		if err != nil {
			t.Fatalf("re-encoded link does not open: %v", err)
		}
		sameState(t, s2, s)
	})
}

// FuzzRoundTrip: decode(encode(x)) == x for every layout the format
// accepts and any view windows.
func FuzzRoundTrip(f *testing.F) {
	for _, p := range assets.Presets() {
		f.Add(p.Layout, uint64(0x40000000), uint64(0x80000000), uint64(0), uint64(0))
	}
	f.Add([]byte(`{"memory":[{"base":"0x0","size":"4K","x":{"y":[1]}}],"image":{"base":"0x0"},"zz":true}`),
		uint64(0), uint64(1), uint64(1<<63), ^uint64(0))
	f.Fuzz(func(t *testing.T, data []byte, plo, phi, vlo, vhi uint64) {
		l, err := layout.Parse(data)
		if err != nil {
			return
		}
		var v View
		if plo < phi {
			v.PA = &Window{Lo: layout.Addr(plo), Hi: layout.Addr(phi)}
		}
		if vlo < vhi {
			v.VA = &Window{Lo: layout.Addr(vlo), Hi: layout.Addr(vhi)}
		}
		in := State{Layout: l, View: v}
		frag, err := Encode(in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Decode(frag)
		if err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		sameState(t, out, in)
		if !bytes.Equal(mustMarshal(t, out.Layout), mustMarshal(t, l)) {
			t.Fatal("layout changed")
		}
	})
}
