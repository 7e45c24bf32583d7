// Package guess completes a layout imported from a format that only tells
// part of the story (memory but no kernel, a kernel log but no DT): it
// picks an era, places the kernel image where a boot loader would, and
// records what was assumed in the layout's description.
package guess

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"linmap/sim"
	"linmap/sim/layout"
)

// DefaultEra is used when the input does not name a kernel version.
const DefaultEra = sim.DefaultEra

const sz2M = 2 << 20

// Finish fills in era, image and description and checks the result.
// what names the input ("/proc/iomem text from x.txt"); notes are the
// importer's remarks, kept in the description so they travel with the file.
func Finish(l *layout.Layout, what string, notes []string) error {
	l.Format, l.Version = layout.FormatName, layout.Version
	if l.Kernel.Era == "" {
		l.Kernel.Era = DefaultEra
		notes = append(notes, "the input names no kernel version: era "+DefaultEra+" assumed")
	}
	sort.SliceStable(l.Memory, func(i, j int) bool { return l.Memory[i].Base < l.Memory[j].Base })
	l.Memory = mergeOverlaps(l.Memory, &notes)
	sort.SliceStable(l.Reserved, func(i, j int) bool { return l.Reserved[i].Base < l.Reserved[j].Base })
	if l.Image.Base == 0 {
		if PlaceImage(l) {
			notes = append(notes, fmt.Sprintf("the input does not say where the kernel was loaded: image placed at %s, the first free 2 MiB boundary (+ text_offset)", l.Image.Base))
		}
	}
	if l.Source == "" {
		l.Source = "imported from " + what
	}
	d := "Imported from " + what + "."
	for _, n := range notes {
		d += " Note: " + n + "."
	}
	if l.Description != "" {
		d = l.Description + " " + d
	}
	l.Description = d
	return l.Check()
}

// mergeOverlaps joins banks that overlap (memblock_add merges them too;
// the layout format wants disjoint banks). Banks must be sorted.
func mergeOverlaps(m []layout.Bank, notes *[]string) []layout.Bank {
	var out []layout.Bank
	for _, b := range m {
		if n := len(out); n > 0 && b.Base < out[n-1].End() {
			last := &out[n-1]
			*notes = append(*notes, fmt.Sprintf("%s (%s..%s) overlaps %s and was merged into it", b.Name, b.Base, b.End(), last.Name))
			if b.End() > last.End() {
				last.Size = b.End() - last.Base
			}
			continue
		}
		out = append(out, b)
	}
	return out
}

// TextOffset is the Image header's text_offset of an era's typical build
// (0x80000 until v5.7, 0 afterwards).
func TextOffset(era string) layout.Addr {
	if e, ok := sim.LookupEra(era); ok {
		return layout.Addr(e.Builds.Default.TextOffset)
	}
	return 0
}

// PlaceImage puts the image where UEFI's stub or U-Boot would: the lowest
// 2 MiB boundary (plus text_offset) with room for a typical image that does
// not touch a reserved range. It reports whether it found a place.
func PlaceImage(l *layout.Layout) bool {
	off := TextOffset(l.Kernel.Era)
	for _, room := range []layout.Addr{64 << 20, 16 << 20, sz2M} {
		for _, b := range l.Memory {
			for a := alignUp(b.Base, sz2M); a+off+room <= b.End() && a+off >= b.Base; a += sz2M {
				if a+off == 0 {
					continue // image.base 0 means "not placed"; loaders avoid PA 0 anyway
				}
				if hit := reservedAt(l, a, a+off+room); hit == 0 {
					l.Image.Base = a + off
					l.Image.TextOffset = &off
					return true
				} else if hit > a {
					a = alignUp(hit, sz2M) - sz2M
				}
			}
		}
	}
	return false
}

// reservedAt returns the end of a reserved range overlapping [start, end),
// or 0.
func reservedAt(l *layout.Layout, start, end layout.Addr) layout.Addr {
	for _, r := range l.Reserved {
		if r.Base < end && start < r.End() {
			return r.End()
		}
	}
	return 0
}

// ImageAt places the image from the physical range the kernel occupies as
// /proc/iomem or memblock show it. That range starts at _text (2 MiB
// aligned plus text_offset) or, in kernels that reserve or publish from
// _stext, 64 KiB further. end, when known, is _end (rounded up to 64 KiB:
// the kernel frees its last early page-table pages).
func ImageAt(l *layout.Layout, start, end layout.Addr) {
	base, stext := start, layout.Addr(0)
	if off := start & (sz2M - 1); off == 0x10000 || off == 0x90000 {
		base, stext = start-0x10000, 0x10000
	}
	l.Image.Base = base
	to := base & (sz2M - 1)
	l.Image.TextOffset = &to
	l.Image.Stext = stext
	if end > base {
		l.Image.End = alignUp(end-base, 0x10000)
	}
}

// KernelReservation finds the memblock.reserved region that holds the
// kernel image: the first one that starts where an image can (a 2 MiB
// boundary, + 64 KiB for _stext, + 0x80000 for an old text_offset) and is
// image-sized (4 MiB to 256 MiB). ok is false when none looks like it.
func KernelReservation(rs []layout.Reserved) (r layout.Reserved, ok bool) {
	for _, r := range rs {
		switch r.Base & (sz2M - 1) {
		case 0, 0x10000, 0x80000, 0x90000:
			if r.Size >= 4<<20 && r.Size <= 256<<20 {
				return r, true
			}
		}
	}
	return layout.Reserved{}, false
}

func alignUp(x, a layout.Addr) layout.Addr { return (x + a - 1) &^ (a - 1) }

// EraForVersion maps a kernel release ("6.1.0-56-arm64") to the era whose
// rules that version follows (the registry's Since).
func EraForVersion(release string) (string, bool) {
	v, ok := sim.ParseVersion(release)
	if !ok {
		return "", false
	}
	e, ok := sim.EraForVersion(v)
	if !ok {
		return "", false
	}
	return e.ID, true
}

var (
	reStamp   = regexp.MustCompile(`^\s*(<\d+>)?\s*\[\s*\d+\.\d+\](\[\s*[CT]\d+\])?\s?`)
	reSyslog  = regexp.MustCompile(`^.*?\bkernel: (\[\s*\d+\.\d+\]\s?)?`)
	reVersion = regexp.MustCompile(`Linux version (\S+)`)
	reCmdline = regexp.MustCompile(`Kernel command line: (.*)$`)
	reModel   = regexp.MustCompile(`Machine model: (.*)$`)
	reInitrd  = regexp.MustCompile(`initrd_start=(0x[0-9a-fA-F]+)\s+initrd_end=(0x[0-9a-fA-F]+)`)
)

// StripDmesg removes a dmesg timestamp ("[    0.000000] ", with a caller
// id "[    T0]" when CONFIG_PRINTK_CALLER is set), a printk level
// ("<6>") or a syslog prefix ("… kernel: ") from a line.
func StripDmesg(line string) string {
	line = strings.TrimRight(line, "\r")
	if loc := reStamp.FindStringIndex(line); loc != nil {
		return line[loc[1]:]
	}
	if loc := reSyslog.FindStringIndex(line); loc != nil {
		return line[loc[1]:]
	}
	return line
}

// Dmesg holds what a kernel log tells beyond memory: the version (hence
// era), the command line (mem=, crashkernel=, rodata=, …), the machine
// model and, with OF debugging, the initrd.
type Dmesg struct {
	Era, Release, Cmdline, Model string
	Initrd                       *layout.Blob
}

// ScanDmesg looks for those lines anywhere in text.
func ScanDmesg(text string) Dmesg {
	var d Dmesg
	for _, line := range strings.Split(text, "\n") {
		s := StripDmesg(line)
		if m := reVersion.FindStringSubmatch(s); m != nil && d.Release == "" {
			d.Release = m[1]
			d.Era, _ = EraForVersion(m[1])
		}
		if m := reCmdline.FindStringSubmatch(s); m != nil {
			d.Cmdline = strings.TrimSpace(m[1])
		}
		if m := reModel.FindStringSubmatch(s); m != nil {
			d.Model = strings.TrimSpace(m[1])
		}
		if m := reInitrd.FindStringSubmatch(s); m != nil {
			a, err1 := strconv.ParseUint(m[1][2:], 16, 64)
			b, err2 := strconv.ParseUint(m[2][2:], 16, 64)
			if err1 == nil && err2 == nil && b > a {
				d.Initrd = &layout.Blob{Base: layout.Addr(a), Size: layout.Addr(b - a)}
			}
		}
	}
	return d
}

// Apply copies the findings into l, recording them as notes.
func (d Dmesg) Apply(l *layout.Layout, notes *[]string) {
	if d.Era != "" && l.Kernel.Era == "" {
		l.Kernel.Era = d.Era
		*notes = append(*notes, fmt.Sprintf("era %s from \"Linux version %s\"", d.Era, d.Release))
	}
	if d.Cmdline != "" && l.Kernel.Cmdline == "" {
		l.Kernel.Cmdline = d.Cmdline
	}
	if d.Model != "" && l.Name == "" {
		l.Name = d.Model
	}
	if d.Initrd != nil && l.Initrd == nil {
		l.Initrd = d.Initrd
	}
}
