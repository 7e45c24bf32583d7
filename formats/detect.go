// Package formats imports machine descriptions in the formats kernel
// engineers have at hand — device trees, debugfs memblock lists,
// /proc/iomem, boot logs with their EFI map and memblock dump, a .config,
// a System.map, kernel_page_tables — one or several at a time, and turns
// them into one linmap layout. Each format lives in its own package; this
// one detects them (Detect, Read) and assembles the layout through package
// evidence (Import, ImportAll).
package formats

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"linmap/formats/dmesg"
	"linmap/formats/dtb"
	"linmap/formats/efi"
	"linmap/formats/iomem"
	"linmap/formats/kconfig"
	"linmap/formats/memblock"
	"linmap/formats/memblockdebug"
	"linmap/formats/oracle"
	"linmap/formats/ptdump"
	"linmap/formats/systemmap"
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
	Dmesg         Format = "dmesg"          // a kernel log
	Config        Format = "config"         // a kernel .config
	SystemMap     Format = "system-map"     // System.map or /proc/kallsyms
	Ptdump        Format = "ptdump"         // /sys/kernel/debug/kernel_page_tables
)

// Formats lists the importable formats in the order auto-detection tries
// them.
var Formats = []Format{DTB, JSON, Oracle, MemblockDebug, EFI, IOMem, Memblock, DTS, Config, SystemMap, Ptdump, Dmesg}

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
	case Dmesg:
		return "kernel log"
	case Config:
		return "kernel .config"
	case SystemMap:
		return "System.map or /proc/kallsyms"
	case Ptdump:
		return "kernel_page_tables (ptdump)"
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

// Detect picks the main format of data by its content; name (a file name)
// is a hint for device trees and JSON. A text may hold several formats (a
// boot log with its EFI map); Detect names the one that gives the most,
// Read takes them all. ok is false for unrecognised input.
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
	case memblockdebug.Detect(text):
		// A log may hold the EFI map too; memblock is what the kernel made of it.
		return MemblockDebug, true
	case efi.Detect(text):
		return EFI, true
	case iomem.Detect(text):
		return IOMem, true
	case memblock.Detect(text):
		return Memblock, true
	case isDTS(text):
		return DTS, true
	case kconfig.Detect(text):
		return Config, true
	case systemmap.Detect(text):
		return SystemMap, true
	case ptdump.Detect(text):
		return Ptdump, true
	case dmesg.Parse(text).Found():
		return Dmesg, true
	}
	return "", false
}

func isDTS(text string) bool {
	return strings.Contains(text, "/dts-v1/") || strings.Contains(text, "device_type") && strings.Contains(text, "{")
}
