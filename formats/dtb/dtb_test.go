package dtb

import (
	"encoding/binary"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"linmap/formats/dts"
	"linmap/sim/layout"
)

// handBlob is a blob laid out word by word as dtc writes one (header,
// mem_rsvmap at 0x28, structure, strings), independent of Encode:
//
//	/memreserve/ 0x80000000 0x10000;
//	/ { #address-cells = <2>; #size-cells = <1>;
//	    memory@80000000 { device_type = "memory"; reg = <0 0x80000000 0x7f000000>; };
//	    chosen { bootargs = "mem=1G"; }; };
func handBlob() []byte {
	be := binary.BigEndian
	var s []byte
	w := func(v ...uint32) {
		for _, x := range v {
			s = be.AppendUint32(s, x)
		}
	}
	str := func(x string) {
		s = append(s, x...)
		s = append(s, 0)
		for len(s)%4 != 0 {
			s = append(s, 0)
		}
	}
	strs := "#address-cells\x00#size-cells\x00device_type\x00reg\x00bootargs\x00"
	w(tokBeginNode)
	str("")
	w(tokProp, 4, 0, 2)
	w(tokProp, 4, 15, 1)
	w(tokNop)
	w(tokBeginNode)
	str("memory@80000000")
	w(tokProp, 7, 27)
	str("memory")
	w(tokProp, 12, 39, 0, 0x80000000, 0x7f000000)
	w(tokEndNode)
	w(tokBeginNode)
	str("chosen")
	w(tokProp, 7, 43)
	str("mem=1G")
	w(tokEndNode)
	w(tokEndNode, tokEnd)

	rsv := make([]byte, 32)
	be.PutUint64(rsv, 0x80000000)
	be.PutUint64(rsv[8:], 0x10000)
	offStruct := 0x28 + len(rsv)
	offStrings := offStruct + len(s)
	total := offStrings + len(strs)
	var h []byte
	for _, v := range []int{Magic, total, offStruct, offStrings, 0x28, 17, 16, 0, len(strs), len(s)} {
		h = be.AppendUint32(h, uint32(v))
	}
	return append(append(append(h, rsv...), s...), strs...)
}

func TestHandBlob(t *testing.T) {
	l, err := Import("hand.dtb", handBlob())
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Memory) != 1 || l.Memory[0].Base != 0x80000000 || l.Memory[0].Size != 0x7f000000 {
		t.Errorf("memory = %+v", l.Memory)
	}
	if len(l.Reserved) != 1 || l.Reserved[0].Base != 0x80000000 || l.Reserved[0].Size != 0x10000 || l.Reserved[0].NoMap {
		t.Errorf("reserved = %+v", l.Reserved)
	}
	if l.Kernel.Cmdline != "mem=1G" {
		t.Errorf("cmdline = %q", l.Kernel.Cmdline)
	}
}

// TestMatchesDTS: a blob compiled from a DTS imports to the same layout as
// the source does.
func TestMatchesDTS(t *testing.T) {
	for _, name := range []string{"fvp-base-revc.dts", "hi6220-hikey.dts"} {
		src, err := os.ReadFile("../dts/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := dts.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := dts.Read(src)
		if err != nil {
			t.Fatal(err)
		}
		// The DTS importer assumes SoC cells when an include is skipped;
		// compile what it actually read.
		if tree.Root.Prop("#address-cells") == nil {
			continue
		}
		got, err := Import("", Encode(tree))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Memory, want.Memory) || !reflect.DeepEqual(got.Reserved, want.Reserved) || got.Name != want.Name {
			t.Errorf("%s: dtb gives %+v %+v, dts gives %+v %+v", name, got.Memory, got.Reserved, want.Memory, want.Reserved)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	in := &layout.Layout{
		Kernel:   layout.Kernel{Era: "v6.12", Cmdline: "console=ttyAMA0", KASLRSeed: 0x1234},
		Memory:   []layout.Bank{{Base: 0x40000000, Size: 0x40000000, NID: 0}, {Base: 0x8000000000, Size: 0x80000000, NID: 1}},
		Reserved: []layout.Reserved{{Base: 0x48000000, Size: 0x200000, Name: "tee", NoMap: true}},
		Initrd:   &layout.Blob{Base: 0x48400000, Size: 0x10000},
	}
	blob, err := Export(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Import("", blob)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Memory) != 2 || out.Memory[1].Base != 0x8000000000 || out.Memory[1].NID != 1 || len(out.Reserved) != 1 || !out.Reserved[0].NoMap ||
		out.Kernel.Cmdline != in.Kernel.Cmdline || out.Kernel.KASLRSeed != 0x1234 || out.Initrd == nil || out.Initrd.Base != 0x48400000 {
		t.Errorf("round trip lost data: %+v", out)
	}
}

func TestErrors(t *testing.T) {
	good := handBlob()
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"short", good[:20], "too short for an FDT header"},
		{"magic", mut(func(b []byte) []byte { b[0] = 0; return b }), "magic is 0xdfeed, not 0xd00dfeed"},
		{"truncated", good[:len(good)-8], "larger than the"},
		{"bad token", mut(func(b []byte) []byte { binary.BigEndian.PutUint32(b[binary.BigEndian.Uint32(b[8:]):], 7); return b }), "expected FDT_BEGIN_NODE, found token 0x7"},
		{"name offset", mut(func(b []byte) []byte {
			off := binary.BigEndian.Uint32(b[8:])
			binary.BigEndian.PutUint32(b[off+4+4+8:], 0x1000) // first property's nameoff
			return b
		}), "outside the strings block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Import("", tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(handBlob())
	src, err := os.ReadFile("../dts/testdata/fvp-base-revc.dts")
	if err != nil {
		f.Fatal(err)
	}
	tree, err := dts.Parse(src)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(Encode(tree))
	f.Fuzz(func(t *testing.T, data []byte) {
		if l, err := Import("", data); err == nil {
			if err := l.Check(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// Import reads a blob as formats.Import does, short of what package
// evidence adds (era, image); a tree without memory is an error.
func Import(name string, data []byte) (*layout.Layout, error) {
	l, notes, err := Read(data)
	if err != nil {
		return nil, err
	}
	if len(l.Memory) == 0 {
		return nil, errors.New(strings.Join(notes, "; "))
	}
	return l, l.Check()
}
