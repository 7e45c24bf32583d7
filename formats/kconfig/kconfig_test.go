package kconfig

import (
	"strings"
	"testing"
)

const sample = `#
# Automatically generated file; DO NOT EDIT.
# Linux/arm64 6.1.0 Kernel Configuration
#
CONFIG_ARM64=y
# CONFIG_ARM64_4K_PAGES is not set
CONFIG_ARM64_16K_PAGES=y
CONFIG_ARM64_VA_BITS_47=y
CONFIG_ARM64_VA_BITS=47
CONFIG_KFENCE_SAMPLE_INTERVAL=0
CONFIG_CMDLINE="console=ttyAMA0 rodata=full"
CONFIG_ARM64_PA_BITS=48
`

func TestParse(t *testing.T) {
	c, err := Parse(sample)
	if err != nil {
		t.Fatal(err)
	}
	if c.Release != "6.1.0" || c.Arch != "arm64" || c.ReleaseLine != 3 {
		t.Errorf("header: %q %q line %d", c.Release, c.Arch, c.ReleaseLine)
	}
	if ps, o, ok := c.PageSize(); !ok || ps != "16K" || o.Line != 7 {
		t.Errorf("PageSize = %q %+v %v", ps, o, ok)
	}
	if va, _, ok := c.VABits(); !ok || va != 47 {
		t.Errorf("VABits = %d %v", va, ok)
	}
	if on, _, ok := c.Bool("CONFIG_ARM64_4K_PAGES"); !ok || on {
		t.Errorf("4K pages: %v %v", on, ok)
	}
	if n, _, ok := c.Int("CONFIG_KFENCE_SAMPLE_INTERVAL"); !ok || n != 0 {
		t.Errorf("KFENCE_SAMPLE_INTERVAL = %d %v", n, ok)
	}
	if v, _, _ := c.Value("CONFIG_CMDLINE"); v != "console=ttyAMA0 rodata=full" {
		t.Errorf("CMDLINE = %q", v)
	}
	if _, _, ok := c.Bool("CONFIG_KFENCE"); ok {
		t.Error("an option the file does not mention is reported")
	}
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		"CONFIG_A=y\nCONFIG_B=y y\n": "line 2: CONFIG_B=y y",
		"hello\n":                    "no CONFIG_ lines",
	} {
		if _, err := Parse(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestPageShift(t *testing.T) {
	c, err := Parse("CONFIG_ARM64_PAGE_SHIFT=16\n")
	if err != nil {
		t.Fatal(err)
	}
	if ps, _, _ := c.PageSize(); ps != "64K" {
		t.Errorf("PageSize = %q", ps)
	}
}
