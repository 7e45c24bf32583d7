// Package kconfig reads a kernel .config (or /proc/config.gz, unpacked):
// "CONFIG_X=y", "CONFIG_X=\"text\"", "# CONFIG_X is not set", and the
// header "# Linux/arm64 6.1.0 Kernel Configuration" that names the version.
// Options gives the ones that shape the arm64 linear map.
package kconfig

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"linmap/formats/logtext"
	"linmap/sim/layout"
)

// Config is a parsed .config.
type Config struct {
	// Release is the version in the header ("6.1.0"), "" if absent.
	Release     string
	ReleaseLine int
	Arch        string // "arm64" from the header
	values      map[string]string
	lines       map[string]int
}

var (
	reSet    = regexp.MustCompile(`^(CONFIG_[A-Za-z0-9_]+)=(.*)$`)
	reNotSet = regexp.MustCompile(`^# (CONFIG_[A-Za-z0-9_]+) is not set$`)
	reHeader = regexp.MustCompile(`^# Linux/(\S+) (\S+) Kernel Configuration$`)
	reValue  = regexp.MustCompile(`^(?:[ymn]|-?\d+|0x[0-9a-fA-F]+|"(?:[^"\\]|\\.)*")$`)
)

// Detect reports whether text holds .config lines.
func Detect(text string) bool {
	n := 0
	for _, l := range logtext.Lines(text) {
		s := strings.TrimSpace(l.Text)
		if reSet.MatchString(s) || reNotSet.MatchString(s) {
			if n++; n >= 2 {
				return true
			}
		}
	}
	return false
}

// Parse reads the options. A line that starts like an assignment but has
// a malformed value is an error naming the line.
func Parse(text string) (*Config, error) {
	c := &Config{values: map[string]string{}, lines: map[string]int{}}
	for _, l := range logtext.Lines(text) {
		s := strings.TrimSpace(l.Text)
		if m := reHeader.FindStringSubmatch(s); m != nil {
			c.Arch, c.Release, c.ReleaseLine = m[1], m[2], l.N
			continue
		}
		if m := reNotSet.FindStringSubmatch(s); m != nil {
			c.values[m[1]], c.lines[m[1]] = "n", l.N
			continue
		}
		m := reSet.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		if !reValue.MatchString(m[2]) {
			return nil, fmt.Errorf("line %d: %s=%s: not a kconfig value (y, m, a number or a quoted string)", l.N, m[1], m[2])
		}
		v := m[2]
		if strings.HasPrefix(v, `"`) {
			v, _ = strconv.Unquote(v)
		}
		c.values[m[1]], c.lines[m[1]] = v, l.N
	}
	if len(c.values) == 0 {
		return nil, fmt.Errorf("no CONFIG_ lines: not a kernel .config")
	}
	return c, nil
}

// Value returns an option's value ("y", "m", "n" for "is not set", a number
// or a string) and the line it is on; ok is false when the file does not
// mention it.
func (c *Config) Value(name string) (v string, line int, ok bool) {
	v, ok = c.values[name]
	return v, c.lines[name], ok
}

// Bool returns whether a bool option is set; ok is false when the file
// does not mention it.
func (c *Config) Bool(name string) (on bool, line int, ok bool) {
	v, line, ok := c.Value(name)
	return v == "y" || v == "m", line, ok
}

// Int returns a numeric option.
func (c *Config) Int(name string) (n int64, line int, ok bool) {
	v, line, ok := c.Value(name)
	if !ok {
		return 0, 0, false
	}
	n, err := strconv.ParseInt(v, 0, 64)
	return n, line, err == nil
}

// FromValues makes a Config of option values as a harness records them
// ("y", "n", a number; "(absent)" for an option the .config lacks).
func FromValues(values map[string]string) *Config {
	c := &Config{values: map[string]string{}, lines: map[string]int{}}
	for k, v := range values {
		if strings.HasPrefix(k, "CONFIG_") && v != "(absent)" {
			c.values[k] = v
		}
	}
	return c
}

// Apply sets the options that shape the linear map in dst, where the
// .config mentions them; the others are left as they are.
func (c *Config) Apply(dst *layout.Config) {
	boolOpt := func(p **bool, name string) {
		if on, _, ok := c.Bool(name); ok {
			*p = &on
		}
	}
	intOpt := func(p **int, name string) {
		if n, _, ok := c.Int(name); ok {
			v := int(n)
			*p = &v
		}
	}
	boolOpt(&dst.KFENCE, "CONFIG_KFENCE")
	intOpt(&dst.KFENCESampleInterval, "CONFIG_KFENCE_SAMPLE_INTERVAL")
	intOpt(&dst.KFENCENumObjects, "CONFIG_KFENCE_NUM_OBJECTS")
	boolOpt(&dst.ZoneDMA, "CONFIG_ZONE_DMA")
	boolOpt(&dst.ZoneDMA32, "CONFIG_ZONE_DMA32")
	boolOpt(&dst.RandomizeBase, "CONFIG_RANDOMIZE_BASE")
	boolOpt(&dst.RodataFullDefault, "CONFIG_RODATA_FULL_DEFAULT_ENABLED")
	boolOpt(&dst.DebugPagealloc, "CONFIG_DEBUG_PAGEALLOC")
}

// Len is the number of options read.
func (c *Config) Len() int { return len(c.values) }

// Option is one Kconfig fact that shapes the linear map, read from a
// .config: which CONFIG_ line says it.
type Option struct {
	Name  string // CONFIG_ARM64_64K_PAGES
	Value string // as written
	Line  int
}

// PageSize returns "4K", "16K" or "64K" from CONFIG_ARM64_{4K,16K,64K}_PAGES
// (or CONFIG_ARM64_PAGE_SHIFT).
func (c *Config) PageSize() (string, Option, bool) {
	for _, ps := range []string{"4K", "16K", "64K"} {
		name := "CONFIG_ARM64_" + ps + "_PAGES"
		if on, line, ok := c.Bool(name); ok && on {
			return ps, Option{name, "y", line}, true
		}
	}
	if n, line, ok := c.Int("CONFIG_ARM64_PAGE_SHIFT"); ok {
		switch n {
		case 12:
			return "4K", Option{"CONFIG_ARM64_PAGE_SHIFT", "12", line}, true
		case 14:
			return "16K", Option{"CONFIG_ARM64_PAGE_SHIFT", "14", line}, true
		case 16:
			return "64K", Option{"CONFIG_ARM64_PAGE_SHIFT", "16", line}, true
		}
	}
	return "", Option{}, false
}

// VABits returns CONFIG_ARM64_VA_BITS.
func (c *Config) VABits() (int, Option, bool) {
	n, line, ok := c.Int("CONFIG_ARM64_VA_BITS")
	if !ok || n < 36 || n > 52 {
		return 0, Option{}, false
	}
	return int(n), Option{"CONFIG_ARM64_VA_BITS", strconv.FormatInt(n, 10), line}, true
}

// Lines are the numbers of the lines options were read from.
func (c *Config) Lines() []int {
	out := make([]int, 0, len(c.lines)+1)
	for _, n := range c.lines {
		out = append(out, n)
	}
	if c.ReleaseLine > 0 {
		out = append(out, c.ReleaseLine)
	}
	return out
}
