"""The NuGet package. Debian's nuget CLI packs from the .nuspec and a dotnet
SDK from the csproj: both must describe the same package. And the .nupkg
tools/dist.sh wrote (in $VD_BROKER_DIST) must hold the assembly, the native
library of each of the four Linux targets where the runtime looks for it
(runtimes/RID/native/, each of its RID's machine and C library), and the
dependency on Azure.Core."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from targets import native, targets

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "bindings" / "dotnet" / "src"
CSPROJ = PROJECT / "VibeData.Studio.AzureCredBroker.csproj"
NUSPEC = PROJECT / "VibeData.Studio.AzureCredBroker.nuspec"
NATIVE = {f"runtimes/{target.rid}/native/libvd_broker.so": target for target in targets()}


def csproj() -> tuple[dict[str, str], dict[str, str]]:
    """The project's properties, and its package references (id → version)."""
    root = ET.parse(CSPROJ).getroot()
    properties = {element.tag: element.text for group in root.iter("PropertyGroup") for element in group}
    references = {reference.get("Include"): reference.get("Version") for reference in root.iter("PackageReference")}
    return properties, references


def nuspec(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """A nuspec's metadata fields, and its dependencies (id → version)."""
    root = ET.fromstring(text)
    namespace = root.tag[: root.tag.index("}") + 1]
    metadata = root.find(f"{namespace}metadata")
    fields = {child.tag.removeprefix(namespace): child.text for child in metadata}
    dependencies = {d.get("id"): d.get("version") for d in metadata.iter(f"{namespace}dependency")}
    return fields, dependencies


@pytest.fixture(scope="module")
def nupkg() -> zipfile.ZipFile:
    dist = os.environ.get("VD_BROKER_DIST")
    if not dist:
        pytest.fail("VD_BROKER_DIST is not set: it names the directory tools/dist.sh wrote (tests/suites/70-dist.sh)")
    properties, _ = csproj()
    path = Path(dist) / f"{properties['PackageId']}.{properties['Version']}.nupkg"
    assert path.is_file(), f"no {path.name} in {dist}: {sorted(p.name for p in Path(dist).iterdir())}"
    with zipfile.ZipFile(path) as package:
        yield package


def test_the_nuspec_describes_the_csprojs_package():
    properties, references = csproj()
    fields, dependencies = nuspec(NUSPEC.read_text(encoding="utf-8"))
    assert fields["id"] == properties["PackageId"]
    assert fields["version"] == properties["Version"]
    assert fields["authors"] == properties["Authors"]
    assert fields["description"] == properties["Description"]
    assert dependencies == references
    assert "Azure.Core" in dependencies


def test_the_nupkg_holds_the_assembly_and_the_native_libraries(nupkg):
    properties, _ = csproj()
    assembly = properties["AssemblyName"]
    names = set(nupkg.namelist())
    expected = {
        f"lib/netstandard2.0/{assembly}.dll",
        f"lib/netstandard2.0/{assembly}.xml",
        *NATIVE,
        f"{properties['PackageId']}.nuspec",
        "README.md",
    }
    assert expected <= names, f"missing: {sorted(expected - names)}"
    # Nothing of ours beyond those: the test-only Azure.Core stand-in never ships.
    ours = {name for name in names if name.startswith(("lib/", "runtimes/"))}
    assert ours == {f"lib/netstandard2.0/{assembly}.dll", f"lib/netstandard2.0/{assembly}.xml", *NATIVE}
    assert nupkg.read(f"lib/netstandard2.0/{assembly}.dll")[:2] == b"MZ"


@pytest.mark.parametrize("path", sorted(NATIVE))
def test_each_native_library_is_its_runtime_identifiers(nupkg, path):
    target = NATIVE[path]
    library = nupkg.read(path)
    assert b"vd_broker_client_get_token" in library
    found = native(library)
    assert (found.arch, found.libc) == (target.arch, target.libc), f"{path} is built for {found}"


def test_the_packed_nuspec_depends_on_azure_core(nupkg):
    properties, references = csproj()
    fields, dependencies = nuspec(nupkg.read(f"{properties['PackageId']}.nuspec").decode("utf-8"))
    assert fields["id"] == properties["PackageId"]
    assert fields["version"] == properties["Version"]
    assert dependencies == {"Azure.Core": references["Azure.Core"]}
