#!/usr/bin/env bash
# The .NET binding: built with Mono's mcs, its NUnit tests run under Mono
# against the broker emulator and Azurite (see bindings/dotnet/README.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash bindings/dotnet/build-and-test.sh
