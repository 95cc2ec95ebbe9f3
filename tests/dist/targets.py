"""The four Linux targets of tools/dist.sh (read from tools/dist-targets.sh,
their one list), and what an ELF file says of its own: the machine it runs
on and the C library it needs."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

REPO = Path(__file__).resolve().parents[2]
MACHINES = {"EM_X86_64": "x86_64", "EM_AARCH64": "aarch64"}


@dataclass(frozen=True)
class Target:
    triple: str
    arch: str
    libc: str  # "gnu" or "musl"
    wheel_platform: str
    rid: str


def targets() -> list[Target]:
    text = (REPO / "tools" / "dist-targets.sh").read_text(encoding="utf-8")
    table = text.split('dist_target_table="', 1)[1].split('"', 1)[0]
    found = [Target(*line.split()) for line in table.splitlines() if line.strip()]
    assert len(found) == 4, f"tools/dist-targets.sh lists {len(found)} targets"
    return found


@dataclass(frozen=True)
class Native:
    arch: str  # from e_machine
    libc: str  # "gnu", "musl", or "static" (no interpreter, no shared library)
    needed: tuple[str, ...]
    glibc_versions: tuple[str, ...]  # the GLIBC_x.y symbol versions it needs


def native(data: bytes) -> Native:
    """The machine and C library of a shared library or a program: a program
    names its loader (PT_INTERP), a library its libc (DT_NEEDED)."""
    elf = ELFFile(io.BytesIO(data))
    arch = MACHINES.get(elf["e_machine"], elf["e_machine"])
    interpreter = next((s.get_interp_name() for s in elf.iter_segments() if s["p_type"] == "PT_INTERP"), "")
    needed: list[str] = []
    for section in elf.iter_sections():
        if isinstance(section, DynamicSection):
            needed += [tag.needed for tag in section.iter_tags() if tag.entry.d_tag == "DT_NEEDED"]
    versions: list[str] = []
    version_needs = elf.get_section_by_name(".gnu.version_r")
    if version_needs is not None:
        for _, auxiliaries in version_needs.iter_versions():
            versions += [aux.name for aux in auxiliaries if aux.name.startswith("GLIBC_")]
    if "ld-musl-" in interpreter or any(name == "libc.so" or name.startswith("libc.musl-") for name in needed):
        libc = "musl"
    elif "ld-linux" in interpreter or "libc.so.6" in needed:
        libc = "gnu"
    elif not interpreter and not needed:
        libc = "static"
    else:
        libc = f"unknown (interpreter {interpreter!r}, needs {needed})"
    return Native(arch, libc, tuple(needed), tuple(sorted(set(versions))))


def newest_glibc(versions: tuple[str, ...]) -> tuple[int, ...]:
    return max((tuple(int(p) for p in v.removeprefix("GLIBC_").split(".")) for v in versions), default=(0,))
