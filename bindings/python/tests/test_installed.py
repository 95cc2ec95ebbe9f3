"""The pip-installed package (`pip install ./bindings/python`): it carries
its own native library and gets a token with it — no VD_BROKER_LIBRARY, no
source tree on the path. The rest of the suite tests the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from support.emulator import REPO

PROBE = """
import importlib.metadata, json, sys
import vibedata_studio_azure_cred_broker as package
from vibedata_studio_azure_cred_broker import StudioAzureCredBroker, _library
wheel = importlib.metadata.distribution("vibedata-studio-azure-cred-broker").read_text("WHEEL")
with StudioAzureCredBroker(sys.argv[1], sys.argv[2]) as credential:
    token = credential.get_token("https://storage.azure.com/.default")
print(json.dumps({
    "module": package.__file__,
    "library": str(_library.library_path()),
    "bundled": str(_library.BUNDLED_LIBRARY),
    "tags": [line.split(": ", 1)[1] for line in wheel.splitlines() if line.startswith("Tag: ")],
    "token_parts": len(token.token.split(".")),
}))
"""


def test_the_installed_package_bundles_and_loads_its_library(emulator, bearer_file, tmp_path, evidence):
    env = {k: v for k, v in os.environ.items() if k not in ("VD_BROKER_LIBRARY", "PYTHONPATH")}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, emulator.url, str(bearer_file)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.returncode == 0, (
        "the installed package did not work — install it first with "
        f"`python3 -m pip install ./bindings/python`:\n{probe.stderr}"
    )
    found = json.loads(probe.stdout)

    source_tree = REPO / "bindings" / "python" / "src"
    assert not found["module"].startswith(str(source_tree)), "imported the source tree, not the installed package"
    assert found["library"] == found["bundled"]
    assert os.path.isfile(found["bundled"])
    assert len(found["tags"]) == 1 and found["tags"][0].startswith("py3-none-"), found["tags"]
    assert found["token_parts"] == 3
    assert [r["audience"] for r in emulator.requests()] == ["storage"]
    evidence(f"installed package: {found['module']} with its library {found['bundled']} ({found['tags'][0]})")
