#!/usr/bin/env bash
# Builds the C tests of the vd_broker ABI against include/vd_broker.h and the
# shared library, starts the broker emulator (with its runtime-access helper
# socket), and runs every test case twice: plainly (fast, and what a C caller
# sees) and under valgrind memcheck, which must report no errors and no
# definitely or indirectly lost bytes. The process-default client is
# configured once per process, so each case of a test_default_* program runs
# in a process of its own with the environment it needs (default_case_env below).
#
# Uses VD_BROKER_LIB_DIR and VD_BROKER_EMULATOR when set (tests/run-all.sh
# sets them), else the debug build. Ends with one line:
#   C tests: N passed, M failed (valgrind: E errors, B bytes lost)
#
# `run.sh --asan LIB_DIR` instead runs every case once, built with
# AddressSanitizer (-fsanitize=address) against the library in LIB_DIR (built
# with rustc's -Zsanitizer=address, see tests/suites/25-c-asan.sh); a report
# of AddressSanitizer or LeakSanitizer fails the case.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$(pwd)"
modes=(plain valgrind)
lib_dir="${VD_BROKER_LIB_DIR:-$root/target/debug}"
bin_dir="$root/target/c-tests"
sanitize=()
if [ "${1:-}" = --asan ]; then
  modes=(asan)
  lib_dir="${2:?run.sh --asan LIB_DIR}"
  bin_dir="$root/target/c-tests-asan"
  sanitize=(-fsanitize=address -fno-omit-frame-pointer)
fi
if [ ! -e "$lib_dir/libvd_broker.so" ]; then
  echo "missing $lib_dir/libvd_broker.so: run 'cargo build --locked --bins --lib' first" >&2
  exit 2
fi
if [ "${modes[*]}" != asan ]; then
  command -v valgrind >/dev/null || { echo "valgrind is not installed (.ci/install.d/00-apt.sh installs it)" >&2; exit 2; }
fi
# shellcheck source=tests/c/start_emulator.sh
source tests/c/start_emulator.sh

scratch="$(mktemp -d)"
mkdir -p "$bin_dir"
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT

# -- build --------------------------------------------------------------------
cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror -g -O0 -pthread -I"$root/include" -I"$root/tests/c" "${sanitize[@]}")
ldflags=(-L"$lib_dir" -lvd_broker -Wl,-rpath,"$lib_dir" -ljansson)
tests=()
for source in tests/c/test_*.c; do
  name="$(basename "$source" .c)"
  gcc "${cflags[@]}" -o "$bin_dir/$name" "$source" tests/c/harness.c tests/c/emulator.c "${ldflags[@]}" || exit 1
  tests+=("$name")
done
echo "built ${#tests[@]} C test programs with ${cflags[*]:0:6} ${sanitize[*]}"

# -- emulator -----------------------------------------------------------------
helper_socket="$scratch/helper.sock"
start_emulator --helper-socket "$helper_socket" || exit 1
echo "emulator: $broker_url (helper on $helper_socket)"

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
# Nothing from the caller's environment may configure the library.
base_env=(env -u VD_CREDENTIAL_BROKER_URL -u VD_AZ_TOKEN_URL -u VD_CREDENTIAL_FILE -u VD_CREDENTIAL_LANE
  -u VD_CREDENTIAL_CONFIGURATION_REVISION -u VD_BROKER_CACHE -u VD_BROKER_SHARED_CACHE
  VD_RUNTIME_ACCESS_SOCKET="$scratch/no-helper.sock" VD_TEST_BROKER_URL="$broker_url"
  VD_TEST_HELPER_SOCKET="$helper_socket" VD_TEST_SCRATCH_DIR="$scratch" VD_TEST_VERSION="$version")

# The environment of one process-default case (a word list: no spaces in it).
default_case_env() {
  local file="$scratch/default-credential-$1"
  local broker="VD_CREDENTIAL_BROKER_URL=$broker_url"
  case "$1" in
    default_legacy_url_variable) echo "VD_AZ_TOKEN_URL=$broker_url VD_CREDENTIAL_FILE=$file" ;;
    default_missing_broker_url) echo "VD_CREDENTIAL_FILE=$file" ;;
    default_missing_credential_file_variable) echo "$broker" ;;
    # Same port on another loopback address: nothing listens there.
    default_unreachable_broker) echo "VD_CREDENTIAL_BROKER_URL=${broker_url/127.0.0.1/127.0.0.2} VD_CREDENTIAL_FILE=$file" ;;
    default_invalid_lane) echo "$broker VD_CREDENTIAL_FILE=$file VD_CREDENTIAL_LANE=robot VD_CREDENTIAL_CONFIGURATION_REVISION=1" ;;
    default_lane_and_revision) echo "$broker VD_CREDENTIAL_FILE=$file VD_CREDENTIAL_LANE=service VD_CREDENTIAL_CONFIGURATION_REVISION=7" ;;
    default_cache_off) echo "$broker VD_CREDENTIAL_FILE=$file VD_BROKER_CACHE=0" ;;
    default_helper_socket) echo "VD_RUNTIME_ACCESS_SOCKET=$helper_socket" ;;
    *) echo "$broker VD_CREDENTIAL_FILE=$file" ;;
  esac
}

# -- run ----------------------------------------------------------------------
declare -A failed_cases=()
declare -A all_cases=()
valgrind_errors=0
valgrind_lost=0
sanitizer_reports=0
runs=0

# run MODE PROGRAM [CASE [ENV...]]: one process; its cases are tallied.
run() {
  local mode="$1" program="$2" case="${3:-}"
  shift 3 2>/dev/null || shift $#
  local output status log="$scratch/valgrind-$program-${case:-all}.log" wrapper=()
  if [ "$mode" = valgrind ]; then
    wrapper=(valgrind --error-exitcode=97 --leak-check=full --show-leak-kinds=definite,indirect
      --errors-for-leak-kinds=definite,indirect --num-callers=40 --log-file="$log")
  elif [ "$mode" = asan ]; then
    wrapper=(env ASAN_OPTIONS=detect_leaks=1:exitcode=98:abort_on_error=0 LSAN_OPTIONS=exitcode=98)
  fi
  # A shared token cache of its own: the plain and valgrind runs of a case
  # must each start cold.
  local cache_dir
  cache_dir="$(mktemp -d -p "$scratch" cache.XXXXXX)"
  output="$("${base_env[@]}" VD_BROKER_CACHE_DIR="$cache_dir" VD_TEST_MODE="$mode" "$@" "${wrapper[@]}" "$bin_dir/$program" $case 2>&1)"
  status=$?
  runs=$((runs + 1))
  sed "s/^/[$mode] $program: /" <<<"$output"
  local line name
  while IFS= read -r line; do
    case "$line" in
      "ok - "*) name="$program/${line#ok - }"; all_cases[$name]=1 ;;
      "not ok - "*) name="$program/${line#not ok - }"; all_cases[$name]=1; failed_cases[$name]=1 ;;
    esac
  done <<<"$output"
  if [ "$status" -ne 0 ] && ! grep -q '^not ok - ' <<<"$output"; then
    # A crash, a valgrind error or a leak fails the whole process's cases.
    echo "[$mode] $program ${case:-(all cases)}: exit status $status"
    failed_cases["$program/${case:-*}"]=1
    all_cases["$program/${case:-*}"]=1
  fi
  if [ "$mode" = asan ] && grep -qE '^(==[0-9]+==)?ERROR: (Address|Leak)Sanitizer' <<<"$output"; then
    sanitizer_reports=$((sanitizer_reports + 1))
    failed_cases["$program/${case:-*}"]=1
    all_cases["$program/${case:-*}"]=1
  fi
  if [ "$mode" = valgrind ]; then
    local errors lost
    errors="$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$log" | tr -d , | tail -n 1)"
    lost="$(sed -n 's/.*\(definitely\|indirectly\) lost: \([0-9,]*\) bytes.*/\2/p' "$log" | tr -d , |
      awk '{s += $1} END {print s + 0}')"
    if [ -z "$errors" ]; then
      echo "[$mode] $program: no valgrind summary in its log"
      failed_cases["$program/${case:-*}"]=1
      errors=0
    fi
    valgrind_errors=$((valgrind_errors + errors))
    valgrind_lost=$((valgrind_lost + lost))
    if [ "$errors" -ne 0 ] || [ "$lost" -ne 0 ]; then
      cat "$log"
    fi
  fi
}

for mode in "${modes[@]}"; do
  echo "== C tests, $mode"
  for program in "${tests[@]}"; do
    if [[ "$program" == test_default_* ]]; then
      for case in $("$bin_dir/$program" --list); do
        # shellcheck disable=SC2046 # the case's environment is a word list
        run "$mode" "$program" "$case" $(default_case_env "$case")
      done
    else
      run "$mode" "$program" ""
    fi
  done
done

failed=${#failed_cases[@]}
passed=$((${#all_cases[@]} - failed))
if [ "$failed" -ne 0 ]; then
  printf 'failed: %s\n' "${!failed_cases[@]}" | sort
fi
if [ "${modes[*]}" = asan ]; then
  echo "C tests: $passed passed, $failed failed (each run under AddressSanitizer, $runs processes; $sanitizer_reports AddressSanitizer or LeakSanitizer reports)"
  [ "$failed" -eq 0 ] && [ "$sanitizer_reports" -eq 0 ]
  exit
fi
echo "C tests: $passed passed, $failed failed (each run plain and under valgrind, $runs processes; valgrind: $valgrind_errors errors, $valgrind_lost bytes definitely or indirectly lost)"
[ "$failed" -eq 0 ] && [ "$valgrind_errors" -eq 0 ] && [ "$valgrind_lost" -eq 0 ]
