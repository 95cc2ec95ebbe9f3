#!/usr/bin/env bash
# The Python binding's test dependencies, then the binding itself, installed
# the way a user installs it, into the virtual environment .venv at the
# repository root (created here; never the system's Python, so neither root
# nor sudo is needed). tests/run-all.sh puts .venv/bin first on PATH, so
# every suite's python3 is this one. pip builds bindings/python (a local
# directory is always rebuilt), which compiles the Rust core and bundles it
# in the package; the release build goes to target/packaging, where
# tools/install-c-library.sh and tools/dist.sh find its dependencies
# already compiled. The suite checks that bundle.
set -euo pipefail
[ -x .venv/bin/python3 ] || python3 -m venv .venv
pip=(.venv/bin/python3 -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" -r bindings/python/requirements-test.txt
"${pip[@]}" ./bindings/python
.venv/bin/python3 -c 'import vibedata_studio_azure_cred_broker as m; print("install: python binding", m.__version__, "over native", m.native_version(), "from", m.__file__)'
