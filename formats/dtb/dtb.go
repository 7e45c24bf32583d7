// Package dtb imports a flattened device tree blob (the .dtb a boot loader
// hands the kernel): header, memory reservation block, structure block and
// strings block, read by hand as the kernel's libfdt does.
package dtb

import (
	"encoding/binary"
	"fmt"

	"linmap/formats/internal/dt"
	"linmap/sim/layout"
)

// Magic is FDT_MAGIC, the first word of every blob.
const Magic = 0xd00dfeed

// Structure block tokens (include/linux/libfdt_env.h, fdt.h).
const (
	tokBeginNode = 1
	tokEndNode   = 2
	tokProp      = 3
	tokNop       = 4
	tokEnd       = 9
)

const maxDepth = 200

// IsDTB reports whether data starts with FDT_MAGIC.
func IsDTB(data []byte) bool {
	return len(data) >= 4 && binary.BigEndian.Uint32(data) == Magic
}

// Read decodes a blob into what the kernel takes from it (see
// dt.Tree.Layout).
func Read(data []byte) (*layout.Layout, []string, error) {
	t, err := Parse(data)
	if err != nil {
		return nil, nil, err
	}
	return t.Layout()
}

// Parse decodes the blob. Errors name the byte offset of what is wrong.
func Parse(data []byte) (*dt.Tree, error) {
	if len(data) < 40 {
		return nil, fmt.Errorf("dtb: %d bytes is too short for an FDT header (40 bytes)", len(data))
	}
	be := binary.BigEndian
	h := struct{ magic, totalsize, offStruct, offStrings, offRsvmap, version, lastComp, bootCPU, sizeStrings, sizeStruct uint32 }{
		be.Uint32(data[0:]), be.Uint32(data[4:]), be.Uint32(data[8:]), be.Uint32(data[12:]), be.Uint32(data[16:]),
		be.Uint32(data[20:]), be.Uint32(data[24:]), be.Uint32(data[28:]), be.Uint32(data[32:]), be.Uint32(data[36:]),
	}
	if h.magic != Magic {
		return nil, fmt.Errorf("dtb: magic is %#x, not %#x", h.magic, uint32(Magic))
	}
	if h.lastComp > 17 {
		return nil, fmt.Errorf("dtb: last_comp_version %d is newer than 17, the last format this reader knows", h.lastComp)
	}
	if uint64(h.totalsize) > uint64(len(data)) {
		return nil, fmt.Errorf("dtb: header totalsize %d is larger than the %d bytes given (truncated file?)", h.totalsize, len(data))
	}
	data = data[:h.totalsize]
	if h.version < 17 {
		// size_dt_struct exists from version 17; before, the block runs to the end.
		h.sizeStruct = h.totalsize - min(h.offStruct, h.totalsize)
	}
	if h.version < 3 {
		h.sizeStrings = h.totalsize - min(h.offStrings, h.totalsize)
	}
	structs, err := block(data, "structure", h.offStruct, h.sizeStruct)
	if err != nil {
		return nil, err
	}
	strs, err := block(data, "strings", h.offStrings, h.sizeStrings)
	if err != nil {
		return nil, err
	}
	t := &dt.Tree{}
	// mem_rsvmap: (address, size) pairs of 64-bit words, ended by 0, 0.
	for off := uint64(h.offRsvmap); ; off += 16 {
		if off+16 > uint64(len(data)) {
			return nil, fmt.Errorf("dtb: memory reservation map at %#x runs past the end of the blob", h.offRsvmap)
		}
		a, s := be.Uint64(data[off:]), be.Uint64(data[off+8:])
		if a == 0 && s == 0 {
			break
		}
		t.MemReserve = append(t.MemReserve, dt.Reserve{Address: a, Size: s})
	}
	r := &reader{b: structs, strs: strs, base: h.offStruct}
	root, err := r.node(0)
	if err != nil {
		return nil, err
	}
	t.Root = root
	return t, nil
}

func block(data []byte, name string, off, size uint32) ([]byte, error) {
	if uint64(off)+uint64(size) > uint64(len(data)) {
		return nil, fmt.Errorf("dtb: %s block [%#x, +%#x) runs past the end of the blob (%#x bytes)", name, off, size, len(data))
	}
	return data[off : off+size], nil
}

type reader struct {
	b    []byte
	strs []byte
	pos  int
	base uint32
}

func (r *reader) errf(format string, args ...any) error {
	return fmt.Errorf("dtb: structure block offset %#x: %s", uint32(r.pos)+r.base, fmt.Sprintf(format, args...))
}

func (r *reader) u32() (uint32, error) {
	if r.pos+4 > len(r.b) {
		return 0, r.errf("unexpected end of the structure block")
	}
	v := binary.BigEndian.Uint32(r.b[r.pos:])
	r.pos += 4
	return v, nil
}

func (r *reader) token() (uint32, error) {
	for {
		t, err := r.u32()
		if err != nil || t != tokNop {
			return t, err
		}
	}
}

// cstring reads a NUL-terminated string and skips to the next 4-byte boundary.
func (r *reader) cstring() (string, error) {
	for i := r.pos; i < len(r.b); i++ {
		if r.b[i] == 0 {
			s := string(r.b[r.pos:i])
			r.pos = (i + 4) &^ 3
			return s, nil
		}
	}
	return "", r.errf("node name is not NUL-terminated")
}

// node reads FDT_BEGIN_NODE … FDT_END_NODE (the first token of the root
// node is read here too).
func (r *reader) node(depth int) (*dt.Node, error) {
	if depth > maxDepth {
		return nil, r.errf("nodes nested deeper than %d levels", maxDepth)
	}
	tok, err := r.token()
	if err != nil {
		return nil, err
	}
	if tok != tokBeginNode {
		return nil, r.errf("expected FDT_BEGIN_NODE, found token %#x", tok)
	}
	name, err := r.cstring()
	if err != nil {
		return nil, err
	}
	n := &dt.Node{Name: name}
	for {
		at := r.pos
		tok, err := r.token()
		if err != nil {
			return nil, err
		}
		switch tok {
		case tokProp:
			size, err := r.u32()
			if err != nil {
				return nil, err
			}
			nameoff, err := r.u32()
			if err != nil {
				return nil, err
			}
			if uint64(r.pos)+uint64(size) > uint64(len(r.b)) {
				return nil, r.errf("property of %d bytes runs past the structure block", size)
			}
			pname, err := r.propName(nameoff)
			if err != nil {
				return nil, err
			}
			n.Props = append(n.Props, &dt.Prop{Name: pname, Value: r.b[r.pos : r.pos+int(size)]})
			r.pos = (r.pos + int(size) + 3) &^ 3
		case tokBeginNode:
			r.pos = at
			c, err := r.node(depth + 1)
			if err != nil {
				return nil, err
			}
			n.Children = append(n.Children, c)
		case tokEndNode:
			return n, nil
		case tokEnd:
			return nil, r.errf("FDT_END before node %q was closed", name)
		default:
			r.pos = at
			return nil, r.errf("unknown token %#x", tok)
		}
	}
}

func (r *reader) propName(off uint32) (string, error) {
	if uint64(off) >= uint64(len(r.strs)) {
		return "", r.errf("property name offset %#x is outside the strings block (%#x bytes)", off, len(r.strs))
	}
	for i := int(off); i < len(r.strs); i++ {
		if r.strs[i] == 0 {
			return string(r.strs[off:i]), nil
		}
	}
	return "", r.errf("property name at strings offset %#x is not NUL-terminated", off)
}
