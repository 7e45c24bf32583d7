// Command serve serves linmap's built site for development:
//
//	go run ./cmd/serve -dir site -addr 127.0.0.1:8080
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"

	"linmap/cmd/serve/static"
)

func main() {
	dir := flag.String("dir", "site", "directory with the built site")
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	flag.Parse()
	if _, err := os.Stat(*dir + "/main.wasm"); err != nil {
		fmt.Fprintf(os.Stderr, "serve: %s/main.wasm is missing: run ./build.sh first\n", *dir)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			fmt.Fprintf(os.Stderr, "serve: %s is in use: stop the other server or pass another port\n", *addr)
		} else {
			fmt.Fprintf(os.Stderr, "serve: %v\n", err)
		}
		os.Exit(1)
	}
	h := static.New(*dir)
	if err := h.Preload(); err != nil {
		fmt.Fprintf(os.Stderr, "serve: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("serving %s on http://%s/\n", *dir, ln.Addr())
	if err := http.Serve(ln, h); err != nil {
		fmt.Fprintf(os.Stderr, "serve: %v\n", err)
		os.Exit(1)
	}
}
