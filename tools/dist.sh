#!/usr/bin/env bash
# Writes every package of vd_broker into dist/ (or --out DIR), for the four
# Linux targets of tools/dist-targets.sh (x86_64 and aarch64, glibc 2.17 and
# musl), with SHA256SUMS over them all. For each target (ARCH, -musl on musl):
#
#   vd_broker-V-linux-ARCH[-musl].tar.gz   the C library: include/vd_broker.h,
#                                          lib/libvd_broker.so.V, .so.0, .so, .a and
#                                          lib/pkgconfig/vd_broker.pc (relocatable),
#                                          LICENSE, README.md
#   vibedata_studio_azure_cred_broker-P-py3-none-PLATFORM.whl
#                                          manylinux2014_ARCH or musllinux_1_2_ARCH
#   vd-broker-V-linux-ARCH                 (musl targets) the `vd-broker` command,
#                                          serve included, as one static executable:
#                                          it runs in any Linux image, whatever its libc
# and once:
#   vibedata_studio_azure_cred_broker-P.tar.gz   the sdist: the package and the crate
#   VibeData.Studio.AzureCredBroker.V.nupkg      lib/netstandard2.0 and
#                                                runtimes/RID/native/libvd_broker.so for
#                                                linux-x64, linux-arm64, linux-musl-x64
#                                                and linux-musl-arm64
#
#   tools/dist.sh [--out DIR] [--target TARGET]...
#
# --target builds only the targets named (a quick local run); CI builds all.
# Each target's library is built once, in release mode, by
# tools/install-c-library.sh with cargo-zigbuild and zig, in
# ${CARGO_TARGET_DIR:-target}/packaging; its tarball, wheel and .nupkg entry
# all carry that one file. The command's build shares that target directory.
# Needs what .ci/install.sh installs (.ci/install.d/60-dist.sh: cargo-zigbuild,
# ziglang and build in .venv, Mono's mcs and Debian's nuget; 65-cross.sh:
# the Rust targets).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
# shellcheck source=tools/dist-targets.sh
source tools/dist-targets.sh
out="$root/dist"
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --target) dist_describe "$2" || exit 64; targets+=("$2"); shift 2 ;;
    *) echo "dist: unknown argument $1 (usage: tools/dist.sh [--out DIR] [--target TARGET]...)" >&2; exit 64 ;;
  esac
done
[ "${#targets[@]}" -gt 0 ] || targets=("${dist_all_targets[@]}")
# cargo-zigbuild, zig and python's build live in .venv.
[ -d "$root/.venv/bin" ] && export PATH="$root/.venv/bin:$PATH"
for tool in cargo cargo-zigbuild python3 mcs nuget; do
  command -v "$tool" >/dev/null || { echo "dist: $tool not found: run .ci/install.sh" >&2; exit 1; }
done
if command -v rustup >/dev/null; then
  installed_targets="$(rustup target list --installed)"
  for target in "${targets[@]}"; do
    grep -qx "${target%%.*}" <<<"$installed_targets" ||
      { echo "dist: the Rust target ${target%%.*} is not installed: rustup target add ${target%%.*} (or run .ci/install.sh)" >&2; exit 1; }
  done
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"
version="$(cargo pkgid --quiet | sed 's/.*[#@]//')"
packaging_target="${CARGO_TARGET_DIR:-$root/target}/packaging"
nuget_tree="$work/nuget"

for target in "${targets[@]}"; do
  dist_describe "$target"
  SECONDS=0
  echo "== dist: $target: the library (release) and the C tarball"
  c_name="vd_broker-$version-$c_name_suffix"
  c_tree="$work/$c_name"
  bash tools/install-c-library.sh --relocatable --target "$target" --prefix "$c_tree" >&2
  library="$c_tree/lib/libvd_broker.so.$version"
  install -m 644 LICENSE README.md "$c_tree/"
  tar -C "$work" --owner=0 --group=0 --numeric-owner -czf "$out/$c_name.tar.gz" "$c_name"
  install -D -m 755 "$library" "$nuget_tree/runtimes/$rid/native/libvd_broker.so"
  echo "dist: $target: library built in ${SECONDS}s"

  echo "== dist: $target: the Python wheel ($wheel_platform)"
  VD_BROKER_PREBUILT_LIBRARY="$library" python3 -m pip wheel --quiet --disable-pip-version-check --no-deps \
    --config-settings=--build-option=--plat-name="$wheel_platform" -w "$out" ./bindings/python

  if [ "$libc" = musl ]; then
    # musl's default, a static executable (+crt-static); the library's build
    # above turned it off for its own link step only, so the dependencies
    # both share are compiled once. (The two builds of the crate itself
    # write the same deps/libvd_broker.a, so a second run of this script
    # compiles the musl library and command again: a minute or two.)
    SECONDS=0
    echo "== dist: $target: the vd-broker command (static)"
    cargo-zigbuild build --locked --release --bin vd-broker --target "$target" --target-dir "$packaging_target" >&2
    install -m 755 "$packaging_target/$target/release/vd-broker" "$out/vd-broker-$version-linux-$arch"
    echo "dist: $target: vd-broker built in ${SECONDS}s"
  fi
done

echo "== dist: the Python sdist"
python3 -m build --sdist --outdir "$out" bindings/python >"$work/sdist.log" 2>&1 || { cat "$work/sdist.log" >&2; exit 1; }

# One package for every runtime identifier: with fewer targets there is none.
if [ "${#targets[@]}" -eq "${#dist_all_targets[@]}" ]; then
  echo "== dist: the NuGet package"
  bash bindings/dotnet/build-and-test.sh --library-only
  install -D -m 644 -t "$nuget_tree/lib/netstandard2.0" \
    bindings/dotnet/build/VibeData.Studio.AzureCredBroker.dll bindings/dotnet/build/VibeData.Studio.AzureCredBroker.xml
  install -m 644 bindings/dotnet/README.md "$nuget_tree/README.md"
  timeout 120 nuget pack bindings/dotnet/src/VibeData.Studio.AzureCredBroker.nuspec -BasePath "$nuget_tree" \
    -OutputDirectory "$out" -NoPackageAnalysis -NonInteractive -Verbosity quiet
else
  echo "== dist: no NuGet package: it carries all four targets' libraries"
fi

(cd "$out" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs sha256sum -- > SHA256SUMS)
echo "dist: $out"
sed 's/^[0-9a-f]* */  /' "$out/SHA256SUMS"
