#!/usr/bin/env bash
# Builds the .NET binding with Mono's C# compiler as a netstandard2.0 library
# and runs its NUnit tests on both runtimes against the crate's broker
# emulator (started by the tests): under Mono with NUnit's console runner,
# then under CoreCLR 3.1 (the runtime of .NET Core and .NET 5+) with
# tests/Runner, each ending with its own summary line naming its runtime.
#
#   bindings/dotnet/build-and-test.sh [--library-only]
#
# --library-only stops after VibeData.Studio.AzureCredBroker.dll (tools/dist.sh
# packs it); it needs neither the crate's build nor NUnit.
# Needs mono-mcs, mono-runtime, nunit-console and Mono.Cecil
# (.ci/install.d/50-dotnet.sh), CoreCLR (PyPI's dotnetcore2 in the Python
# environment first on PATH, .ci/install.d/55-coreclr.sh; its netstandard.dll
# also names the types a netstandard2.0 assembly may reference), and the crate
# built (cargo build --bins --lib). VD_BROKER_LIB_DIR (where libvd_broker.so
# is) and VD_BROKER_EMULATOR default to target/debug.
# Everything is built into bindings/dotnet/build/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lib_dir="${VD_BROKER_LIB_DIR:-$root/target/debug}"
export VD_BROKER_EMULATOR="${VD_BROKER_EMULATOR:-$root/target/debug/vd-broker-emulator}"
out="$here/build"
library_only=""
[ "${1:-}" = --library-only ] && library_only=1
source "$here/coreclr.sh"

tools=(mcs mono)
[ -n "$library_only" ] || tools+=(nunit-console)
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || { echo "$tool not found: run .ci/install.d/50-dotnet.sh" >&2; exit 1; }
done
cecil="$(ls /usr/lib/mono/gac/Mono.Cecil/0.11.*/Mono.Cecil.dll 2>/dev/null | head -n 1)"
[ -n "$cecil" ] || { echo "no Mono.Cecil 0.11 in Mono's GAC: run .ci/install.d/50-dotnet.sh" >&2; exit 1; }
netstandard="$(coreclr_framework)/netstandard.dll"
[ -n "$library_only" ] || [ -f "$lib_dir/libvd_broker.so" ] ||
  { echo "no $lib_dir/libvd_broker.so: run cargo build --lib" >&2; exit 1; }

# The same C# files a dotnet SDK build compiles (its obj/ and bin/ excluded).
sources() { find "$1" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' | sort; }

rm -rf "$out"
mkdir -p "$out"
csc=(mcs -langversion:7.2 -warnaserror -target:library)
# mcs compiles against Mono's mscorlib; Retarget then makes each assembly
# reference [netstandard] (and ValueTask from [System.Threading.Tasks.Extensions]),
# as a netstandard2.0 build does, and writes Mono the facades that resolve those.
retarget() { mono "$out/Retarget.exe" "$netstandard" "$out" "$@"; }
# What mcs compiles against the retargeted assemblies also references.
facades=(-r:"$out/netstandard.dll" -r:"$out/System.Threading.Tasks.Extensions.dll")

echo "== build: Retarget.exe (Mono.Cecil; build tool, never shipped)"
mcs -langversion:7.2 -warnaserror -target:exe -r:"$cecil" -out:"$out/Retarget.exe" "$here/netstandard/Retarget.cs"

echo "== build: Azure.Core stand-in (test-only; never shipped)"
# Delay-signed with the Azure SDK's public key (no private key, no
# signature), so that it carries Azure.Core's real identity and the library
# references exactly that. Neither runtime checks the missing signature:
# CoreCLR ignores strong-name signatures altogether, and Mono checks none
# when it loads an assembly from the application's directory (only gacutil,
# installing into the GAC, would refuse it), so no `sn -Vr` is needed.
perl -ne 'chomp; print pack("H*", $_)' "$here/tests/AzureCoreStandIn/azure-sdk-public-key.hex" >"$out/azure-sdk-public-key.snk"
mapfile -t standin < <(sources "$here/tests/AzureCoreStandIn")
"${csc[@]}" -delaysign+ -keyfile:"$out/azure-sdk-public-key.snk" -out:"$out/Azure.Core.dll" "${standin[@]}"

echo "== build: VibeData.Studio.AzureCredBroker.dll (netstandard2.0)"
mapfile -t library < <(sources "$here/src")
"${csc[@]}" -doc:"$out/VibeData.Studio.AzureCredBroker.xml" -r:"$out/Azure.Core.dll" \
  -out:"$out/VibeData.Studio.AzureCredBroker.dll" "${library[@]}"
retarget "$out/Azure.Core.dll" "$out/VibeData.Studio.AzureCredBroker.dll"
[ -z "$library_only" ] || exit 0

echo "== build: VibeData.Studio.AzureCredBroker.Tests.dll (NUnit 2.6) and its CoreCLR runner"
nunit_framework="$(pkg-config --libs nunit | tr ' ' '\n' | sed -n 's/^-r://p' | grep '/nunit.framework.dll$')"
mapfile -t tests < <(sources "$here/tests/VibeData.Studio.AzureCredBroker.Tests")
"${csc[@]}" -r:"$nunit_framework" -r:"$out/Azure.Core.dll" -r:"$out/VibeData.Studio.AzureCredBroker.dll" "${facades[@]}" \
  -out:"$out/VibeData.Studio.AzureCredBroker.Tests.dll" "${tests[@]}"
mcs -langversion:7.2 -warnaserror -target:exe "${facades[@]}" -out:"$out/Runner.dll" "$here/tests/Runner/ConsoleRunner.cs"
retarget "$out/VibeData.Studio.AzureCredBroker.Tests.dll" "$out/Runner.dll"

echo "== test: nunit-console under Mono (native library from $lib_dir)"
SECONDS=0
# DllImport("vd_broker") resolves libvd_broker.so through the loader's path.
(cd "$out" && LD_LIBRARY_PATH="$lib_dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  timeout 280 nunit-console -nologo -noshadow -labels -xml="$out/TestResult.xml" \
  "$out/VibeData.Studio.AzureCredBroker.Tests.dll") && mono_status=0 || mono_status=$?
# NUnit's own summary names no runtime: this line does, from its results.
results() { sed -n 's/.*<test-results [^>]*\b'"$1"'="\([0-9]*\)".*/\1/p' "$out/TestResult.xml"; }
if [ -f "$out/TestResult.xml" ]; then
  total=$(results total) failed=$(( $(results errors) + $(results failures) )) ignored=$(results ignored)
  echo "Mono $(mono --version | sed -n '1s/.*version \([0-9.]*\).*/\1/p'): $(( total - failed )) passed, $failed failed, $ignored ignored (${SECONDS}s)"
fi

echo "== test: the same tests under CoreCLR $(coreclr_version) (tests/Runner)"
SECONDS=0
coreclr_app "$out/coreclr" "$out/Runner.dll" "$out/VibeData.Studio.AzureCredBroker.Tests.dll" \
  "$out/VibeData.Studio.AzureCredBroker.dll" "$out/Azure.Core.dll" "$nunit_framework"
LD_LIBRARY_PATH="$lib_dir:$coreclr_openssl${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
  timeout 280 "${coreclr_exec[@]}" "$out/coreclr/Runner.dll" "$out/coreclr/VibeData.Studio.AzureCredBroker.Tests.dll" && coreclr_status=0 || coreclr_status=$?
echo "CoreCLR run: ${SECONDS}s"

echo "== test: VD_BROKER_LIBRARY through the NativeLibrary resolver, in a build for CoreCLR"
# netstandard2.0 has no NativeLibrary API, so the shipped assembly has no
# resolver. The same sources compiled against CoreCLR's own assemblies, with
# NETCOREAPP3_0_OR_GREATER (which a dotnet SDK defines for net8.0 too), have
# it; that build references System.Private.CoreLib, so it is test-only. Its
# test runs alone in a fresh process whose loader path leads to no
# libvd_broker.so: only VD_BROKER_LIBRARY can find it.
SECONDS=0
framework="$(coreclr_framework)"
corefx=()
for assembly in System.Private.CoreLib System.Runtime System.Runtime.InteropServices System.Collections System.Linq \
  System.IO.FileSystem System.Threading.Tasks.Extensions netstandard; do
  corefx+=(-r:"$framework/$assembly.dll")
done
mkdir -p "$out/resolver-build"
"${csc[@]}" -nostdlib -noconfig -define:NETCOREAPP3_0_OR_GREATER "${corefx[@]}" -r:"$out/Azure.Core.dll" \
  -out:"$out/resolver-build/VibeData.Studio.AzureCredBroker.dll" "${library[@]}"
coreclr_app "$out/coreclr-resolver" "$out/Runner.dll" "$out/VibeData.Studio.AzureCredBroker.Tests.dll" \
  "$out/resolver-build/VibeData.Studio.AzureCredBroker.dll" "$out/Azure.Core.dll" "$nunit_framework"
VD_BROKER_LIBRARY="$lib_dir/libvd_broker.so" LD_LIBRARY_PATH="$coreclr_openssl" timeout 120 "${coreclr_exec[@]}" \
  "$out/coreclr-resolver/Runner.dll" "$out/coreclr-resolver/VibeData.Studio.AzureCredBroker.Tests.dll" NativeLibraryResolverTests. \
  && resolver_status=0 || resolver_status=$?
echo "CoreCLR resolver run: ${SECONDS}s"
[ "$mono_status" -eq 0 ] && [ "$coreclr_status" -eq 0 ] && [ "$resolver_status" -eq 0 ]
