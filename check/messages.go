package check

import (
	"strings"

	"linmap/formats/dmesg"
	"linmap/formats/evidence"
)

// Messages the engine can print (its warnings' and panics' kernel texts);
// a printed message outside these is not something the model simulates.
var modelled = []string{
	"Ignoring memory block", "Ignoring memory range", "Memory doesn't fit in the linear mapping",
	"initrd not fully accessible", "cannot allocate crashkernel", "failed to allocate kfence pool",
	"Reserved memory: node", "Reserved memory: failed to reserve", "Malformed early option",
	"Invalid option string for rodata", "BUG: not creating mapping",
}

// Panics the linear-map code raises.
var linearFatal = []string{
	"Failed to allocate page table page", "ERROR: Failed to allocate", "arch/arm64/mm/mmu.c",
	"Failed to split linear map", "Failed to create page tables",
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// messages checks the warnings and fatal errors the log prints against the
// model's, both ways.
func (c *checker) messages() {
	logs := c.ev.Logs()
	matched := map[int]bool{} // model warnings a printed one matched
	for _, f := range logs {
		lastFatal := -100
		for _, m := range f.Log.Messages {
			src := source(f, m.At.N, m.At.Text)
			switch m.Kind {
			case dmesg.Warning:
				c.warning(m, src, matched)
			case dmesg.Fatal:
				// One crash prints several lines (oops, registers, panic):
				// its first one stands for it.
				if m.At.N-lastFatal > 40 || containsAny(m.Text, linearFatal) {
					c.fatal(f, m, src)
				}
				lastFatal = m.At.N
			}
		}
	}
	if c.res == nil {
		return
	}
	// What the model prints that no log shows.
	full := c.fullBootLog()
	for i, w := range c.res.Warnings {
		if matched[i] || strings.HasPrefix(w, "(linmap)") {
			continue
		}
		fact := Fact{Kind: KindWarning, What: "a warning the model predicts", Printed: Printed{Value: "(not printed)"}, Model: w}
		if full != nil {
			fact.Verdict = Differs
			fact.Printed.Source = source(full, 0, "")
			fact.Cause = "the model prints this warning, but the boot log does not: the kernel's rule differs from the model's here, or the log was filtered (loglevel, quiet)"
		} else {
			fact.Verdict = Unchecked
			fact.Cause = "no complete boot log is given, so its absence proves nothing"
		}
		c.add(fact)
	}
	if fat := c.res.Fatal; fat != nil && len(c.fatalsPrinted()) == 0 {
		fact := Fact{Kind: KindFatal, What: "the boot failure the model predicts", Printed: Printed{Value: "(boot went on)"}, Model: fat.Message}
		if full != nil && full.Log.Memory != nil {
			fact.Verdict = Differs
			fact.Printed.Source = source(full, full.Log.Memory.At.N, full.Log.Memory.At.Text)
			fact.Cause = "the model's boot stops while building the linear map, but the machine went on to mem_init() (it printed this line)"
		} else {
			fact.Verdict = Unchecked
			fact.Cause = "no log shows how far the boot went"
		}
		c.add(fact)
	}
}

// fullBootLog is a log that starts at boot and reaches mem_init(): one in
// which a missing message means it was not printed.
func (c *checker) fullBootLog() *evidence.File {
	for _, f := range c.ev.Logs() {
		if f.Log.BootLog() {
			return f
		}
	}
	return nil
}

func (c *checker) fatalsPrinted() []dmesg.Message {
	var out []dmesg.Message
	for _, f := range c.ev.Logs() {
		out = append(out, f.Log.Fatals()...)
	}
	return out
}

func (c *checker) warning(m dmesg.Message, src Source, matched map[int]bool) {
	fact := Fact{Kind: KindWarning, What: "warning", Printed: Printed{m.Text, src}}
	if c.unmodelled(&fact) {
		return
	}
	for i, w := range c.res.Warnings {
		if !matched[i] && (strings.Contains(w, m.Text) || strings.Contains(m.Text, w)) {
			matched[i] = true
			fact.Model, fact.Verdict = w, Agrees
			c.add(fact)
			return
		}
	}
	fact.Model = "(not predicted)"
	switch {
	case !containsAny(m.Text, modelled):
		fact.Verdict = Unchecked
		fact.Cause = "linmap does not model this message"
	case strings.HasPrefix(m.Text, "Ignoring memory") || strings.HasPrefix(m.Text, "Memory doesn't fit"):
		fact.Verdict = Differs
		fact.Cause = "the memory given is the kernel's own view after it dropped this memory (a memblock or node-range list), so the model never sees it; give the firmware's description (device tree or efi=debug map) to check this"
		if c.memoryFromFirmware() {
			fact.Cause = "the model keeps this memory: the era's rule for dropping memory differs from the kernel's, or the memory given is not what firmware declared"
		}
	default:
		fact.Verdict = Differs
		fact.Cause = "the model does not print it with this input: an option or region the inputs do not show"
	}
	c.add(fact)
}

// memoryFromFirmware reports whether the layout's memory is what firmware
// declared (device tree, EFI map) rather than the kernel's own lists.
func (c *checker) memoryFromFirmware() bool {
	for _, a := range c.l.Assumptions {
		if a.Field == "memory" && (strings.Contains(a.Reason, "device tree") || strings.Contains(a.Reason, "EFI memory map")) && strings.HasPrefix(a.Reason, "memory banks from") {
			return true
		}
	}
	return false
}

func (c *checker) fatal(f *evidence.File, m dmesg.Message, src Source) {
	fact := Fact{Kind: KindFatal, What: "panic, BUG or oops", Printed: Printed{m.Text, src}}
	if c.unmodelled(&fact) {
		return
	}
	if !containsAny(m.Text, linearFatal) {
		fact.Verdict = Unchecked
		if c.res.Fatal == nil {
			fact.Model = "boots"
		} else {
			fact.Model = c.res.Fatal.Message
		}
		fact.Cause = "not raised while building the linear map: outside what linmap simulates"
		c.add(fact)
		return
	}
	if c.res.Fatal == nil {
		fact.Model, fact.Verdict = "boots", Differs
		fact.Cause = "the model builds the linear map without failing: the machine's memory, reservations or options differ from the inputs"
		c.add(fact)
		return
	}
	fact.Model = c.res.Fatal.Message
	p, mo := normFatal(m.Text), normFatal(c.res.Fatal.Message)
	switch {
	case p == mo:
		fact.Verdict = Agrees
	case strings.HasPrefix(p, "kernel BUG at arch/arm64/mm/mmu.c") && strings.HasPrefix(mo, "kernel BUG at arch/arm64/mm/mmu.c"):
		fact.Verdict = Agrees
		fact.Cause = "the same BUG_ON in mmu.c; line numbers move between releases"
	default:
		fact.Verdict = Differs
		fact.Cause = "both stop, with different failures: the memory, reservations or options of the inputs differ from the machine's, or the era's rule does"
	}
	c.add(fact)
}

// normFatal keeps what two texts of one failure share: the panic message,
// or a BUG's "kernel BUG at file:line!".
func normFatal(s string) string {
	s = strings.TrimPrefix(s, "Kernel panic - not syncing: ")
	if i := strings.Index(s, "!"); strings.HasPrefix(s, "kernel BUG at ") && i > 0 {
		return s[:i+1]
	}
	return strings.TrimSpace(s)
}
