#!/usr/bin/env bash
# Mono for the .NET binding's build and tests (no dotnet SDK or NuGet here):
# the C# compiler, the runtime, and NUnit 2.6's console runner and framework.
set -euo pipefail
source .ci/apt.sh
apt_install mono-mcs mono-runtime nunit-console libnunit-cil-dev pkg-config
mcs --version
mono --version | head -n 1
pkg-config --modversion nunit | sed 's/^/nunit /'
