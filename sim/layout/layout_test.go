package layout

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrorsNameFieldAndValue(t *testing.T) {
	for _, c := range []struct{ in, field, value string }{
		{`{"memory":[{"base":"0x40000000","size":"0x1000"},{"base":"zz","size":"1"}]}`, "memory[1].base", `"zz"`},
		{`{"memory":[{"base":"0x40000000","size":0}]}`, "memory[0].size", "0x0"},
		{`{"memory":[{"base":"0x40000000","size":"1G"},{"base":"0x40001000","size":"1M"}]}`, "memory[1]", "0x40001000..0x40101000"},
		{`{"format":"x","memory":[]}`, "format", `"x"`},
		{`{"memory":[{"base":"0x40000000","size":"1G"}],"kernel":{"va_bits":"48"}}`, "kernel.va_bits", `"48"`},
		{`{"memory":[{"base":"0x40000000","size":"1G"}],"image":{"base":"0x10"}}`, "image.base", "0x10"},
		{`{"memory":[{"base":-1,"size":"1G"}]}`, "memory[0].base", "-1"},
	} {
		_, err := Parse([]byte(c.in))
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: error %v is not a FieldError", c.in, err)
			continue
		}
		if fe.Field != c.field || fe.Value != c.value {
			t.Errorf("%s: got field %q value %q (%v), want %q %q", c.in, fe.Field, fe.Value, err, c.field, c.value)
		}
	}
}

func TestRoundTripKeepsUnknownFieldsAndText(t *testing.T) {
	in := `{"format":"linmap-layout","version":1,"name":"a<b & c","x-tool":{"v":2},` +
		`"kernel":{"era":"v6.1","future":true},"memory":[{"base":"0x40000000","size":1073741824,"label":"dimm0"}],"image":{"base":"0x40200000"}}`
	l, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"x-tool": {`, `"future": true`, `"label": "dimm0"`, `"size": "0x40000000"`, `"name": "a<b & c"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("round trip lost %s:\n%s", want, out)
		}
	}
}

func TestParseAddr(t *testing.T) {
	for in, want := range map[string]Addr{"0x40000000": 0x40000000, "1G": 1 << 30, "768M": 768 << 20, "0x1_0000": 0x10000, "4096": 4096, "2T": 2 << 40} {
		if got, err := ParseAddr(in); err != nil || got != want {
			t.Errorf("ParseAddr(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0xg", "16E", "-1", "1Q"} {
		if _, err := ParseAddr(bad); err == nil {
			t.Errorf("ParseAddr(%q) accepted", bad)
		}
	}
	if SAddr(-0xeffffc0000000).String() != "-0xeffffc0000000" {
		t.Error("negative SAddr formatting")
	}
}
