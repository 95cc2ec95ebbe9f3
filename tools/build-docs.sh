#!/usr/bin/env bash
# Builds the book (docs/, MkDocs with the Material theme) into target/book,
# strictly: a broken link or anchor, or a page outside the nav, fails it.
# Checks first that the generated pages match their sources (the header, the
# benchmark's results), then copies Mermaid from npm so the diagrams render
# from the book itself. Needs what .ci/install.d/75-docs.sh installs.
#
#   bash tools/build-docs.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -d .venv/bin ] && export PATH="$PWD/.venv/bin:$PATH"
command -v mkdocs >/dev/null || { echo "build-docs: mkdocs not found: run .ci/install.sh (or pip install -r tools/docs/requirements.txt)" >&2; exit 1; }
mermaid=tools/docs/node_modules/mermaid/dist/mermaid.min.js
[ -f "$mermaid" ] || { echo "build-docs: $mermaid not found: run (cd tools/docs && npm ci)" >&2; exit 1; }

python3 tools/gen-c-api-doc.py --check
python3 tools/bench-chart.py --check
install -D -m 644 "$mermaid" docs/assets/vendor/mermaid.min.js
# Not --quiet: it hides the warnings, and with them strict mode's failure.
NO_MKDOCS_2_WARNING=1 mkdocs build --strict --site-dir target/book 2>&1 | { grep -v '^INFO ' || true; }
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build-docs: the strict build failed (above)" >&2; exit 1; }
echo "build-docs: target/book/index.html ($(find target/book -name '*.html' | wc -l) pages)"
