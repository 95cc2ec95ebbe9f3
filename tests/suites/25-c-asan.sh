#!/usr/bin/env bash
# The C tests once more, under AddressSanitizer: the library built by the
# nightly toolchain with -Zsanitizer=address (for the host target, so that
# build scripts are not instrumented), the tests with gcc -fsanitize=address
# (whose runtime serves both). Ends with tests/c/run.sh's "C tests:" line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$(pwd)"
host="$(rustc +nightly -vV | sed -n 's/^host: //p')"
RUSTFLAGS="-Zsanitizer=address" cargo +nightly build --locked --lib --target "$host" 2>&1 | tail -n 1
exec bash tests/c/run.sh --asan "${CARGO_TARGET_DIR:-$root/target}/$host/debug"
