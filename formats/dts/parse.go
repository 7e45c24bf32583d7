// Package dts imports and exports device-tree source: memory nodes,
// /memreserve/, /reserved-memory and /chosen, as the kernel reads them from
// the compiled blob. It parses the dtc source language itself (no dtc, no
// C preprocessor): #include and /include/ are skipped with a note, simple
// #define constants are expanded, labels and &label references work within
// the file.
package dts

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"linmap/formats/internal/dt"
	"linmap/sim/layout"
)

// Read parses DTS text into what the kernel takes from it (see
// dt.Tree.Layout): memory (possibly none: the boot loader may fill it in),
// reserved memory and /chosen, with notes on what was skipped or assumed.
func Read(data []byte) (*layout.Layout, []string, error) {
	t, err := Parse(data)
	if err != nil {
		return nil, nil, err
	}
	assumeSoCCells(t)
	return t.Layout()
}

// assumeSoCCells: a board file usually inherits #address-cells and
// #size-cells from its SoC .dtsi. When that include was skipped, 2 and 2
// (what every arm64 SoC file sets) is a far better guess than the kernel's
// default of 1 and 1.
func assumeSoCCells(t *dt.Tree) {
	if t.Root.Prop("#address-cells") != nil || t.Root.Prop("#size-cells") != nil {
		return
	}
	for _, n := range t.Notes {
		if strings.Contains(n, "include") {
			t.Root.SetProp(&dt.Prop{Name: "#address-cells", Value: dt.Cells(2)})
			t.Root.SetProp(&dt.Prop{Name: "#size-cells", Value: dt.Cells(2)})
			t.Notes = append(t.Notes, "the root sets no #address-cells/#size-cells (they come from a skipped include): 2 and 2 assumed, as arm64 SoC files set them")
			return
		}
	}
}

// maxDepth bounds node and expression nesting so hostile input cannot
// exhaust the stack.
const maxDepth = 200

// SyntaxError is a DTS error at a line.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

type parser struct {
	src     string
	pos     int
	line    int
	bol     bool // at the beginning of a line (for preprocessor directives)
	labels  map[string]*dt.Node
	defines map[string]string
	tree    dt.Tree
	noted   map[string]bool
	expands *int // #define expansions so far, shared with sub-parsers
}

// maxExpansions bounds #define expansion so "#define A (B+B)" chains
// cannot grow exponentially.
const maxExpansions = 10000

// Parse reads DTS text into a device tree.
func Parse(data []byte) (t *dt.Tree, err error) {
	p := &parser{src: string(data), line: 1, bol: true, labels: map[string]*dt.Node{}, defines: map[string]string{}, noted: map[string]bool{}, expands: new(int)}
	p.tree.Root = &dt.Node{Line: 1}
	defer func() {
		if r := recover(); r != nil {
			se, ok := r.(*SyntaxError)
			if !ok {
				panic(r)
			}
			t, err = nil, se
		}
	}()
	p.file()
	return &p.tree, nil
}

func (p *parser) fail(format string, args ...any) {
	panic(&SyntaxError{Line: p.line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) note(s string) {
	if !p.noted[s] {
		p.noted[s] = true
		p.tree.Notes = append(p.tree.Notes, s)
	}
}

// skip passes whitespace, comments and preprocessor lines.
func (p *parser) skip() {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\n':
			p.line++
			p.pos++
			p.bol = true
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			p.pos++
		case strings.HasPrefix(p.src[p.pos:], "//"):
			for p.pos < len(p.src) && p.src[p.pos] != '\n' {
				p.pos++
			}
		case strings.HasPrefix(p.src[p.pos:], "/*"):
			start := p.line
			end := strings.Index(p.src[p.pos+2:], "*/")
			if end < 0 {
				p.line = start
				p.fail("comment opened here is never closed")
			}
			p.line += strings.Count(p.src[p.pos:p.pos+2+end], "\n")
			p.pos += end + 4
		case c == '#' && p.bol && p.preprocessorLine():
		default:
			return
		}
	}
}

// preprocessorLine consumes a cpp directive at the start of a line. A line
// starting with "#address-cells" is a property, not a directive.
func (p *parser) preprocessorLine() bool {
	rest := p.src[p.pos+1:]
	word := strings.TrimLeft(rest, " \t")
	i := 0
	for i < len(word) && (isAlpha(word[i]) || isDigit(word[i])) {
		i++
	}
	kw := word[:i]
	switch kw {
	case "include", "define", "undef", "if", "ifdef", "ifndef", "elif", "else", "endif", "line", "error", "warning", "pragma":
	default:
		if i == 0 || !isDigit(word[0]) { // "# 1 \"file\"" line markers
			return false
		}
	}
	end := p.pos
	for end < len(p.src) {
		if p.src[end] == '\n' {
			if end > 0 && p.src[end-1] == '\\' { // continued line
				p.line++
				end++
				continue
			}
			break
		}
		end++
	}
	text := strings.TrimSpace(p.src[p.pos+1 : end])
	p.pos = end
	switch kw {
	case "include":
		p.note("#include " + strings.TrimSpace(strings.TrimPrefix(text, "include")) + " was not read (includes are ignored; paste the included nodes if they hold memory)")
	case "define":
		f := strings.Fields(strings.ReplaceAll(strings.TrimPrefix(text, "define"), "\\\n", " "))
		if len(f) >= 2 && !strings.Contains(f[0], "(") {
			p.defines[f[0]] = strings.Join(f[1:], " ")
		}
	case "if", "ifdef", "ifndef", "elif", "else", "endif":
		p.note("preprocessor conditionals are ignored: every branch is read")
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isNameChar: the characters dtc allows in node and property names.
func isNameChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || strings.IndexByte(",._+*#?@-", c) >= 0
}

func (p *parser) peek() byte {
	p.skip()
	if p.pos >= len(p.src) {
		return 0
	}
	p.bol = false
	return p.src[p.pos]
}

func (p *parser) accept(s string) bool {
	p.skip()
	if strings.HasPrefix(p.src[p.pos:], s) {
		p.pos += len(s)
		p.bol = false
		return true
	}
	return false
}

func (p *parser) expect(s, after string) {
	if !p.accept(s) {
		p.fail("expected %q %s, found %s", s, after, p.found())
	}
}

// found describes the text at the cursor for an error message.
func (p *parser) found() string {
	p.skip()
	if p.pos >= len(p.src) {
		return "the end of the file"
	}
	end := p.pos
	for end < len(p.src) && end-p.pos < 20 && p.src[end] != '\n' {
		end++
	}
	return strconv.Quote(p.src[p.pos:end])
}

func (p *parser) name() string {
	p.skip()
	start := p.pos
	for p.pos < len(p.src) && isNameChar(p.src[p.pos]) {
		p.pos++
	}
	p.bol = false
	return p.src[start:p.pos]
}

// label reads "name:" if present.
func (p *parser) label() string {
	p.skip()
	start := p.pos
	for p.pos < len(p.src) && (isAlpha(p.src[p.pos]) || isDigit(p.src[p.pos])) {
		p.pos++
	}
	if p.pos > start && p.pos < len(p.src) && p.src[p.pos] == ':' {
		p.pos++
		return p.src[start : p.pos-1]
	}
	p.pos = start
	return ""
}

func (p *parser) file() {
	for {
		c := p.peek()
		if c == 0 {
			return
		}
		switch {
		case p.accept("/dts-v1/"), p.accept("/plugin/"):
			p.expect(";", "after the version tag")
		case p.accept("/memreserve/"):
			line := p.line
			a := p.number()
			s := p.number()
			p.expect(";", "after /memreserve/")
			p.tree.MemReserve = append(p.tree.MemReserve, dt.Reserve{Address: a, Size: s, Line: line})
		case p.accept("/include/"):
			p.str()
			p.note("/include/ files were not read (includes are ignored; paste the included nodes if they hold memory)")
		case p.accept("/delete-node/"):
			p.expect("&", "after /delete-node/ at top level")
			lbl := p.name()
			p.expect(";", "after /delete-node/")
			p.deleteLabelled(lbl)
		case p.accept("/omit-if-no-ref/"):
		case c == '/':
			p.pos++
			p.body(p.tree.Root, 0)
			p.expect(";", "after the root node's closing brace")
		case c == '&':
			p.pos++
			n := p.reference()
			p.body(n, 0)
			p.expect(";", "after the closing brace of a &reference node")
		default:
			if l := p.label(); l != "" {
				continue // a label before "/ {" or /memreserve/
			}
			p.fail("expected /dts-v1/, /memreserve/, a root node \"/ {\" or a \"&label {\" node, found %s", p.found())
		}
	}
}

// reference resolves &label or &{/path} to a node; an unknown one (defined
// in an ignored include) yields a detached node so its body is still parsed.
func (p *parser) reference() *dt.Node {
	if p.accept("{") {
		start := p.pos
		end := strings.IndexByte(p.src[p.pos:], '}')
		if end < 0 {
			p.fail("&{ path is never closed")
		}
		path := p.src[start : start+end]
		p.pos += end + 1
		n := p.tree.Root
		for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
			if part == "" {
				continue
			}
			c := n.Child(part)
			if c == nil {
				c = &dt.Node{Name: part, Line: p.line}
				n.Children = append(n.Children, c)
			}
			n = c
		}
		return n
	}
	lbl := p.name()
	if lbl == "" {
		p.fail("expected a label after &, found %s", p.found())
	}
	if n, ok := p.labels[lbl]; ok {
		return n
	}
	p.note(fmt.Sprintf("&%s is defined outside this file; what it adds was skipped", lbl))
	return &dt.Node{Name: "&" + lbl, Line: p.line}
}

func (p *parser) deleteLabelled(lbl string) {
	n, ok := p.labels[lbl]
	if !ok {
		return
	}
	var walk func(parent *dt.Node) bool
	walk = func(parent *dt.Node) bool {
		for i, c := range parent.Children {
			if c == n {
				parent.Children = append(parent.Children[:i], parent.Children[i+1:]...)
				return true
			}
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(p.tree.Root)
}

// body parses "{ … }" into n, merging with what n already holds.
func (p *parser) body(n *dt.Node, depth int) {
	if depth > maxDepth {
		p.fail("nodes nested deeper than %d levels", maxDepth)
	}
	p.expect("{", "to open the node")
	for {
		if p.accept("}") {
			return
		}
		if p.peek() == 0 {
			p.fail("node %q opened at line %d is never closed", n.Name, n.Line)
		}
		switch {
		case p.accept("/delete-property/"):
			name := p.name()
			p.expect(";", "after /delete-property/")
			n.DeleteProp(name)
			continue
		case p.accept("/delete-node/"):
			name := p.name()
			p.expect(";", "after /delete-node/")
			n.DeleteChild(name)
			continue
		case p.accept("/omit-if-no-ref/"):
		}
		var labels []string
		for {
			l := p.label()
			if l == "" {
				break
			}
			labels = append(labels, l)
		}
		line := p.line
		name := p.name()
		if name == "" {
			p.fail("expected a property or node name, found %s", p.found())
		}
		switch p.peek() {
		case '{':
			c := n.Child(name)
			if c == nil {
				c = &dt.Node{Name: name, Line: line}
				n.Children = append(n.Children, c)
			}
			for _, l := range labels {
				p.labels[l] = c
			}
			p.body(c, depth+1)
			p.expect(";", fmt.Sprintf("after the closing brace of node %q", name))
		case '=':
			p.pos++
			prop := &dt.Prop{Name: name, Line: line}
			p.value(prop)
			p.expect(";", fmt.Sprintf("after property %q", name))
			n.SetProp(prop)
		case ';':
			p.pos++
			n.SetProp(&dt.Prop{Name: name, Line: line})
		default:
			p.fail("expected '=', ';' or '{' after %q, found %s", name, p.found())
		}
	}
}

// value parses a comma-separated property value into its FDT bytes.
func (p *parser) value(prop *dt.Prop) {
	for {
		p.label() // labels inside values are allowed and mean nothing here
		switch c := p.peek(); {
		case c == '"':
			prop.Value = append(append(prop.Value, p.str()...), 0)
		case c == '<':
			p.cells(prop, 32)
		case p.accept("/bits/"):
			bits := p.number()
			if bits != 8 && bits != 16 && bits != 32 && bits != 64 {
				p.fail("/bits/ %d: only 8, 16, 32 and 64 are valid", bits)
			}
			p.cells(prop, int(bits))
		case c == '[':
			p.pos++
			p.bytes(prop)
		case c == '&':
			p.pos++
			ref := ""
			if p.accept("{") {
				end := strings.IndexByte(p.src[p.pos:], '}')
				if end < 0 {
					p.fail("&{ path is never closed")
				}
				ref, p.pos = p.src[p.pos:p.pos+end], p.pos+end+1
			} else {
				ref = p.name()
			}
			prop.Value = append(append(prop.Value, ref...), 0) // path reference
		default:
			p.fail("expected a value (\"string\", <cells> or [bytes]) for property %q, found %s", prop.Name, p.found())
		}
		p.label()
		if !p.accept(",") {
			return
		}
	}
}

func (p *parser) str() string {
	if p.peek() != '"' {
		p.fail("expected a \"string\", found %s", p.found())
	}
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.src) || p.src[p.pos] == '\n' {
			p.fail("string is not closed on its line")
		}
		c := p.src[p.pos]
		p.pos++
		switch c {
		case '"':
			return b.String()
		case '\\':
			b.WriteByte(p.escape())
		default:
			b.WriteByte(c)
		}
	}
}

// escape decodes the character after a backslash (dtc's get_escape_char).
func (p *parser) escape() byte {
	if p.pos >= len(p.src) {
		p.fail("backslash at the end of the file")
	}
	c := p.src[p.pos]
	p.pos++
	switch c {
	case 'n':
		return '\n'
	case 't':
		return '\t'
	case 'r':
		return '\r'
	case 'a':
		return 7
	case 'b':
		return 8
	case 'f':
		return 12
	case 'v':
		return 11
	case 'x':
		start := p.pos
		for p.pos < len(p.src) && p.pos-start < 2 && strings.IndexByte("0123456789abcdefABCDEF", p.src[p.pos]) >= 0 {
			p.pos++
		}
		v, err := strconv.ParseUint(p.src[start:p.pos], 16, 8)
		if err != nil {
			p.fail("\\x needs hex digits")
		}
		return byte(v)
	}
	if c >= '0' && c <= '7' {
		start := p.pos - 1
		for p.pos < len(p.src) && p.pos-start < 3 && p.src[p.pos] >= '0' && p.src[p.pos] <= '7' {
			p.pos++
		}
		v, _ := strconv.ParseUint(p.src[start:p.pos], 8, 16)
		return byte(v)
	}
	return c
}

func (p *parser) bytes(prop *dt.Prop) {
	var hex strings.Builder
	for {
		c := p.peek()
		if c == ']' {
			p.pos++
			break
		}
		if c == 0 {
			p.fail("[bytes] is never closed")
		}
		if strings.IndexByte("0123456789abcdefABCDEF", c) < 0 {
			p.fail("%s is not a hex byte in [bytes]", p.found())
		}
		hex.WriteByte(c)
		p.pos++
	}
	h := hex.String()
	if len(h)%2 != 0 {
		p.fail("[bytes] holds an odd number of hex digits")
	}
	for i := 0; i < len(h); i += 2 {
		v, _ := strconv.ParseUint(h[i:i+2], 16, 8)
		prop.Value = append(prop.Value, byte(v))
	}
}

// cells parses "<…>" with elements of the given width. An element that
// cannot be evaluated (a macro from an ignored include) marks the property
// with an error instead of failing: most properties are never read.
func (p *parser) cells(prop *dt.Prop, bits int) {
	p.expect("<", "to open the cell list")
	for {
		c := p.peek()
		if c == '>' {
			p.pos++
			return
		}
		if c == 0 {
			p.fail("<cells> of property %q is never closed", prop.Name)
		}
		var v uint64
		switch {
		case c == '&':
			p.pos++
			if p.peek() == '{' {
				for p.pos < len(p.src) && p.src[p.pos] != '}' {
					p.pos++
				}
				p.pos++
			} else {
				p.name()
			}
			// phandles are not resolved: nothing linmap reads holds one.
		default:
			var err error
			v, err = p.unary(0)
			if err != nil && prop.Err == nil {
				prop.Err = err
			}
		}
		switch bits {
		case 8:
			prop.Value = append(prop.Value, byte(v))
		case 16:
			prop.Value = binary.BigEndian.AppendUint16(prop.Value, uint16(v))
		case 32:
			prop.Value = binary.BigEndian.AppendUint32(prop.Value, uint32(v))
		case 64:
			prop.Value = binary.BigEndian.AppendUint64(prop.Value, v)
		}
	}
}

// number reads one integer that must evaluate (a /memreserve/ operand).
func (p *parser) number() uint64 {
	v, err := p.element(0)
	if err != nil {
		p.fail("%v", err)
	}
	return v
}

// element is a literal, a character, a #define name or a parenthesised
// expression.
func (p *parser) element(depth int) (uint64, error) {
	if depth > maxDepth {
		p.fail("expression nested deeper than %d levels", maxDepth)
	}
	c := p.peek()
	switch {
	case c == '(':
		p.pos++
		v, err := p.expr(0, depth+1)
		p.expect(")", "to close the expression")
		return v, err
	case c == '\'':
		p.pos++
		var ch byte
		if p.pos < len(p.src) && p.src[p.pos] == '\\' {
			p.pos++
			ch = p.escape()
		} else if p.pos < len(p.src) {
			ch = p.src[p.pos]
			p.pos++
		}
		p.expect("'", "to close the character literal")
		return uint64(ch), nil
	case isDigit(c):
		start := p.pos
		for p.pos < len(p.src) && (isDigit(p.src[p.pos]) || isAlpha(p.src[p.pos])) {
			p.pos++
		}
		lit := strings.TrimRight(p.src[start:p.pos], "uUlL")
		v, err := strconv.ParseUint(lit, 0, 64)
		if err != nil {
			p.fail("%q is not a number", p.src[start:p.pos])
		}
		return v, nil
	case isAlpha(c):
		start := p.pos
		for p.pos < len(p.src) && (isDigit(p.src[p.pos]) || isAlpha(p.src[p.pos])) {
			p.pos++
		}
		id := p.src[start:p.pos]
		if def, ok := p.defines[id]; ok {
			if *p.expands++; *p.expands > maxExpansions {
				p.fail("more than %d #define expansions", maxExpansions)
			}
			sub := &parser{src: def, line: p.line, defines: p.defines, labels: p.labels, noted: p.noted, expands: p.expands}
			v, err := sub.element(depth + 1)
			if err == nil && sub.peek() != 0 {
				err = fmt.Errorf("#define %s = %q is not a single value", id, def)
			}
			return v, err
		}
		return 0, fmt.Errorf("%s is a macro from an ignored #include; replace it with its value", id)
	}
	p.fail("expected a number, found %s", p.found())
	return 0, nil
}

// Binary operators by precedence (C's, as dtc uses them).
var binops = [][]string{
	{"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<=", ">=", "<", ">"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
}

func (p *parser) expr(level, depth int) (uint64, error) {
	if level == len(binops) {
		return p.unary(depth)
	}
	v, err := p.expr(level+1, depth)
	for {
		op := ""
		p.skip()
		for _, o := range binops[level] {
			if strings.HasPrefix(p.src[p.pos:], o) && !(o == "|" && strings.HasPrefix(p.src[p.pos:], "||")) &&
				!(o == "&" && strings.HasPrefix(p.src[p.pos:], "&&")) && !(o == "<" && strings.HasPrefix(p.src[p.pos:], "<<")) &&
				!(o == ">" && strings.HasPrefix(p.src[p.pos:], ">>")) {
				op = o
				break
			}
		}
		if op == "" {
			return v, err
		}
		p.pos += len(op)
		w, err2 := p.expr(level+1, depth)
		if err == nil {
			err = err2
		}
		v = apply(p, op, v, w)
	}
}

func apply(p *parser, op string, a, b uint64) uint64 {
	bool2 := func(c bool) uint64 {
		if c {
			return 1
		}
		return 0
	}
	switch op {
	case "||":
		return bool2(a != 0 || b != 0)
	case "&&":
		return bool2(a != 0 && b != 0)
	case "|":
		return a | b
	case "^":
		return a ^ b
	case "&":
		return a & b
	case "==":
		return bool2(a == b)
	case "!=":
		return bool2(a != b)
	case "<=":
		return bool2(a <= b)
	case ">=":
		return bool2(a >= b)
	case "<":
		return bool2(a < b)
	case ">":
		return bool2(a > b)
	case "<<":
		return a << (b & 63)
	case ">>":
		return a >> (b & 63)
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "/", "%":
		if b == 0 {
			p.fail("division by zero in an expression")
		}
		if op == "/" {
			return a / b
		}
		return a % b
	}
	return 0
}

func (p *parser) unary(depth int) (uint64, error) {
	if depth > maxDepth {
		p.fail("expression nested deeper than %d levels", maxDepth)
	}
	switch {
	case p.accept("-"):
		v, err := p.unary(depth + 1)
		return -v, err
	case p.accept("~"):
		v, err := p.unary(depth + 1)
		return ^v, err
	case p.accept("!"):
		v, err := p.unary(depth + 1)
		if v == 0 {
			return 1, err
		}
		return 0, err
	}
	return p.element(depth + 1)
}
