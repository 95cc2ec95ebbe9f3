#!/usr/bin/env bash
# The token cache a user's processes share, counted at the broker: C
# processes (tests/shared_cache/worker.c, over the C ABI) and Python
# processes (worker.py, over the binding) side by side on one audience, all
# pointed at one cache directory and one broker emulator, whose request log
# says how many tokens were minted. The hostile cases (directories and files)
# are Rust tests in tests/shared_cache.rs.
#
# Uses VD_BROKER_LIB_DIR and VD_BROKER_EMULATOR when set (tests/run-all.sh
# sets them), else the debug build. Ends with one line:
#   shared cache: N passed, M failed
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$(pwd)"
lib_dir="${VD_BROKER_LIB_DIR:-$root/target/debug}"
if [ ! -e "$lib_dir/libvd_broker.so" ]; then
  echo "missing $lib_dir/libvd_broker.so: run 'cargo build --locked --bins --lib' first" >&2
  exit 2
fi
# shellcheck source=tests/c/start_emulator.sh
source tests/c/start_emulator.sh

scratch_dir

worker="$root/target/shared-cache-worker"
gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -O1 -pthread -I"$root/include" -o "$worker" tests/shared_cache/worker.c \
  -L"$lib_dir" -lvd_broker -Wl,-rpath,"$lib_dir" || exit 1
start_emulator || exit 1
origin="${broker_url%%/api/*}"

control() { # control METHOD PATH [JSON]
  curl --silent --show-error --fail --noproxy '*' -X "$1" -H 'Content-Type: application/json' ${3:+--data "$3"} "$origin/_emulator/$2"
}
broker_requests() {
  control GET requests | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])'
}

bearer_file="$work/credential"
new_bearer() {
  printf 'vd_iat_%s\n' "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" > "$bearer_file.new" && mv "$bearer_file.new" "$bearer_file"
}

# Only what this test sets configures the library.
run_env=(env -u VD_AZ_TOKEN_URL -u VD_CREDENTIAL_LANE -u VD_CREDENTIAL_CONFIGURATION_REVISION -u VD_BROKER_CACHE
  -u VD_BROKER_SHARED_CACHE VD_CREDENTIAL_BROKER_URL="$broker_url" VD_CREDENTIAL_FILE="$bearer_file"
  VD_RUNTIME_ACCESS_SOCKET="$work/no-helper.sock" VD_BROKER_CACHE_DIR="$work/cache"
  VD_BROKER_LIBRARY="$lib_dir/libvd_broker.so" PYTHONPATH="$root/bindings/python/src")

passed=0
failed=0
# check NAME WANT_REQUESTS KIND... — starts one process per KIND at once
# ("c:THREADS:CALLS" or "py:CALLS"), then checks they all succeeded with
# one token and that the broker has now answered WANT_REQUESTS requests.
check() {
  local name="$1" want="$2" pids=() outputs=() ok=1 kind i=0
  shift 2
  for kind in "$@"; do
    local out="$work/$name.$i.out"
    case "$kind" in
      c:*) IFS=: read -r _ threads calls <<<"$kind"; "${run_env[@]}" "$worker" "$threads" "$calls" >"$out" & ;;
      py:*) "${run_env[@]}" python3 tests/shared_cache/worker.py "${kind#py:}" >"$out" & ;;
    esac
    pids+=($!)
    outputs+=("$out")
    i=$((i + 1))
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { echo "  process $i (${*:$((i + 1)):1}) failed"; ok=0; }
  done
  local tokens seen
  tokens="$(cat "${outputs[@]}" | sort -u | wc -l)"
  [ "$tokens" -eq 1 ] || { echo "  the processes got $tokens different tokens"; ok=0; }
  seen="$(broker_requests)"
  [ "$seen" = "$want" ] || { echo "  the broker answered $seen token requests, want $want"; ok=0; }
  if [ "$ok" -eq 1 ]; then
    echo "  ok - $name"
    passed=$((passed + 1))
  else
    echo "  not ok - $name"
    failed=$((failed + 1))
  fi
}

mixed=(c:1:100 py:100 c:1:100 py:100 c:1:100 py:100 c:1:100 py:100)
# A slow first answer: the processes arrive while one of them mints.
control POST settings '{"delay_ms": 300}' >/dev/null
new_bearer
check eight_c_and_python_processes_times_100_calls_one_request 1 "${mixed[@]}"
new_bearer
check after_a_bearer_rotation_exactly_one_more 2 "${mixed[@]}"
new_bearer
control DELETE requests >/dev/null
check eight_processes_times_16_threads_one_request 1 c:16:10 c:16:10 c:16:10 c:16:10 c:16:10 c:16:10 c:16:10 c:16:10

echo "shared cache: $passed passed, $failed failed (C and Python processes on one cache directory)"
[ "$failed" -eq 0 ]
