#!/usr/bin/env bash
# Builds vd_broker in release mode and installs it as a C library, the way
# `make install` would: the header, the shared library with a versioned
# soname and its symlinks, the static library, and a pkg-config file.
#
#   tools/install-c-library.sh [--prefix DIR] [--libdir DIR] [--includedir DIR] [--destdir DIR]
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
# the .pc file keeps the real prefix. The build goes to
# ${CARGO_TARGET_DIR:-target}/c-library, away from other builds' flags.
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
target_dir="${CARGO_TARGET_DIR:-$root/target}/c-library"

# The soname is a link argument of the cdylib only; cargo rustc passes it to
# this crate's library and to nothing else. --print native-static-libs names
# the system libraries the static archive needs (for Libs.private); rustc
# prints it only when it links, so the last answer is kept beside the build.
native_libs_file="$target_dir/native-static-libs"
mkdir -p "$target_dir"
build_log="$target_dir/build.log"
cargo rustc --locked --release --lib --target-dir "$target_dir" -- \
  -C "link-arg=-Wl,-soname,$soname" --print native-static-libs 2>&1 | tee "$build_log" >&2
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

built="$target_dir/release"
actual_soname="$(readelf -d "$built/libvd_broker.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
if [ "$actual_soname" != "$soname" ]; then
  echo "install-c-library: built library has soname '${actual_soname:-none}', expected $soname" >&2
  exit 1
fi

stage_lib="$destdir$libdir"
stage_include="$destdir$includedir"
install -d "$stage_lib/pkgconfig" "$stage_include"
install -m 644 include/vd_broker.h "$stage_include/vd_broker.h"
install -m 755 "$built/libvd_broker.so" "$stage_lib/libvd_broker.so.$version"
ln -sfn "libvd_broker.so.$version" "$stage_lib/$soname"
ln -sfn "$soname" "$stage_lib/libvd_broker.so"
install -m 644 "$built/libvd_broker.a" "$stage_lib/libvd_broker.a"

# Paths relative to ${prefix} when they are under it, so the tree can be moved.
relative() { case "$1" in "$prefix"/*) echo "\${prefix}${1#"$prefix"}" ;; *) echo "$1" ;; esac; }
cat > "$stage_lib/pkgconfig/vd_broker.pc" <<EOF
prefix=$prefix
libdir=$(relative "$libdir")
includedir=$(relative "$includedir")

Name: vd_broker
Description: Azure access tokens from the VibeData Studio credential broker
Version: $version
Libs: -L\${libdir} -lvd_broker
Libs.private: $native_libs
Cflags: -I\${includedir}
EOF
chmod 644 "$stage_lib/pkgconfig/vd_broker.pc"

echo "install: vd_broker $version into $destdir$prefix (include/vd_broker.h, libvd_broker.so.$version with soname $soname, libvd_broker.a, pkgconfig/vd_broker.pc)"
