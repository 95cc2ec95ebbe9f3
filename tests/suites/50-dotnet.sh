#!/usr/bin/env bash
# The .NET binding: built with Mono's mcs as a netstandard2.0 assembly, its
# NUnit tests run against the broker emulator and Azurite under Mono, then
# under CoreCLR 3.1 (see bindings/dotnet/README.md, "What runs where").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
SECONDS=0
bash bindings/dotnet/build-and-test.sh
echo "dotnet suite: ${SECONDS}s"
