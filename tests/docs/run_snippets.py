#!/usr/bin/env python3
"""Runs every ```sh block of a book chapter, in order, in one bash with
`set -euo pipefail`, from the repository's root: the chapter's commands are
what a reader types, so they must work as written. Prints each block's
output under its number; exits non-zero (naming the block) when one fails.

    python3 tests/docs/run_snippets.py docs/getting-started.md
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.S | re.M)


def main(chapter: str) -> int:
    blocks = BLOCK.findall((ROOT / chapter).read_text())
    if not blocks:
        print(f"docs: {chapter} has no sh block to run", file=sys.stderr)
        return 1
    script = ["set -euo pipefail"]
    for number, block in enumerate(blocks, 1):
        script += [f"echo '--- block {number}' >&2", f"current_block={number}", block]
    script.append(f"echo 'docs: {chapter}: {len(blocks)} sh blocks ran' >&2")
    trap = 'trap \'status=$?; [ $status -eq 0 ] || echo "docs: block $current_block failed ($status)" >&2\' EXIT'
    # The reader's environment, less what the chapter sets itself.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VD_CREDENTIAL_", "VD_AZ_", "IDENTITY_"))}
    result = subprocess.run(["bash", "-c", trap + "\n" + "\n".join(script)], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, timeout=600)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
