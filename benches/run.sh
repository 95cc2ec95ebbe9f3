#!/usr/bin/env bash
# Builds the release library (the Python and Go rows load it) and runs the
# benchmark, which prints one table.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --locked --lib --bins
cargo bench --locked --bench broker
