package share

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"linmap/assets"
	"linmap/sim/layout"
)

func mustMarshal(t testing.TB, l *layout.Layout) []byte {
	t.Helper()
	b, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameState(t testing.TB, got, want State) {
	t.Helper()
	if g, w := mustMarshal(t, got.Layout), mustMarshal(t, want.Layout); !bytes.Equal(g, w) {
		t.Fatalf("layout changed in the round trip:\n%s\nwant\n%s", g, w)
	}
	if !reflect.DeepEqual(got.View, want.View) {
		t.Fatalf("view = %+v, want %+v", got.View, want.View)
	}
}

// Every preset survives a link, with and without a zoomed view.
func TestRoundTripPresets(t *testing.T) {
	views := []View{
		{},
		{PA: &Window{Lo: 0x40000000, Hi: 0x40200000}},
		{PA: &Window{Lo: 0, Hi: 1 << 40}, VA: &Window{Lo: 0xffff000000000000, Hi: 0xffffffffffffffff}},
	}
	for _, p := range assets.Presets() {
		l, err := layout.Parse(p.Layout)
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		for _, v := range views {
			in := State{Layout: l, View: v}
			frag, err := Encode(in)
			if err != nil {
				t.Fatalf("%s: %v", p.ID, err)
			}
			if !strings.HasPrefix(frag, "v1=") {
				t.Fatalf("%s: fragment %q does not start with v1=", p.ID, frag[:8])
			}
			// Only URL-safe characters, so nothing is percent-encoded.
			if i := strings.IndexFunc(frag[3:], func(r rune) bool {
				return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
			}); i >= 0 {
				t.Fatalf("%s: character %q at %d is not base64url", p.ID, frag[3+i], 3+i)
			}
			for _, f := range []string{frag, "#" + frag} {
				out, err := Decode(f)
				if err != nil {
					t.Fatalf("%s: %v", p.ID, err)
				}
				sameState(t, out, in)
			}
		}
	}
}

// Links written by earlier versions, kept as files, still open: the codec
// may change its writer but never stop reading these.
func TestOldLinksOpen(t *testing.T) {
	p, _ := assets.Lookup("qemu-virt-1g")
	want, err := layout.Parse(p.Layout)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file string
		view View
	}{
		{"v0-qemu-virt-1g.link", View{}},
		{"v1-qemu-virt-1g.link", View{PA: &Window{Lo: 0x40000000, Hi: 0x48000000}}},
	}
	for _, tc := range tests {
		data, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(strings.TrimSpace(string(data)))
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		sameState(t, got, State{Layout: want, View: tc.view})
	}
}

func TestDecodeErrors(t *testing.T) {
	p, _ := assets.Lookup("qemu-virt-1g")
	good, err := os.ReadFile("testdata/v1-qemu-virt-1g.link")
	if err != nil {
		t.Fatal(err)
	}
	v1 := strings.TrimSpace(string(good))
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	enc := func(layoutJSON string, v View) string {
		// A v1 link around arbitrary JSON, bypassing Encode's checks.
		var buf bytes.Buffer
		w := mustFlate(t, &buf)
		w.Write([]byte(`{"layout":` + layoutJSON + `,"view":` + string(mustJSON(t, v)) + `}`))
		w.Close()
		return "v1=" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
	}
	tests := []struct {
		name, frag, want string
	}{
		{"empty", "", ErrNoLink.Error()},
		{"just the hash", "#", ErrNoLink.Error()},
		{"another app's fragment", "#section-2", "share link: not a linmap link"},
		{"no version number", "#v=abc", "share link: not a linmap link"},
		{"leading zero", "#v01=abc", "share link: not a linmap link"},
		{"negative", "#v-1=abc", "share link: not a linmap link"},
		{"from the future", "#v9=abc", "share link: version v9 is newer than this linmap reads (v0 to v1): reload the page"},
		{"not base64url", "#v1=abc$def", "share link: corrupt data (not base64url) at character 3"},
		{"not deflate", "#v1=" + b64("\xff\xff\xff\xff"), "share link: corrupt data (compressed stream broken) at compressed byte 1"},
		{"cut short", v1[:len(v1)/2], "share link: corrupt data: the link is cut short (copy all of it)"},
		{"v0 not JSON", "#v0=" + b64("hello"), "share link: layout: (document): not valid JSON"},
		{"v0 bad layout", "#v0=" + b64(`{"memory":[{"base":"0x1000","size":"0"}]}`), "share link: layout: memory[0]"},
		{"v1 no layout", enc(`null`, View{}), "share link: no layout in the link"},
		{"v1 bad layout", enc(`{"memory":"x"}`, View{}), "share link: layout: memory"},
		{"v1 empty window", enc(string(p.Layout), View{PA: &Window{Lo: 5, Hi: 5}}), "share link: view.pa: window 0x5–0x5 is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Decode(tc.frag)
			if err == nil {
				t.Fatalf("decoded %+v, want an error", s)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %q\nwant prefix %q", err, tc.want)
			}
			if s.Layout != nil {
				t.Fatal("a failed decode returned a layout")
			}
			if !errors.Is(err, ErrNoLink) {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error %T is not a *share.Error", err)
				}
			}
		})
	}
}

func TestEncodeNoLayout(t *testing.T) {
	if _, err := Encode(State{}); err == nil {
		t.Fatal("Encode without a layout succeeded")
	}
}

// A link is small enough to paste into chat: the biggest preset stays
// well under the 2000 characters old tools still cut URLs at.
func TestLinkSize(t *testing.T) {
	for _, p := range assets.Presets() {
		l, _ := layout.Parse(p.Layout)
		frag, _ := Encode(State{Layout: l})
		if len(frag) > 2000 {
			t.Errorf("%s: link fragment is %d characters", p.ID, len(frag))
		}
	}
}
