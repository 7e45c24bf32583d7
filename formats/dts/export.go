package dts

import (
	"fmt"
	"strings"

	"linmap/sim/layout"
)

// Export writes the layout's machine as DTS: one memory node per bank,
// every reserved range as a /reserved-memory child (no /memreserve/, so
// each keeps its name and no-map/reusable flags), and /chosen with
// bootargs, initrd and kaslr-seed. Kernel era and image placement have no
// DT form; they are named in a comment. Cells are always 2+2 so any 64-bit
// address fits.
func Export(l *layout.Layout) []byte {
	var b strings.Builder
	b.WriteString("/dts-v1/;\n\n")
	if l.Name != "" {
		fmt.Fprintf(&b, "// Written by linmap from layout %q.\n", l.Name)
	} else {
		b.WriteString("// Written by linmap.\n")
	}
	if l.Kernel.Era != "" {
		fmt.Fprintf(&b, "// Kernel era %s; image loaded at %s. Neither has a device-tree form.\n", l.Kernel.Era, l.Image.Base)
	}
	b.WriteString("\n/ {\n")
	if l.Name != "" {
		fmt.Fprintf(&b, "\tmodel = %s;\n", quote(l.Name))
	}
	b.WriteString("\t#address-cells = <2>;\n\t#size-cells = <2>;\n")

	if l.Kernel.Cmdline != "" || l.Initrd != nil || l.Kernel.KASLRSeed != 0 {
		b.WriteString("\n\tchosen {\n")
		if l.Kernel.Cmdline != "" {
			fmt.Fprintf(&b, "\t\tbootargs = %s;\n", quote(l.Kernel.Cmdline))
		}
		if l.Initrd != nil {
			fmt.Fprintf(&b, "\t\tlinux,initrd-start = <%s>;\n", cells64(uint64(l.Initrd.Base)))
			fmt.Fprintf(&b, "\t\tlinux,initrd-end = <%s>;\n", cells64(uint64(l.Initrd.Base+l.Initrd.Size)))
		}
		if l.Kernel.KASLRSeed != 0 {
			fmt.Fprintf(&b, "\t\tkaslr-seed = <%s>;\n", cells64(uint64(l.Kernel.KASLRSeed)))
		}
		b.WriteString("\t};\n")
	}

	used := map[string]bool{}
	for _, m := range l.Memory {
		name := unique(used, fmt.Sprintf("memory@%x", uint64(m.Base)))
		fmt.Fprintf(&b, "\n\t%s {\n\t\tdevice_type = \"memory\";\n", name)
		fmt.Fprintf(&b, "\t\treg = <%s %s>;\n", cells64(uint64(m.Base)), cells64(uint64(m.Size)))
		if m.NID != 0 {
			fmt.Fprintf(&b, "\t\tnuma-node-id = <%d>;\n", m.NID)
		}
		if m.Hotplug {
			b.WriteString("\t\thotpluggable;\n")
		}
		b.WriteString("\t};\n")
	}

	if len(l.Reserved) > 0 {
		b.WriteString("\n\treserved-memory {\n\t\t#address-cells = <2>;\n\t\t#size-cells = <2>;\n\t\tranges;\n")
		for i, r := range l.Reserved {
			if r.RegIndex > 0 && r.Name != "" && firstPair(l.Reserved[:i], r.Name) >= 0 {
				continue // written with its node's first pair
			}
			name := unique(used, nodeName(r.Name, uint64(r.Base)))
			fmt.Fprintf(&b, "\n\t\t%s {\n\t\t\treg = <%s %s", name, cells64(uint64(r.Base)), cells64(uint64(r.Size)))
			for _, p := range l.Reserved[i+1:] {
				if r.Name != "" && p.Name == r.Name && p.RegIndex > 0 {
					fmt.Fprintf(&b, " %s %s", cells64(uint64(p.Base)), cells64(uint64(p.Size)))
				}
			}
			b.WriteString(">;\n")
			if r.NoMap {
				b.WriteString("\t\t\tno-map;\n")
			}
			if r.Reusable {
				b.WriteString("\t\t\treusable;\n")
			}
			b.WriteString("\t\t};\n")
		}
		b.WriteString("\t};\n")
	}
	b.WriteString("};\n")
	return []byte(b.String())
}

// firstPair returns the index of the node named name in rs, or -1.
func firstPair(rs []layout.Reserved, name string) int {
	for i, r := range rs {
		if r.Name == name {
			return i
		}
	}
	return -1
}

func cells64(v uint64) string { return fmt.Sprintf("0x%x 0x%x", v>>32, uint32(v)) }

// quote writes a DTS string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// nodeName makes a valid node name from a reserved range's name: the
// characters dtc allows, and a unit address equal to the base.
func nodeName(name string, base uint64) string {
	name, _, _ = strings.Cut(name, "@")
	var b strings.Builder
	for i := 0; i < len(name) && b.Len() < 31; i++ {
		c := name[i]
		switch {
		case isAlpha(c) || isDigit(c) || strings.IndexByte(",._+-", c) >= 0:
			b.WriteByte(c)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-') // one dash for a run of characters dtc rejects
		}
	}
	n := strings.Trim(b.String(), "-")
	if n == "" || !isAlpha(n[0]) && !isDigit(n[0]) {
		n = "reserved" + n
	}
	return fmt.Sprintf("%s@%x", n, base)
}

func unique(used map[string]bool, name string) string {
	n := name
	for i := 1; used[n]; i++ {
		base, unit, _ := strings.Cut(name, "@")
		n = fmt.Sprintf("%s-%d@%s", base, i, unit)
	}
	used[n] = true
	return n
}
