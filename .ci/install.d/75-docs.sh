#!/usr/bin/env bash
# The book's generator (MkDocs with the Material theme) into .venv, and
# Mermaid from npm, served with the book (tools/build-docs.sh).
set -euo pipefail
[ -x .venv/bin/python3 ] || python3 -m venv .venv
.venv/bin/python3 -m pip install --quiet --disable-pip-version-check -r tools/docs/requirements.txt
(cd tools/docs && npm ci --no-audit --no-fund --silent)
echo "install: mkdocs $(.venv/bin/mkdocs --version | awk '{print $3}'), mermaid $(node -p 'require("./tools/docs/node_modules/mermaid/package.json").version')"
