package edit

import (
	"errors"
	"strings"
	"testing"

	"linmap/assets"
	"linmap/sim"
	"linmap/sim/layout"
)

func seed() *layout.Layout {
	off := layout.Addr(0x80000)
	return &layout.Layout{
		Format: layout.FormatName, Version: 1, Name: "seed",
		Kernel: layout.Kernel{Era: "v3.18"},
		Memory: []layout.Bank{
			{Base: 0x40000000, Size: 0xc00000},
			{Base: 0x60000000, Size: 0x1f000000},
			{Base: 0x80000000, Size: 0x3ff00000},
		},
		Reserved: []layout.Reserved{{Base: 0x40000000, Size: 0x80000, Name: "firmware"}},
		Image:    layout.Image{Base: 0x40080000, TextOffset: &off, End: 0xb80000},
	}
}

func refused(t *testing.T, err error, want string) {
	t.Helper()
	var r *Refused
	if !errors.As(err, &r) {
		t.Fatalf("err = %v, want a refusal containing %q", err, want)
	}
	if !strings.Contains(r.Reason, want) {
		t.Errorf("reason %q does not contain %q", r.Reason, want)
	}
}

func TestRound(t *testing.T) {
	for _, c := range []struct{ v, unit, want uint64 }{
		{0x40000fff, 0x1000, 0x40001000},
		{0x400007ff, 0x1000, 0x40000000},
		{0x40100000, Snap2M, 0x40200000},
		{0x400fffff, Snap2M, 0x40000000},
		{0x5fffffff, Snap1G, 0x40000000},
		{0xfffffffffffff900, 0x1000, 0xfffffffffffff000},
	} {
		if got := Round(c.v, c.unit); got != c.want {
			t.Errorf("Round(%#x, %#x) = %#x, want %#x", c.v, c.unit, got, c.want)
		}
	}
}

func TestMoveBank(t *testing.T) {
	l := seed()
	n, err := MoveBank(l, 2, 0x100000123, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if n.Memory[2].Base != 0x100000000 {
		t.Errorf("base = %s", n.Memory[2].Base)
	}
	if l.Memory[2].Base != 0x80000000 {
		t.Errorf("the original layout changed")
	}
	// The bank with the image takes the image and firmware reservation along.
	n, err = MoveBank(l, 0, 0x20000000, Snap2M)
	if err != nil {
		t.Fatal(err)
	}
	if n.Image.Base != 0x20080000 || n.Reserved[0].Base != 0x20000000 {
		t.Errorf("contents did not move: image %s reserved %s", n.Image.Base, n.Reserved[0].Base)
	}
	_, err = MoveBank(l, 2, 0x7e000000, 4096)
	refused(t, err, "overlap bank 1")
}

func TestResizeBank(t *testing.T) {
	l := seed()
	n, err := ResizeBank(l, 1, High, 0x7fe00000, Snap2M)
	if err != nil {
		t.Fatal(err)
	}
	if n.Memory[1].End() != 0x7fe00000 {
		t.Errorf("end = %s", n.Memory[1].End())
	}
	_, err = ResizeBank(l, 1, High, 0x80200000, Snap2M)
	refused(t, err, "overlap bank 2")
	_, err = ResizeBank(l, 1, Low, 0x7f000000, Snap2M)
	refused(t, err, "at least 2M")
	_, err = ResizeBank(l, 0, Low, 0x40200000, Snap2M)
	refused(t, err, "image")
}

func TestAddDeleteBank(t *testing.T) {
	tests := []struct {
		name           string
		addr           uint64
		edit           func(*layout.Layout)
		wantBase, size uint64
		wantIdx        int
	}{
		// seed: banks 0x40000000+12M, 0x60000000+512M, 0x80000000+2G.
		{"half a 500M gap, aligned to its size", 0x50000000, nil, 0x50000000, 128 << 20, 1},
		{"clicked near the top: the last aligned slot", 0x5ff00000, nil, 0x58000000, 128 << 20, 1},
		{"clicked near the bottom: the first aligned slot", 0x40c01000, nil, 0x48000000, 128 << 20, 1},
		{"above the last bank: capped at a gigabyte", 0x123456789, nil, 0x100000000, 1 << 30, 3},
		{"a 16M gap takes 8M", 0x40d00000, func(l *layout.Layout) { l.Memory[1].Base, l.Memory[1].Size = 0x41c00000, 0x1e400000 }, 0x41000000, 8 << 20, 1},
		{"a one-page gap takes that page", 0x40c00000, func(l *layout.Layout) { l.Memory[1].Base, l.Memory[1].Size = 0x40c01000, 0x1f3ff000 }, 0x40c00000, 4096, 1},
	}
	for _, tc := range tests {
		l := seed()
		if tc.edit != nil {
			tc.edit(l)
		}
		n, idx, err := AddBank(l, tc.addr)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		b := n.Memory[idx]
		if idx != tc.wantIdx || uint64(b.Base) != tc.wantBase || uint64(b.Size) != tc.size {
			t.Errorf("%s: bank %d at %s size %s, want %d at %#x size %#x", tc.name, idx, b.Base, b.Size, tc.wantIdx, tc.wantBase, tc.size)
		}
		if uint64(b.Base)%uint64(b.Size) != 0 {
			t.Errorf("%s: base %s not aligned to its size", tc.name, b.Base)
		}
	}
	l := seed()
	_, _, err := AddBank(l, 0x60001000)
	refused(t, err, "inside a bank")

	n, err := DeleteBank(l, 2)
	if err != nil || len(n.Memory) != 2 {
		t.Fatalf("delete: %v, %d banks", err, len(n.Memory))
	}
	_, err = DeleteBank(l, 0)
	refused(t, err, "kernel image")
}

func TestMoveImage(t *testing.T) {
	l := seed() // v3.18: text_offset 0x80000 from its build when the layout does not say
	l.Image.TextOffset = nil
	for _, c := range []struct {
		to, unit, want uint64
	}{
		{0x80123456, 4096, 0x80080000},   // a page snap would give an address the kernel cannot use
		{0x80123456, Snap2M, 0x80080000}, // 2M + text_offset
		{0x802fffff, 4096, 0x80280000},   // rounds to the nearest 2M slot
		{0x8a000000, Snap1G, 0x80080000}, // Alt: 1G + text_offset
	} {
		n, err := MoveImage(l, c.to, c.unit)
		if err != nil {
			t.Fatalf("%#x: %v", c.to, err)
		}
		if uint64(n.Image.Base) != c.want {
			t.Errorf("MoveImage(%#x, %#x) = %s, want %#x", c.to, c.unit, n.Image.Base, c.want)
		}
	}
	// From v5.15 text_offset is 0.
	m := seed()
	m.Kernel.Era, m.Image.TextOffset = "v6.1", nil
	if n, err := MoveImage(m, 0x80123456, 4096); err != nil || n.Image.Base != 0x80200000 {
		t.Errorf("v6.1: %v %v", n, err)
	}
	_, err := MoveImage(l, 0x50000000, Snap2M)
	refused(t, err, "memory bank")
}

func TestApplyControls(t *testing.T) {
	l := seed()
	n, err := ApplyControls(l, Controls{Era: "v4.6", PageSize: "16K", VABits: 39})
	if err != nil {
		t.Fatal(err)
	}
	if n.Kernel.PageSize != "16K" || n.Kernel.VABits != 47 {
		t.Errorf("16K with VA_BITS=39 normalised to %s/%d, want 16K/47", n.Kernel.PageSize, n.Kernel.VABits)
	}
	n, err = ApplyControls(l, Controls{Era: "v3.18", PageSize: "16K", VABits: 47})
	if err != nil {
		t.Fatal(err)
	}
	if n.Kernel.PageSize != "4K" || n.Kernel.VABits != 39 {
		t.Errorf("v3.18 has no 16K pages; got %s/%d", n.Kernel.PageSize, n.Kernel.VABits)
	}
	_, err = ApplyControls(l, Controls{Era: "v9.9"})
	refused(t, err, "unknown era")
	if got := VABitsFor("v6.12", "4K"); len(got) != 3 || got[2] != 52 {
		t.Errorf("VABitsFor(v6.12, 4K) = %v", got)
	}
	if got := PageSizes("v3.18"); strings.Join(got, ",") != "4K,64K" {
		t.Errorf("PageSizes(v3.18) = %v", got)
	}
	// Every setting of the panel reaches the layout and reads back.
	all := Controls{Era: "v6.18", PageSize: "16K", VABits: 52, Cmdline: "rodata=noalias", VA52: true, LPA2: true,
		BBML2: true, Realm: true, PABits: 52, Name: "all set"}
	n, err = ApplyControls(l, all)
	if err != nil {
		t.Fatal(err)
	}
	if got := ControlsOf(n); got != all {
		t.Errorf("controls read back as %+v, want %+v", got, all)
	}
	if c := n.CPU; !c.VA52 || !c.LPA2 || !c.BBML2NoAbort || !c.Realm || c.PABits != 52 {
		t.Errorf("CPU %+v", c)
	}
}

// Edits share what they do not write with the layout they start from
// (cow), which is safe only if neither an edit nor the engine ever changes
// a layout in place. Every preset, every edit, and a run of the engine on
// both the old and the new layout leave the old one as it was, and the new
// one equals a full JSON clone of itself after the run.
func TestEditsLeaveTheirInputAlone(t *testing.T) {
	for _, p := range assets.Presets() {
		l, err := layout.Parse(p.Layout)
		if err != nil {
			t.Fatal(err)
		}
		before, _ := l.Marshal()
		b0 := l.Memory[len(l.Memory)-1]
		edits := map[string]func() (*layout.Layout, error){
			"move":   func() (*layout.Layout, error) { return MoveBank(l, 0, uint64(l.Memory[0].Base)+2<<20, 2<<20) },
			"resize": func() (*layout.Layout, error) { return ResizeBank(l, 0, High, uint64(l.Memory[0].End())-2<<20, 2<<20) },
			"add":    func() (*layout.Layout, error) { n, _, err := AddBank(l, uint64(b0.End())+1<<30); return n, err },
			"delete": func() (*layout.Layout, error) { return DeleteBank(l, len(l.Memory)-1) },
			"image":  func() (*layout.Layout, error) { return MoveImage(l, uint64(l.Image.Base)+2<<20, 2<<20) },
			"controls": func() (*layout.Layout, error) {
				c := ControlsOf(l)
				c.Cmdline = "rodata=full"
				return ApplyControls(l, c)
			},
		}
		for name, edit := range edits {
			n, err := edit()
			sim.Run(l)
			if after, _ := l.Marshal(); string(after) != string(before) {
				t.Fatalf("%s: %s changed the layout it started from", p.ID, name)
			}
			if err != nil {
				continue // refused edits are tested elsewhere
			}
			want, _ := n.Clone().Marshal()
			sim.Run(n)
			if got, _ := n.Marshal(); string(got) != string(want) {
				t.Errorf("%s: %s: the engine changed the edited layout", p.ID, name)
			}
		}
	}
}
