#!/usr/bin/env bash
# The library end to end on one machine, no Studio needed: builds the crate,
# starts the broker emulator, writes an intent bearer to a temporary file,
# compiles examples/c/quickstart.c against the library and runs it — two
# tokens, masked, with their expiry and audience — then stops the emulator.
#
#   examples/quickstart.sh
#
# Needs Rust (cargo) and a C compiler (cc or gcc).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
target="${CARGO_TARGET_DIR:-$root/target}/debug"
cc="${CC:-$(command -v cc || command -v gcc || true)}"
if [ -z "$cc" ]; then
  echo "quickstart: no C compiler found; install gcc (or set CC)" >&2
  exit 1
fi

echo "== building the library and the broker emulator"
cargo build --locked --lib --bin vd-broker-emulator

work="$(mktemp -d)"
emulator_pid=""
stop() {
  if [ -n "$emulator_pid" ]; then
    kill "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

echo "== starting the broker emulator"
# The emulator exits when its stdin (this script's pipe) closes.
coproc EMULATOR { exec "$target/vd-broker-emulator" --port 0 --quiet --exit-with-stdin; }
emulator_pid="$EMULATOR_PID"
read -r -t 30 banner <&"${EMULATOR[0]}" || { echo "quickstart: the emulator did not start" >&2; exit 1; }
broker_url="${banner##* listening on }"
echo "   $broker_url"

echo "== writing an intent bearer to a temporary file"
bearer_file="$work/credential"
printf 'vd_iat_quickstart_%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" > "$bearer_file"
echo "   $bearer_file"

echo "== compiling examples/c/quickstart.c"
"$cc" -std=c11 -Wall -Wextra -o "$work/quickstart" examples/c/quickstart.c \
  -I"$root/include" -L"$target" -lvd_broker -Wl,-rpath,"$target"

echo "== running it"
echo
# Only the emulator: no lane from this shell, no runtime-access helper.
env -u VD_CREDENTIAL_LANE -u VD_CREDENTIAL_CONFIGURATION_REVISION \
  VD_CREDENTIAL_BROKER_URL="$broker_url" VD_CREDENTIAL_FILE="$bearer_file" \
  VD_RUNTIME_ACCESS_SOCKET="$work/no-helper.sock" "$work/quickstart"
