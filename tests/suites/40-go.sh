#!/usr/bin/env bash
# The Go binding: its header copy checked against include/, go vet, the
# tests under the race detector (the broker emulator and Azurite as real
# processes), then a short run of the GetToken benchmarks so their figures
# are in the log. cgo finds this build's library the way a user's build
# does, through pkg-config alone: a vd_broker.pc for the build tree (with an
# rpath) on PKG_CONFIG_PATH, and no CGO_* flags.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$(pwd)"
lib="${VD_BROKER_LIB_DIR:-$root/target/debug}"
export VD_BROKER_EMULATOR="${VD_BROKER_EMULATOR:-$root/target/debug/vd-broker-emulator}"

if ! cmp -s include/vd_broker.h bindings/go/include/vd_broker.h; then
  echo "header: bindings/go/include/vd_broker.h differs from include/vd_broker.h;" \
    "regenerate it (python3 tools/gen-bindings.py) and commit both" >&2
  exit 1
fi
echo "header: bindings/go/include/vd_broker.h is include/vd_broker.h"

pc_dir="$(mktemp -d)"
trap 'rm -rf "$pc_dir"' EXIT
bash tools/write-pc.sh --prefix "$root" --libdir "$lib" --includedir "$root/include" --rpath > "$pc_dir/vd_broker.pc"
export PKG_CONFIG_PATH="$pc_dir"
export CGO_ENABLED=1
unset CGO_CFLAGS CGO_CPPFLAGS CGO_LDFLAGS
# The Azurite test is part of CI; skipping it is for local runs only.
if [ -n "${CI:-}" ]; then
  unset VD_BROKER_SKIP_AZURITE
fi

cd bindings/go
go vet ./...
go test -race -count=1 -v ./... 2>&1 | grep -vE '^=== (RUN|PAUSE|CONT)'
go test -run '^$' -bench . -benchtime=200x -benchmem ./...
