#!/usr/bin/env bash
# The secrets sweep, run last: every message the suites before it saw — C
# err_bufs and last errors, the command's stderr, Python exceptions and the
# package's log records at DEBUG, Rust errors — collected in
# $VD_TEST_MESSAGE_LOG, and every secret they made (bearers, URL passwords)
# in $VD_TEST_SECRET_LOG (tests/run-all.sh sets both). No message may hold
# a run of 8 characters of a secret, a token (eyJ…, vd_iat_…) or a URL with
# a password; the collection must hold each source, and the hostile echoes
# (masked), so the sweep cannot pass on nothing. Ends with a "secrets:" line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
logs="$(pwd)/target/test-logs"
exec python3 - "${VD_TEST_MESSAGE_LOG:-$logs/messages.tsv}" "${VD_TEST_SECRET_LOG:-$logs/secrets.txt}" <<'PY'
import re
import sys
from collections import Counter

messages_path, secrets_path = sys.argv[1:3]
try:
    lines = open(messages_path, encoding="utf-8", errors="replace").read().splitlines()
    secrets = {s for s in open(secrets_path, encoding="utf-8").read().split() if len(s) >= 8}
except FileNotFoundError as missing:
    sys.exit(f"secrets: no collection ({missing.filename}): run the suites through tests/run-all.sh")

messages = [line.split("\t", 1) for line in lines if "\t" in line]
sources = Counter(source for source, _ in messages)
runs = {secret[i:i + 8] for secret in secrets for i in range(len(secret) - 7)}
patterns = {
    "a token": re.compile(r"eyJ[A-Za-z0-9_-]{10,}|vd_iat_[A-Za-z0-9_-]{6,}"),
    "a URL password": re.compile(r"://[^\s/@:]*:[^\s/@]+@"),
}
found = []
for source, text in messages:
    squeezed = "".join(text.split())
    hits = [f"8 characters of a secret ({run[:2]}…)" for run in runs if run in squeezed]
    hits += [what for what, pattern in patterns.items() if pattern.search(text)]
    found += [f"{source}: {what}" for what in hits]

problems = [f"no messages from {s}" for s in ("c", "cli", "python", "rust") if sources[s] == 0]
if not any("<redacted>" in text for _, text in messages):
    problems.append("no masked echo: the hostile-broker tests' messages are missing")
if len(secrets) < 10:
    problems.append(f"only {len(secrets)} secrets recorded")
for problem in problems + found:
    print(f"secrets sweep: {problem}")
counts = ", ".join(f"{s} {n}" for s, n in sorted(sources.items()))
print(f"secrets: {len(messages)} messages ({counts}) swept for {len(secrets)} secrets, tokens and URL passwords: "
      f"{len(found)} found")
sys.exit(1 if problems or found else 0)
PY
