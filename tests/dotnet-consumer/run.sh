#!/usr/bin/env bash
# The .nupkg as a .NET application uses it, on CoreCLR: Program.cs, a console
# program outside the binding, is compiled (by Mono's mcs, as a netstandard
# program: see bindings/dotnet/build-and-test.sh) against the assembly packed
# in the .nupkg, and run by CoreCLR 3.1 the way `dotnet run` runs a project
# that references the package: the package unpacked into a NuGet packages
# folder, the application's deps.json naming its assembly and its
# runtimes/linux-x64/native/libvd_broker.so, runtimeconfig.dev.json naming the
# folder. No LD_LIBRARY_PATH leads to the library: the host finds both in the
# package. The program gets a token from the broker emulator, uploads a blob
# to Azurite (HTTPS, the test CA) and reads it back; this script checks that
# the assembly and the library came from the package, and that the packed
# assembly references the real Azure.Core.
#
#   tests/dotnet-consumer/run.sh PATH/TO/VibeData.Studio.AzureCredBroker.V.nupkg
#
# Needs what bindings/dotnet/build-and-test.sh --library-only needs (Mono,
# Mono.Cecil, CoreCLR), the broker emulator (VD_BROKER_EMULATOR, else
# target/debug) and Azurite (tests/azurite/start.sh). Prints one
# "dist:" line with the seconds it took.
set -euo pipefail
SECONDS=0
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
nupkg="$(cd "$(dirname "${1:?usage: run.sh PATH/TO/PACKAGE.nupkg}")" && pwd)/$(basename "$1")"
cd "$root"
source bindings/dotnet/coreclr.sh
source tests/c/start_emulator.sh
scratch_dir
azurite_dir="$work/azurite"
trap '[ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null; [ -f "$azurite_dir/azurite.pid" ] && kill "$(cat "$azurite_dir/azurite.pid")" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "dist: $*" >&2; exit 1; }

# The package as NuGet restores it: <packages>/<id, lower case>/<version>/.
id=VibeData.Studio.AzureCredBroker
unpacked="$work/unpacked"
python3 -m zipfile -e "$nupkg" "$unpacked"
version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$unpacked/$id.nuspec" 2>/dev/null)"
[ -n "$version" ] || fail "$nupkg has no $id.nuspec with a <version>"
package_path="${id,,}/$version"
packages="$work/packages"
mkdir -p "$packages/${id,,}"
mv "$unpacked" "$packages/$package_path"
cp "$nupkg" "$packages/$package_path/${id,,}.$version.nupkg"
openssl dgst -sha512 -binary "$nupkg" | base64 -w 0 >"$packages/$package_path/${id,,}.$version.nupkg.sha512"
packed="$packages/$package_path/lib/netstandard2.0/$id.dll"
[ -f "$packed" ] || fail "the .nupkg has no lib/netstandard2.0/$id.dll"

# The Azure.Core stand-in (with the real identity) and Mono's netstandard facades.
bash bindings/dotnet/build-and-test.sh --library-only >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "the stand-in did not build"; }
build=bindings/dotnet/build
app="$work/app"
mcs -langversion:7.2 -warnaserror -target:exe -r:"$packed" -r:"$build/Azure.Core.dll" \
  -r:"$build/netstandard.dll" -r:"$build/System.Threading.Tasks.Extensions.dll" -r:System.Net.Http -out:"$work/Consumer.dll" "$here/Program.cs"
mono "$build/Retarget.exe" "$(coreclr_framework)/netstandard.dll" "$work" "$work/Consumer.dll"
coreclr_app "$app" "$work/Consumer.dll" "$build/Azure.Core.dll"
cat >"$app/Consumer.runtimeconfig.dev.json" <<JSON
{ "runtimeOptions": { "additionalProbingPaths": [ "$packages" ] } }
JSON
cat >"$app/Consumer.deps.json" <<JSON
{
  "runtimeTarget": { "name": ".NETCoreApp,Version=v3.1" },
  "targets": {
    ".NETCoreApp,Version=v3.1": {
      "Consumer/1.0.0": {
        "dependencies": { "$id": "$version", "Azure.Core": "1.44.1.0" },
        "runtime": { "Consumer.dll": {} }
      },
      "$id/$version": {
        "dependencies": { "Azure.Core": "1.44.1.0" },
        "runtime": { "lib/netstandard2.0/$id.dll": {} },
        "runtimeTargets": {
          "runtimes/linux-x64/native/libvd_broker.so": { "rid": "linux-x64", "assetType": "native" }
        }
      },
      "Azure.Core/1.44.1.0": { "runtime": { "Azure.Core.dll": {} } }
    }
  },
  "libraries": {
    "Consumer/1.0.0": { "type": "project", "serviceable": false, "sha512": "" },
    "$id/$version": {
      "type": "package", "serviceable": false,
      "sha512": "sha512-$(cat "$packages/$package_path/${id,,}.$version.nupkg.sha512")",
      "path": "$package_path", "hashPath": "${id,,}.$version.nupkg.sha512"
    },
    "Azure.Core/1.44.1.0": { "type": "reference", "serviceable": false, "sha512": "" }
  }
}
JSON

start_emulator
studio_env "$work"
azurite_port="$(bash tests/azurite/start.sh "$azurite_dir")"
unset LD_LIBRARY_PATH
out="$(LD_LIBRARY_PATH="$coreclr_openssl" timeout 60 "${coreclr_exec[@]}" "$app/Consumer.dll" \
  "https://127.0.0.1:$azurite_port/devstoreaccount1" "$azurite_dir/ca.pem")" || { echo "$out" >&2; fail "the consumer failed on CoreCLR"; }
grep -qx "assembly: $packed" <<<"$out" || { echo "$out" >&2; fail "the consumer did not load the packed assembly"; }
grep -qx "native: $packages/$package_path/runtimes/linux-x64/native/libvd_broker.so" <<<"$out" ||
  { echo "$out" >&2; fail "the consumer did not load the package's native library"; }
azure_core="Azure.Core, Version=1.44.1.0, Culture=neutral, PublicKeyToken=92742159e12e44c8"
grep -qx "references: $azure_core" <<<"$out" || { echo "$out" >&2; fail "the packed assembly does not reference $azure_core"; }
echo "dist: $(sed -n 's/^consumer: //p' <<<"$out"), with the assembly and libvd_broker.so from the .nupkg ($(basename "$nupkg")) (${SECONDS}s)"
