#!/usr/bin/env bash
# Debian packages every suite shares: valgrind for the C tests, openssl and
# pkg-config for the consumer tests and the installed-library example, and
# Python's venv module for .venv (30-python.sh).
set -euo pipefail
source .ci/apt.sh
apt_install valgrind openssl pkg-config curl python3-venv
