#!/usr/bin/env bash
# Installs everything the test suites need on a fresh Debian machine, as root
# or not. Each part lives in .ci/install.d/, one file per toolchain. Debian
# packages are installed only as root (or through password-less sudo);
# otherwise a part names the apt-get command to ask for (.ci/apt.sh). Python
# packages go into the virtual environment .venv at the repository root,
# never into the system's Python; tests/run-all.sh puts .venv/bin first on
# PATH.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Every part's python3 is the virtual environment's once 30-python made it.
export PATH="$PWD/.venv/bin:$PATH"
VD_APT_STAMP="$(mktemp)"
export VD_APT_STAMP
trap 'rm -f "$VD_APT_STAMP"' EXIT
for part in .ci/install.d/*.sh; do
  echo "== install: ${part#.ci/install.d/}"
  bash "$part"
done
