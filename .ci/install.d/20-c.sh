#!/usr/bin/env bash
# The C suites beyond 00-apt's packages: unixODBC's headers for the ODBC
# example, CMake for the examples' CMake build.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends unixodbc-dev cmake >/dev/null
