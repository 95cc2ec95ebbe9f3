#!/usr/bin/env bash
# The packages as their users get them, each on its own architecture.
# tools/dist.sh writes them for the four Linux targets (x86_64 and aarch64,
# glibc and musl) into target/dist (tests/suites/75-platforms.sh uses them
# too), then:
# - every wheel's WHEEL tag, every tarball's name and each static
#   `vd-broker`'s name say the machine and C library of the native code
#   inside (tests/dist/test_targets.py); SHA256SUMS covers every file;
# - the x86_64 wheel, installed into a fresh venv whose PATH has no cargo or
#   rustc, runs the README's Key Vault snippet with a token from the
#   emulator, and the package loads its own bundled library (the aarch64
#   wheel: tests/suites/75-platforms.sh);
# - the sdist, copied to an empty directory, builds a wheel that passes the
#   same;
# - each C tarball, unpacked elsewhere, builds examples/c/get_token.c with
#   only PKG_CONFIG_PATH set, shared and static (gcc; musl-gcc, shared
#   only; zig cc for aarch64), and each program runs on the tarball's
#   architecture (aarch64 under qemu) and gets a token;
# - each musllinux wheel is the one pip picks for a musl Python of its
#   architecture, and the library inside it gets a token on its
#   architecture and libc (a C program: no musl Python runs here);
# - a Go module outside the repository builds against a copy of bindings/go
#   (a replace directive) with only PKG_CONFIG_PATH set, shared and with
#   -tags static, for x86_64 and cross-built for arm64 (zig cc), and gets a
#   token on each; with CGO_ENABLED=0 the build fails naming cgo;
# - the .nupkg's files and nuspec, and the nuspec against the csproj
#   (tests/dist/test_nuget.py); a program built against its assembly runs on
#   CoreCLR, taking the assembly and the native library from the package
#   (tests/dotnet-consumer/run.sh).
# Each check prints a "dist:" line with the seconds it took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$(pwd)"
# auditwheel and the dist tools are in .venv (tests/run-all.sh does the same).
[ -d "$root/.venv/bin" ] && export PATH="$root/.venv/bin:$PATH"
# shellcheck source=tests/c/start_emulator.sh
source tests/c/start_emulator.sh
# shellcheck source=tools/dist-targets.sh
source tools/dist-targets.sh

scratch_dir
fail() { echo "dist: $*" >&2; exit 1; }
# shellcheck source=tests/dist/arch.sh
source tests/dist/arch.sh
# Compiled dependencies are shared with the other release builds of packages.
packaging_target="${CARGO_TARGET_DIR:-$root/target}/packaging"

SECONDS=0
dist="$root/target/dist"
bash tools/dist.sh --out "$dist" >"$work/dist.log" 2>&1 || { cat "$work/dist.log" >&2; fail "tools/dist.sh failed"; }
(cd "$dist" && sha256sum --check --quiet SHA256SUMS) || fail "SHA256SUMS does not match"
grep '^dist: .* built in ' "$work/dist.log" || true
echo "dist: tools/dist.sh wrote $(cd "$dist" && echo *) (${SECONDS}s)"

SECONDS=0
VD_BROKER_DIST="$dist" python3 -m pytest -c /dev/null --rootdir "$work" -p no:cacheprovider tests/dist/test_targets.py
echo "dist: each package holds its own target's native code (${SECONDS}s)"

# --- Python -----------------------------------------------------------------
SECONDS=0
wheel="$(echo "$dist"/*-py3-none-manylinux2014_x86_64.whl)"
[ -f "$wheel" ] || fail "no manylinux2014 wheel in $dist"

# A fresh venv, and a PATH with it and the system's directories only.
venv="$work/venv"
python3 -m venv "$venv"
clean_path="$venv/bin:/usr/bin:/bin"
! PATH="$clean_path" command -v cargo rustc >/dev/null || fail "cargo or rustc is on $clean_path"
pins="$(grep -E '^(pytest|azure-core|azure-keyvault-secrets|cryptography)==' bindings/python/requirements-test.txt)"
# shellcheck disable=SC2086 # one requirement per word
env -i HOME="$HOME" PATH="$clean_path" "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check \
  --only-binary=:all: "$wheel" $pins

smoke() {
  env -i HOME="$HOME" PATH="$clean_path" VD_BROKER_EMULATOR="${VD_BROKER_EMULATOR:-$root/target/debug/vd-broker-emulator}" \
    "$venv/bin/python3" -m pytest -c /dev/null --rootdir "$work" -p no:cacheprovider \
    bindings/python/tests/test_readme.py::test_secretclient_snippet_reads_the_secret \
    bindings/python/tests/test_installed.py::test_the_installed_package_bundles_and_loads_its_library
}
smoke
echo "dist: the wheel, installed without cargo or rustc on PATH, ran the README's Key Vault snippet (${SECONDS}s)"

SECONDS=0
sdist="$(echo "$dist"/vibedata_studio_azure_cred_broker-*.tar.gz)"
mkdir "$work/empty"
cp "$sdist" "$work/empty/"
(cd "$work/empty" && CARGO_TARGET_DIR="$packaging_target" python3 -m pip wheel --quiet --disable-pip-version-check \
  --no-deps -w built "./$(basename "$sdist")") || fail "the sdist did not build"
env -i HOME="$HOME" PATH="$clean_path" "$venv/bin/python3" -m pip install --quiet --disable-pip-version-check \
  --no-deps --force-reinstall "$work/empty/built"/*.whl
smoke
echo "dist: the sdist, alone in an empty directory, built $(basename "$work/empty/built"/*.whl); it ran the snippet (${SECONDS}s)"

# --- C ----------------------------------------------------------------------
# Each tarball with its own target's compiler: this machine's gcc or
# musl-gcc, zig cc for another architecture. Its programs run on that
# architecture (run_on: aarch64 under qemu).
start_emulator
studio_env "$work"
unset CGO_CFLAGS CGO_CPPFLAGS CGO_LDFLAGS LD_LIBRARY_PATH C_INCLUDE_PATH LIBRARY_PATH PKG_CONFIG_PATH
scope=https://storage.azure.com/.default

# target_cc: after dist_describe, the C compiler of the target (cc, an
# array, and compiler, its name): this machine's gcc or musl-gcc, zig cc for
# another architecture. -O2 also keeps zig from linking its UBSan runtime
# (debug builds do), which needs a newer musl than Debian's.
target_cc() {
  if [ "$arch" = "$(uname -m)" ]; then
    cc=(gcc)
    [ "$libc" = gnu ] || cc=("$libc-gcc")
  else
    read -ra cc <<<"$(zig_cc "$arch-linux-$libc")"
  fi
  compiler="${cc[*]}"
  compiler="${compiler##*/}"
  cc+=(-O2)
}

# unpack TARGET: the target's tarball, unpacked elsewhere (once); sets c_prefix.
unpack() {
  dist_describe "$1"
  if [ ! -d "$work/anywhere/$1" ]; then
    mkdir -p "$work/anywhere/$1"
    tar -C "$work/anywhere/$1" -xzf "$(echo "$dist"/vd_broker-*-"$c_name_suffix".tar.gz)"
  fi
  c_prefix="$(echo "$work/anywhere/$1"/vd_broker-*)"
}

for target in "${dist_all_targets[@]}"; do
  SECONDS=0
  unpack "$target"
  for file in LICENSE README.md include/vd_broker.h lib/libvd_broker.so lib/libvd_broker.so.0 lib/libvd_broker.a; do
    [ -e "$c_prefix/$file" ] || fail "the $c_name_suffix C tarball has no $file"
  done
  grep -qx 'prefix=${pcfiledir}/../..' "$c_prefix/lib/pkgconfig/vd_broker.pc" || fail "$c_name_suffix: vd_broker.pc is not relocatable"
  target_cc
  export PKG_CONFIG_PATH="$c_prefix/lib/pkgconfig"
  libdir="$(pkg-config --variable=libdir vd_broker)"
  program="$work/get_token-$target"
  # shellcheck disable=SC2046 # pkg-config prints flags to split
  "${cc[@]}" -std=c11 -Wall -Werror -o "$program" examples/c/get_token.c \
    $(pkg-config --cflags --libs vd_broker) -Wl,-rpath,"$libdir"
  out="$(run_on "$arch" "$program" "$scope")"
  [[ "$out" == "token for $scope: "*" bytes, expires "* ]] || fail "$c_name_suffix: the shared example printed: $out"
  linked=shared
  # The musl archive's Libs.private is rustc's: -lgcc_s, the unwinder of a
  # musl system's gcc (zig brings its own); Debian's musl-gcc wrapper finds
  # only glibc's, so with it the shared link alone is tested.
  if [ "${cc[0]}" != musl-gcc ]; then
    static_flags="$(pkg-config --static --cflags --libs vd_broker)"
    # shellcheck disable=SC2086 # flags to split
    "${cc[@]}" -std=c11 -Wall -Werror -o "$program-static" examples/c/get_token.c ${static_flags/-lvd_broker/-l:libvd_broker.a}
    ! readelf -d "$program-static" | grep libvd_broker >/dev/null || fail "$c_name_suffix: the static example needs libvd_broker.so"
    run_on "$arch" "$program-static" "$scope" >/dev/null
    linked="shared and static"
  fi
  echo "dist: the $c_name_suffix C tarball, unpacked elsewhere, built get_token.c with $compiler and PKG_CONFIG_PATH alone, $linked; each got a token on $arch (${SECONDS}s)"
done
unset PKG_CONFIG_PATH

# The musllinux wheels: no musl Python runs here (the arm64 root is Debian's),
# so each wheel is tested where it differs from the others: pip, asked for a
# musl interpreter of the wheel's architecture, picks it out of the four;
# and the library inside it, taken out as it is, serves a C program built by
# its target's compiler and run on its architecture (the package's Python
# code is the same in every wheel, and runs in the other wheels' tests).
for target in "${dist_all_targets[@]}"; do
  dist_describe "$target"
  [ "$libc" = musl ] || continue
  SECONDS=0
  wheel="$(echo "$dist"/*-"$wheel_platform".whl)"
  python3 -m pip download --quiet --disable-pip-version-check --no-index --find-links "$dist" --only-binary=:all: \
    --platform "$wheel_platform" --python-version 3.11 --no-deps -d "$work/picked-$target" vibedata_studio_azure_cred_broker
  picked="$(cd "$work/picked-$target" && echo *.whl)"
  [ "$picked" = "$(basename "$wheel")" ] || fail "pip picked $picked for a $wheel_platform interpreter, not $(basename "$wheel")"
  wheel_lib="$work/wheel-$target"
  mkdir -p "$wheel_lib"
  unzip -q -j -d "$wheel_lib" "$wheel" vibedata_studio_azure_cred_broker/libvd_broker.so
  ln -s libvd_broker.so "$wheel_lib/libvd_broker.so.0" # its soname, which the program will ask for
  target_cc
  program="$work/get_token-wheel-$target"
  "${cc[@]}" -std=c11 -Wall -Werror -o "$program" examples/c/get_token.c -Iinclude -L"$wheel_lib" -lvd_broker -Wl,-rpath,"$wheel_lib"
  out="$(run_on "$arch" "$program" "$scope")"
  [[ "$out" == "token for $scope: "*" bytes, expires "* ]] || fail "$wheel_platform: the wheel's library printed: $out"
  echo "dist: the $wheel_platform wheel: pip picks it for a musl Python on $arch; its own library, linked by $compiler, got a token on $arch (${SECONDS}s)"
done

# --- Go ---------------------------------------------------------------------
# A copy of bindings/go stands for the module as a user downloads it (only
# the sub-directory is in the module); being elsewhere, it is also compiled
# afresh, not taken from the build cache, which does not track pkg-config.
SECONDS=0
cp -r bindings/go "$work/vdbroker"
app="$work/app"
mkdir "$app"
cat >"$app/go.mod" <<'EOF'
module example.com/vdbrokerapp

go 1.25.0

require github.com/vibedata/vd-broker/bindings/go v0.0.0

replace github.com/vibedata/vd-broker/bindings/go => ../vdbroker
EOF
cat >"$app/main.go" <<'EOF'
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	vdbroker "github.com/vibedata/vd-broker/bindings/go"
)

func main() {
	cred, err := vdbroker.NewCredential(nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer cred.Close()
	token, err := cred.GetToken(context.Background(), policy.TokenRequestOptions{Scopes: os.Args[1:]})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("a %d-byte token through native %s\n", len(token.Token), vdbroker.Version())
}
EOF
cp bindings/go/go.sum "$app/"
(cd "$app" && go mod tidy)
# For each glibc tarball: this machine's cc, or zig cc for arm64 (GOARCH).
for target in "${dist_all_targets[@]}"; do
  dist_describe "$target"
  [ "$libc" = gnu ] || continue
  SECONDS=0
  unpack "$target"
  goarch="$(sed 's/x86_64/amd64/; s/aarch64/arm64/' <<<"$arch")"
  go_cc=gcc
  [ "$arch" = "$(uname -m)" ] || go_cc="$(zig_cc "$arch-linux-$libc")"
  libdir="$c_prefix/lib"
  (
    cd "$app"
    export CGO_ENABLED=1 GOARCH="$goarch" CC="$go_cc" PKG_CONFIG_PATH="$libdir/pkgconfig"
    go build -ldflags "-r $libdir" -o "app-$goarch" .
    go build -tags static -o "app-$goarch-static" .
  )
  run_on "$arch" "$app/app-$goarch" "$scope" | grep '^a [0-9]*-byte token through native ' >/dev/null ||
    fail "the Go program for $goarch got no token"
  ! readelf -d "$app/app-$goarch-static" | grep libvd_broker >/dev/null || fail "the -tags static Go program for $goarch needs libvd_broker.so"
  run_on "$arch" "$app/app-$goarch-static" "$scope" | grep '^a [0-9]*-byte token' >/dev/null ||
    fail "the static Go program for $goarch got no token"
  echo "dist: a Go module outside the repository built for $goarch (CC=${go_cc##*/}) against the $c_name_suffix tarball with PKG_CONFIG_PATH alone, shared and -tags static, and got tokens on $arch (${SECONDS}s)"
done
if nocgo="$(cd "$app" && CGO_ENABLED=0 go build -o app-nocgo . 2>&1)"; then
  fail "the Go build without cgo succeeded"
fi
grep -q 'vdbroker_needs_cgo' <<<"$nocgo" || { echo "$nocgo" >&2; fail "without cgo, the first error does not name cgo"; }
echo "dist: CGO_ENABLED=0 fails with: $(grep -m1 -o 'undefined: vdbroker_needs_cgo[A-Za-z0-9_]*' <<<"$nocgo")"

# --- .NET -------------------------------------------------------------------
VD_BROKER_DIST="$dist" python3 -m pytest -c /dev/null --rootdir "$work" -p no:cacheprovider tests/dist/test_nuget.py
bash tests/dotnet-consumer/run.sh "$(echo "$dist"/VibeData.Studio.AzureCredBroker.*.nupkg)"
