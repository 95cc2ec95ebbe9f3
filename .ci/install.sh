#!/usr/bin/env bash
# Installs everything the test suites need on a fresh Debian machine (run as
# root). Each part lives in .ci/install.d/, one file per toolchain.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
for part in .ci/install.d/*.sh; do
  echo "== install: ${part#.ci/install.d/}"
  bash "$part"
done
