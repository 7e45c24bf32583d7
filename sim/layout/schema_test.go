package layout

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

const (
	schemaPath = "../../docs/layout.schema.json"
	docPath    = "../../docs/layout-format.md"
)

type schemaNode = map[string]any

func loadSchema(t *testing.T) schemaNode {
	t.Helper()
	b, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var s schemaNode
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	return s
}

// refName returns the $defs name a node refers to, directly or through one
// branch of an anyOf ("" if none).
func refName(n schemaNode) string {
	if r, ok := n["$ref"].(string); ok {
		return strings.TrimPrefix(r, "#/$defs/")
	}
	if alts, ok := n["anyOf"].([]any); ok {
		for _, a := range alts {
			if m, ok := a.(schemaNode); ok {
				if r := refName(m); r != "" {
					return r
				}
			}
		}
	}
	return ""
}

// types returns the JSON types a node allows, through anyOf branches.
func types(n schemaNode) []string {
	var out []string
	switch v := n["type"].(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, x := range v {
			out = append(out, x.(string))
		}
	}
	if alts, ok := n["anyOf"].([]any); ok {
		for _, a := range alts {
			out = append(out, types(a.(schemaNode))...)
		}
	}
	sort.Strings(out)
	return out
}

var (
	addrType = reflect.TypeOf(Addr(0))
	// defFor names the schema definition of every object of the format.
	defFor = map[reflect.Type]string{
		reflect.TypeOf(Layout{}):   "", // the schema's root
		reflect.TypeOf(Kernel{}):   "kernel",
		reflect.TypeOf(Config{}):   "config",
		reflect.TypeOf(CPU{}):      "cpu",
		reflect.TypeOf(Bank{}):     "bank",
		reflect.TypeOf(Reserved{}): "reserved",
		reflect.TypeOf(Image{}):    "image",
		reflect.TypeOf(Blob{}):     "blob",
	}
)

// TestSchemaMatchesStructs walks the Go structs from Layout down and the
// schema from its root down together: each object's properties must be
// exactly the struct's json names, with a matching JSON type, and unknown
// keys must stay allowed (they are preserved on round trips).
func TestSchemaMatchesStructs(t *testing.T) {
	root := loadSchema(t)
	defs, _ := root["$defs"].(schemaNode)
	if defs == nil {
		t.Fatal("schema has no $defs")
	}
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %v, want draft 2020-12", root["$schema"])
	}
	visited := map[reflect.Type]bool{}
	var walk func(typ reflect.Type, node schemaNode, where string)
	walk = func(typ reflect.Type, node schemaNode, where string) {
		if visited[typ] {
			return
		}
		visited[typ] = true
		if ap, ok := node["additionalProperties"]; ok && ap != true {
			t.Errorf("%s: additionalProperties = %v; unknown keys are preserved, so they must be allowed", where, ap)
		}
		props, _ := node["properties"].(schemaNode)
		var goNames, schemaNames []string
		for i := 0; i < typ.NumField(); i++ {
			if n := jsonName(typ.Field(i)); n != "" {
				goNames = append(goNames, n)
			}
		}
		for k := range props {
			schemaNames = append(schemaNames, k)
		}
		sort.Strings(goNames)
		sort.Strings(schemaNames)
		if !slices.Equal(goNames, schemaNames) {
			t.Errorf("%s (%s): schema properties %v, Go json fields %v", where, typ.Name(), schemaNames, goNames)
		}
		if req, ok := node["required"].([]any); ok {
			for _, r := range req {
				if _, ok := props[r.(string)]; !ok {
					t.Errorf("%s: required %q is not a property", where, r)
				}
			}
		}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name := jsonName(f)
			p, ok := props[name].(schemaNode)
			if name == "" || !ok {
				continue
			}
			path := where + "." + name
			ft := f.Type
			nullable := false
			if ft.Kind() == reflect.Pointer {
				ft, nullable = ft.Elem(), true
			}
			switch {
			case ft == addrType:
				if refName(p) != "addr" {
					t.Errorf("%s: Go type Addr, schema does not refer to #/$defs/addr", path)
				}
			case ft.Kind() == reflect.Struct:
				def, known := defFor[ft]
				if !known {
					t.Errorf("%s: Go struct %s has no schema definition in this test", path, ft)
					continue
				}
				if got := refName(p); got != def {
					t.Errorf("%s: schema refers to %q, want #/$defs/%s", path, got, def)
					continue
				}
				walk(ft, defs[def].(schemaNode), "$defs."+def)
			case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
				if !slices.Contains(types(p), "array") {
					t.Errorf("%s: Go slice, schema types %v", path, types(p))
				}
				items, _ := p["items"].(schemaNode)
				def := defFor[ft.Elem()]
				if items == nil || refName(items) != def {
					t.Errorf("%s: items must refer to #/$defs/%s", path, def)
					continue
				}
				walk(ft.Elem(), defs[def].(schemaNode), "$defs."+def)
			default:
				want := map[reflect.Kind]string{reflect.String: "string", reflect.Bool: "boolean", reflect.Int: "integer"}[ft.Kind()]
				if want == "" {
					t.Errorf("%s: Go kind %s not handled by this test", path, ft.Kind())
					continue
				}
				got := types(p)
				if !slices.Contains(got, want) {
					t.Errorf("%s: schema types %v, want %s", path, got, want)
				}
				if nullable && !slices.Contains(got, "null") {
					t.Errorf("%s: Go pointer (null = era default), schema types %v lack null", path, got)
				}
			}
		}
	}
	walk(reflect.TypeOf(Layout{}), root, "(root)")
	for typ, def := range defFor {
		if !visited[typ] {
			t.Errorf("%s (#/$defs/%s) not reached from the root", typ.Name(), def)
		}
	}
	// Every definition must be used: a stale one means drift too.
	used := map[string]bool{"addr": true}
	for _, d := range defFor {
		used[d] = true
	}
	for name := range defs {
		if !used[name] {
			t.Errorf("$defs.%s is not the schema of any Go type", name)
		}
	}
}

// TestSchemaEnums keeps the enums in step with the parsers.
func TestSchemaEnums(t *testing.T) {
	root := loadSchema(t)
	kernel := root["$defs"].(schemaNode)["kernel"].(schemaNode)["properties"].(schemaNode)
	for _, v := range kernel["page_size"].(schemaNode)["enum"].([]any) {
		if s := v.(string); s != "" {
			if _, err := ParsePageSize(s); err != nil {
				t.Errorf("page_size enum %q: %v", s, err)
			}
		}
	}
	for _, s := range []string{"4K", "16K", "64K"} {
		if !slices.Contains(kernel["page_size"].(schemaNode)["enum"].([]any), any(s)) {
			t.Errorf("page_size enum lacks %q", s)
		}
	}
	// The addr pattern accepts exactly what ParseAddr accepts on these.
	pat := regexp.MustCompile(root["$defs"].(schemaNode)["addr"].(schemaNode)["anyOf"].([]any)[0].(schemaNode)["pattern"].(string))
	for _, s := range []string{"0x40000000", "0X1E", "1073741824", "512M", "0x10M", "2g", "0x8_8000_0000", " 0x10 ",
		"0x", "", "K", "-1", "1.5G", "1e9", "0x4000_0000x", "0xg"} {
		_, err := ParseAddr(s)
		if got, want := pat.MatchString(s), err == nil; got != want {
			t.Errorf("addr pattern matches %q = %v, ParseAddr ok = %v", s, got, want)
		}
	}
}

// docExample is the first ```json block of docs/layout-format.md.
func docExample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```json\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no ```json block", docPath)
	}
	return m[1]
}

func TestDocExample(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	example := docExample(t)
	tests := []struct {
		name  string
		input func() []byte
		err   string // "" or the error that must be quoted in the doc
		check func(t *testing.T, l *Layout)
	}{
		{"example parses", func() []byte { return example }, "", func(t *testing.T, l *Layout) {
			if l.Kernel.Era != "v6.1" || len(l.Memory) != 2 || len(l.Reserved) != 4 || l.DTB == nil || l.Initrd == nil {
				t.Errorf("unexpected example content: era %q, %d banks, %d reserved", l.Kernel.Era, len(l.Memory), len(l.Reserved))
			}
			if l.Memory[0].Size != 2<<30 || l.Memory[1].Size != 4<<30 || l.Initrd.Size != 16<<20 {
				t.Errorf("sizes: %s %s %s", l.Memory[0].Size, l.Memory[1].Size, l.Initrd.Size)
			}
			if l.Image.TextOffset == nil || *l.Image.TextOffset != 0 {
				t.Errorf("text_offset \"0x0\" must be an explicit 0, got %v", l.Image.TextOffset)
			}
			if l.Kernel.Config.KFENCESampleInterval == nil || *l.Kernel.Config.KFENCESampleInterval != 100 {
				t.Errorf("kfence_sample_interval not read")
			}
			// Every known field is set in the example, so it documents them all.
			for _, v := range []any{*l, l.Kernel, l.Kernel.Config, l.CPU, l.Image} {
				rv := reflect.ValueOf(v)
				for i := 0; i < rv.NumField(); i++ {
					f := rv.Type().Field(i)
					if jsonName(f) == "" {
						continue
					}
					switch rv.Field(i).Kind() {
					case reflect.Pointer, reflect.Slice, reflect.Map:
						if rv.Field(i).IsNil() {
							t.Errorf("example lacks %s.%s", rv.Type().Name(), jsonName(f))
						}
					}
				}
			}
		}},
		{"example round-trips with its unknown key", func() []byte { return example }, "", func(t *testing.T, l *Layout) {
			if string(l.Extra["x-board-revision"]) != `"B2"` {
				t.Fatalf("unknown key lost on parse: %v", l.Extra)
			}
			out, err := l.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			l2, err := Parse(out)
			if err != nil {
				t.Fatalf("re-parse: %v\n%s", err, out)
			}
			out2, _ := l2.Marshal()
			if !bytes.Equal(out, out2) || !bytes.Contains(out, []byte(`"x-board-revision": "B2"`)) {
				t.Errorf("round trip differs or lost the unknown key:\n%s\n%s", out, out2)
			}
		}},
		{"documented error line", func() []byte {
			return bytes.Replace(example, []byte(`"size": "2G"`), []byte(`"size": "0x4000_0000x"`), 1)
		}, `memory[0].size = "0x4000_0000x": "0x4000_0000x" is not a hex (0x…) or decimal address`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse(tt.input())
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("Parse error = %v, want %s", err, tt.err)
				}
				if !strings.Contains(string(doc), "linmap: standard input: "+tt.err+"\n") {
					t.Errorf("the doc does not quote the error line %q", tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tt.check(t, l)
		})
	}
}
