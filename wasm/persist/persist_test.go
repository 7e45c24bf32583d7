package persist

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"linmap/assets"
	"linmap/sim/layout"
	"linmap/wasm/share"
)

func TestRoundTrip(t *testing.T) {
	saved := time.Date(2026, 11, 23, 23, 0, 0, 123456789, time.FixedZone("x", 3600))
	for _, p := range assets.Presets() {
		l, err := layout.Parse(p.Layout)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []share.View{{}, {PA: &share.Window{Lo: 1, Hi: 2}, VA: &share.Window{Lo: 0xffff000000000000, Hi: 0xffff800000000000}}} {
			data, err := Encode(Record{Layout: l, View: v, Saved: saved})
			if err != nil {
				t.Fatal(err)
			}
			r, err := Decode(data)
			if err != nil {
				t.Fatalf("%s: %v\n%s", p.ID, err, data)
			}
			a, _ := l.Marshal()
			b, _ := r.Layout.Marshal()
			if !bytes.Equal(a, b) {
				t.Fatalf("%s: layout changed:\n%s\n%s", p.ID, a, b)
			}
			if !reflect.DeepEqual(r.View, v) {
				t.Fatalf("%s: view %+v, want %+v", p.ID, r.View, v)
			}
			if want := saved.UTC().Truncate(time.Millisecond); !r.Saved.Equal(want) {
				t.Fatalf("saved %v, want %v", r.Saved, want)
			}
		}
	}
}

// Unknown keys with "&" survive: the record is not HTML-escaped.
func TestNoHTMLEscape(t *testing.T) {
	l, err := layout.Parse([]byte(`{"name":"a&b<c>","memory":[{"base":"0x0","size":"4K"}],"image":{"base":"0x0"},"x":"&"}`))
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(Record{Layout: l})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(`\u0026`)) {
		t.Fatalf("record is HTML-escaped: %s", data)
	}
	r, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := l.Marshal()
	b, _ := r.Layout.Marshal()
	if !bytes.Equal(a, b) {
		t.Fatalf("layout changed:\n%s\n%s", a, b)
	}
}

func TestDecodeErrors(t *testing.T) {
	p, _ := assets.Lookup("qemu-virt-1g")
	good := func(edit func(string) string) string {
		l, _ := layout.Parse(p.Layout)
		data, _ := Encode(Record{Layout: l, Saved: time.Unix(0, 0)})
		return edit(string(data))
	}
	tests := []struct{ name, data, want string }{
		{"empty", "", "autosave: not readable"},
		{"cut short", good(func(s string) string { return s[:len(s)/2] }), "autosave: not readable"},
		{"another app's key", `{"theme":"dark"}`, `autosave: format "" is not "linmap-autosave"`},
		{"newer app", good(func(s string) string { return strings.Replace(s, `"version":1`, `"version":2`, 1) }), "autosave: version 2 was written by a newer linmap"},
		{"no layout", `{"format":"linmap-autosave","version":1}`, "autosave: no layout in the record"},
		{"bad layout", `{"format":"linmap-autosave","version":1,"layout":{"memory":[]}}`, "autosave: layout: memory"},
		{"bad view", good(func(s string) string {
			return strings.Replace(s, `"view":{}`, `"view":{"va":{"lo":"0x2","hi":"0x1"}}`, 1)
		}), "autosave: view.va: window 0x2–0x1 is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Decode([]byte(tc.data))
			if err == nil {
				t.Fatalf("decoded %+v", r)
			}
			if !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("error %q\nwant prefix %q", err, tc.want)
			}
			if r.Layout != nil {
				t.Fatal("failed decode returned a layout")
			}
		})
	}
}

func TestEncodeNoLayout(t *testing.T) {
	if _, err := Encode(Record{}); err == nil {
		t.Fatal("Encode without a layout succeeded")
	}
}
