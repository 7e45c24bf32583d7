#!/usr/bin/env bash
# linmap's build: the browser app (wasm + static site), its server and tests.
#
#   ./build.sh [build]      compile wasm/ and assemble the site in dist/
#   ./build.sh serve [port] build, then serve dist/ on http://127.0.0.1:port (8080)
#   ./build.sh test         build, go vet, go test ./... (with the browser tests)
set -euo pipefail
cd "$(dirname "$0")"

OUT=dist
# Fuzz targets run briefly by `test`, as "package FuzzName [count]" lines: every
# parser and the engine, each for a number of inputs (a time limit can end a
# run mid-input and fail it spuriously). A third column sets a target's own count;
# FUZZTIME sets the others' (e.g. FUZZTIME=2000000x ./build.sh test for a longer run).
DEFAULT_FUZZ_TARGETS="./sim FuzzRun 3000x
./sim/layout FuzzParse
./sim/cmdline FuzzCmdline
./formats FuzzImport
./formats/dts FuzzParse
./formats/dtb FuzzParse
./formats/memblock FuzzImport
./formats/memblockdebug FuzzImport
./formats/iomem FuzzImport
./formats/efi FuzzImport
./formats/logtext FuzzLines
./formats/kconfig FuzzParse
./formats/systemmap FuzzParse
./formats/ptdump FuzzParse
./formats/dmesg FuzzParse
./check FuzzRun 3000x
./wasm/share FuzzDecode
./wasm/share FuzzRoundTrip"
FUZZ_TARGETS=${FUZZ_TARGETS:-$DEFAULT_FUZZ_TARGETS}
FUZZTIME=${FUZZTIME:-20000x}

die() { echo "build.sh: $*" >&2; exit 1; }

if ! command -v go >/dev/null 2>&1; then
  [ -x /usr/local/go/bin/go ] && PATH="$PATH:/usr/local/go/bin"
fi
command -v go >/dev/null 2>&1 || die "Go is not installed or not on PATH (need Go 1.26: https://go.dev/dl/)"

build() {
  local tmp="$OUT.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  cp site/* "$tmp/"
  GOOS=js GOARCH=wasm go build -trimpath -ldflags='-s -w' -o "$tmp/main.wasm" ./wasm \
    || die "compiling wasm/ failed (see above)"
  # wasm_exec.js must come from the Go that compiled main.wasm.
  local goroot
  goroot=$(go env GOROOT)
  cp "$goroot/lib/wasm/wasm_exec.js" "$tmp/" 2>/dev/null \
    || die "$goroot/lib/wasm/wasm_exec.js not found: this Go has no wasm support files"
  rm -rf "$OUT"
  mv "$tmp" "$OUT"
  echo "built $OUT/ (main.wasm $(du -h "$OUT/main.wasm" | cut -f1))"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cmd=${1:-build}
case "$cmd" in
  build)
    build
    ;;
  serve)
    port=${2:-8080}
    [[ "$port" =~ ^[0-9]+$ ]] || die "port must be a number, not '$port'"
    port_busy "$port" && die "port $port is in use: stop the other server or run ./build.sh serve <port>"
    build
    go build -o "$OUT.serve" ./cmd/serve || die "building cmd/serve failed"
    exec "./$OUT.serve" -dir "$OUT" -addr "127.0.0.1:$port"
    ;;
  test)
    build
    go vet ./...
    GOOS=js GOARCH=wasm go vet ./wasm/...
    LINMAP_SITE="$PWD/$OUT" go test -timeout 12m ./...
    while read -r pkg fuzz count; do
      [ -n "$pkg" ] || continue
      go test -run='^$' -fuzz="^$fuzz\$" -fuzztime="${count:-$FUZZTIME}" "$pkg"
    done <<< "$FUZZ_TARGETS"
    ;;
  *)
    die "unknown command '$cmd' (use build, serve [port] or test)"
    ;;
esac
