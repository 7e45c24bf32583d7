// Package static serves the built site: the right MIME type for .wasm,
// gzip when the browser accepts it, revalidation on every load (so a
// rebuilt main.wasm is never stale) and the app's Content-Security-Policy.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// CSP is the policy the page also declares in a <meta http-equiv>.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"

var types = map[string]string{
	".wasm": "application/wasm",
	".js":   "text/javascript; charset=utf-8",
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".json": "application/json",
	".svg":  "image/svg+xml",
	".png":  "image/png",
}

type entry struct {
	mod      time.Time
	size     int64
	raw, gz  []byte
	etag     string
	compress bool
}

// Handler serves the files under dir.
type Handler struct {
	dir   string
	mu    sync.Mutex
	cache map[string]*entry
}

// New returns a handler for the site in dir.
func New(dir string) *Handler { return &Handler{dir: dir, cache: map[string]*entry{}} }

func (h *Handler) load(name string) (*entry, error) {
	full := filepath.Join(h.dir, filepath.FromSlash(name))
	st, err := os.Stat(full)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, os.ErrNotExist
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if e, ok := h.cache[name]; ok && e.mod.Equal(st.ModTime()) && e.size == st.Size() {
		return e, nil
	}
	raw, err := os.ReadFile(full)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	e := &entry{mod: st.ModTime(), size: st.Size(), raw: raw, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	ext := path.Ext(name)
	// Text and wasm compress well; PNGs are compressed already.
	if ext != ".png" && len(raw) > 256 {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(raw)
		zw.Close()
		e.gz, e.compress = buf.Bytes(), true
	}
	h.cache[name] = e
	return e, nil
}

// Preload reads and compresses every file now, so the first page load does
// not wait for main.wasm to be compressed.
func (h *Handler) Preload() error {
	entries, err := os.ReadDir(h.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() {
			if _, err := h.load(e.Name()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := path.Clean("/" + r.URL.Path)
	if strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	name = strings.TrimPrefix(name, "/")
	if name == "" || name == "." {
		name = "index.html"
	}
	e, err := h.load(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	// no-cache means "revalidate every time": cheap with the ETag, and a
	// rebuilt main.wasm is picked up on the next load.
	hd.Set("Cache-Control", "no-cache")
	hd.Set("Vary", "Accept-Encoding")
	ct := types[path.Ext(name)]
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(name))
	}
	if ct != "" {
		hd.Set("Content-Type", ct)
	}
	body, etag := e.raw, e.etag
	if e.compress && acceptsGzip(r) {
		hd.Set("Content-Encoding", "gzip")
		body, etag = e.gz, e.etag[:len(e.etag)-1]+`-gz"`
	}
	hd.Set("ETag", etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
