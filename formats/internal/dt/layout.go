package dt

import (
	"fmt"

	"linmap/sim/layout"
)

// The kernel's defaults when the root has no #address-cells/#size-cells
// (OF_ROOT_NODE_ADDR_CELLS_DEFAULT, OF_ROOT_NODE_SIZE_CELLS_DEFAULT).
const defaultAddrCells, defaultSizeCells = 1, 1

// Layout reads what the kernel takes from a device tree at boot: memory
// nodes (early_init_dt_scan_memory), /memreserve/ entries and
// /reserved-memory children (fdt_init_reserved_mem), and /chosen
// (bootargs, initrd, kaslr-seed). The layout is not yet finished: era and
// image placement are left to the caller.
func (t *Tree) Layout() (*layout.Layout, []string, error) {
	l := &layout.Layout{Format: layout.FormatName, Version: layout.Version}
	notes := append([]string(nil), t.Notes...)
	root := t.Root
	if root == nil {
		return nil, nil, fmt.Errorf("the device tree has no root node")
	}
	if m := root.Prop("model"); m != nil && len(m.Strings()) > 0 {
		l.Name = m.Strings()[0]
	}
	ac, sc, err := cellCounts(root, "/", defaultAddrCells, defaultSizeCells)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range t.MemReserve {
		if r.Size == 0 {
			continue
		}
		l.Reserved = append(l.Reserved, layout.Reserved{Base: layout.Addr(r.Address), Size: layout.Addr(r.Size), Name: "memreserve"})
	}
	for _, n := range root.Children {
		path := "/" + n.Name
		switch {
		case isMemory(n):
			if !available(n) {
				notes = append(notes, path+" has status \"disabled\" and is skipped, as the kernel does")
				continue
			}
			if err := addMemory(l, n, path, ac, sc, &notes); err != nil {
				return nil, nil, err
			}
		case n.BaseName() == "memory":
			notes = append(notes, path+` has no device_type = "memory" and is skipped, as the kernel does`)
		case n.Name == "reserved-memory":
			if err := addReserved(l, n, path, ac, sc, &notes); err != nil {
				return nil, nil, err
			}
		case n.Name == "chosen":
			if err := readChosen(l, n, path); err != nil {
				return nil, nil, err
			}
		}
	}
	if len(l.Memory) == 0 {
		return nil, nil, fmt.Errorf(`the device tree has no memory node (device_type = "memory" with a non-empty reg)`)
	}
	return l, notes, nil
}

func isMemory(n *Node) bool {
	p := n.Prop("device_type")
	return p != nil && len(p.Strings()) > 0 && p.Strings()[0] == "memory"
}

// available is of_fdt_device_is_available: no status, "okay" or "ok".
func available(n *Node) bool {
	p := n.Prop("status")
	if p == nil || len(p.Strings()) == 0 {
		return true
	}
	s := p.Strings()[0]
	return s == "okay" || s == "ok"
}

func cellCounts(n *Node, path string, ac, sc uint32) (uint32, uint32, error) {
	var err error
	if p := n.Prop("#address-cells"); p != nil {
		if ac, err = p.U32(path); err != nil {
			return 0, 0, err
		}
	}
	if p := n.Prop("#size-cells"); p != nil {
		if sc, err = p.U32(path); err != nil {
			return 0, 0, err
		}
	}
	return ac, sc, nil
}

func addMemory(l *layout.Layout, n *Node, path string, ac, sc uint32, notes *[]string) error {
	// linux,usable-memory (set by kexec tools) replaces reg.
	reg := n.Prop("linux,usable-memory")
	if reg == nil || len(reg.Value) == 0 {
		reg = n.Prop("reg")
	}
	if reg == nil {
		*notes = append(*notes, path+" has no reg and is skipped")
		return nil
	}
	ranges, err := reg.Reg(path, ac, sc)
	if err != nil {
		return err
	}
	nid := 0
	if p := n.Prop("numa-node-id"); p != nil {
		v, err := p.U32(path)
		if err != nil {
			return err
		}
		nid = int(v)
	}
	hotplug := n.Prop("hotpluggable") != nil
	for i, r := range ranges {
		if r.Size == 0 {
			continue
		}
		name := n.Name
		if len(ranges) > 1 {
			name = fmt.Sprintf("%s[%d]", n.Name, i)
		}
		l.Memory = append(l.Memory, layout.Bank{Base: layout.Addr(r.Base), Size: layout.Addr(r.Size), Name: name, NID: nid, Hotplug: hotplug})
	}
	return nil
}

func addReserved(l *layout.Layout, rm *Node, path string, rootAC, rootSC uint32, notes *[]string) error {
	ac, sc, err := cellCounts(rm, path, rootAC, rootSC)
	if err != nil {
		return err
	}
	if ac != rootAC || sc != rootSC {
		// __reserved_mem_check_root() rejects this and the kernel then
		// ignores every child; the ranges are still imported so the user sees them.
		*notes = append(*notes, fmt.Sprintf("%s uses #address-cells = %d, #size-cells = %d, unlike the root (%d, %d): the kernel would ignore the whole node (\"unsupported node format\")", path, ac, sc, rootAC, rootSC))
	}
	for _, c := range rm.Children {
		cpath := path + "/" + c.Name
		if !available(c) {
			continue
		}
		reg := c.Prop("reg")
		if reg == nil {
			*notes = append(*notes, cpath+" has no reg (the kernel places it at boot) and is not imported")
			continue
		}
		ranges, err := reg.Reg(cpath, ac, sc)
		if err != nil {
			return err
		}
		noMap := c.Prop("no-map") != nil
		reusable := c.Prop("reusable") != nil
		// Pairs of one node share its name; reg_index tells them apart
		// (v7.2 reserves only the first).
		for i, r := range ranges {
			if r.Size == 0 {
				continue
			}
			l.Reserved = append(l.Reserved, layout.Reserved{Base: layout.Addr(r.Base), Size: layout.Addr(r.Size), Name: c.Name, NoMap: noMap, Reusable: reusable, RegIndex: i})
		}
	}
	return nil
}

func readChosen(l *layout.Layout, n *Node, path string) error {
	if p := n.Prop("bootargs"); p != nil && len(p.Strings()) > 0 {
		l.Kernel.Cmdline = p.Strings()[0]
	}
	if p := n.Prop("kaslr-seed"); p != nil {
		v, err := p.Number(path)
		if err != nil {
			return err
		}
		l.Kernel.KASLRSeed = layout.Addr(v)
	}
	ps, pe := n.Prop("linux,initrd-start"), n.Prop("linux,initrd-end")
	if ps == nil || pe == nil {
		return nil
	}
	start, err := ps.Number(path)
	if err != nil {
		return err
	}
	end, err := pe.Number(path)
	if err != nil {
		return err
	}
	if end < start {
		return fmt.Errorf("%s: linux,initrd-end %#x is below linux,initrd-start %#x", pe.where(path), end, start)
	}
	if end > start {
		l.Initrd = &layout.Blob{Base: layout.Addr(start), Size: layout.Addr(end - start)}
	}
	return nil
}
