// Package evidence holds what a set of inputs say about one machine and
// its kernel — a device tree, memblock lists, /proc/iomem, an EFI map, a
// kernel log, a .config, a System.map, page-table dumps — each fact with
// the file and line it came from. Assemble builds from it the layout the
// engine simulates, taking every field from the best evidence given and
// recording each inference and assumption in the layout. Package check
// reads the same evidence for the facts the machine printed.
package evidence

import (
	"fmt"

	"linmap/formats/dmesg"
	"linmap/formats/efi"
	"linmap/formats/iomem"
	"linmap/formats/kconfig"
	"linmap/formats/memblock"
	"linmap/formats/memblockdebug"
	"linmap/formats/ptdump"
	"linmap/formats/systemmap"
	"linmap/sim/layout"
)

// File is one input and what was read from it. A text may hold several
// formats at once (a boot log with its EFI map and memblock dump).
type File struct {
	Name string
	// Formats lists what was found, in the order of the fields below
	// ("layout", "device tree", "kernel log", "memblock", …).
	Formats []string

	Layout  *layout.Layout // a complete layout: linmap JSON or an oracle file
	DT      *layout.Layout // a device tree (its memory may be empty)
	DTNotes []string

	Log          *dmesg.Log
	Memblock     *memblock.Lists     // /sys/kernel/debug/memblock/{memory,reserved}
	MemblockDump *memblockdebug.Dump // memblock=debug
	IOMem        []iomem.Resource
	EFI          []efi.Descriptor
	Config       *kconfig.Config
	Symbols      *systemmap.Map
	Ptdumps      []*ptdump.Dump
	Cmdline      string // a /proc/cmdline file
}

// Evidence is every input.
type Evidence struct {
	Files []*File
	// Chosen records what Assemble built the layout from, so a check can
	// tell a fact it derived the layout from (which then proves nothing)
	// from one it can test.
	Chosen Choices
}

// Choices are Assemble's picks.
type Choices struct {
	// Memory is where the banks came from: one of the Memory* names.
	Memory string
	// MemoryFile is the file they came from.
	MemoryFile *File
}

// Memory sources, best first.
const (
	MemoryLayout        = "layout"
	MemoryDT            = "device tree"
	MemoryFDTLines      = "device-tree memory lines of the log"
	MemoryMemblock      = "memblock debugfs"
	MemoryMemblockDump  = "memblock=debug"
	MemoryPlainMemblock = "memblock debugfs without flags"
	MemoryIOMem         = "/proc/iomem"
	MemoryNodeRanges    = "early node ranges"
	MemoryEFI           = "EFI memory map"
	MemoryVMLayout      = "virtual kernel memory layout"
	MemoryPtdump        = "ptdump"
)

// Where names a line of a file: "dmesg.txt:12" ("dmesg.txt" for line 0).
func (f *File) Where(line int) string {
	name := f.Name
	if name == "" || name == "-" {
		name = "standard input"
	}
	if line <= 0 {
		return name
	}
	return fmt.Sprintf("%s:%d", name, line)
}

// Format names, as File.Formats lists them.
const (
	FormatLayout        = "layout"
	FormatDT            = "device tree"
	FormatLog           = "kernel log"
	FormatMemblock      = "memblock debugfs"
	FormatMemblockDebug = "memblock=debug"
	FormatIOMem         = "/proc/iomem"
	FormatEFI           = "EFI memory map"
	FormatConfig        = ".config"
	FormatSymbols       = "System.map"
	FormatPtdump        = "kernel_page_tables"
	FormatCmdline       = "/proc/cmdline"
)

// Logs are the files with a kernel log, in input order.
func (ev *Evidence) Logs() []*File { return ev.with(func(f *File) bool { return f.Log != nil }) }

func (ev *Evidence) with(p func(*File) bool) []*File {
	var out []*File
	for _, f := range ev.Files {
		if p(f) {
			out = append(out, f)
		}
	}
	return out
}

// first returns the first file for which p holds, or nil.
func (ev *Evidence) first(p func(*File) bool) *File {
	for _, f := range ev.Files {
		if p(f) {
			return f
		}
	}
	return nil
}
