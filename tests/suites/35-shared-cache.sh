#!/usr/bin/env bash
# The token cache a user's processes share: C and Python processes side by
# side, counted at the broker emulator (tests/shared_cache/run.sh). Ends
# with the line "shared cache: N passed, M failed ...".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec bash tests/shared_cache/run.sh
