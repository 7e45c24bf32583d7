package cmdline

import "testing"

func TestSplit(t *testing.T) {
	got := Split(` rodata=full  mem=768M "foo=a b" nokaslr -- init=1`)
	want := []Param{{"rodata", "full", true}, {"mem", "768M", true}, {"foo", "a b", true}, {"nokaslr", "", false}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("param %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestMemparse(t *testing.T) {
	for _, c := range []struct {
		in   string
		v    uint64
		rest string
	}{{"768M", 768 << 20, ""}, {"0x1000", 0x1000, ""}, {"1G@2G", 1 << 30, "@2G"}, {"010", 8, ""}, {"4k", 4096, ""}, {"2T", 2 << 40, ""}} {
		v, rest, err := Memparse(c.in)
		if err != nil || v != c.v || rest != c.rest {
			t.Errorf("Memparse(%q) = %#x, %q, %v; want %#x, %q", c.in, v, rest, err, c.v, c.rest)
		}
	}
	if _, _, err := Memparse("M"); err == nil {
		t.Error("Memparse(\"M\") accepted")
	}
}

func TestStrtobool(t *testing.T) {
	for in, want := range map[string]bool{"on": true, "off": false, "y": true, "N": false, "1": true, "0": false, "true": true} {
		if got, err := Strtobool(in); err != nil || got != want {
			t.Errorf("Strtobool(%q) = %v, %v", in, got, err)
		}
	}
	// kstrtobool reads only the first characters: "full" is false, which is
	// why parse_rodata() must test for "full" before calling it.
	if got, err := Strtobool("full"); err != nil || got {
		t.Errorf("Strtobool(\"full\") = %v, %v; want false like kstrtobool", got, err)
	}
	if _, err := Strtobool("xyz"); err == nil {
		t.Error("Strtobool(\"xyz\") accepted")
	}
}

func TestCrashkernel(t *testing.T) {
	for _, c := range []struct {
		in   string
		ram  uint64
		want Crash
	}{
		{"256M", 2 << 30, Crash{Size: 256 << 20}},
		{"256M@0x60000000", 2 << 30, Crash{Size: 256 << 20, Base: 0x60000000, HasBase: true}},
		{"512M-2G:64M,2G-:128M", 4 << 30, Crash{Size: 128 << 20}},
		{"512M-2G:64M,2G-:128M", 1 << 30, Crash{Size: 64 << 20}},
		{"1G,high", 8 << 30, Crash{Size: 1 << 30, High: true}},
	} {
		got, err := ParseCrashkernel(c.in, c.ram)
		if err != nil || got != c.want {
			t.Errorf("ParseCrashkernel(%q, %#x) = %+v, %v; want %+v", c.in, c.ram, got, err, c.want)
		}
	}
	if _, err := ParseCrashkernel("256Q", 1<<30); err == nil {
		t.Error("bad suffix accepted")
	}
}
