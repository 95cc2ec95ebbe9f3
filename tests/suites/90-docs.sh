#!/usr/bin/env bash
# The book (docs/): its generated pages match their sources, no section of a
# README stands elsewhere too (tools/check-docs.py), it builds strictly
# (tools/build-docs.sh), the crate's API documentation builds with warnings
# as errors, and every shell block of the getting-started chapter runs as
# written. (Its Rust examples are doctests, run by the Rust suite.) Ends
# with "docs: N passed, M failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
passed=0
failed=0
step() {
  local name="$1"
  shift
  local start=$SECONDS
  if "$@"; then
    passed=$((passed + 1))
    echo "docs: ok: $name ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    echo "docs: FAILED: $name" >&2
  fi
}
step "the C API reference matches include/vd_broker.h" python3 tools/gen-c-api-doc.py --check
step "the benchmark chart matches benches/results.md" python3 tools/bench-chart.py --check
step "one source for each fact (tools/check-docs.py)" python3 tools/check-docs.py
step "the book builds strictly (tools/build-docs.sh)" bash tools/build-docs.sh
step "cargo doc builds with warnings as errors" env RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --lib --quiet
step "getting started: every sh block runs" python3 tests/docs/run_snippets.py docs/getting-started.md
echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
