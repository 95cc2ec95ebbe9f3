#!/usr/bin/env bash
# cargo-fuzz for the fuzz suite (tests/suites/70-fuzz.sh), built from the
# package registry; the nightly toolchain comes with the machine.
set -euo pipefail
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "the fuzz and AddressSanitizer suites need a nightly Rust toolchain: rustup toolchain install nightly" >&2
  exit 1
fi
if ! command -v cargo-fuzz >/dev/null; then
  # Its own target directory: not the tests' shared one.
  env -u CARGO_TARGET_DIR cargo install --locked --quiet cargo-fuzz
fi
cargo +nightly fuzz --version
