"""Each package of tools/dist.sh (in $VD_BROKER_DIST) carries its own
target's native code: every wheel's WHEEL file names the platform of the
library inside it (its ELF machine and C library, and auditwheel agrees),
every C tarball's library is the machine and libc its name says, each
`vd-broker` command is a static executable of its architecture, and
SHA256SUMS covers every file."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest
from targets import Target, native, newest_glibc, targets

WHEEL_LIBRARY = "vibedata_studio_azure_cred_broker/libvd_broker.so"
# manylinux2014 is glibc 2.17: the library may need no newer symbol version.
MANYLINUX2014_GLIBC = (2, 17)


@pytest.fixture(scope="module")
def dist() -> Path:
    value = os.environ.get("VD_BROKER_DIST")
    if not value:
        pytest.fail("VD_BROKER_DIST is not set: it names the directory tools/dist.sh wrote (tests/suites/70-dist.sh)")
    return Path(value)


def one(dist: Path, pattern: str) -> Path:
    found = sorted(dist.glob(pattern))
    assert len(found) == 1, f"{pattern} in {dist}: {[p.name for p in found]}"
    return found[0]


def wheel_tags(wheel: zipfile.ZipFile) -> list[str]:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/WHEEL"))
    return [line.split(": ", 1)[1] for line in wheel.read(name).decode().splitlines() if line.startswith("Tag: ")]


def check_library(data: bytes, target: Target, what: str) -> None:
    found = native(data)
    assert (found.arch, found.libc) == (target.arch, target.libc), f"{what} is built for {found}"
    if target.libc == "gnu":
        assert newest_glibc(found.glibc_versions) <= MANYLINUX2014_GLIBC, f"{what} needs {found.glibc_versions}"
    else:
        assert not found.glibc_versions, f"{what} (musl) needs glibc's {found.glibc_versions}"
        assert f"libc.musl-{target.arch}.so.1" in found.needed, f"{what} needs {found.needed}"


@pytest.mark.parametrize("target", targets(), ids=lambda t: t.wheel_platform)
def test_the_wheel_holds_its_platforms_library(dist, target):
    path = one(dist, f"*-py3-none-{target.wheel_platform}.whl")
    with zipfile.ZipFile(path) as wheel:
        assert wheel_tags(wheel) == [f"py3-none-{target.wheel_platform}"]
        libraries = [n for n in wheel.namelist() if n.endswith((".so", ".dylib", ".dll")) or ".so." in n]
        assert libraries == [WHEEL_LIBRARY], f"{path.name} holds {libraries}"
        check_library(wheel.read(WHEEL_LIBRARY), target, f"{path.name}'s library")
    # auditwheel reads the same ELF file and names the policy it meets.
    policy = re.sub(r"^manylinux2014_", "manylinux_2_17_", target.wheel_platform)
    shown = subprocess.run(["auditwheel", "show", str(path)], capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and f'"{policy}"' in shown.stdout, shown.stdout + shown.stderr


def test_there_is_no_other_wheel(dist):
    expected = {f"py3-none-{t.wheel_platform}" for t in targets()}
    found = {"-".join(p.stem.split("-")[-3:]) for p in dist.glob("*.whl")}
    assert found == expected


@pytest.mark.parametrize("target", targets(), ids=lambda t: t.triple)
def test_the_c_tarball_holds_its_targets_library(dist, target):
    suffix = f"linux-{target.arch}" + ("" if target.libc == "gnu" else f"-{target.libc}")
    path = one(dist, f"vd_broker-*-{suffix}.tar.gz")
    with tarfile.open(path) as tarball:
        member = next(m for m in tarball.getmembers() if re.search(r"/lib/libvd_broker\.so\.\d+\.\d+\.\d+$", m.name))
        check_library(tarball.extractfile(member).read(), target, f"{path.name}'s {member.name}")


@pytest.mark.parametrize("arch", sorted({t.arch for t in targets()}))
def test_the_command_is_one_static_executable_per_architecture(dist, arch):
    path = one(dist, f"vd-broker-*-linux-{arch}")
    found = native(path.read_bytes())
    assert (found.arch, found.libc) == (arch, "static"), f"{path.name} is built for {found}"
    assert os.access(path, os.X_OK)


def test_sha256sums_covers_every_file(dist):
    listed = {}
    for line in (dist / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name.lstrip("*")] = digest
    files = {p.name for p in dist.iterdir() if p.is_file() and p.name != "SHA256SUMS"}
    assert set(listed) == files
    for name, digest in listed.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest, name
