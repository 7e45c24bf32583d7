package sim

import (
	"encoding/binary"
	"testing"

	"linmap/sim/layout"
)

// FuzzRun drives the engine with layouts derived from arbitrary bytes:
// it must never panic, and every result must satisfy the invariants.
func FuzzRun(f *testing.F) {
	f.Add([]byte{0, 0, 1, 0x40, 0, 0, 0, 0x10, 0, 0, 0}, "rodata=on")
	f.Add([]byte{7, 1, 3, 0x41, 0x10, 0, 0, 0x20, 0, 0, 0, 0x99, 1, 0, 0, 0, 8}, "mem=512M crashkernel=64M")
	f.Add([]byte{2, 2, 2, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, "kfence.sample_interval=100")
	f.Fuzz(func(t *testing.T, data []byte, cmd string) {
		l := layoutFromBytes(data, cmd)
		if l == nil {
			return
		}
		r, err := Run(l)
		if err != nil {
			if _, ok := err.(*layout.FieldError); !ok {
				t.Fatalf("error is not a FieldError: %v", err)
			}
			return
		}
		if err := checkInvariants(l, r); err != nil {
			b, _ := l.Marshal()
			t.Fatalf("%v\nlayout: %s", err, b)
		}
	})
}

func layoutFromBytes(data []byte, cmd string) *layout.Layout {
	if len(data) < 3 || len(cmd) > 200 {
		return nil
	}
	eras := Eras()
	e := eras[int(data[0])%len(eras)]
	sizes := []string{"4K", "16K", "64K"}
	ps := sizes[int(data[1])%3]
	vas := e.Kconfig.VABits[ps]
	if len(vas) == 0 {
		return nil
	}
	l := &layout.Layout{Kernel: layout.Kernel{Era: e.ID, PageSize: ps, VABits: vas[int(data[2])%len(vas)], Cmdline: cmd}}
	l.CPU.LPA2 = data[2]&0x10 != 0
	l.CPU.VA52 = data[2]&0x20 != 0
	rest := data[3:]
	cur := uint64(0)
	for len(rest) >= 8 && len(l.Memory) < 16 {
		gap := uint64(binary.LittleEndian.Uint32(rest)) << 16
		size := uint64(binary.LittleEndian.Uint32(rest[4:])) << 12
		rest = rest[8:]
		if size == 0 {
			continue
		}
		cur += gap
		if cur+size < cur || cur+size > 1<<52 {
			break
		}
		l.Memory = append(l.Memory, layout.Bank{Base: layout.Addr(cur), Size: layout.Addr(size)})
		cur += size
	}
	if len(l.Memory) == 0 {
		return nil
	}
	to := layout.Addr(0)
	l.Image = layout.Image{Base: (l.Memory[0].Base + 2<<20 - 1) &^ (2<<20 - 1), TextOffset: &to, End: 0x200000}
	if len(rest) >= 8 {
		off := layout.Addr(binary.LittleEndian.Uint32(rest)) << 12
		sz := layout.Addr(binary.LittleEndian.Uint16(rest[4:])+1) << 12
		l.Reserved = []layout.Reserved{{Base: l.Memory[0].Base + off, Size: sz, NoMap: rest[6]&1 == 1}}
	}
	return l
}
