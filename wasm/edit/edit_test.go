package edit

import (
	"errors"
	"strings"
	"testing"

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
	l := seed()
	n, idx, err := AddBank(l, 0x50000000, Snap2M)
	if err != nil {
		t.Fatal(err)
	}
	b := n.Memory[idx]
	if idx != 1 || b.Base != 0x48000000 || b.Size != DefaultNewBank {
		t.Errorf("added bank %d at %s size %s", idx, b.Base, b.Size)
	}
	// A gap smaller than the default gets filled exactly.
	l2 := seed()
	l2.Memory[1].Base = 0x41000000
	l2.Memory[1].Size = 0x3f000000 - 0x1000000
	n, idx, err = AddBank(l2, 0x40d00000, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if b := n.Memory[idx]; b.Base != 0x40c00000 || b.End() != 0x41000000 {
		t.Errorf("gap filled with %s..%s", b.Base, b.End())
	}
	_, _, err = AddBank(l, 0x60001000, 4096)
	refused(t, err, "inside a bank")

	n, err = DeleteBank(l, 2)
	if err != nil || len(n.Memory) != 2 {
		t.Fatalf("delete: %v, %d banks", err, len(n.Memory))
	}
	_, err = DeleteBank(l, 0)
	refused(t, err, "kernel image")
}

func TestMoveImage(t *testing.T) {
	l := seed()
	n, err := MoveImage(l, 0x80123456, Snap2M)
	if err != nil {
		t.Fatal(err)
	}
	if n.Image.Base != 0x80080000 {
		t.Errorf("image base = %s, want 2M-aligned + text_offset", n.Image.Base)
	}
	_, err = MoveImage(l, 0x50000000, Snap2M)
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
}
