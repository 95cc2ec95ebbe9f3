#!/usr/bin/env bash
# Azurite for the Python and Go real-consumer tests, pinned by tests/azurite.
set -euo pipefail
cd tests/azurite
npm ci --no-audit --no-fund --silent
