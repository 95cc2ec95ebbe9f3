#!/usr/bin/env bash
# Runs every test suite: Rust, C, Python, Go, .NET and the installed C
# library. Each suite's full output is kept in target/test-logs/; the run
# ends with every runner's own summary lines. Needs what .ci/install.sh
# installs.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
# Python packages live in .venv (.ci/install.sh makes it): every suite's
# python3 and pip are that environment's.
if [ -d "$root/.venv/bin" ]; then
  export PATH="$root/.venv/bin:$PATH" VIRTUAL_ENV="$root/.venv"
fi
logs="$root/target/test-logs"
mkdir -p "$logs"

echo "== build (library, emulator, command)"
cargo build --locked --bins --lib || exit 1
export VD_BROKER_LIB_DIR="$root/target/debug"
export VD_BROKER_EMULATOR="$root/target/debug/vd-broker-emulator"
# The shared token cache of this run, not the user's: no suite sees tokens
# left by another run (tests that count requests give themselves their own).
VD_BROKER_CACHE_DIR="$(mktemp -d)"
export VD_BROKER_CACHE_DIR
trap 'rm -rf "$VD_BROKER_CACHE_DIR"' EXIT
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
  grep -E '^test result:|^(=+ .*(passed|failed|error).* =+)$|^(ok|FAIL)[[:space:]]|^--- FAIL|^(\[(INFO|ERROR)\] )?Tests run:|^# (pass|fail) [0-9]+$|^(Mono|CoreCLR) [0-9][0-9.]*( \([^)]*\))?: [0-9]+ passed|^C tests:|^header:|^exports:|^install:|^generated:|^drift check:|^shared cache:|^dist:|^fuzz:|^tools:|^docs:|^secrets:' \
    "$logs/$name.log" | sed "s/^/[$name] /"
done
[ "${#failed[@]}" -eq 0 ]
