#!/usr/bin/env bash
# The Go binding: go vet, the tests under the race detector (the broker
# emulator and Azurite as real processes), then a short run of the GetToken
# benchmarks so their figures are in the log.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$(pwd)"
lib="${VD_BROKER_LIB_DIR:-$root/target/debug}"
export VD_BROKER_EMULATOR="${VD_BROKER_EMULATOR:-$root/target/debug/vd-broker-emulator}"
export CGO_ENABLED=1
export CGO_CFLAGS="-I$root/include"
export CGO_LDFLAGS="-L$lib -Wl,-rpath,$lib"
# The Azurite test is part of CI; skipping it is for local runs only.
if [ -n "${CI:-}" ]; then
  unset VD_BROKER_SKIP_AZURITE
fi

cd bindings/go
go vet ./...
go test -race -count=1 -v ./... 2>&1 | grep -vE '^=== (RUN|PAUSE|CONT)'
go test -run '^$' -bench . -benchtime=200x -benchmem ./...
