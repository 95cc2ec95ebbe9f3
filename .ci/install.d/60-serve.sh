#!/usr/bin/env bash
# The Azure SDK clients of `vd-broker serve` (tests/serve): azure-identity for
# Python, azidentity's Go modules, @azure/identity and @azure/storage-blob for
# Node, azure-identity for Java (a first test-compile fetches it).
set -euo pipefail
python3 -m pip install --quiet --disable-pip-version-check -r tests/serve/python/requirements.txt
(cd tests/serve/go && go mod download)
(cd tests/serve/node && npm ci --no-audit --no-fund --silent)
(cd tests/serve/java && mvn -B -q -ntp test-compile)
