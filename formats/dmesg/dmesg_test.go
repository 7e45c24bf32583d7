package dmesg

import (
	"testing"
)

// Lines as kernels of several eras print them (quoted, timestamped and
// prefixed the ways people paste them).
const log = `> [    0.000000] Booting Linux on physical CPU 0x0000000000 [0x410fd034]
> [    0.000000] Linux version 4.14.154-rc1 (oe-user@oe-host) (gcc version 7.3.0 (GCC)) #1 SMP
[    0.000000] Machine model: ARM Juno development board (r2)
[    0.000000] OF: reserved mem: 0x000000004f640000..0x000000004f67ffff (256 KiB) nomap non-reusable wo-emi@4f640000
[    0.000000] Reserved memory: created CMA memory pool at 0x0000000096000000, size 640 MiB
[    0.000000] OF: reserved mem: initialized node linux,cma, compatible id shared-dma-pool
[    0.000000] cma: Reserved 16 MiB at 0x00000000fe000000
[    0.000000] cma: Found secure_region@0, memory base 0x0000000000000000, size 300 MiB, limit 0xffffffffffffffff
[    0.000000] Zone ranges:
[    0.000000]   DMA      [mem 0x0000000080000000-0x00000000ffffffff]
[    0.000000]   DMA32    empty
[    0.000000]   Normal   [mem 0x0000000100000000-0x00000009ffffffff]
[    0.000000] Movable zone start for each node
[    0.000000] Early memory node ranges
[    0.000000]   node   0: [mem 0x0000000080000000-0x00000000feffffff]
[    0.000000]   node   0: [mem 0x0000000880000000-0x00000009ffffffff]
[    0.000000] crashkernel reserved: 0x00000000e7e00000 - 0x00000000ffe00000 (384 MB)
[    0.000000] percpu: Embedded 25 pages/cpu s62280 r8192 d31928 u102400
[    0.000000] Dentry cache hash table entries: 1048576 (order: 11, 8388608 bytes, linear)
[    0.000000] Kernel command line: console=ttyAMA0,115200n8 root=/dev/nfs rw
[    0.000000] Memory: 8123672K/8372224K available (12988K kernel code, 1878K rwdata, 5196K rodata, 1728K init, 12356K bss, 232168K reserved, 16384K cma-reserved)
[    0.000000] Virtual kernel memory layout:
[    0.000000]     modules : 0xffff000000000000 - 0xffff000008000000   (   128 MB)
[    0.000000]     vmemmap : 0xffff7e0000000000 - 0xffff800000000000   (  2048 GB maximum)
[    0.000000]               0xffff7e0000000000 - 0xffff7e0026000000   (   608 MB actual)
[    0.000000]     memory  : 0xffff800000000000 - 0xffff800980000000   ( 38912 MB)
[    0.000000] CPU features: detected: 52-bit Virtual Addressing (LPA2)
[    0.000000] software IO TLB [mem 0x6bfff000-0x6ffff000] (64MB) mapped at [ffffffc06bfff000-ffffffc06fffefff]
[    0.000000] Ignoring memory block 0x0 - 0x1000
[    0.000000] Memory doesn't fit in the linear mapping, VA_BITS too small
[    0.007031] kfence: initialized - using 2097152 bytes for 255 objects at 0x(____ptrval____)-0x(____ptrval____)
[    1.000000] Kernel panic - not syncing: Failed to allocate page table page
[    1.000000] PHYS_OFFSET: 0x80000000
[    1.000000] kernel BUG at arch/arm64/mm/mmu.c:205!
`

func TestParse(t *testing.T) {
	lg := Parse(log)
	if lg.Release != "4.14.154-rc1" || lg.ReleaseAt.N != 2 || lg.MIDR != 0x410fd034 || lg.Model != "ARM Juno development board (r2)" {
		t.Errorf("release %q at %d, MIDR %#x, model %q", lg.Release, lg.ReleaseAt.N, lg.MIDR, lg.Model)
	}
	if lg.Cmdline != "console=ttyAMA0,115200n8 root=/dev/nfs rw" {
		t.Errorf("cmdline %q", lg.Cmdline)
	}
	if len(lg.Reserved) != 3 {
		t.Fatalf("reserved %+v", lg.Reserved)
	}
	if r := lg.Reserved[0]; r.Name != "wo-emi@4f640000" || r.Start != 0x4f640000 || r.End != 0x4f680000 || !r.NoMap || r.Reusable || r.Kind != "of" {
		t.Errorf("OF line %+v", r)
	}
	if r := lg.Reserved[1]; r.Name != "linux,cma" || r.End-r.Start != 640<<20 || !r.Reusable || r.Kind != "pool" {
		t.Errorf("pool line %+v", r)
	}
	if r := lg.Reserved[2]; r.Kind != "cma" || r.Start != 0xfe000000 {
		t.Errorf("cma line %+v", r)
	}
	if len(lg.Zones) != 3 || !lg.Zones[1].Empty || lg.Zones[2].End != 0xa00000000 {
		t.Errorf("zones %+v", lg.Zones)
	}
	if len(lg.NodeRanges) != 2 || lg.NodeRanges[1].Start != 0x880000000 || lg.NodeRanges[1].End != 0xa00000000 {
		t.Errorf("node ranges %+v", lg.NodeRanges)
	}
	if shift, at, ok := lg.PageShift(); !ok || shift != 12 || at.N != 18 {
		t.Errorf("page shift %d at %d (%v)", shift, at.N, ok)
	}
	m := lg.Memory
	if m == nil || m.AvailableK != 8123672 || m.TotalK != 8372224 || m.CodeK != 12988 || m.CMAK != 16384 || !m.Sizes {
		t.Errorf("memory line %+v", m)
	}
	vm := lg.VMLayout
	if vm == nil || vm.Areas["memory"].Start != 0xffff800000000000 || vm.Areas["memory"].End != 0xffff800980000000 || vm.Areas["vmemmap actual"].End != 0xffff7e0026000000 {
		t.Errorf("layout %+v", vm)
	}
	if _, ok := lg.HasFeature("52-bit Virtual Addressing (LPA2)"); !ok {
		t.Error("LPA2 feature not found")
	}
	if p := lg.LinearPair; p == nil || p.PA != 0x6bfff000 || p.VA != 0xffffffc06bfff000 {
		t.Errorf("swiotlb pair %+v", p)
	}
	if lg.KFENCE == nil || lg.KFENCE.Objects != 255 {
		t.Errorf("kfence %+v", lg.KFENCE)
	}
	if lg.PhysOffset == nil || lg.PhysOffset.V != 0x80000000 {
		t.Errorf("PHYS_OFFSET %+v", lg.PhysOffset)
	}
	want := []Message{
		{Warning, "Ignoring memory block 0x0 - 0x1000", At{}},
		{Warning, "Memory doesn't fit in the linear mapping, VA_BITS too small", At{}},
		{Fatal, "Failed to allocate page table page", At{}},
		{Fatal, "kernel BUG at arch/arm64/mm/mmu.c:205!", At{}},
	}
	if len(lg.Messages) != len(want) {
		t.Fatalf("messages %+v", lg.Messages)
	}
	for i, w := range want {
		if g := lg.Messages[i]; g.Kind != w.Kind || g.Text != w.Text {
			t.Errorf("message %d = %s %q, want %s %q", i, g.Kind, g.Text, w.Kind, w.Text)
		}
	}
	if !lg.BootLog() || !lg.Found() {
		t.Error("a boot log is not recognised as one")
	}
}

func TestPageShiftFromHashes(t *testing.T) {
	lg := Parse("Dentry cache hash table entries: 262144 (order: 5, 2097152 bytes, linear)\nInode-cache hash table entries: 131072 (order: 4, 1048576 bytes, linear)\n")
	if shift, _, ok := lg.PageShift(); !ok || shift != 16 {
		t.Errorf("page shift %d (%v), want 16", shift, ok)
	}
	lg = Parse("Dentry cache hash table entries: 262144 (order: 5, 2097152 bytes, linear)\nInode-cache hash table entries: 131072 (order: 8, 1048576 bytes, linear)\n")
	if _, _, ok := lg.PageShift(); ok {
		t.Error("disagreeing hash lines give a page size")
	}
}

func TestUname(t *testing.T) {
	lg := Parse("Linux (none) 6.1.0-56-arm64 #1 SMP Debian 6.1.192-2 (2026-11-16) aarch64 GNU/Linux\n")
	if lg.Release != "6.1.0-56-arm64" || !lg.Found() {
		t.Errorf("release %q", lg.Release)
	}
}

func TestNothing(t *testing.T) {
	if Parse("hello\nworld\n").Found() {
		t.Error("plain text is a kernel log")
	}
}
