package cmdline

import "testing"

// FuzzCmdline: the parsers never panic, and memparse's rest is a suffix of
// its input.
func FuzzCmdline(f *testing.F) {
	for _, s := range []string{"rodata=full mem=768M", `a="b c" -- d`, "crashkernel=512M-2G:64M,2G-:128M@16M", "0x1fK", "0", "crashkernel=256M,high"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range Split(s) {
			_ = p.Name
		}
		if _, rest, err := Memparse(s); err == nil && len(rest) > len(s) {
			t.Fatalf("rest %q longer than input %q", rest, s)
		}
		Strtobool(s)
		ParseCrashkernel(s, 4<<30)
	})
}
