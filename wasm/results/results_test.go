package results

import (
	"errors"
	"strings"
	"testing"

	"linmap/assets"
	"linmap/sim"
	"linmap/sim/layout"
)

func run(t *testing.T, id, era, cmdline string) Summary {
	t.Helper()
	p, ok := assets.Lookup(id)
	if !ok {
		t.Fatalf("no preset %s", id)
	}
	l, err := layout.Parse(p.Layout)
	if err != nil {
		t.Fatal(err)
	}
	if era != "" {
		l.Kernel.Era = era
	}
	if cmdline != "" {
		l.Kernel.Cmdline = cmdline
	}
	r, err := sim.Run(l)
	if err != nil {
		t.Fatal(err)
	}
	return Of(r, nil)
}

// The v3.18 panic is the outcome, in the kernel's words.
func TestOutcomeFails(t *testing.T) {
	s := run(t, "seed-b-hypothesis2", "", "")
	if !s.Fails || !strings.HasPrefix(s.Outcome, "Kernel panic: ") || !strings.Contains(s.Sentence, s.Outcome) {
		t.Errorf("outcome %q, sentence %q", s.Outcome, s.Sentence)
	}
}

// rodata=on on v6.12 still maps with pages: the leaf mix says why (KFENCE
// without an early pool), where Warnings has nothing.
func TestLeafMixSaysWhy(t *testing.T) {
	s := run(t, "qemu-virt-1g", "v6.12", "rodata=on")
	if s.Fails || len(s.Warnings) != 0 {
		t.Fatalf("want a clean boot: %+v", s)
	}
	var pages *Leaf
	for i := range s.Leaves {
		if s.Leaves[i].Key == "4K" {
			pages = &s.Leaves[i]
		}
	}
	if pages == nil || !strings.Contains(pages.Why, "KFENCE") || !strings.Contains(pages.Why, "()") {
		t.Fatalf("4K leaves %+v: want the KFENCE rule and its function", pages)
	}
	if pages.Share != "97 %" || pages.Human != "996M" {
		t.Errorf("4K leaves: %s, %s of the mapped bytes", pages.Human, pages.Share)
	}
	if !strings.HasPrefix(s.Sentence, "Boots: 1G mapped (") || !strings.Contains(s.Sentence, "TLB entries") ||
		!strings.Contains(s.Sentence, "PHYS_OFFSET 0x4000_0000") || !strings.Contains(s.Sentence, "nothing lost") {
		t.Errorf("sentence %q", s.Sentence)
	}
}

// Table pages and bytes agree with the engine's stats; 2-socket Altra has
// a gigabyte of them.
func TestTables(t *testing.T) {
	s := run(t, "ampere-altra-2s", "", "")
	if !strings.HasSuffix(s.TablePages, "pages") || s.TableBytes.Human == "" {
		t.Fatalf("tables %q %+v", s.TablePages, s.TableBytes)
	}
	if s.TableBytes.Human != "1023.5M" {
		t.Errorf("Altra 2S page tables %s: want about a gigabyte", s.TableBytes.Human)
	}
	if len(s.Tables) == 0 || s.Tables[0].Level != "PGD" && s.Tables[0].Level != "PUD" && s.Tables[0].Level != "P4D" {
		t.Errorf("levels %+v, want the top level first", s.Tables)
	}
}

func TestRefused(t *testing.T) {
	s := Of(nil, errors.New("kernel.page_size = \"16K\": v3.18 offers 4K, 64K"))
	if !s.Refused || !strings.Contains(s.Outcome, "kernel.page_size") || s.Sentence != s.Outcome {
		t.Errorf("%+v", s)
	}
}

func TestSortedKeys(t *testing.T) {
	got := SortedKeys(map[string]int{"1G": 1, "4K": 1, "2M": 1, "64K+cont": 1, "2M+cont": 1})
	if strings.Join(got, " ") != "4K 64K+cont 2M 2M+cont 1G" {
		t.Errorf("leaf order %v", got)
	}
	got = SortedKeys(map[string]int{"PTE": 1, "PGD": 1, "PMD": 1, "PUD": 1})
	if strings.Join(got, " ") != "PGD PUD PMD PTE" {
		t.Errorf("level order %v", got)
	}
}
