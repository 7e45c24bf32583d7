// Package formats imports machine descriptions in the formats kernel
// engineers have at hand (device trees, debugfs memblock lists, /proc/iomem,
// boot logs, the EFI memory map) and turns them into linmap layouts. Each
// format lives in its own package; this one detects which one a file is.
package formats

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"linmap/formats/dtb"
	"linmap/formats/dts"
	"linmap/formats/efi"
	"linmap/formats/iomem"
	"linmap/formats/memblock"
	"linmap/formats/memblockdebug"
	"linmap/formats/oracle"
	"linmap/sim/layout"
)

// Format names an input format, as the CLI's -format flag spells it.
type Format string

const (
	JSON          Format = "json"           // linmap layout v1
	Oracle        Format = "oracle"         // real-kernel oracle harness layout or result
	DTS           Format = "dts"            // device-tree source
	DTB           Format = "dtb"            // flattened device tree blob
	Memblock      Format = "memblock"       // /sys/kernel/debug/memblock/{memory,reserved}
	MemblockDebug Format = "memblock-debug" // memblock=debug boot log
	IOMem         Format = "iomem"          // /proc/iomem
	EFI           Format = "efi"            // efi=debug EFI memory map
)

// Formats lists the importable formats in the order auto-detection tries
// them.
var Formats = []Format{DTB, JSON, Oracle, MemblockDebug, EFI, IOMem, Memblock, DTS}

// Describe is a human name for the format.
func (f Format) Describe() string {
	switch f {
	case JSON:
		return "linmap layout JSON"
	case Oracle:
		return "oracle harness file"
	case DTS:
		return "device-tree source"
	case DTB:
		return "device-tree blob"
	case Memblock:
		return "memblock debugfs list"
	case MemblockDebug:
		return "memblock=debug boot log"
	case IOMem:
		return "/proc/iomem"
	case EFI:
		return "EFI memory map (efi=debug)"
	}
	return string(f)
}

// Parse turns a -format value into a Format ("auto" and "" give "").
func Parse(s string) (Format, error) {
	if s == "" || s == "auto" {
		return "", nil
	}
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q (known: auto, %s)", s, strings.Join(names, ", "))
}

// Detect picks the format of data by its content; name (a file name) is a
// hint for device trees and JSON. ok is false for unrecognised input.
func Detect(name string, data []byte) (f Format, ok bool) {
	if dtb.IsDTB(data) {
		return DTB, true
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		if oracle.IsCase(data) || oracle.IsHarnessLayout(data) {
			return Oracle, true
		}
		return JSON, true
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".dts", ".dtsi":
		return DTS, true
	case ".dtb":
		return DTB, true
	}
	text := string(data)
	switch {
	case strings.Contains(text, "MEMBLOCK configuration:"):
		// A log may hold the EFI map too; memblock is what the kernel made of it.
		return MemblockDebug, true
	case efi.Detect(text):
		return EFI, true
	case iomem.Detect(text):
		return IOMem, true
	case memblock.Detect(text):
		return Memblock, true
	case memblockdebug.Detect(text):
		return MemblockDebug, true
	case strings.Contains(text, "/dts-v1/") || strings.Contains(text, "device_type") && strings.Contains(text, "{"):
		return DTS, true
	}
	return "", false
}

// Import detects the format and imports data. name is the file name ("-"
// or "" for standard input); it appears in the layout's source line.
func Import(name string, data []byte) (*layout.Layout, Format, error) {
	f, ok := Detect(name, data)
	if !ok {
		var tried []string
		for _, f := range Formats {
			tried = append(tried, f.Describe())
		}
		return nil, "", fmt.Errorf("unrecognised input: it is none of %s", strings.Join(tried, ", "))
	}
	l, err := ImportAs(f, name, data)
	return l, f, err
}

// ImportAs imports data as the given format.
func ImportAs(f Format, name string, data []byte) (*layout.Layout, error) {
	base := filepath.Base(name)
	if name == "" || name == "-" {
		base = ""
	}
	switch f {
	case JSON:
		return layout.Parse(data)
	case Oracle:
		if oracle.IsCase(data) {
			return oracle.FromCase(data)
		}
		return oracle.FromHarnessLayout(data)
	case DTS:
		return dts.Import(base, data)
	case DTB:
		return dtb.Import(base, data)
	case Memblock:
		return memblock.Import(base, data)
	case MemblockDebug:
		return memblockdebug.Import(base, data)
	case IOMem:
		return iomem.Import(base, data)
	case EFI:
		return efi.Import(base, data)
	}
	return nil, fmt.Errorf("unknown format %q", f)
}
