#!/usr/bin/env bash
# The Go binding's modules (the Go toolchain comes with the machine).
set -euo pipefail
if ! command -v go >/dev/null; then
  echo "go is not on PATH: the Go binding needs Go 1.25 or newer" >&2
  exit 1
fi
cd bindings/go
go mod download
