#!/usr/bin/env bash
# Jansson's headers: the C scenario test (tests/c/test_scenarios.c) reads
# tests/scenarios.json with it rather than with a parser of its own.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends libjansson-dev >/dev/null
