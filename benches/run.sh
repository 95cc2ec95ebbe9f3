#!/usr/bin/env bash
# Builds the release library (the Python and Go rows load it) and runs the
# benchmark, which prints one table; the run's output is also kept in
# target/bench/results.md. With --save it becomes benches/results.md, the
# run the book shows, and the book's chart is drawn again from it
# (tools/bench-chart.py).
#
#   bash benches/run.sh [--save]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
case "${1:-}" in
  --save | "") ;;
  *) echo "benches/run.sh: unknown argument $1 (usage: bash benches/run.sh [--save])" >&2; exit 64 ;;
esac
cargo build --release --locked --lib --bins
results="${CARGO_TARGET_DIR:-target}/bench/results.md"
mkdir -p "$(dirname "$results")"
# The table is on stdout; cargo's progress and each row's runtime on stderr.
cargo bench --locked --bench broker | tee "$results"
if [ "${1:-}" = --save ]; then
  cp "$results" benches/results.md
  python3 tools/bench-chart.py
  echo "benches/run.sh: saved benches/results.md and drew docs/_generated/bench-chart.md from it"
fi
