// Package logtext turns text as people paste it into the lines a kernel (or
// a debugfs file) printed. A log reaches linmap quoted in a mail ("> ",
// "> > ", quoted-printable soft breaks and "=3D"), hard-wrapped by a mail
// client, prefixed by syslog or journalctl ("Mar  3 18:52:42 host kernel: "),
// by dmesg's timestamp ("[    0.000000] "), a printk caller id ("[    T0]"),
// a log level ("<6>", "kern  :info  : "), "dmesg -T" dates, a serial console
// tag ("TTY> ") or indented as a document's code block. Every parser in
// formats/ reads lines through Lines, so each accepts all of these.
package logtext

import (
	"regexp"
	"strconv"
	"strings"
)

// Line is one line of the input with its prefixes removed.
type Line struct {
	N     int    // line number in the input, from 1 (the first of joined lines)
	Text  string // what was printed, right-trimmed; leading spaces kept
	Timed bool   // a dmesg timestamp was removed: the line came from a kernel log
}

var (
	// A dmesg timestamp, "[    0.000000]", anywhere near the start: what
	// precedes it (syslog, a harness's own stamp, "<6>") goes with it.
	reStamp = regexp.MustCompile(`^.{0,80}?\[\s*\d+\.\d+\]`)
	// printk caller ids after the stamp: "[    T0]", "[  C12]", "[T1]".
	reCaller = regexp.MustCompile(`^\s?\[\s*[TC]\d+\]`)
	// "dmesg -T" and "dmesg -wT": "[Fri Oct 16 12:43:58 2020] ".
	reDate = regexp.MustCompile(`^\[[^\]]{0,40}\d\d:\d\d:\d\d[^\]]{0,20}\]`)
	// syslog and journalctl: "Mar  3 18:52:42 rock64 kernel: ",
	// "2023-03-22T07:00:53+0100 host kernel: " (month names localised).
	reSyslog = regexp.MustCompile(`^.{0,40}?\d\d:\d\d:\d\d\S*\s+\S+\s+kernel:\s?`)
	// "dmesg -x": "kern  :info  : ".
	reFacility = regexp.MustCompile(`^[a-z]{2,8}\s*:[a-z]{3,7}\s*:\s?`)
	reLevel    = regexp.MustCompile(`^<\d>`)
	// Mail quoting: "> ", ">> ", "> > ".
	reQuote = regexp.MustCompile(`^(?:[ \t]*>)+ ?`)
	// m1n1's proxy console.
	reTTY = regexp.MustCompile(`^TTY> `)
	reQP  = regexp.MustCompile(`=[0-9A-F]{2}`)
	// Lines that start a record of their own (never a wrapped tail):
	// /proc/iomem, debugfs memblock, ptdump, .config, System.map.
	reRecord = regexp.MustCompile(`^(?:[0-9a-fA-F]+-[0-9a-fA-F]+ : |\d+: 0x|0x[0-9a-fA-F]+-0x|CONFIG_|[0-9a-fA-F]{8,16} [A-Za-z] )`)
)

// Lines splits text into cleaned lines. Quoted-printable text is decoded
// (soft breaks joined), and a kernel line a mail client wrapped is joined
// with its continuation.
func Lines(text string) []Line {
	raw := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	qp := isQuotedPrintable(raw)
	width := wrapWidth(raw)
	var out []Line
	prevLen := 0 // raw length of the previous kernel line, 0 when it cannot wrap
	for i := 0; i < len(raw); i++ {
		n := i + 1
		s := unquote(raw[i])
		if qp {
			for strings.HasSuffix(s, "=") && i+1 < len(raw) {
				i++
				s = s[:len(s)-1] + unquote(raw[i])
			}
			s = decodeQP(s)
		}
		l := Clean(s)
		l.N = n
		rawLen := len(strings.TrimRight(raw[i], "\r "))
		if !l.Timed && prevLen > 0 && isWrapTail(l.Text, prevLen, width) {
			last := &out[len(out)-1]
			last.Text += " " + strings.TrimSpace(l.Text)
			prevLen = rawLen // a line wrapped twice continues again
			continue
		}
		prevLen = 0
		if l.Timed {
			prevLen = rawLen
		}
		out = append(out, l)
	}
	return out
}

// Clean removes the prefixes of one line.
func Clean(s string) Line {
	s = strings.TrimRight(s, " \t\r")
	s = reTTY.ReplaceAllString(s, "")
	if loc := reStamp.FindStringIndex(s); loc != nil && !strings.Contains(s[:loc[0]], "0x") {
		s = s[loc[1]:]
		if loc := reCaller.FindStringIndex(s); loc != nil {
			s = s[loc[1]:]
		}
		return Line{Text: trimOneSpace(s), Timed: true}
	}
	if loc := reDate.FindStringIndex(s); loc != nil {
		return Line{Text: trimOneSpace(s[loc[1]:]), Timed: true}
	}
	if loc := reSyslog.FindStringIndex(s); loc != nil {
		return Line{Text: s[loc[1]:], Timed: true}
	}
	if loc := reFacility.FindStringIndex(s); loc != nil {
		return Line{Text: s[loc[1]:], Timed: true}
	}
	if loc := reLevel.FindStringIndex(s); loc != nil {
		return Line{Text: s[loc[1]:], Timed: true}
	}
	return Line{Text: s}
}

// trimOneSpace drops the one space printk puts after the stamp; further
// indentation belongs to the message ("  node   0: [mem …]").
func trimOneSpace(s string) string {
	if strings.HasPrefix(s, " ") || strings.HasPrefix(s, "\t") {
		return s[1:]
	}
	return s
}

func unquote(s string) string {
	s = strings.TrimRight(s, "\r")
	if loc := reQuote.FindStringIndex(s); loc != nil {
		return s[loc[1]:]
	}
	return s
}

// isQuotedPrintable: soft line breaks and =XX escapes of '=' or space.
func isQuotedPrintable(lines []string) bool {
	soft, esc := 0, 0
	for _, l := range lines {
		l = strings.TrimRight(l, "\r")
		if strings.HasSuffix(l, "=") && !strings.HasSuffix(l, "==") {
			soft++
		}
		for _, m := range reQP.FindAllString(l, -1) {
			if m == "=3D" || m == "=20" || m == "=09" {
				esc++
			}
		}
	}
	return soft > 0 && esc > 0
}

func decodeQP(s string) string {
	return reQP.ReplaceAllStringFunc(s, func(m string) string {
		b, err := strconv.ParseUint(m[1:], 16, 8)
		if err != nil || b < 0x20 && b != '\t' || b > 0x7e {
			return m
		}
		return string(rune(b))
	})
}

// wrapWidth is the width a mail client wrapped the text at, or 0 when the
// text does not look wrapped (its longest line is longer than a mail's).
func wrapWidth(lines []string) int {
	w := 0
	for _, l := range lines {
		w = max(w, len(strings.TrimRight(l, "\r ")))
	}
	if w == 0 || w > 100 {
		return 0
	}
	return w
}

// isWrapTail reports whether text is the rest of a kernel line that was
// wrapped: the text is wrapped, the previous line reached the wrap width,
// and this one does not start like a line of its own (a prompt, a stamp, a
// record of a debugfs file or /proc/iomem).
func isWrapTail(text string, prevLen, width int) bool {
	t := strings.TrimSpace(text)
	if width == 0 || prevLen < width-15 || t == "" || reRecord.MatchString(t) {
		return false
	}
	switch t[0] {
	case '[', '#', '$', '-', '`', '<', '=', '>':
		return false
	}
	prompt := strings.Contains(t, "@") && strings.ContainsAny(t, "#$")
	return !prompt
}
