#!/usr/bin/env python3
"""Keeps the README, the bindings' READMEs and the book (docs/) from saying
one thing twice, and the book whole. Each check prints a line; the last is
"docs checks: N passed, M failed".

- headings: lists every heading of README.md, bindings/*/README.md and the
  book, and flags a section title that stands in two of them;
- sizes: README.md at most 250 lines, each binding's README at most 150;
- chapters: every chapter the book must have is in mkdocs.yml's nav, and
  every file of the nav exists;
- one source: the environment-variable table, the audience table and the
  status table each stand in exactly one file, and the environment variables
  the core reads are exactly those of the table.

    python3 tools/check-docs.py [--root DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

README_LINES = 250
BINDING_README_LINES = 150
CHAPTERS = [  # what the book must cover, by file
    "getting-started.md", "configuration.md", "c-api.md", "reference/c-api.md", "from-c.md",
    "bindings/python.md", "bindings/go.md", "bindings/dotnet.md", "bindings/rust.md", "cache.md",
    "serve.md", "packages.md", "emulator.md", "security.md", "benchmarks.md", "versions.md",
    "development.md",
]
# Tables that must stand in one file only: their header row, and that file.
ONE_SOURCE = {
    "| environment variable | option | meaning |": "docs/configuration.md",
    "| resource | audience |": "docs/configuration.md",
    "| status | value | meaning | classes |": "docs/_generated/status-table.md",
}
NOT_ENVIRONMENT = re.compile(r"^VD_BROKER_(ERR_\w+|OK|UNKNOWN_STATUS|)$")


def markdown_files(root: Path) -> list[Path]:
    files = [root / "README.md", *sorted((root / "bindings").glob("*/README.md"))]
    return files + sorted((root / "docs").rglob("*.md"))


def headings(text: str):
    """The section headings of a Markdown text (a document's own title, its
    one `#` heading, is not a section)."""
    fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        elif not fence and (found := re.match(r"^#{2,4} (.+)", line)):
            yield found.group(1)


def normalized(heading: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", heading.lower().replace("`", "")).strip()


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def report(self, ok: bool, text: str) -> None:
        self.passed += ok
        self.failed += not ok
        print(("  ok   " if ok else "  FAIL ") + text)


def check_headings(root: Path, checks: Checks) -> None:
    where: dict[str, set[str]] = defaultdict(set)
    for path in markdown_files(root):
        relative = str(path.relative_to(root))
        # The book is one work: a title may recur between its own chapters
        # ("Errors" in each binding's chapter); what must not recur is a
        # section of the README or of a binding's README in another file.
        owner = "the book" if relative.startswith("docs/") else relative
        for heading in headings(path.read_text()):
            where[normalized(heading)].add(owner)
    twice = {heading: sorted(owners) for heading, owners in where.items() if len(owners) > 1}
    for heading, owners in sorted(twice.items()):
        print(f"     '{heading}' stands in {', '.join(owners)}")
    checks.report(not twice, f"headings: {len(where)} section titles, none both in a README and elsewhere")


def check_sizes(root: Path, checks: Checks) -> None:
    lines = len((root / "README.md").read_text().splitlines())
    checks.report(lines <= README_LINES, f"sizes: README.md has {lines} lines (at most {README_LINES})")
    for path in sorted((root / "bindings").glob("*/README.md")):
        lines = len(path.read_text().splitlines())
        checks.report(lines <= BINDING_README_LINES, f"sizes: {path.relative_to(root)} has {lines} lines (at most {BINDING_README_LINES})")


def check_chapters(root: Path, checks: Checks) -> None:
    nav = re.findall(r":\s*([\w/.-]+\.md)\s*$", (root / "mkdocs.yml").read_text(), re.M)
    missing = [chapter for chapter in CHAPTERS if chapter not in nav]
    absent = [chapter for chapter in nav if not (root / "docs" / chapter).is_file()]
    checks.report(not missing, f"chapters: the nav has every required chapter{'' if not missing else ' but ' + ', '.join(missing)}")
    checks.report(not absent, f"chapters: every file of the nav ({len(nav)}) exists{'' if not absent else ' but ' + ', '.join(absent)}")


def check_one_source(root: Path, checks: Checks) -> None:
    for header, home in ONE_SOURCE.items():
        found = [str(p.relative_to(root)) for p in markdown_files(root) if header in p.read_text()]
        checks.report(found == [home], f"one source: the table '{header}' stands only in {home} (found in: {', '.join(found) or 'none'})")
    table = (root / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"^\| `(VD_\w+)`|\(newer\) or `(VD_\w+)`", table, re.M))
    documented = {name for pair in documented for name in pair if name}
    read = set()
    for path in (root / "src").rglob("*.rs"):
        if "/bin/" not in str(path):
            read |= {name for name in re.findall(r'"(VD_\w*)"', path.read_text()) if not NOT_ENVIRONMENT.match(name)}
    checks.report(read == documented, "one source: the environment variables the core reads are the table's: "
                  + (", ".join(sorted(read)) if read == documented else f"read but not in the table {sorted(read - documented)}, in the table but not read {sorted(documented - read)}"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    root = parser.parse_args().root
    checks = Checks()
    check_headings(root, checks)
    check_sizes(root, checks)
    check_chapters(root, checks)
    check_one_source(root, checks)
    print(f"docs checks: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
