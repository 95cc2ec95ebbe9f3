#!/usr/bin/env bash
# Prints vd_broker.pc, the pkg-config file, for a library and header
# wherever they are: an installed prefix (tools/install-c-library.sh), an
# unpacked tarball, or a checkout's own build (tests/suites/40-go.sh).
#
#   tools/write-pc.sh --prefix DIR --libdir DIR --includedir DIR
#                     [--libs-private FLAGS] [--rpath] [--relocatable]
#
# libdir and includedir under the prefix are written relative to ${prefix}.
# --relocatable writes prefix=${pcfiledir}/../.. (for LIBDIR = PREFIX/lib),
# so the tree works wherever it is unpacked. --rpath adds -Wl,-rpath for a
# build tree that programs should load from where it is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="" libdir="" includedir="" libs_private="" rpath="" relocatable=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --libdir) libdir="$2"; shift 2 ;;
    --includedir) includedir="$2"; shift 2 ;;
    --libs-private) libs_private="$2"; shift 2 ;;
    --rpath) rpath=" -Wl,-rpath,\${libdir}"; shift ;;
    --relocatable) relocatable=1; shift ;;
    *) echo "write-pc: unknown argument $1" >&2; exit 64 ;;
  esac
done
[ -n "$prefix" ] && [ -n "$libdir" ] && [ -n "$includedir" ] ||
  { echo "write-pc: --prefix, --libdir and --includedir are required" >&2; exit 64; }
if [ -n "$relocatable" ] && [ "$libdir" != "$prefix/lib" ]; then
  echo "write-pc: --relocatable needs --libdir PREFIX/lib (the .pc file is in PREFIX/lib/pkgconfig)" >&2
  exit 64
fi
version="$(cd "$root" && cargo pkgid --quiet | sed 's/.*[#@]//')"

prefix_line="$prefix"
[ -z "$relocatable" ] || prefix_line='${pcfiledir}/../..'
relative() { case "$1" in "$prefix"/*) echo "\${prefix}${1#"$prefix"}" ;; *) echo "$1" ;; esac; }
cat <<PC
prefix=$prefix_line
libdir=$(relative "$libdir")
includedir=$(relative "$includedir")

Name: vd_broker
Description: Azure access tokens from the VibeData Studio credential broker
Version: $version
Libs: -L\${libdir}$rpath -lvd_broker
Libs.private: $libs_private
Cflags: -I\${includedir}
PC
