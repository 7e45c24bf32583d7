package kconfig

import "testing"

// FuzzParse: any text parses or fails with an error; a parsed config
// answers every query without panicking.
func FuzzParse(f *testing.F) {
	f.Add(sample)
	f.Add("CONFIG_ARM64_PAGE_SHIFT=0x10\n# CONFIG_X is not set\n")
	f.Add("CONFIG_A=\"unterminated\n")
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse(text)
		if err != nil {
			return
		}
		c.PageSize()
		c.VABits()
		if c.Len() == 0 {
			t.Fatal("parsed a config without options")
		}
	})
}
