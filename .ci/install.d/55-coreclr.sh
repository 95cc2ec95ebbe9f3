#!/usr/bin/env bash
# CoreCLR 3.1, the runtime of .NET Core (.NET 5+ is its successor), for the
# .NET binding's second test run and the .nupkg's consumer test: PyPI's
# dotnetcore2 (Microsoft's package: the dotnet host and the
# Microsoft.NETCore.App 3.1.23 shared framework, no SDK) into .venv, where
# bindings/dotnet/coreclr.sh finds it. It needs ICU and OpenSSL 1.x:
# - ICU from Debian (CoreCLR 3.1 is told its version at run time);
# - OpenSSL 1.1, which Debian 12 no longer packages (it has 3.x, which
#   CoreCLR 3.1 predates; .NET 6+ takes 3.x). MySQL's Python connector
#   8.0.33 vendors OpenSSL 1.1.1t as plain libssl.so.1.1/libcrypto.so.1.1 in
#   its wheel: the two libraries are taken from it into .venv/lib/coreclr-openssl/
#   (the connector itself is not installed). Only the tests' CoreCLR uses them.
set -euo pipefail
SECONDS=0
source .ci/apt.sh
icu="$(apt-cache search --names-only '^libicu[0-9]+$' | awk '{print $1}' | sort -V | tail -n 1)"
apt_install "$icu"
[ -x .venv/bin/python3 ] || python3 -m venv .venv
pip=(.venv/bin/python3 -m pip --quiet --disable-pip-version-check)
"${pip[@]}" install dotnetcore2==3.1.23
openssl=.venv/lib/coreclr-openssl
if [ ! -f "$openssl/libssl.so.1.1" ] || [ ! -f "$openssl/libcrypto.so.1.1" ]; then
  wheels="$(mktemp -d)"
  "${pip[@]}" download --no-deps --only-binary=:all: --dest "$wheels" mysql-connector-python==8.0.33
  mkdir -p "$openssl"
  .venv/bin/python3 - "$wheels"/mysql_connector_python-*.whl "$openssl" <<'PY'
import os, sys, zipfile
wheel, target = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for name in ("libssl.so.1.1", "libcrypto.so.1.1"):
        with open(os.path.join(target, name), "wb") as out:
            out.write(z.read("mysql/vendor/" + name))
PY
  rm -rf "$wheels"
fi
echo "install: CoreCLR $(ls .venv/lib/python3*/site-packages/dotnetcore2/bin/shared/Microsoft.NETCore.App/), $icu, $(grep -a -o -m 1 'OpenSSL 1\.1\.[0-9][a-z]*' "$openssl/libssl.so.1.1") (${SECONDS}s)"
