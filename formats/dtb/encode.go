package dtb

import (
	"encoding/binary"

	"linmap/formats/dts"
	"linmap/formats/internal/dt"
	"linmap/sim/layout"
)

// Export compiles the layout's DTS form (dts.Export) into a version-17
// blob, as dtc would.
func Export(l *layout.Layout) ([]byte, error) {
	t, err := dts.Parse(dts.Export(l))
	if err != nil {
		return nil, err
	}
	return Encode(t), nil
}

// Encode writes a tree as a version-17 flattened device tree.
func Encode(t *dt.Tree) []byte {
	be := binary.BigEndian
	var structs, strs []byte
	offsets := map[string]uint32{}
	word := func(v uint32) { structs = be.AppendUint32(structs, v) }
	pad := func() {
		for len(structs)%4 != 0 {
			structs = append(structs, 0)
		}
	}
	var walk func(n *dt.Node)
	walk = func(n *dt.Node) {
		word(tokBeginNode)
		structs = append(append(structs, n.Name...), 0)
		pad()
		for _, p := range n.Props {
			off, ok := offsets[p.Name]
			if !ok {
				off = uint32(len(strs))
				offsets[p.Name] = off
				strs = append(append(strs, p.Name...), 0)
			}
			word(tokProp)
			word(uint32(len(p.Value)))
			word(off)
			structs = append(structs, p.Value...)
			pad()
		}
		for _, c := range n.Children {
			walk(c)
		}
		word(tokEndNode)
	}
	walk(t.Root)
	word(tokEnd)

	const hdr = 40
	var rsv []byte
	for _, r := range t.MemReserve {
		rsv = be.AppendUint64(rsv, r.Address)
		rsv = be.AppendUint64(rsv, r.Size)
	}
	rsv = append(rsv, make([]byte, 16)...)
	offRsv := uint32(hdr + 8) // mem_rsvmap must be 8-byte aligned
	offStruct := offRsv + uint32(len(rsv))
	offStrings := offStruct + uint32(len(structs))
	total := offStrings + uint32(len(strs))

	out := make([]byte, 0, total)
	for _, v := range []uint32{Magic, total, offStruct, offStrings, offRsv, 17, 16, 0, uint32(len(strs)), uint32(len(structs))} {
		out = be.AppendUint32(out, v)
	}
	out = append(out, make([]byte, offRsv-hdr)...)
	out = append(out, rsv...)
	out = append(out, structs...)
	return append(out, strs...)
}
