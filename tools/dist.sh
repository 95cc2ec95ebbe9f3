#!/usr/bin/env bash
# Writes every package of vd_broker into dist/ (or --out DIR), with SHA256SUMS:
#
#   vd_broker-V-linux-x86_64.tar.gz        the C library: include/vd_broker.h,
#                                          lib/libvd_broker.so.V, .so.0, .so, .a and
#                                          lib/pkgconfig/vd_broker.pc (relocatable),
#                                          LICENSE, README.md
#   vibedata_studio_azure_cred_broker-P-py3-none-manylinux2014_x86_64.whl
#   vibedata_studio_azure_cred_broker-P.tar.gz   the sdist: the package and the crate
#   VibeData.Studio.AzureCredBroker.V.nupkg      lib/netstandard2.0 and
#                                                runtimes/linux-x64/native/libvd_broker.so
#
#   tools/dist.sh [--out DIR]
#
# The library is built once, in release mode against glibc 2.17 (cargo-zigbuild
# and zig) by tools/install-c-library.sh, in ${CARGO_TARGET_DIR:-target}/packaging;
# the tarball, the wheel and the .nupkg all carry that one file. Needs what
# .ci/install.sh installs (.ci/install.d/60-dist.sh: cargo-zigbuild, ziglang
# and build in .venv; Mono's mcs and Debian's nuget).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
out="$root/dist"
case "${1:-}" in
  --out) out="$(mkdir -p "$2" && cd "$2" && pwd)" ;;
  "") ;;
  *) echo "dist: unknown argument $1 (usage: tools/dist.sh [--out DIR])" >&2; exit 64 ;;
esac
# cargo-zigbuild, zig and python's build live in .venv.
[ -d "$root/.venv/bin" ] && export PATH="$root/.venv/bin:$PATH"
for tool in cargo cargo-zigbuild python3 mcs nuget; do
  command -v "$tool" >/dev/null || { echo "dist: $tool not found: run .ci/install.sh" >&2; exit 1; }
done

# glibc 2.17 is what manylinux2014 promises; the tag and the target go together.
glibc_target=x86_64-unknown-linux-gnu.2.17
wheel_platform=manylinux2014_x86_64

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"
version="$(cargo pkgid --quiet | sed 's/.*[#@]//')"

echo "== dist: the library (release, $glibc_target) and the C tarball"
c_name="vd_broker-$version-linux-x86_64"
c_tree="$work/$c_name"
bash tools/install-c-library.sh --relocatable --target "$glibc_target" --prefix "$c_tree" >&2
library="$c_tree/lib/libvd_broker.so.$version"
install -m 644 LICENSE README.md "$c_tree/"
tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "$out/$c_name.tar.gz" "$c_name"

echo "== dist: the Python wheel ($wheel_platform) and sdist"
VD_BROKER_PREBUILT_LIBRARY="$library" python3 -m pip wheel --quiet --disable-pip-version-check --no-deps \
  --config-settings=--build-option=--plat-name="$wheel_platform" -w "$out" ./bindings/python
python3 -m build --sdist --outdir "$out" bindings/python >"$work/sdist.log" 2>&1 || { cat "$work/sdist.log" >&2; exit 1; }

echo "== dist: the NuGet package"
bash bindings/dotnet/build-and-test.sh --library-only
nuget_tree="$work/nuget"
install -D -m 644 -t "$nuget_tree/lib/netstandard2.0" \
  bindings/dotnet/build/VibeData.Studio.AzureCredBroker.dll bindings/dotnet/build/VibeData.Studio.AzureCredBroker.xml
install -D -m 755 "$library" "$nuget_tree/runtimes/linux-x64/native/libvd_broker.so"
install -m 644 bindings/dotnet/README.md "$nuget_tree/README.md"
timeout 120 nuget pack bindings/dotnet/src/VibeData.Studio.AzureCredBroker.nuspec -BasePath "$nuget_tree" \
  -OutputDirectory "$out" -NoPackageAnalysis -NonInteractive -Verbosity quiet

(cd "$out" && sha256sum -- *.tar.gz *.whl *.nupkg > SHA256SUMS)
echo "dist: $out"
sed 's/^[0-9a-f]* */  /' "$out/SHA256SUMS"
