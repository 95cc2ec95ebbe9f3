#!/usr/bin/env bash
# The bindings' generated C declarations (tools/gen-bindings.py writes them
# from include/vd_broker.h): regenerating must change nothing, the rule the
# header itself follows. Also prints each binding's size per C function it
# uses (tools/binding-lines.py). Ends with a "generated:" line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
python3 tools/binding-lines.py
python3 tools/gen-bindings.py --check
