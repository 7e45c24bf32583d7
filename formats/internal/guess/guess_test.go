package guess

import (
	"testing"

	"linmap/sim"
	"linmap/sim/layout"
)

func TestEraForVersion(t *testing.T) {
	tests := []struct{ release, era string }{
		{"3.18.140", "v3.18"}, {"4.5.7", "v3.18"}, {"4.6.0", "v4.6"}, {"4.14.154-rc1", "v4.19"}, {"4.19.72", "v4.19"},
		{"5.10.198", "v5.15"}, {"5.15.0-91-generic", "v5.15"}, {"6.1.0-56-arm64", "v6.1"}, {"6.6.87", "v6.1"},
		{"6.12.117+deb12-arm64-16k", "v6.12"}, {"6.18.2", "v6.18"}, {"7.0", "v6.18"}, {"7.1.3", "v6.18"}, {"7.2.13+deb14-arm64", "v7.2"}, {"4.10.17", "v4.6"}, {"5.3.18", "v4.19"}, {"5.4.0", "v5.15"}, {"6.9.1", "v6.12"}, {"2.6.32", ""}, {"x", ""},
	}
	for _, tt := range tests {
		if got, _ := EraForVersion(tt.release); got != tt.era {
			t.Errorf("EraForVersion(%q) = %q, want %q", tt.release, got, tt.era)
		}
	}
}

// The importers map every era's first kernel version to that era.
func TestEraForVersionFollowsRegistry(t *testing.T) {
	for _, e := range sim.Eras() {
		if e.Since.IsZero() {
			continue
		}
		if got, _ := EraForVersion(e.Since.String() + ".0-1-arm64"); got != e.ID {
			t.Errorf("EraForVersion(%s) = %q, want %s", e.Since, got, e.ID)
		}
	}
}

func TestStripDmesg(t *testing.T) {
	tests := []struct{ in, out string }{
		{"[    0.000000] Machine model: linux,dummy-virt", "Machine model: linux,dummy-virt"},
		{"[    0.000000][    T0]  memory[0x0]", " memory[0x0]"},
		{"<6>[    1.234567] efi: x", "efi: x"},
		{"Nov 23 12:00:00 host kernel: [    0.000000] Booting Linux", "Booting Linux"},
		{"   0: 0x0000000040000000..0x000000007fffffff", "   0: 0x0000000040000000..0x000000007fffffff"},
	}
	for _, tt := range tests {
		if got := StripDmesg(tt.in); got != tt.out {
			t.Errorf("StripDmesg(%q) = %q, want %q", tt.in, got, tt.out)
		}
	}
}

func TestPlaceImage(t *testing.T) {
	tests := []struct {
		name     string
		era      string
		memory   []layout.Bank
		reserved []layout.Reserved
		want     layout.Addr
	}{
		{"QEMU virt, new kernel", "v6.12", []layout.Bank{{Base: 0x40000000, Size: 1 << 30}}, nil, 0x40000000},
		{"old kernel adds text_offset", "v3.18", []layout.Bank{{Base: 0x40000000, Size: 1 << 30}}, nil, 0x40080000},
		{"RAM at 0: PA 0 is skipped", "v6.1", []layout.Bank{{Base: 0, Size: 1 << 30}}, nil, 0x200000},
		{"no-map at 0 (Amlogic) is avoided", "v6.1", []layout.Bank{{Base: 0, Size: 2 << 30}},
			[]layout.Reserved{{Base: 0, Size: 0x1000000, NoMap: true}, {Base: 0x5000000, Size: 0x300000, NoMap: true}}, 0x1000000},
		{"unaligned small first bank is skipped", "v6.1", []layout.Bank{{Base: 0x100000, Size: 0x1000000}, {Base: 0x80000000, Size: 1 << 30}}, nil, 0x80000000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &layout.Layout{Kernel: layout.Kernel{Era: tt.era}, Memory: tt.memory, Reserved: tt.reserved}
			if !PlaceImage(l) || l.Image.Base != tt.want {
				t.Errorf("image.base = %s, want %s", l.Image.Base, tt.want)
			}
		})
	}
}

func TestFinishMergesOverlaps(t *testing.T) {
	l := &layout.Layout{Memory: []layout.Bank{{Base: 0x80000000, Size: 0x40000000, Name: "b"}, {Base: 0x40000000, Size: 0x50000000, Name: "a"}}}
	if err := Finish(l, "test", nil); err != nil {
		t.Fatal(err)
	}
	if len(l.Memory) != 1 || l.Memory[0].Base != 0x40000000 || l.Memory[0].Size != 0x80000000 || l.Kernel.Era != DefaultEra {
		t.Errorf("got %+v, era %q", l.Memory, l.Kernel.Era)
	}
}
