# Sourced by the suites that start the emulator. scratch_dir sets work to a
# fresh temporary directory, removed on exit together with the emulator, if
# one was started, and an Azurite started in $work/azurite
# (tests/azurite/start.sh), if any.
# start_emulator [EMULATOR ARGS...] starts the broker
# emulator ($VD_BROKER_EMULATOR, else the debug build) as a coprocess whose
# stdin is this shell's pipe, so it ends with the shell, and sets
# broker_url (what it printed) and emulator_pid.

scratch_dir() {
  work="$(mktemp -d)"
  emulator_pid=""
  trap 'stop_scratch' EXIT
}

stop_scratch() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null
  [ -f "$work/azurite/azurite.pid" ] && kill "$(cat "$work/azurite/azurite.pid")" 2>/dev/null
  rm -rf "$work"
}

start_emulator() {
  local program="${VD_BROKER_EMULATOR:-$(pwd)/target/debug/vd-broker-emulator}" banner
  if [ ! -x "$program" ]; then
    echo "missing $program: run 'cargo build --locked --bins --lib' first" >&2
    return 2
  fi
  coproc EMULATOR { exec "$program" --port 0 --quiet --exit-with-stdin "$@"; }
  emulator_pid="$EMULATOR_PID"
  if ! read -r -t 30 banner <&"${EMULATOR[0]}" || [[ "$banner" != *" listening on http://"* ]]; then
    echo "the emulator did not start: ${banner:-no output}" >&2
    return 1
  fi
  broker_url="${banner##* listening on }"
}

# studio_env DIR: after start_emulator, a fresh bearer file in DIR and the
# Studio environment pointing at the emulator and that file, with nothing
# else of the caller's (lane, revision, cache switch, a helper socket).
studio_env() {
  bearer_file="$1/credential"
  printf 'vd_iat_%s\n' "$RANDOM$RANDOM" > "$bearer_file"
  export VD_CREDENTIAL_BROKER_URL="$broker_url" VD_CREDENTIAL_FILE="$bearer_file"
  export VD_RUNTIME_ACCESS_SOCKET="$1/no-helper.sock"
  unset VD_AZ_TOKEN_URL VD_CREDENTIAL_LANE VD_CREDENTIAL_CONFIGURATION_REVISION VD_BROKER_CACHE
}
