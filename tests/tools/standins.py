"""Loopback servers the tools suite starts beside the emulator and Azurite,
each on Python's http.server: the Resource Manager that `az login` lists
subscriptions from, and a proxy that only records who tried to leave the
machine."""

from __future__ import annotations

import base64
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def claims(token: str) -> dict:
    """The payload of a JWT (the emulator's tokens are unsigned)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class _Server:
    handler: type[BaseHTTPRequestHandler]

    def __init__(self) -> None:
        self.seen: list[dict] = []
        owner = self

        class Handler(self.handler):  # type: ignore[name-defined,misc]
            server_owner = owner

            def log_message(self, *args) -> None:  # quiet: the tests read `seen`
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True

    def start(self) -> None:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class _ArmHandler(BaseHTTPRequestHandler):
    server_owner: "ArmStandIn"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        authorization = self.headers.get("Authorization", "")
        self.server_owner.seen.append({"path": self.path, "authorization": authorization})
        if not self.path.startswith("/subscriptions?"):
            self._answer(404, {"error": {"code": "NotFound", "message": f"the stand-in serves no {self.path}"}})
        elif not authorization.startswith("Bearer "):
            self._answer(401, {"error": {"code": "AuthenticationFailed", "message": "no bearer token"}})
        else:
            # A managed identity with no subscription: az then makes a
            # tenant-level account (--allow-no-subscriptions).
            self._answer(200, {"value": []})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ArmStandIn(_Server):
    """Azure Resource Manager's subscription listing (`GET /subscriptions`),
    over HTTPS with the certificate Azurite uses (azure-core sends a bearer
    token over TLS only)."""

    handler = _ArmHandler

    def __init__(self, certificate: Path, key: Path) -> None:
        super().__init__()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certificate, key)
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.start()

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/"


class _TrapHandler(BaseHTTPRequestHandler):
    server_owner: "OffLoopbackTrap"

    def _refuse(self) -> None:
        self.server_owner.seen.append({"method": self.command, "target": self.path})
        self.send_error(403, "the tools suite reaches nothing beyond loopback")

    do_CONNECT = do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = do_PATCH = _refuse


class OffLoopbackTrap(_Server):
    """What the tools get as HTTP(S)_PROXY (loopback itself is exempt by
    NO_PROXY): any request a tool makes beyond loopback lands here, is
    refused, and is recorded for the test to fail on."""

    handler = _TrapHandler

    def __init__(self) -> None:
        super().__init__()
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
