"""Azurite's Blob service over HTTPS with OAuth, started by the repository's
tests/azurite/start.sh (which makes its CA and certificate)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from support.emulator import REPO

ACCOUNT = "devstoreaccount1"


class Azurite:
    def __init__(self, directory: Path) -> None:
        started = subprocess.run(
            ["bash", str(REPO / "tests" / "azurite" / "start.sh"), str(directory)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if started.returncode != 0:
            raise RuntimeError(
                f"Azurite did not start (is `npm ci` done in tests/azurite?): {started.stdout}{started.stderr}"
            )
        self._pid = int((directory / "azurite.pid").read_text())
        #: The CA that signed Azurite's certificate.
        self.ca = directory / "ca.pem"
        #: The Blob service URL of the development account.
        self.account_url = f"https://127.0.0.1:{started.stdout.split()[-1]}/{ACCOUNT}"

    def stop(self) -> None:
        try:
            os.kill(self._pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
