// Package oracle reads the files of the real-kernel oracle harness
// (shared/tools/oracle): its input layouts and the results it wrote for
// them, turning either into a linmap layout of the same machine and kernel.
package oracle

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"linmap/formats/kconfig"
	"linmap/sim"
	"linmap/sim/layout"
)

// kernelBuild is what one of the harness's kernels looks like: its
// release, page size, VA_BITS, KFENCE setup and the image's section
// offsets from _text. A result file carries all of it (kernel.config,
// raw.kallsyms); a bare input layout only names the kernel, so the known
// builds are listed here, read from their results.
type kernelBuild struct {
	release  string
	pageSize string
	vaBits   int
	kfence   bool
	image    layout.Image
	dtbSize  layout.Addr
	config   *kconfig.Config // the result's kernel.config, when read from one
}

func img(stext, etext, initBegin, initEnd, bssStop, end layout.Addr) layout.Image {
	return layout.Image{Stext: stext, Etext: etext, InitBegin: initBegin, InitEnd: initEnd, BssStop: bssStop, End: end}
}

var builds = map[string]kernelBuild{
	"6.1":      {"6.1.0-56-arm64", "4K", 48, false, img(0x10000, 0xd00000, 0x1660000, 0, 0, 0x2010000), 0x1d8b, nil},
	"6.12":     {"6.12.117+deb12-arm64", "4K", 52, true, img(0x10000, 0xf50000, 0x1d00000, 0, 0, 0x2b30000), 0x1da7, nil},
	"6.12-16k": {"6.12.117+deb12-arm64-16k", "16K", 52, true, img(0x10000, 0xf50000, 0x1d30000, 0, 0, 0x2be0000), 0x1da7, nil},
	"7.2":      {"7.2.13+deb14-arm64", "4K", 52, true, img(0x10000, 0x12c0000, 0x2510000, 0x28e0000, 0x2ee6000, 0x2f00000), 0x1d8b, nil},
	"7.2-16k":  {"7.2.13+deb14-arm64-16k", "16K", 52, true, img(0x10000, 0x12c0000, 0x2540000, 0x2950000, 0x2f68000, 0x2fa0000), 0x1da7, nil},
	// Kernels built from Debian's 7.2 source with build-kernel.sh
	// (tinyconfig + base.config + the variant), as their results show.
	"build:4k-39":  {"7.2.13-oracle-4k-39", "4K", 39, true, img(0x10000, 0x220000, 0x300000, 0x3d0000, 0x4c2000, 0x4d0000), 0x1d8b, nil},
	"build:4k-48":  {"7.2.13-oracle-4k-48", "4K", 48, true, img(0x10000, 0x230000, 0x310000, 0x3e0000, 0x4d2000, 0x4f0000), 0x1d8b, nil},
	"build:64k-42": {"7.2.13-oracle-64k-42", "64K", 42, true, img(0x10000, 0x240000, 0x410000, 0x5c0000, 0x6d0000, 0x720000), 0x1d8b, nil},
	"build:16k-36": {"7.2.13-oracle-16k-36", "16K", 36, true, img(0x10000, 0x230000, 0x350000, 0x450000, 0x544000, 0x560000), 0x1d8b, nil},
	"build:16k-47": {"7.2.13-oracle-16k-47", "16K", 47, true, img(0x10000, 0x230000, 0x350000, 0x450000, 0x544000, 0x570000), 0x1d8b, nil},
	"build:64k-48": {"7.2.13-oracle-64k-48", "64K", 48, true, img(0x10000, 0x240000, 0x410000, 0x5c0000, 0x6d0000, 0x750000), 0x1d8b, nil},
	"build:64k-52": {"7.2.13-oracle-64k-52", "64K", 52, true, img(0x10000, 0x240000, 0x410000, 0x5c0000, 0x6d0000, 0x750000), 0x1d8b, nil},
}

// cpuFor maps QEMU -cpu models to their features: `max` has LPA2, LVA and
// a 52-bit PA range; cortex-a57 has neither (PARange 44 bits); cortex-a76
// has 16K pages but no LPA2 (40 bits).
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

// caseFile is the part of a harness result that fixes the machine and
// the kernel.
type caseFile struct {
	Layout        harnessLayout `json:"layout"`
	DeclaredBanks []bank        `json:"declared_banks"`
	Cmdline       string        `json:"cmdline"`
	Kernel        struct {
		Release   string            `json:"release"`
		Config    map[string]string `json:"config"`
		ImageSize layout.Addr       `json:"image_size"`
	} `json:"kernel"`
	Qemu struct {
		CPU  string `json:"cpu"`
		Load struct {
			Kernel     layout.Addr `json:"kernel"`
			DTB        layout.Addr `json:"dtb"`
			Initrd     layout.Addr `json:"initrd"`
			InitrdSize layout.Addr `json:"initrd_size"`
		} `json:"load"`
	} `json:"qemu"`
	Reserved []bank `json:"memblock_reserved"`
	Raw      struct {
		Kallsyms string `json:"kallsyms"`
	} `json:"raw"`
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

// FromCase builds the layout an oracle result was produced from: the
// kernel's own release, Kconfig and section offsets (kernel.config,
// raw.kallsyms) and the load addresses QEMU used.
func FromCase(data []byte) (*layout.Layout, error) {
	var c caseFile
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("oracle case: %w", err)
	}
	b, err := buildFromCase(&c)
	if err != nil {
		return nil, err
	}
	h := c.Layout
	h.Banks = c.DeclaredBanks
	if c.Qemu.CPU != "" {
		h.CPU = c.Qemu.CPU
	}
	l, err := fromHarness(h, b)
	if err != nil {
		return nil, err
	}
	ld := c.Qemu.Load
	l.Image.Base = ld.Kernel
	dtbSize := b.dtbSize
	for _, r := range c.Reserved {
		if r.Base == ld.DTB && r.Size != 0 {
			dtbSize = r.Size // the DTB reserves itself, exactly
		}
	}
	l.DTB = &layout.Blob{Base: ld.DTB, Size: dtbSize}
	if ld.InitrdSize != 0 {
		l.Initrd = &layout.Blob{Base: ld.Initrd, Size: ld.InitrdSize}
	}
	return l, l.Check()
}

// buildFromCase reads the kernel a result was produced with.
func buildFromCase(c *caseFile) (kernelBuild, error) {
	b := kernelBuild{release: c.Kernel.Release, dtbSize: 0x1d8b}
	if known, ok := builds[c.Layout.Kernel]; ok {
		b = known
		if c.Kernel.Release != "" {
			b.release = c.Kernel.Release
		}
	}
	cf := c.Kernel.Config
	for _, p := range []string{"4K", "16K", "64K"} {
		if cf["CONFIG_ARM64_"+p+"_PAGES"] == "y" {
			b.pageSize = p
		}
	}
	if v, err := strconv.Atoi(cf["CONFIG_ARM64_VA_BITS"]); err == nil {
		b.vaBits = v
	}
	if v, ok := cf["CONFIG_KFENCE"]; ok {
		b.kfence = v == "y"
	}
	b.config = kconfig.FromValues(cf)
	syms := kallsyms(c.Raw.Kallsyms)
	text, ok := syms["_text"]
	if !ok && syms["_stext"] != 0 {
		text = syms["_stext"] - 0x10000 // 6.1's kallsyms lacks _text, which lies 64K below _stext
		ok = true
	}
	if ok {
		off := func(name string, cur layout.Addr) layout.Addr {
			if v, found := syms[name]; found && v >= text {
				return layout.Addr(v - text)
			}
			return cur
		}
		im := b.image
		im.Stext, im.Etext, im.InitBegin = off("_stext", im.Stext), off("_etext", im.Etext), off("__init_begin", im.InitBegin)
		im.InitEnd, im.BssStop, im.End = off("__init_end", im.InitEnd), off("__bss_stop", im.BssStop), off("_end", im.End)
		b.image = im
	}
	if c.Kernel.ImageSize != 0 {
		b.image.End = c.Kernel.ImageSize
	}
	if b.pageSize == "" || b.vaBits == 0 || b.image.End == 0 {
		return b, fmt.Errorf("oracle case: kernel %q: its page size, VA_BITS or image size is not in the file", c.Kernel.Release)
	}
	return b, nil
}

// kallsyms reads "ffff800080000000 T _text" lines.
func kallsyms(text string) map[string]uint64 {
	out := map[string]uint64{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		if v, err := strconv.ParseUint(f[0], 16, 64); err == nil {
			out[f[2]] = v
		}
	}
	return out
}

// FromHarnessLayout converts a harness input layout, placing the image, DTB
// and initrd where the harness would (first bank that fits at or above
// 0x40200000; DTB at the next 2 MiB boundary after _end; initrd 128 KiB on).
func FromHarnessLayout(data []byte) (*layout.Layout, error) {
	var h harnessLayout
	if err := json.Unmarshal(data, &h); err != nil {
		return nil, fmt.Errorf("oracle layout: %w", err)
	}
	kname := h.Kernel
	if kname == "" {
		kname = "6.1"
	}
	b, ok := builds[kname]
	if !ok {
		return nil, fmt.Errorf("kernel %q: linmap knows the oracle kernels %s", h.Kernel, strings.Join(buildNames(), ", "))
	}
	l, err := fromHarness(h, b)
	if err != nil {
		return nil, err
	}
	if h.KernelPA != 0 {
		l.Image.Base = h.KernelPA
	} else {
		for _, m := range l.Memory {
			pa := alignUp(max(m.Base, qemuRAMBase+0x200000), 0x200000)
			if pa+b.image.End <= m.End() {
				l.Image.Base = pa
				break
			}
		}
		if l.Image.Base == 0 {
			return nil, fmt.Errorf("oracle layout: no bank can hold the %s kernel image", kname)
		}
	}
	dtb := alignUp(l.Image.Base+b.image.End, 0x200000)
	l.DTB = &layout.Blob{Base: dtb, Size: b.dtbSize}
	l.Initrd = &layout.Blob{Base: dtb + 0x20000, Size: 0xf141e}
	return l, l.Check()
}

func buildNames() []string {
	var out []string
	for k := range builds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func fromHarness(h harnessLayout, b kernelBuild) (*layout.Layout, error) {
	v, ok := sim.ParseVersion(b.release)
	if !ok {
		return nil, fmt.Errorf("oracle: kernel release %q has no version", b.release)
	}
	era, ok := sim.EraForVersion(v)
	if !ok {
		return nil, fmt.Errorf("oracle: no era covers kernel %s", b.release)
	}
	cpu, err := cpuFor(h.CPU)
	if err != nil {
		return nil, err
	}
	l := &layout.Layout{
		Format: layout.FormatName, Version: layout.Version,
		Name:        h.Name,
		Description: h.Note,
		Source:      "real-kernel oracle (shared/oracle): " + b.release + " booted under QEMU virt with these DT memory nodes",
		CPU:         cpu,
	}
	cmd := strings.TrimSpace(h.Cmdline)
	if !h.KASLR && !strings.Contains(cmd, "nokaslr") {
		cmd = strings.TrimSpace("nokaslr " + cmd)
	}
	interval := 0
	objects := 255
	l.Kernel = layout.Kernel{Era: era.ID, PageSize: b.pageSize, VABits: b.vaBits, Cmdline: cmd}
	l.Kernel.Config.KFENCE = &b.kfence
	if b.kfence {
		l.Kernel.Config.KFENCESampleInterval = &interval
		l.Kernel.Config.KFENCENumObjects = &objects
	}
	if b.config != nil {
		// The kernel's own Kconfig (a tinyconfig build leaves
		// RODATA_FULL_DEFAULT_ENABLED unset, unlike Debian's).
		b.config.Apply(&l.Kernel.Config)
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
	l.Image = b.image
	zero := layout.Addr(0)
	l.Image.TextOffset = &zero
	return l, nil
}

func alignUp(x, a layout.Addr) layout.Addr { return (x + a - 1) &^ (a - 1) }
