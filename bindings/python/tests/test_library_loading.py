"""Which native library is loaded, and the ImportError when there is none."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src"


def import_from_source(library: str | None, cwd: Path) -> subprocess.CompletedProcess:
    """Imports a copy of the source tree without any bundled library."""
    shutil.copytree(SOURCE, cwd / "src", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    env = {k: v for k, v in os.environ.items() if k != "VD_BROKER_LIBRARY"}
    env["PYTHONPATH"] = str(cwd / "src")
    if library is not None:
        env["VD_BROKER_LIBRARY"] = library
    return subprocess.run(
        [sys.executable, "-c", "import vibedata_studio_azure_cred_broker as m; print(m.native_version())"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_environment_variable_names_the_library_to_load(tmp_path):
    loaded = import_from_source(os.environ["VD_BROKER_LIBRARY"], tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip().count(".") == 2


def test_a_wrong_path_is_an_import_error_naming_both_places(tmp_path):
    failed = import_from_source(str(tmp_path / "libvd_broker.so"), tmp_path)
    assert "ImportError: VD_BROKER_LIBRARY=" in failed.stderr
    assert "is not a file" in failed.stderr
    assert "bundled at" in failed.stderr


def test_no_library_at_all_is_an_import_error_saying_how_to_get_one(tmp_path):
    failed = import_from_source(None, tmp_path)
    assert "ImportError: the native vd_broker library is missing" in failed.stderr
    assert "VD_BROKER_LIBRARY is not set" in failed.stderr
    assert "pip install ./bindings/python" in failed.stderr
