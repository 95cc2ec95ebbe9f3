#!/usr/bin/env bash
# The C suites beyond 00-apt's packages: unixODBC's headers for the ODBC
# example, CMake for the examples' CMake build.
set -euo pipefail
source .ci/apt.sh
apt_install unixodbc-dev cmake
