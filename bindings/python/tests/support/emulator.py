"""The crate's broker emulator as a real subprocess, and its control API."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[4]


def emulator_binary() -> Path:
    """``$VD_BROKER_EMULATOR`` (tests/run-all.sh sets it), else the debug build."""
    binary = Path(os.environ.get("VD_BROKER_EMULATOR") or REPO / "target" / "debug" / "vd-broker-emulator")
    if not binary.is_file():
        raise RuntimeError(f"no broker emulator at {binary}: run `cargo build --bins` at the repository root")
    return binary


class Emulator:
    """A running ``vd-broker-emulator``; it exits when its stdin closes."""

    def __init__(self, helper_socket: Path | None = None, *extra_args: str) -> None:
        args = [str(emulator_binary()), "--port", "0", "--quiet", "--exit-with-stdin", *extra_args]
        if helper_socket is not None:
            args += ["--helper-socket", str(helper_socket)]
        self.helper_socket = helper_socket
        self._process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        first = self._process.stdout.readline()
        if "listening on " not in first:
            self.stop()
            raise RuntimeError(f"the emulator did not start: {first!r}")
        #: The broker base URL (the library appends ``/token``).
        self.url = first.strip().rsplit(" ", 1)[1]
        #: ``http://127.0.0.1:PORT``, for the control API.
        self.origin = "/".join(self.url.split("/")[:3])

    def stop(self) -> None:
        self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def control(self, method: str, route: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.origin}/_emulator/{route}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def reset(self) -> None:
        self.control("POST", "reset")

    def requests(self) -> list[dict[str, Any]]:
        """Token requests seen since the last reset, oldest first."""
        return self.control("GET", "requests")["requests"]

    def wait_for_requests(self, count: int) -> list[dict[str, Any]]:
        """The log once it holds ``count`` requests: a request the client gave
        up on is logged when the emulator finishes it, which must not spill
        into the next test's log."""
        deadline = time.monotonic() + 10
        while len(requests := self.requests()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return requests

    def fault(self, **spec: Any) -> None:
        """Queues a fault for the next token request(s)."""
        self.control("POST", "faults", spec)

    def settings(self, **patch: Any) -> None:
        self.control("PUT", "settings", patch)
