#!/usr/bin/env bash
# The C tests of the core's C ABI, each case run plainly and under valgrind
# memcheck (tests/c/run.sh). Ends with the line "C tests: N passed, M failed ...".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec bash tests/c/run.sh
