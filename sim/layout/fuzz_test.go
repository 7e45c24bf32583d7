package layout

import (
	"bytes"
	"testing"
)

// FuzzParse: any input either parses into a layout that survives a
// Marshal/Parse round trip unchanged, or fails with a FieldError.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"format":"linmap-layout","version":1,"kernel":{"era":"v6.1"},"memory":[{"base":"0x40000000","size":"1G"}],"image":{"base":"0x40200000"}}`))
	f.Add([]byte(`{"memory":[{"base":1073741824,"size":"0x1000","x":[1,2]}],"extra":{"a":1}}`))
	f.Add([]byte(`{"memory":[{"base":"0xffffffffffffffff","size":"0x2"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Parse(data)
		if err != nil {
			if _, ok := err.(*FieldError); !ok {
				t.Fatalf("error is not a FieldError: %v", err)
			}
			return
		}
		out, err := l.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		l2, err := Parse(out)
		if err != nil {
			t.Fatalf("round trip does not parse: %v\n%s", err, out)
		}
		out2, _ := l2.Marshal()
		if !bytes.Equal(out, out2) {
			t.Fatalf("round trip changed the layout:\n%s\n%s", out, out2)
		}
	})
}
