#!/usr/bin/env bash
# The bindings' generated C declarations (tools/gen-bindings.py writes them
# from include/vd_broker.h): regenerating must change nothing, the rule the
# header itself follows. First the check is shown to fail on a copy of the
# tree whose header gained a function the copies lack. Also prints each
# binding's size per C function it uses (tools/binding-lines.py). Ends with
# a "generated:" line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
python3 tools/binding-lines.py

copy="$(mktemp -d)"
trap 'rm -rf "$copy"' EXIT
git ls-files -z include bindings/python/src bindings/dotnet/src | xargs -0 cp --parents -t "$copy"
sed -i 's|^#endif  /\* VD_BROKER_H \*/|/**\n * A function the bindings do not declare yet.\n */\nint32_t vd_broker_drift_probe(int32_t value);\n\n&|' "$copy/include/vd_broker.h"
if python3 tools/gen-bindings.py --check --root "$copy" >"$copy/check.log"; then
  echo "generated: the drift check passed on a header with a new function" >&2
  exit 1
fi
grep -q '^+    "vd_broker_drift_probe": (c_int32, \[c_int32\]),' "$copy/check.log"
echo "drift check: a new function in the header fails it ($(tail -n 1 "$copy/check.log" | cut -d';' -f1))"

python3 tools/gen-bindings.py --check
