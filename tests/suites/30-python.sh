#!/usr/bin/env bash
# The Python binding: pytest on the source tree over this build's library,
# against the broker emulator, an HTTPS Key Vault stand-in, Azurite,
# dbt-fabricspark and dlt. tests/test_installed.py also checks the package
# .ci/install.d/30-python.sh pip-installed, with its own bundled library.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$(pwd)"
export VD_BROKER_LIBRARY="${VD_BROKER_LIB_DIR:-$root/target/debug}/libvd_broker.so"
export VD_BROKER_EMULATOR="${VD_BROKER_EMULATOR:-$root/target/debug/vd-broker-emulator}"
cd bindings/python
python3 -m pytest -p no:cacheprovider
