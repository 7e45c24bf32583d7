// Package persist is the app's autosave record: the layout being edited
// and the view of it, in a versioned JSON envelope that the bridge keeps in
// localStorage under Key and reads back on the next visit.
//
// The envelope is versioned on its own (not through the layout's version)
// so that a later app can add fields (say, the undo list) and still read
// what an older app saved; a record from a newer app is refused, never
// half-read.
package persist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"linmap/sim/layout"
	"linmap/wasm/share"
)

// Key is the localStorage key.
const Key = "linmap.autosave"

// FormatName and Version identify an autosave record.
const (
	FormatName = "linmap-autosave"
	Version    = 1
)

// Record is one autosave.
type Record struct {
	Layout *layout.Layout
	View   share.View
	Saved  time.Time // when it was written, for "restored the layout of …"
	// Preset is the preset the layout is, unedited ("" otherwise), so the
	// preset picker names it after a reload. Older records lack it.
	Preset string
}

type envelope struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Saved   time.Time       `json:"saved"`
	Layout  json.RawMessage `json:"layout"`
	View    share.View      `json:"view"`
	Preset  string          `json:"preset,omitempty"`
}

// Encode writes r as the stored JSON.
func Encode(r Record) ([]byte, error) {
	if r.Layout == nil {
		return nil, errors.New("autosave: no layout")
	}
	var lb bytes.Buffer
	enc := json.NewEncoder(&lb)
	// As layout.Marshal: keep "&" and "<" in names and unknown keys as
	// they are, so the saved layout is the edited one byte for byte.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r.Layout); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc = json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	err := enc.Encode(envelope{
		Format:  FormatName,
		Version: Version,
		Saved:   r.Saved.UTC().Truncate(time.Millisecond),
		Layout:  bytes.TrimSpace(lb.Bytes()),
		View:    r.View,
		Preset:  r.Preset,
	})
	return bytes.TrimSpace(out.Bytes()), err
}

// Decode reads a stored record. It fails, and returns no layout, on
// anything that is not a complete record this version can read: the app
// then keeps its start layout and says why.
func Decode(data []byte) (Record, error) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return Record{}, fmt.Errorf("autosave: not readable (%v)", err)
	}
	if env.Format != FormatName {
		return Record{}, fmt.Errorf("autosave: format %q is not %q", env.Format, FormatName)
	}
	if env.Version > Version {
		return Record{}, fmt.Errorf("autosave: version %d was written by a newer linmap (this one reads version %d)", env.Version, Version)
	}
	if env.Version < 1 {
		return Record{}, fmt.Errorf("autosave: version %d is not a version of the record", env.Version)
	}
	if len(env.Layout) == 0 || string(env.Layout) == "null" {
		return Record{}, errors.New("autosave: no layout in the record")
	}
	if err := env.View.Check(); err != nil {
		return Record{}, fmt.Errorf("autosave: %w", err)
	}
	l, err := layout.Parse(env.Layout)
	if err != nil {
		return Record{}, fmt.Errorf("autosave: layout: %w", err)
	}
	return Record{Layout: l, View: env.View, Saved: env.Saved, Preset: env.Preset}, nil
}
