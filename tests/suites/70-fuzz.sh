#!/usr/bin/env bash
# The fuzz targets in fuzz/ (cargo-fuzz: libFuzzer, AddressSanitizer, the
# nightly toolchain; .ci/install.d/70-fuzz.sh installs cargo-fuzz), each for
# 60 s from an empty corpus. A crash, a sanitizer report or a leak fails the
# suite and leaves the input in fuzz/artifacts/. Ends with one "fuzz:" line
# per target.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../fuzz"
seconds=60
# cargo-fuzz's release build: an unoptimized one builds in 40% of the time
# but runs some 20 times fewer inputs in the minute.
cargo +nightly fuzz build 2>&1 | tail -n 1
# The targets run side by side, one per core: the minute each is given is
# the same minute of the suite.
targets=($(cargo +nightly fuzz list))
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
pids=()
for target in "${targets[@]}"; do
  cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -print_final_stats=1 >"$logs/$target" 2>&1 &
  pids+=("$!")
done
failed=0
for i in "${!targets[@]}"; do
  target="${targets[$i]}"
  if wait "${pids[$i]}"; then
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target" | tail -n 1)"
    echo "fuzz: $target ran ${runs:-?} inputs in $seconds s: no crash, no sanitizer report"
  else
    tail -n 60 "$logs/$target"
    echo "fuzz: $target FAILED (the input is in fuzz/artifacts/$target/)"
    failed=1
  fi
done
exit "$failed"
