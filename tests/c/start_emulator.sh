# Sourced by the C suites: start_emulator [EMULATOR ARGS...] starts the broker
# emulator ($VD_BROKER_EMULATOR, else the debug build) as a coprocess whose
# stdin is this shell's pipe, so it ends with the shell, and sets
# broker_url (what it printed) and emulator_pid.

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
