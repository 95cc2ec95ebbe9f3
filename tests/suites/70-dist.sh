#!/usr/bin/env bash
# The packages as their users get them. tools/dist.sh writes them, then:
# - the wheel: auditwheel agrees with its manylinux2014 tag; installed into
#   a fresh venv whose PATH has no cargo or rustc, the README's Key Vault
#   snippet reads a secret with a token from the emulator, and the package
#   loads its own bundled library;
# - the sdist, copied to an empty directory, builds a wheel that passes the
#   same;
# - the C tarball, unpacked elsewhere, builds examples/c/get_token.c with
#   only PKG_CONFIG_PATH set, shared and static, and both run;
# - a Go module outside the repository builds against a copy of bindings/go
#   (a replace directive) with only PKG_CONFIG_PATH set, shared and with
#   -tags static, and gets a token; with CGO_ENABLED=0 the build fails
#   naming cgo;
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

scratch_dir
fail() { echo "dist: $*" >&2; exit 1; }
# Compiled dependencies are shared with the other release builds of packages.
packaging_target="${CARGO_TARGET_DIR:-$root/target}/packaging"

SECONDS=0
dist="$work/dist"
bash tools/dist.sh --out "$dist" >"$work/dist.log" 2>&1 || { cat "$work/dist.log" >&2; fail "tools/dist.sh failed"; }
(cd "$dist" && sha256sum --check --quiet SHA256SUMS) || fail "SHA256SUMS does not match"
echo "dist: tools/dist.sh wrote $(cd "$dist" && echo *) (${SECONDS}s)"

# --- Python -----------------------------------------------------------------
SECONDS=0
wheel="$(echo "$dist"/*-py3-none-manylinux2014_x86_64.whl)"
[ -f "$wheel" ] || fail "no manylinux2014 wheel in $dist"
audit="$(auditwheel show "$wheel")"
grep -q '"manylinux_2_17_x86_64"' <<<"$audit" || { echo "$audit" >&2; fail "auditwheel does not agree with the tag"; }
echo "dist: auditwheel show: $(basename "$wheel") is consistent with manylinux_2_17_x86_64"

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
SECONDS=0
mkdir "$work/anywhere"
tar -C "$work/anywhere" -xzf "$(echo "$dist"/vd_broker-*-linux-x86_64.tar.gz)"
c_prefix="$(echo "$work/anywhere"/vd_broker-*)"
for file in LICENSE README.md include/vd_broker.h lib/libvd_broker.so lib/libvd_broker.so.0 lib/libvd_broker.a; do
  [ -e "$c_prefix/$file" ] || fail "the C tarball has no $file"
done
grep -qx 'prefix=${pcfiledir}/../..' "$c_prefix/lib/pkgconfig/vd_broker.pc" || fail "vd_broker.pc is not relocatable"

start_emulator
studio_env "$work"
unset CGO_CFLAGS CGO_CPPFLAGS CGO_LDFLAGS LD_LIBRARY_PATH C_INCLUDE_PATH LIBRARY_PATH
export PKG_CONFIG_PATH="$c_prefix/lib/pkgconfig"
libdir="$(pkg-config --variable=libdir vd_broker)"
scope=https://storage.azure.com/.default

# shellcheck disable=SC2046 # pkg-config prints flags to split
gcc -std=c11 -Wall -Werror -o "$work/get_token" examples/c/get_token.c \
  $(pkg-config --cflags --libs vd_broker) -Wl,-rpath,"$libdir"
out="$("$work/get_token" "$scope")"
[[ "$out" == "token for $scope: "*" bytes, expires "* ]] || fail "the shared example printed: $out"
static_flags="$(pkg-config --static --cflags --libs vd_broker)"
# shellcheck disable=SC2086 # flags to split
gcc -std=c11 -Wall -Werror -o "$work/get_token_static" examples/c/get_token.c ${static_flags/-lvd_broker/-l:libvd_broker.a}
! readelf -d "$work/get_token_static" | grep libvd_broker >/dev/null || fail "the static example needs libvd_broker.so"
"$work/get_token_static" "$scope" >/dev/null
echo "dist: the C tarball, unpacked elsewhere, built get_token.c with PKG_CONFIG_PATH alone, shared and static; both ran (${SECONDS}s)"

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
(
  cd "$app"
  export CGO_ENABLED=1
  go mod tidy
  go build -ldflags "-r $libdir" -o app .
  go build -tags static -o app-static .
)
"$app/app" "$scope" | grep '^a [0-9]*-byte token through native ' >/dev/null || fail "the Go program got no token"
! readelf -d "$app/app-static" | grep libvd_broker >/dev/null || fail "the -tags static Go program needs libvd_broker.so"
"$app/app-static" "$scope" | grep '^a [0-9]*-byte token' >/dev/null || fail "the static Go program got no token"
if nocgo="$(cd "$app" && CGO_ENABLED=0 go build -o app-nocgo . 2>&1)"; then
  fail "the Go build without cgo succeeded"
fi
grep -q 'vdbroker_needs_cgo' <<<"$nocgo" || { echo "$nocgo" >&2; fail "without cgo, the first error does not name cgo"; }
echo "dist: a Go module outside the repository built against bindings/go with PKG_CONFIG_PATH alone (shared and -tags static) and got tokens; CGO_ENABLED=0 fails with: $(grep -m1 -o 'undefined: vdbroker_needs_cgo[A-Za-z0-9_]*' <<<"$nocgo") (${SECONDS}s)"

# --- .NET -------------------------------------------------------------------
VD_BROKER_DIST="$dist" python3 -m pytest -c /dev/null --rootdir "$work" -p no:cacheprovider tests/dist/test_nuget.py
bash tests/dotnet-consumer/run.sh "$(echo "$dist"/VibeData.Studio.AzureCredBroker.*.nupkg)"
