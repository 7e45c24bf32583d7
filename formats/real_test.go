package formats

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"linmap/formats/evidence"
	"linmap/formats/logtext"
	"linmap/formats/systemmap"
)

// realSample is one entry of testdata/real/index.json.
type realSample struct {
	File  string                     `json:"file"`
	Facts map[string]json.RawMessage `json:"facts"`
}

// lineFacts are the index's fact keys whose values are lines the machine
// printed that linmap reads; every one must be read from the file as
// pasted. Other keys describe the file (counts, notes) or are lines linmap
// has no use for (NUMA, zone page counts).
var lineFacts = map[string]bool{
	"memory_line": true, "virtual_layout_memory": true, "first_node_range": true, "last_node_range": true,
	"node_range": true, "node_ranges": true, "node_ranges_first3": true, "first": true, "last": true, "sub_page_split_example": true,
	"of_reserved_mem": true, "of_reserved_nomap": true, "of_reserved_mem_nomap": true, "of_reserved_mem_map": true,
	"framebuffer_nomap": true, "of_reserved_old": true, "of_reserved_new_map": true, "of_reserved_nomap_atf": true,
	"of_reserved_nomap_tiny": true, "cma": true, "reserved_memory_cma": true, "cma_found_first": true, "cma_found_removed": true,
	"percpu": true, "page_size_evidence": true, "linux_version": true, "machine_model": true, "machine": true,
	"linear_first_line": true, "linear_last_line": true, "linear_last_mapped_line": true, "unmapped_tail": true,
	"linear_first_line_mode1": true, "linear_last_mapped_line_mode1": true, "linear_unmapped_tail_mode1": true,
	"linear_first_line_mode3": true, "linear_marker": true, "panic": true, "oops": true, "ignoring": true,
	"kernel_code": true, "kernel_data": true, "system_ram": true, "cma_like": true, "iomem_nomap_hole": true,
	"iomem_ram1": true, "iomem_ram2": true, "iomem_after_fix": true, "iomem_before_fix": true,
	"drv_mng": true, "nomap_example": true, "boot_ram": true, "memblock_nomap_example": true,
	"old_format_line": true, "new_format_line": true, "efi_high_ram": true, "efi_nonwb_reserved_example": true,
	"efi_first_entries": true, "efi_first_entry": true, "reserved_fail": true, "of_error": true,
	"zone_dma": true, "zone_normal": true, "memory_banks": true,
	"header": true, "page_shift": true, "pages": true, "va_bits": true, "pa_bits": true, "rodata_full": true, "kaslr": true,
	"memory_line_wrapped": true, "virtual_layout_memory_wrapped": true,
}

// readLines are the line numbers a fact was read from, in every format.
func readLines(f *evidence.File) map[int]bool {
	read := map[int]bool{}
	if lg := f.Log; lg != nil {
		for n := range lg.Read {
			read[n] = true
		}
	}
	if ls := f.Memblock; ls != nil {
		for _, n := range ls.Lines {
			read[n] = true
		}
	}
	if d := f.MemblockDump; d != nil {
		read[d.Line] = true
		for _, r := range append(append(d.Memory[:0:0], d.Memory...), d.Reserved...) {
			read[r.Line] = true
		}
	}
	for _, r := range f.IOMem {
		read[r.Line] = true
	}
	for _, d := range f.EFI {
		read[d.Line] = true
	}
	if c := f.Config; c != nil {
		for _, n := range c.Lines() {
			read[n] = true
		}
	}
	if m := f.Symbols; m != nil {
		for _, name := range systemmap.Names {
			if s, ok := m.Lookup(name); ok {
				read[s.Line] = true
			}
		}
	}
	for _, d := range f.Ptdumps {
		for _, sec := range d.Sections {
			read[sec.Line] = true
			for _, e := range sec.Entries {
				read[e.Line] = true
			}
		}
	}
	return read
}

// factLines are the values of a fact: one line or a list of lines. A
// value quoting a wrapped line marks the wrap with " / ".
func factLines(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	json.Unmarshal(raw, &many)
	return many
}

// TestRealSamples reads each real machine's text exactly as it was
// published (mail quoting, timestamps, syslog prefixes, wraps and all):
// it must read without error, and every line the index names as printed
// by the machine must be one linmap read a fact from.
func TestRealSamples(t *testing.T) {
	data, err := os.ReadFile("testdata/real/index.json")
	if err != nil {
		t.Fatal(err)
	}
	var samples []realSample
	if err := json.Unmarshal(data, &samples); err != nil {
		t.Fatal(err)
	}
	if len(samples) < 20 {
		t.Fatalf("%d real samples; the proof needs at least 20", len(samples))
	}
	for _, s := range samples {
		t.Run(s.File, func(t *testing.T) {
			text, err := os.ReadFile(filepath.Join("testdata/real", s.File))
			if err != nil {
				t.Fatal(err)
			}
			ev, err := Read([]Input{{Name: s.File, Data: text}})
			if err != nil {
				t.Fatalf("does not read as pasted: %v", err)
			}
			f := ev.Files[0]
			read := readLines(f)
			lines := logtext.Lines(string(text))
			for key, raw := range s.Facts {
				if !lineFacts[key] {
					continue
				}
				for _, want := range factLines(raw) {
					want, _, _ = strings.Cut(want, " / ")
					want = strings.TrimSpace(logtext.Lines(want)[0].Text)
					found := false
					for _, l := range lines {
						if strings.Contains(l.Text, want) {
							found = true
							if read[l.N] {
								goto next
							}
						}
					}
					if found {
						t.Errorf("%s: %q is in the file but no fact was read from it", key, want)
					} else {
						t.Errorf("%s: %q is not in the file as linmap cleans it", key, want)
					}
				next:
				}
			}
		})
	}
}
