#!/usr/bin/env bash
# The tools agents run, each installed from its registry (by
# .ci/install.d/65-tools.sh, into .tools/ and tests/tools/azcopy) and run
# unchanged against `vd-broker serve` with the broker emulator behind it:
# the Azure CLI, the Fabric CLI, mssql-python, deltalake, polars and azcopy,
# with one Azurite (HTTPS, OAuth) for those that talk to storage; also the
# book's container recipe (docs/serve.md). pytest (tests/tools) runs them; each module
# starts its own endpoint. Prints each tool's version and the time taken.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SECONDS=0

# shellcheck source=tests/c/start_emulator.sh
source tests/c/start_emulator.sh
scratch_dir
start_emulator || exit 1
bash tests/azurite/start.sh "$work/azurite" >/dev/null || exit 1

export VD_TOOLS_BROKER_URL="$broker_url" VD_TOOLS_AZURITE_DIR="$work/azurite"
python3 -m pytest -p no:cacheprovider tests/tools
status=$?
echo "tools: suite took ${SECONDS} s"
exit "$status"
