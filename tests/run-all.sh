#!/usr/bin/env bash
# Runs every test suite: Rust, C, Python, Go, .NET and the installed C
# library. Each suite's full output is kept in target/test-logs/; the run
# ends with every runner's own summary lines. Needs what .ci/install.sh
# installs.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
logs="$root/target/test-logs"
mkdir -p "$logs"

echo "== build (library, emulator, command)"
cargo build --locked --bins --lib || exit 1
export VD_BROKER_LIB_DIR="$root/target/debug"
export VD_BROKER_EMULATOR="$root/target/debug/vd-broker-emulator"
# Every message the suites see and every secret they make, for the secrets
# sweep (tests/suites/99-secrets-sweep.sh), which runs last.
export VD_TEST_MESSAGE_LOG="$logs/messages.tsv" VD_TEST_SECRET_LOG="$logs/secrets.txt"
: >"$VD_TEST_MESSAGE_LOG"
: >"$VD_TEST_SECRET_LOG"

suites=(tests/suites/*.sh)
failed=()
for suite in "${suites[@]}"; do
  name="$(basename "$suite" .sh)"
  echo "== suite: $name"
  bash "$suite" 2>&1 | tee "$logs/$name.log"
  status=${PIPESTATUS[0]}
  [ "$status" -eq 0 ] || failed+=("$name")
done

echo
if [ "${#failed[@]}" -ne 0 ]; then
  echo "== FAILED suites: ${failed[*]}"
else
  echo "== all ${#suites[@]} suites passed"
fi
echo "== summary (each runner's own lines; full logs in target/test-logs/)"
for suite in "${suites[@]}"; do
  name="$(basename "$suite" .sh)"
  grep -E '^test result:|^(=+ .*(passed|failed|error).* =+)$|^(ok|FAIL)[[:space:]]|^--- FAIL|^Tests run:|^C tests:|^header:|^exports:|^install:|^fuzz:|^secrets:' \
    "$logs/$name.log" | sed "s/^/[$name] /"
done
[ "${#failed[@]}" -eq 0 ]
