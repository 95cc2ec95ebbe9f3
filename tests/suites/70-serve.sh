#!/usr/bin/env bash
# `vd-broker serve` in front of the broker emulator, its clients each
# ecosystem's own Azure SDK credentials with no code of ours, each in its own
# test runner run as `vd-broker serve --exec -- RUNNER` (one endpoint, one
# cache per runner): pytest (azure-identity, and the shared-cache test across
# Python, Go and Node processes), go test (azidentity), node --test
# (@azure/identity; @azure/storage-blob against Azurite), Maven Surefire
# (azure-identity for Java). The Rust tests of the endpoint itself
# (tests/serve_*.rs) run in the Rust suite.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root="$(pwd)"
bin="${VD_BROKER_LIB_DIR:-$root/target/debug}"
# The library gains no async runtime: a library-only build
# (--no-default-features, as packaging builds it) depends on no server
# crate, and the default build's libraries contain none of their code.
if cargo tree --locked --offline -e normal --no-default-features | grep -qE '(tokio|hyper)[a-z-]* v'; then
  echo "serve: the library without the serve feature depends on tokio or hyper" >&2
  exit 1
fi
for lib in "$bin/libvd_broker.so" "$bin/libvd_broker.a"; do
  # (nm notes each member of the archive without symbols on stderr.)
  symbols="$(nm "$lib" 2>/dev/null)"
  if [ -z "$symbols" ]; then
    echo "serve: no symbols read from $lib" >&2
    exit 1
  fi
  if grep -qE 'tokio|hyper' <<<"$symbols"; then
    echo "serve: $lib contains tokio or hyper code" >&2
    exit 1
  fi
done
echo "serve: the library links no async runtime (cargo tree --no-default-features, nm of libvd_broker.so/.a)"

# shellcheck source=tests/c/start_emulator.sh
source tests/c/start_emulator.sh

scratch_dir
start_emulator || exit 1
printf 'vd_iat_serve_%s\n' "$RANDOM$RANDOM" > "$work/credential"

# Only the endpoint may answer: no other Azure credential in the environment,
# nothing that makes an SDK choose another managed-identity protocol.
while IFS='=' read -r name _; do
  case "$name" in AZURE_*|MSI_*|IMDS_*|IDENTITY_*) unset "$name" ;; esac
done < <(env)
export VD_CREDENTIAL_BROKER_URL="$broker_url" VD_CREDENTIAL_FILE="$work/credential"
export VD_RUNTIME_ACCESS_SOCKET="$work/no-helper.sock"
unset VD_AZ_TOKEN_URL VD_CREDENTIAL_LANE VD_CREDENTIAL_CONFIGURATION_REVISION VD_BROKER_CACHE
export VD_SERVE_TEST_EMULATOR="$(echo "$broker_url" | cut -d/ -f1-3)"
# Two resources of the tests' own: one only ever asked for while the broker
# fails (so never cached), one for the shared-cache test.
serve=("$bin/vd-broker" --audience https://fault.example=fault --audience https://shared.example=shared serve --exec --)

failed=()
runner() {
  local name="$1"
  shift
  echo "== serve: $name"
  # Each runner's endpoint starts cold: a shared token cache of its own, so
  # the tests that count broker requests see no token another runner left.
  env VD_BROKER_CACHE_DIR="$(mktemp -d -p "$work")" "$@" || failed+=("$name")
}

(cd tests/serve/go && go build -o "$work/go-token" ./cmd/token) || exit 1
export VD_SERVE_GO_TOKEN="$work/go-token"
# Azurite for the Storage upload, over HTTPS with a throwaway CA Node trusts.
azurite_port="$(bash tests/azurite/start.sh "$work/azurite")" || exit 1
export VD_SERVE_AZURITE_PORT="$azurite_port" NODE_EXTRA_CA_CERTS="$work/azurite/ca.pem"

runner python "${serve[@]}" python3 -m pytest -p no:cacheprovider tests/serve/python
runner go bash -c 'cd tests/serve/go && "$@" go test -count=1 -v ./... 2>&1 | grep -vE "^=== (RUN|PAUSE|CONT)"; exit "${PIPESTATUS[0]}"' -- "${serve[@]}"
runner node bash -c 'cd tests/serve/node && "$@" node --test --test-concurrency=1 ./*.test.mjs' -- "${serve[@]}"
runner java bash -c 'cd tests/serve/java && "$@" mvn -B -ntp test' -- "${serve[@]}"

if [ "${#failed[@]}" -ne 0 ]; then
  echo "serve: failed runners: ${failed[*]}" >&2
  exit 1
fi
