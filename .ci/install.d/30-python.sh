#!/usr/bin/env bash
# The Python binding's test dependencies, then the binding itself, installed
# the way a user installs it: pip builds bindings/python (a local directory
# is always rebuilt), which compiles the Rust core and bundles it in the
# package. The suite checks that bundle.
set -euo pipefail
pip=(python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore)
"${pip[@]}" -r bindings/python/requirements-test.txt
"${pip[@]}" ./bindings/python
python3 -c 'import vibedata_studio_azure_cred_broker as m; print("install: python binding", m.__version__, "over native", m.native_version(), "from", m.__file__)'
