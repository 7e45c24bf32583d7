package layout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// FieldError reports a bad input value together with the JSON path of the
// field that held it, so users can find it in their file.
type FieldError struct {
	Field string // JSON path, e.g. "memory[2].size"
	Value string // the offending value as written (may be empty)
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Value != "" {
		return fmt.Sprintf("%s = %s: %s", e.Field, e.Value, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Msg)
}

func fieldErr(field, value, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Value: value, Msg: fmt.Sprintf(format, args...)}
}

// joinPath prefixes an inner path with a parent key or index.
func joinPath(parent, inner string) string {
	switch {
	case inner == "":
		return parent
	case parent == "":
		return inner
	case strings.HasPrefix(inner, "["):
		return parent + inner
	}
	return parent + "." + inner
}

// wrap turns any decode error into a FieldError located at path.
func wrap(path string, raw json.RawMessage, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return &FieldError{Field: joinPath(path, fe.Field), Value: fe.Value, Msg: fe.Msg}
	}
	msg := err.Error()
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		msg = "expected " + describeKind(te.Type)
	}
	v := strings.TrimSpace(string(raw))
	if len(v) > 60 {
		v = v[:57] + "..."
	}
	return &FieldError{Field: path, Value: v, Msg: msg}
}

func describeKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Slice:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// decodeObject decodes a JSON object into the struct pointed to by dst field
// by field (so errors carry the field's path), and returns the keys it did
// not know so that they survive a round trip.
func decodeObject(data []byte, dst any) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil {
		return nil, wrap("", data, errors.New("expected an object"))
	}
	if obj == nil { // JSON null
		return nil, nil
	}
	v := reflect.ValueOf(dst).Elem()
	t := v.Type()
	known := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		name := jsonName(t.Field(i))
		if name == "" {
			continue
		}
		known[name] = true
		raw, ok := obj[name]
		if !ok {
			continue
		}
		if err := decodeValue(raw, v.Field(i).Addr().Interface()); err != nil {
			return nil, wrap(name, raw, err)
		}
	}
	var extra map[string]json.RawMessage
	for k, raw := range obj {
		if !known[k] {
			if extra == nil {
				extra = map[string]json.RawMessage{}
			}
			extra[k] = raw
		}
	}
	return extra, nil
}

// decodeValue decodes one value; lists are decoded element by element so an
// error names the index.
func decodeValue(raw json.RawMessage, ptr any) error {
	pv := reflect.ValueOf(ptr).Elem()
	if pv.Kind() == reflect.Slice && pv.Type().Elem().Kind() == reflect.Struct {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return errors.New("expected a list")
		}
		out := reflect.MakeSlice(pv.Type(), len(items), len(items))
		for i, it := range items {
			if err := json.Unmarshal(it, out.Index(i).Addr().Interface()); err != nil {
				return wrap("["+strconv.Itoa(i)+"]", it, err)
			}
		}
		pv.Set(out)
		return nil
	}
	return json.Unmarshal(raw, ptr)
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	if tag == "-" || !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name
	}
	return name
}

// encodeObject marshals v (a struct without custom marshalers) and appends
// the preserved unknown keys in sorted order.
func encodeObject(v any, extra map[string]json.RawMessage) ([]byte, error) {
	b, err := marshalNoEscape(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	keys := make([]string, 0, len(extra))
	for k := range extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1])
	first := len(b) == 2 // "{}"
	for _, k := range keys {
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(extra[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshalNoEscape is json.Marshal without HTML escaping: layouts carry
// free text (sources, notes) with "<" and "&" that people read.
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}
