package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func site(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"index.html": "<!doctype html><title>x</title>" + strings.Repeat(" ", 300),
		"main.wasm":  "\x00asm" + strings.Repeat("\x01\x00", 1000),
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func get(h http.Handler, path string, hdr map[string]string) *http.Response {
	req := httptest.NewRequest("GET", path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestHeaders(t *testing.T) {
	h := New(site(t))
	for _, c := range []struct{ path, ctype string }{
		{"/", "text/html; charset=utf-8"},
		{"/main.wasm", "application/wasm"},
	} {
		res := get(h, c.path, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", c.path, res.StatusCode)
		}
		if got := res.Header.Get("Content-Type"); got != c.ctype {
			t.Errorf("%s: Content-Type %q, want %q", c.path, got, c.ctype)
		}
		if got := res.Header.Get("Content-Security-Policy"); got != CSP {
			t.Errorf("%s: CSP %q", c.path, got)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s: Cache-Control %q", c.path, got)
		}
	}
	if res := get(h, "/missing.js", nil); res.StatusCode != 404 {
		t.Errorf("missing file: %d", res.StatusCode)
	}
	if res := get(h, "/../../etc/passwd", nil); res.StatusCode != 404 {
		t.Errorf("path escape: %d", res.StatusCode)
	}
}

func TestGzipAndRevalidation(t *testing.T) {
	dir := site(t)
	h := New(dir)
	res := get(h, "/main.wasm", map[string]string{"Accept-Encoding": "gzip, br"})
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("not compressed")
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	want, _ := os.ReadFile(filepath.Join(dir, "main.wasm"))
	if !bytes.Equal(body, want) {
		t.Errorf("gzip body differs")
	}
	etag := res.Header.Get("ETag")
	res = get(h, "/main.wasm", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d", res.StatusCode)
	}
	// A rebuilt file gets a new ETag at once.
	os.WriteFile(filepath.Join(dir, "main.wasm"), []byte("\x00asm"+strings.Repeat("\x02", 500)), 0o644)
	res = get(h, "/main.wasm", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag})
	if res.StatusCode != 200 {
		t.Errorf("after rebuild: %d, want 200", res.StatusCode)
	}
	if res := get(h, "/main.wasm", nil); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("compressed without Accept-Encoding")
	}
}
