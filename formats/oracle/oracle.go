// Package oracle reads the files of the real-kernel oracle harness
// (shared/tools/oracle): its input layouts and the results it wrote for
// them, turning either into a linmap layout of the same machine and kernel.
package oracle

import (
	"encoding/json"
	"fmt"
	"strings"

	"linmap/sim/layout"
)

// kernelBuild is what the harness's Debian kernels look like: era, page
// size, VA_BITS, KFENCE setup and the image's section offsets from _text
// (read from each kernel's /proc/kallsyms and Image header).
type kernelBuild struct {
	era, pageSize                         string
	vaBits                                int
	kfence                                bool
	stext, etext, initBegin, end, dtbSize layout.Addr
}

var builds = map[string]kernelBuild{
	"6.1":      {"v6.1", "4K", 48, false, 0x10000, 0xd00000, 0x1660000, 0x2010000, 0x1d8b},
	"6.12":     {"v6.12", "4K", 52, true, 0x10000, 0xf50000, 0x1d00000, 0x2b30000, 0x1da7},
	"6.12-16k": {"v6.12", "16K", 52, true, 0x10000, 0xf50000, 0x1d30000, 0x2be0000, 0x1da7},
}

// cpuModels maps QEMU -cpu models to their features: `max` has LPA2 and a
// 52-bit PA range; cortex-a57 has neither (PARange 44 bits); cortex-a76 has
// 16K pages but no LPA2 (40 bits).
func cpuFor(model string) (layout.CPU, error) {
	name, _, _ := strings.Cut(model, ",")
	switch name {
	case "", "max":
		return layout.CPU{VA52: true, LPA2: true, PABits: 52}, nil
	case "cortex-a57":
		return layout.CPU{PABits: 44}, nil
	case "cortex-a76":
		return layout.CPU{PABits: 40}, nil
	}
	return layout.CPU{}, fmt.Errorf("cpu %q: unknown QEMU CPU model", model)
}

type bank struct {
	Base layout.Addr `json:"base"`
	Size layout.Addr `json:"size"`
}

type reserved struct {
	Base  layout.Addr `json:"base"`
	Size  layout.Addr `json:"size"`
	NoMap bool        `json:"no_map"`
}

// harnessLayout is the harness's input format (tools/oracle/README.md).
type harnessLayout struct {
	Name           string      `json:"name"`
	Note           string      `json:"note"`
	RAMMiB         int         `json:"ram_mib"`
	Banks          []bank      `json:"banks"`
	Cmdline        string      `json:"cmdline"`
	Kernel         string      `json:"kernel"`
	CPU            string      `json:"cpu"`
	KernelPA       layout.Addr `json:"kernel_pa"`
	ReservedMemory []reserved  `json:"reserved_memory"`
	KASLR          bool        `json:"kaslr"`
}

// caseFile is the part of a harness result that fixes the machine.
type caseFile struct {
	Layout        harnessLayout `json:"layout"`
	DeclaredBanks []bank        `json:"declared_banks"`
	Cmdline       string        `json:"cmdline"`
	Qemu          struct {
		CPU  string `json:"cpu"`
		Load struct {
			Kernel     layout.Addr `json:"kernel"`
			DTB        layout.Addr `json:"dtb"`
			Initrd     layout.Addr `json:"initrd"`
			InitrdSize layout.Addr `json:"initrd_size"`
		} `json:"load"`
	} `json:"qemu"`
	Memstart []string `json:"memstart_addr_derived"`
}

const qemuRAMBase = 0x40000000

// IsCase reports whether data looks like a harness result file.
func IsCase(data []byte) bool {
	var probe map[string]json.RawMessage
	if json.Unmarshal(data, &probe) != nil {
		return false
	}
	_, a := probe["declared_banks"]
	_, b := probe["linear_map_granularity"]
	return a && b
}

// IsHarnessLayout reports whether data looks like a harness input layout.
func IsHarnessLayout(data []byte) bool {
	var probe map[string]json.RawMessage
	if json.Unmarshal(data, &probe) != nil {
		return false
	}
	_, fmtKey := probe["format"]
	_, ram := probe["ram_mib"]
	_, banks := probe["banks"]
	return !fmtKey && (ram || banks)
}

// FromCase builds the layout an oracle result was produced from, with the
// load addresses QEMU actually used.
func FromCase(data []byte) (*layout.Layout, error) {
	var c caseFile
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("oracle case: %w", err)
	}
	h := c.Layout
	h.Banks = c.DeclaredBanks
	if c.Qemu.CPU != "" {
		h.CPU = c.Qemu.CPU
	}
	l, b, err := fromHarness(h)
	if err != nil {
		return nil, err
	}
	ld := c.Qemu.Load
	l.Image.Base = ld.Kernel
	l.DTB = &layout.Blob{Base: ld.DTB, Size: b.dtbSize}
	if ld.InitrdSize != 0 {
		l.Initrd = &layout.Blob{Base: ld.Initrd, Size: ld.InitrdSize}
	}
	return l, l.Check()
}

// FromHarnessLayout converts a harness input layout, placing the image, DTB
// and initrd where the harness would (first bank that fits at or above
// 0x40200000; DTB at the next 2 MiB boundary after _end; initrd 128 KiB on).
func FromHarnessLayout(data []byte) (*layout.Layout, error) {
	var h harnessLayout
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("oracle layout: %w", err)
	}
	l, b, err := fromHarness(h)
	if err != nil {
		return nil, err
	}
	if h.KernelPA != 0 {
		l.Image.Base = h.KernelPA
	} else {
		for _, m := range l.Memory {
			pa := alignUp(max(m.Base, qemuRAMBase+0x200000), 0x200000)
			if pa+b.end <= m.End() {
				l.Image.Base = pa
				break
			}
		}
		if l.Image.Base == 0 {
			return nil, fmt.Errorf("oracle layout: no bank can hold the %s kernel image", h.Kernel)
		}
	}
	dtb := alignUp(l.Image.Base+b.end, 0x200000)
	l.DTB = &layout.Blob{Base: dtb, Size: b.dtbSize}
	l.Initrd = &layout.Blob{Base: dtb + 0x20000, Size: 0xf141e}
	return l, l.Check()
}

func fromHarness(h harnessLayout) (*layout.Layout, kernelBuild, error) {
	kname := h.Kernel
	if kname == "" {
		kname = "6.1"
	}
	b, ok := builds[kname]
	if !ok {
		return nil, b, fmt.Errorf("kernel %q: the oracle kernels are 6.1, 6.12 and 6.12-16k", h.Kernel)
	}
	cpu, err := cpuFor(h.CPU)
	if err != nil {
		return nil, b, err
	}
	l := &layout.Layout{
		Format: layout.FormatName, Version: layout.Version,
		Name:        h.Name,
		Description: h.Note,
		Source:      "real-kernel oracle (shared/oracle): Debian " + kname + " kernel booted under QEMU virt with these DT memory nodes",
		CPU:         cpu,
	}
	cmd := strings.TrimSpace(h.Cmdline)
	if !h.KASLR && !strings.Contains(cmd, "nokaslr") {
		cmd = strings.TrimSpace("nokaslr " + cmd)
	}
	interval := 0
	objects := 255
	l.Kernel = layout.Kernel{Era: b.era, PageSize: b.pageSize, VABits: b.vaBits, Cmdline: cmd}
	l.Kernel.Config.KFENCE = &b.kfence
	if b.kfence {
		l.Kernel.Config.KFENCESampleInterval = &interval
		l.Kernel.Config.KFENCENumObjects = &objects
	}
	banks := h.Banks
	if len(banks) == 0 {
		ram := h.RAMMiB
		if ram == 0 {
			ram = 4096
		}
		banks = []bank{{Base: qemuRAMBase, Size: layout.Addr(ram) << 20}}
	}
	for _, m := range banks {
		l.Memory = append(l.Memory, layout.Bank{Base: m.Base, Size: m.Size, Name: fmt.Sprintf("memory@%x", uint64(m.Base))})
	}
	for _, r := range h.ReservedMemory {
		l.Reserved = append(l.Reserved, layout.Reserved{Base: r.Base, Size: r.Size, NoMap: r.NoMap,
			Name: fmt.Sprintf("reserved@%x", uint64(r.Base))})
	}
	l.Image = layout.Image{Stext: b.stext, Etext: b.etext, InitBegin: b.initBegin, End: b.end}
	zero := layout.Addr(0)
	l.Image.TextOffset = &zero
	return l, b, nil
}

func alignUp(x, a layout.Addr) layout.Addr { return (x + a - 1) &^ (a - 1) }
