#!/usr/bin/env bash
# Mono for the .NET binding's build and tests (no dotnet SDK or NuGet here):
# the C# compiler, the runtime, NUnit 2.6's console runner and framework, and
# Mono.Cecil 0.11 (Mono's own copy, in its GAC), with which the build makes
# the mcs-compiled assemblies reference netstandard (bindings/dotnet/netstandard/);
# System.Net.Http so that the netstandard facade it writes for Mono forwards
# HttpClient too (tests/dotnet-consumer compiles against it).
set -euo pipefail
source .ci/apt.sh
apt_install mono-mcs mono-runtime nunit-console libnunit-cil-dev libmono-cecil-private-cil libmono-system-net-http4.0-cil pkg-config
mcs --version
mono --version | head -n 1
pkg-config --modversion nunit | sed 's/^/nunit /'
ls /usr/lib/mono/gac/Mono.Cecil/ | sed -n 's/^\(0\.11[^_]*\)__.*/Mono.Cecil \1/p'
