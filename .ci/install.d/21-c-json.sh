#!/usr/bin/env bash
# Jansson's headers: the C scenario test (tests/c/test_scenarios.c) reads
# tests/scenarios.json with it rather than with a parser of its own.
set -euo pipefail
source .ci/apt.sh
apt_install libjansson-dev
