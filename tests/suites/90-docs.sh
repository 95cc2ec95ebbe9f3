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
# The checks are shown to fail: on a copy of the book with a broken link,
# and on one whose nav lost a chapter.
broken_copy() {
  local copy
  copy="$(mktemp -d)"
  git ls-files -z docs mkdocs.yml benches/results.md README.md bindings/*/README.md src | xargs -0 cp --parents -t "$copy"
  cp -r docs/assets "$copy/docs/"
  echo "$copy"
}
strict_fails_on_a_broken_link() {
  local copy out
  copy="$(broken_copy)"
  printf '\nSee [the missing chapter](no-such-chapter.md).\n' >>"$copy/docs/index.md"
  if out="$(cd "$copy" && NO_MKDOCS_2_WARNING=1 mkdocs build --strict --site-dir "$copy/site" 2>&1)"; then
    echo "docs: the strict build passed with a broken link" >&2
    rm -rf "$copy"
    return 1
  fi
  rm -rf "$copy"
  grep -q 'no-such-chapter.md' <<<"$out"
}
check_fails_on_a_missing_chapter() {
  local copy out
  copy="$(broken_copy)"
  sed -i '/security.md/d' "$copy/mkdocs.yml"
  out="$(python3 tools/check-docs.py --root "$copy")" && { rm -rf "$copy"; return 1; }
  rm -rf "$copy"
  grep 'FAIL chapters: the nav has every required chapter but security.md' <<<"$out" >/dev/null
}
step "a broken link fails the strict build" strict_fails_on_a_broken_link
step "a chapter missing from the nav fails the checks" check_fails_on_a_missing_chapter
step "cargo doc builds with warnings as errors" env RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --lib --quiet
step "getting started: every sh block runs" python3 tests/docs/run_snippets.py docs/getting-started.md
echo "docs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
