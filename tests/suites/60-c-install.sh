#!/usr/bin/env bash
# The library as a C user gets it: tools/install-c-library.sh into a
# temporary prefix, then the examples built from that prefix alone —
# through pkg-config (shared and static), through CMake, the ODBC example
# against unixODBC — and run against the broker emulator; then the
# newcomer's examples/quickstart.sh. Each check prints an "install:" line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=tests/c/start_emulator.sh
source tests/c/start_emulator.sh

scratch_dir

prefix="$work/prefix"
bash tools/install-c-library.sh --prefix "$prefix" 2>"$work/install.log" || { cat "$work/install.log" >&2; exit 1; }
lib="$prefix/lib"
test -f "$prefix/include/vd_broker.h"
test -f "$lib/libvd_broker.a"
test "$(readlink "$lib/libvd_broker.so")" = libvd_broker.so.0
version="$(readlink "$lib/libvd_broker.so.0")"
soname="$(readelf -d "$lib/$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
test "$soname" = libvd_broker.so.0
foreign="$(nm -D --defined-only "$lib/$version" | awk '{print $3}' | grep -cv '^vd_broker_' || true)"
test "$foreign" -eq 0
echo "install: $version (soname $soname, vd_broker_* exports only), libvd_broker.a, vd_broker.h, vd_broker.pc"

# A packager's staged install: files under DESTDIR, the real prefix in the .pc.
bash tools/install-c-library.sh --prefix /usr --destdir "$work/stage" 2>/dev/null
test -L "$work/stage/usr/lib/libvd_broker.so.0"
grep -qx 'prefix=/usr' "$work/stage/usr/lib/pkgconfig/vd_broker.pc"
echo "install: --destdir stages under DESTDIR and keeps prefix=/usr in vd_broker.pc"

start_emulator
studio_env "$work"

export PKG_CONFIG_PATH="$lib/pkgconfig"
cflags=(-std=c11 -Wall -Wextra -Wpedantic -Werror)
scope=https://database.windows.net/.default

# shellcheck disable=SC2046 # pkg-config prints flags to split
gcc "${cflags[@]}" -o "$work/get_token" examples/c/get_token.c $(pkg-config --cflags --libs vd_broker)
# grep reads all of ldd's output (no -q): an early exit would break ldd's pipe under pipefail.
LD_LIBRARY_PATH="$lib" ldd "$work/get_token" | grep "libvd_broker.so.0 => $lib/libvd_broker.so.0" >/dev/null
out="$(LD_LIBRARY_PATH="$lib" "$work/get_token" "$scope")"
[[ "$out" == "token for $scope: "*" bytes, expires "* ]] || { echo "unexpected: $out" >&2; exit 1; }
echo "install: examples/c/get_token.c built with pkg-config --cflags --libs vd_broker; ran: $out"

# Static: pkg-config --static adds Libs.private; -l:libvd_broker.a picks the
# archive over the shared library beside it.
static_flags="$(pkg-config --static --cflags --libs vd_broker)"
# shellcheck disable=SC2086 # flags to split
gcc "${cflags[@]}" -o "$work/get_token_static" examples/c/get_token.c ${static_flags/-lvd_broker/-l:libvd_broker.a}
if readelf -d "$work/get_token_static" | grep 'libvd_broker' >/dev/null; then
  echo "the static example still needs libvd_broker.so" >&2
  exit 1
fi
out="$("$work/get_token_static" --print-token "$scope")"
[[ "$out" == eyJ*.*.* ]] || { echo "the static example printed no token" >&2; exit 1; }
echo "install: examples/c/get_token.c linked statically (pkg-config --static), ran: a ${#out}-byte token"

cmake -S examples/c -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >"$work/cmake.log" ||
  { cat "$work/cmake.log" >&2; exit 1; }
cmake --build "$work/cmake" >>"$work/cmake.log" || { cat "$work/cmake.log" >&2; exit 1; }
out="$("$work/cmake/get_token" "$scope")"
echo "install: examples/c (CMake, pkg_check_modules) built; ran: $out"

# The ODBC example: the driver manager takes the access-token blob; there
# is no SQL Server here, so it stops before connecting.
# shellcheck disable=SC2046
gcc "${cflags[@]}" -o "$work/odbc_token" examples/c/odbc_token.c $(pkg-config --cflags --libs vd_broker odbc)
out="$(env -u VD_ODBC_CONNECTION_STRING LD_LIBRARY_PATH="$lib" "$work/odbc_token")"
grep -q '^access-token blob set on the connection' <<<"$out" || { echo "unexpected: $out" >&2; exit 1; }
echo "install: examples/c/odbc_token.c built against unixODBC; SQLSetConnectAttr(1256) took the blob"

out="$(bash examples/quickstart.sh 2>&1)" || { echo "$out" >&2; exit 1; }
grep -q '^  aud      https://storage.azure.com$' <<<"$out" && grep -q '^  aud      https://database.windows.net/$' <<<"$out" ||
  { echo "$out" >&2; exit 1; }
echo "install: examples/quickstart.sh printed two tokens with their audiences"
