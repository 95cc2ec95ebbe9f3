#!/usr/bin/env bash
# The packages of tools/dist.sh on the other platforms a container runs on,
# each on its own architecture (tests/suites/70-dist.sh writes them into
# target/dist, and tests every C tarball and the Go module there):
# - arm64 Python, end to end: in the arm64 Debian root of
#   .ci/install.d/65-cross.sh, run under qemu, a fresh venv's pip installs
#   the test dependencies (downloaded here for aarch64) and then, with
#   target/dist as its only source (--no-index --find-links), picks the
#   manylinux2014_aarch64 wheel out of the four by itself; the binding's own
#   tests then pass there against the emulator on this machine: the README's
#   Key Vault snippet, the installed package's bundled library,
#   ChainedTokenCredential, and the failure class of a refusal;
# - the static `vd-broker` of each architecture (aarch64 under qemu) prints
#   a token, and azure-identity, on this machine, gets tokens through its
#   `serve` (tests/serve/python).
# Each check prints a "dist:" line with the seconds it took.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$(pwd)"
[ -d "$root/.venv/bin" ] && export PATH="$root/.venv/bin:$PATH"
# shellcheck source=tests/c/start_emulator.sh
source tests/c/start_emulator.sh
scratch_dir
fail() { echo "dist: $*" >&2; exit 1; }
# shellcheck source=tests/dist/arch.sh
source tests/dist/arch.sh
dist="$root/target/dist"
[ -s "$dist/SHA256SUMS" ] || fail "no packages in $dist: tests/suites/70-dist.sh writes them (tools/dist.sh --out $dist)"
(cd "$dist" && sha256sum --check --quiet SHA256SUMS) || fail "SHA256SUMS does not match in $dist"
emulator_program="${VD_BROKER_EMULATOR:-$root/target/debug/vd-broker-emulator}"

# --- arm64 Python -------------------------------------------------------------
SECONDS=0
python="$arm64_root/usr/bin/python3"
run_on aarch64 "$python" -c 'import platform; assert platform.machine() == "aarch64", platform.machine()'
# A fresh venv; its pip is the root's own (the wheel python3-venv bundles),
# run by the venv's python, without compiling .pyc files: under emulation
# installing pip into the venv first would take longer than the tests.
venv="$work/arm64-venv"
run_on aarch64 "$python" -m venv --without-pip "$venv"
pip_wheel="$(echo "$arm64_root"/usr/share/python-wheels/pip-*.whl)"
[ -f "$pip_wheel" ] || fail "no pip wheel in the arm64 root (python3-venv bundles one)"
arm64_pip() {
  run_on aarch64 "$venv/bin/python3" "$pip_wheel/pip" install --quiet --disable-pip-version-check --no-compile --no-index "$@"
}
# The tests' dependencies for that Python and glibc (every manylinux tag it
# accepts, PEP 600), from the package index; this machine's pip downloads
# them, the venv's installs them.
read -r py_version glibc_minor < <(run_on aarch64 "$python" -c \
  'import os, sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}", os.confstr("CS_GNU_LIBC_VERSION").split(".")[1])')
platforms=()
for minor in $(seq 17 "$glibc_minor"); do platforms+=(--platform "manylinux_2_${minor}_aarch64"); done
pins="$(grep -E '^(pytest|azure-core|azure-identity|azure-keyvault-secrets|cryptography)==' bindings/python/requirements-test.txt)"
# shellcheck disable=SC2086 # one requirement per word
python3 -m pip download --quiet --disable-pip-version-check --only-binary=:all: --dest "$work/wheelhouse" \
  "${platforms[@]}" --implementation cp --python-version "$py_version" $pins
# shellcheck disable=SC2086 # one requirement per word
arm64_pip --find-links "$work/wheelhouse" $pins
# Then the package, from the four wheels and the sdist alone.
arm64_pip --find-links "$dist" vibedata-studio-azure-cred-broker
tag="$(run_on aarch64 "$venv/bin/python3" -c \
  'import importlib.metadata as m; print(*[l[5:] for l in m.distribution("vibedata-studio-azure-cred-broker").read_text("WHEEL").splitlines() if l.startswith("Tag: ")])')"
[ "$tag" = py3-none-manylinux2014_aarch64 ] || fail "pip in the arm64 root installed the $tag wheel"
echo "dist: pip in a fresh arm64 venv, given $dist alone, picked the $tag wheel out of $(cd "$dist" && ls -- *.whl | wc -l) (${SECONDS}s)"

SECONDS=0
tests=(
  bindings/python/tests/test_readme.py::test_secretclient_snippet_reads_the_secret
  bindings/python/tests/test_installed.py::test_the_installed_package_bundles_and_loads_its_library
  bindings/python/tests/test_logging_and_chains.py::test_the_chain_uses_ours_when_studio_is_present
  bindings/python/tests/test_logging_and_chains.py::test_the_chain_stops_at_a_refusal_studio_being_present
  bindings/python/tests/test_logging_and_chains.py::test_broker_failures_are_client_authentication_errors_with_the_http_status
)
# Nothing of this machine's environment but the emulator (an x86_64 program
# the arm64 tests start) and the arm64 root for the programs qemu runs.
env -i HOME="$HOME" PATH="$venv/bin:/usr/bin:/bin" VD_BROKER_EMULATOR="$emulator_program" \
  QEMU_LD_PREFIX="$(arm64_prefix)" qemu-aarch64-static "$venv/bin/python3" -m pytest -c /dev/null --rootdir "$work" \
  -p no:cacheprovider "${tests[@]}"
echo "dist: arm64 Python under qemu: the README's Key Vault snippet, the bundled library, ChainedTokenCredential and a refusal's failure class (${SECONDS}s)"

# --- the static vd-broker ------------------------------------------------------
start_emulator
studio_env "$work"
while IFS='=' read -r name _; do
  case "$name" in AZURE_*|MSI_*|IMDS_*|IDENTITY_*) unset "$name" ;; esac
done < <(env)
VD_SERVE_TEST_EMULATOR="$(echo "$broker_url" | cut -d/ -f1-3)"
export VD_SERVE_TEST_EMULATOR
scope=https://vault.azure.net/.default
for command in "$dist"/vd-broker-*-linux-*; do
  SECONDS=0
  arch="${command##*-linux-}"
  token="$(run_on "$arch" "$command" token "$scope")"
  [ "$(tr -cd . <<<"$token")" = .. ] || fail "$(basename "$command") token printed no token"
  VD_BROKER_CACHE_DIR="$(mktemp -d -p "$work")" run_on "$arch" "$command" serve --exec -- \
    python3 -m pytest -p no:cacheprovider \
    tests/serve/python/test_azure_identity.py::test_managed_identity_credential_gets_a_studio_token \
    tests/serve/python/test_azure_identity.py::test_default_azure_credential_finds_the_endpoint
  echo "dist: $(basename "$command") (static) on $arch: token printed a token; azure-identity got tokens through its serve (${SECONDS}s)"
done
