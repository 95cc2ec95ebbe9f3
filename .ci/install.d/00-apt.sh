#!/usr/bin/env bash
# Debian packages every suite shares: valgrind for the C tests, openssl and
# pkg-config for the consumer tests and the installed-library example.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends valgrind openssl pkg-config curl >/dev/null
