// Package dt is the device tree shared by the DTS and DTB importers: a node
// tree whose property values are the big-endian bytes an FDT would hold, and
// the walk that turns it into a layout the way drivers/of/fdt.c reads it.
package dt

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Node is one device-tree node.
type Node struct {
	Name     string // "memory@40000000"; "" for the root
	Props    []*Prop
	Children []*Node
	Line     int // DTS line where the node was opened (0 for DTB input)
}

// Prop is one property. Value holds the FDT encoding: cells as 4-byte
// big-endian words, strings NUL-terminated.
type Prop struct {
	Name  string
	Value []byte
	Line  int
	// Err is set when a DTS value could not be evaluated (e.g. a macro from
	// an ignored #include); it is reported only if the property is needed.
	Err error
}

// Reserve is one /memreserve/ (DTS) or mem_rsvmap (DTB) entry.
type Reserve struct {
	Address, Size uint64
	Line          int
}

// Tree is a parsed device tree plus what the parser chose to ignore.
type Tree struct {
	Root       *Node
	MemReserve []Reserve
	Notes      []string
}

// Prop returns the named property, or nil.
func (n *Node) Prop(name string) *Prop {
	for _, p := range n.Props {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// SetProp replaces or appends a property (DTS lets a later definition win).
func (n *Node) SetProp(p *Prop) {
	for i, q := range n.Props {
		if q.Name == p.Name {
			n.Props[i] = p
			return
		}
	}
	n.Props = append(n.Props, p)
}

// DeleteProp removes a property (/delete-property/).
func (n *Node) DeleteProp(name string) {
	for i, q := range n.Props {
		if q.Name == name {
			n.Props = append(n.Props[:i], n.Props[i+1:]...)
			return
		}
	}
}

// Child returns the child with the given full name, or nil.
func (n *Node) Child(name string) *Node {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// DeleteChild removes a child node (/delete-node/).
func (n *Node) DeleteChild(name string) {
	for i, c := range n.Children {
		if c.Name == name || strings.SplitN(c.Name, "@", 2)[0] == name {
			n.Children = append(n.Children[:i], n.Children[i+1:]...)
			return
		}
	}
}

// BaseName is the node name without its unit address.
func (n *Node) BaseName() string { name, _, _ := strings.Cut(n.Name, "@"); return name }

// where names a property for error messages: the DTS line when known,
// the node path otherwise.
func (p *Prop) where(path string) string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s %s", p.Line, path, p.Name)
	}
	return fmt.Sprintf("%s %s", path, p.Name)
}

// Strings decodes a string-list property.
func (p *Prop) Strings() []string {
	s := strings.TrimSuffix(string(p.Value), "\x00")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// Cells decodes the value as 32-bit cells.
func (p *Prop) Cells(path string) ([]uint32, error) {
	if p.Err != nil {
		return nil, fmt.Errorf("%s: %v", p.where(path), p.Err)
	}
	if len(p.Value)%4 != 0 {
		return nil, fmt.Errorf("%s: %d bytes is not a whole number of 32-bit cells", p.where(path), len(p.Value))
	}
	c := make([]uint32, len(p.Value)/4)
	for i := range c {
		c[i] = binary.BigEndian.Uint32(p.Value[4*i:])
	}
	return c, nil
}

// U32 reads a one-cell property such as #address-cells.
func (p *Prop) U32(path string) (uint32, error) {
	c, err := p.Cells(path)
	if err != nil {
		return 0, err
	}
	if len(c) != 1 {
		return 0, fmt.Errorf("%s: expected one cell, found %d", p.where(path), len(c))
	}
	return c[0], nil
}

// Number reads a property of one or two cells as of_read_number does.
func (p *Prop) Number(path string) (uint64, error) {
	c, err := p.Cells(path)
	if err != nil {
		return 0, err
	}
	if len(c) < 1 || len(c) > 2 {
		return 0, fmt.Errorf("%s: expected one or two cells, found %d", p.where(path), len(c))
	}
	return readNumber(c), nil
}

func readNumber(c []uint32) uint64 {
	var v uint64
	for _, x := range c {
		v = v<<32 | uint64(x)
	}
	return v
}

// Range is one (address, size) pair of a reg property.
type Range struct{ Base, Size uint64 }

// Reg decodes a reg-style property with the parent's cell counts.
func (p *Prop) Reg(path string, addrCells, sizeCells uint32) ([]Range, error) {
	c, err := p.Cells(path)
	if err != nil {
		return nil, err
	}
	if addrCells > 2 || sizeCells > 2 || addrCells == 0 {
		return nil, fmt.Errorf("%s: #address-cells = %d, #size-cells = %d: only 1 or 2 cells fit a 64-bit address", p.where(path), addrCells, sizeCells)
	}
	step := int(addrCells + sizeCells)
	if len(c)%step != 0 {
		return nil, fmt.Errorf("%s: %d cells is not a multiple of #address-cells + #size-cells = %d", p.where(path), len(c), step)
	}
	var out []Range
	for i := 0; i < len(c); i += step {
		out = append(out, Range{
			Base: readNumber(c[i : i+int(addrCells)]),
			Size: readNumber(c[i+int(addrCells) : i+step]),
		})
	}
	return out, nil
}

// Cells encodes 32-bit cells big-endian.
func Cells(v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.BigEndian.PutUint32(b[4*i:], x)
	}
	return b
}
