#!/usr/bin/env bash
# Builds the .NET binding with Mono's C# compiler and runs its NUnit tests
# under Mono against the crate's broker emulator (started by the tests).
#
#   bindings/dotnet/build-and-test.sh [--library-only]
#
# --library-only stops after VibeData.Studio.AzureCredBroker.dll (tools/dist.sh
# packs it); it needs neither the crate's build nor NUnit.
# Needs mono-mcs, mono-runtime and nunit-console (.ci/install.d/50-dotnet.sh)
# and the crate built (cargo build --bins --lib). VD_BROKER_LIB_DIR (where
# libvd_broker.so is) and VD_BROKER_EMULATOR default to target/debug.
# Everything is built into bindings/dotnet/build/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lib_dir="${VD_BROKER_LIB_DIR:-$root/target/debug}"
export VD_BROKER_EMULATOR="${VD_BROKER_EMULATOR:-$root/target/debug/vd-broker-emulator}"
out="$here/build"
library_only=""
[ "${1:-}" = --library-only ] && library_only=1

tools=(mcs)
[ -n "$library_only" ] || tools+=(mono nunit-console)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || { echo "$tool not found: run .ci/install.d/50-dotnet.sh" >&2; exit 1; }
done
[ -n "$library_only" ] || [ -f "$lib_dir/libvd_broker.so" ] ||
  { echo "no $lib_dir/libvd_broker.so: run cargo build --lib" >&2; exit 1; }

# The same C# files a dotnet SDK build compiles (its obj/ and bin/ excluded).
sources() { find "$1" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' | sort; }

rm -rf "$out"
mkdir -p "$out"
csc=(mcs -langversion:7.2 -warnaserror -target:library)

echo "== build: Azure.Core stand-in (test-only; never shipped)"
mapfile -t standin < <(sources "$here/tests/AzureCoreStandIn")
"${csc[@]}" -out:"$out/Azure.Core.dll" "${standin[@]}"

echo "== build: VibeData.Studio.AzureCredBroker.dll"
mapfile -t library < <(sources "$here/src")
"${csc[@]}" -doc:"$out/VibeData.Studio.AzureCredBroker.xml" -r:"$out/Azure.Core.dll" \
  -out:"$out/VibeData.Studio.AzureCredBroker.dll" "${library[@]}"
[ -z "$library_only" ] || exit 0

echo "== build: VibeData.Studio.AzureCredBroker.Tests.dll (NUnit 2.6)"
mapfile -t tests < <(sources "$here/tests/VibeData.Studio.AzureCredBroker.Tests")
"${csc[@]}" -pkg:nunit -r:"$out/Azure.Core.dll" -r:"$out/VibeData.Studio.AzureCredBroker.dll" \
  -out:"$out/VibeData.Studio.AzureCredBroker.Tests.dll" "${tests[@]}"

echo "== test: nunit-console under mono (native library from $lib_dir)"
cd "$out"
# DllImport("vd_broker") resolves libvd_broker.so through the loader's path.
LD_LIBRARY_PATH="$lib_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  timeout 280 nunit-console -nologo -noshadow -labels -xml="$out/TestResult.xml" \
  "$out/VibeData.Studio.AzureCredBroker.Tests.dll"
