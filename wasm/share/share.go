// Package share turns a layout and the view of it into a URL fragment and
// back, so a link opens the same machine at the same zoom. The fragment
// never reaches a server (browsers do not send it), so the whole layout
// travels in it.
//
// A fragment is "v<N>=" and a payload. Every version ever written stays
// readable, so old links keep opening:
//
//	v0  base64url(layout JSON), no view: the first, uncompressed form
//	v1  base64url(raw DEFLATE(JSON {"layout": …, "view": …}))
//
// Encode always writes the newest version.
package share

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"linmap/sim/layout"
)

// Current is the version Encode writes.
const Current = 1

// maxPayload bounds the decompressed JSON: a real layout is a few
// kilobytes, and a crafted link must not inflate into the wasm heap.
const maxPayload = 1 << 20

// Window is the address range one column shows, as the axis' ZoomTo takes
// it.
type Window struct {
	Lo layout.Addr `json:"lo"`
	Hi layout.Addr `json:"hi"`
}

// View is how the layout was being looked at. A nil column is fitted
// whole, which is also what a link without a view gets.
type View struct {
	PA *Window `json:"pa,omitempty"` // physical column
	VA *Window `json:"va,omitempty"` // virtual column (the linear map)
}

// Check reports a window that is empty or reversed.
func (v View) Check() error {
	for _, c := range []struct {
		name string
		w    *Window
	}{{"pa", v.PA}, {"va", v.VA}} {
		if c.w != nil && c.w.Lo >= c.w.Hi {
			return fmt.Errorf("view.%s: window %v–%v is empty", c.name, c.w.Lo, c.w.Hi)
		}
	}
	return nil
}

// State is what a link carries.
type State struct {
	Layout *layout.Layout
	View   View
}

// ErrNoLink is returned for an empty fragment: the page was opened
// without a link, which is not an error worth showing.
var ErrNoLink = errors.New("share link: empty")

// Error is a fragment that cannot be opened. Pos is where the fault is,
// counted in Unit ("character" of the payload after "v<N>=", or "byte" of
// the compressed or decompressed data); -1 when it is not at one place.
type Error struct {
	Version string // "v1", or "" if the fragment has none
	Pos     int
	Unit    string
	Msg     string
}

func (e *Error) Error() string {
	if e.Pos >= 0 {
		return fmt.Sprintf("share link: %s at %s %d", e.Msg, e.Unit, e.Pos)
	}
	return "share link: " + e.Msg
}

// envelope is the v1 JSON.
type envelope struct {
	Layout json.RawMessage `json:"layout"`
	View   View            `json:"view"`
}

// Encode writes s as the newest fragment version, without the leading '#'.
func Encode(s State) (string, error) {
	if s.Layout == nil {
		return "", errors.New("share link: no layout")
	}
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return "", err
	}
	// Without HTML escaping, as layout.Marshal writes: json.Marshal would
	// turn "&" in unknown keys kept for round trips into "\u0026", and
	// the layout would not come back byte for byte.
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(struct {
		Layout *layout.Layout `json:"layout"`
		View   View           `json:"view"`
	}{s.Layout, s.View}); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return "v" + strconv.Itoa(Current) + "=" + base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// decoders reads each version's payload (already base64-decoded).
var decoders = map[int]func(payload []byte) (State, error){
	0: decodeV0,
	1: decodeV1,
}

// Decode reads a fragment of any version, with or without its '#'. It
// returns ErrNoLink for an empty fragment and an *Error for everything
// else that is not a valid link; the layout is checked as an import is.
func Decode(fragment string) (State, error) {
	fragment = strings.TrimPrefix(fragment, "#")
	if fragment == "" {
		return State{}, ErrNoLink
	}
	tag, data, ok := strings.Cut(fragment, "=")
	if !ok || len(tag) < 2 || tag[0] != 'v' {
		return State{}, &Error{Pos: -1, Msg: "not a linmap link"}
	}
	n, err := strconv.Atoi(tag[1:])
	if err != nil || n < 0 || tag[1:] != strconv.Itoa(n) {
		return State{}, &Error{Pos: -1, Msg: "not a linmap link"}
	}
	dec, ok := decoders[n]
	if !ok {
		return State{}, &Error{Version: tag, Pos: -1, Msg: fmt.Sprintf("version %s is newer than this linmap reads (v0 to v%d): reload the page", tag, Current)}
	}
	// Some mailers and chat apps pad or percent-encode '=' at the end.
	data = strings.TrimRight(strings.ReplaceAll(data, "%3D", "="), "=")
	payload, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil {
		var ce base64.CorruptInputError
		pos := -1
		if errors.As(err, &ce) {
			pos = int(ce)
		}
		return State{}, &Error{Version: tag, Pos: pos, Unit: "character", Msg: "corrupt data (not base64url)"}
	}
	s, err := dec(payload)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Version = tag
		}
		return State{}, err
	}
	return s, nil
}

func decodeV0(payload []byte) (State, error) {
	l, err := parseLayout(payload)
	if err != nil {
		return State{}, err
	}
	return State{Layout: l}, nil
}

func decodeV1(payload []byte) (State, error) {
	r := flate.NewReader(bytes.NewReader(payload))
	doc, err := io.ReadAll(io.LimitReader(r, maxPayload+1))
	if err != nil {
		var ce flate.CorruptInputError
		pos := -1
		if errors.As(err, &ce) {
			pos = int(ce)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return State{}, &Error{Pos: -1, Msg: "corrupt data: the link is cut short (copy all of it)"}
		}
		return State{}, &Error{Pos: pos, Unit: "compressed byte", Msg: "corrupt data (compressed stream broken)"}
	}
	if len(doc) > maxPayload {
		return State{}, &Error{Pos: -1, Msg: fmt.Sprintf("layout larger than %d bytes", maxPayload)}
	}
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&env); err != nil {
		return State{}, jsonError(err)
	}
	if dec.More() {
		return State{}, &Error{Pos: int(dec.InputOffset()), Unit: "JSON byte", Msg: "corrupt data (text after the JSON)"}
	}
	if len(env.Layout) == 0 || string(env.Layout) == "null" {
		return State{}, &Error{Pos: -1, Msg: "no layout in the link"}
	}
	if err := env.View.Check(); err != nil {
		return State{}, &Error{Pos: -1, Msg: err.Error()}
	}
	l, err := parseLayout(env.Layout)
	if err != nil {
		return State{}, err
	}
	return State{Layout: l, View: env.View}, nil
}

func jsonError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &Error{Pos: int(se.Offset), Unit: "JSON byte", Msg: "corrupt data (not JSON)"}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &Error{Pos: int(te.Offset), Unit: "JSON byte", Msg: "corrupt data (" + te.Field + " has the wrong type)"}
	}
	var fe *layout.FieldError
	if errors.As(err, &fe) {
		return &Error{Pos: -1, Msg: "layout: " + fe.Error()}
	}
	return &Error{Pos: -1, Msg: "corrupt data (" + err.Error() + ")"}
}

func parseLayout(data []byte) (*layout.Layout, error) {
	l, err := layout.Parse(data)
	if err != nil {
		return nil, &Error{Pos: -1, Msg: "layout: " + err.Error()}
	}
	return l, nil
}
