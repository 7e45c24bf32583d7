package numfmt

import "testing"

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{Hex(0), "0x0"},
		{Hex(0x1000), "0x1000"},
		{Hex(0x10000), "0x1_0000"},
		{Hex(0x40000000), "0x4000_0000"},
		{Hex(0xffff800000000000), "0xffff_8000_0000_0000"},
		{Hex(1<<64 - 1), "0xffff_ffff_ffff_ffff"},
		{Size(0), "0B"},
		{Size(512), "512B"},
		{Size(64 << 10), "64K"},
		{Size(3 << 29), "1.5G"},
		{Size(1 << 40), "1T"},
		{Size(1<<64 - 1), "16E"},
		{Count(0), "0"},
		{Count(999), "999"},
		{Count(1000), "1\u202f000"},
		{Count(254990), "254\u202f990"},
		{Plural(1, "page"), "1 page"},
		{Plural(2, "page"), "2 pages"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
