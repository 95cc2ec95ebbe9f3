"""Bearer files, and what the emulator's tokens claim (as a service checking them reads it)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from pathlib import Path
from typing import Any

from support.message_log import record_secret

#: The tenant the emulator's tokens claim (its `iss` and `tid`).
TENANT = "7a6f1b1e-5d3c-4c3b-9a7e-3f0e2d1c0b9a"


def fresh_bearer() -> str:
    """A new intent bearer: the token cache is process-wide and keyed by the
    bearer, so a test that counts broker requests needs its own."""
    bearer = f"vd_iat_{secrets.token_hex(16)}"
    record_secret(bearer)
    return bearer


def write_bearer(path: Path, bearer: str | None = None) -> str:
    bearer = bearer or fresh_bearer()
    path.write_text(bearer + "\n", encoding="utf-8")
    return bearer


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def claims(token: str) -> dict[str, Any]:
    """The payload of a JWT-shaped token (unsigned, as the emulator mints)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def valid_bearer(authorization: str | None, aud: str, audiences: set[str]) -> dict | None:
    """The claims of an unexpired ``Bearer`` token for ``aud`` minted for one
    of ``audiences`` by the emulator's tenant, else None."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme != "Bearer":
        return None
    found = claims(token)
    valid = (
        found.get("aud") == aud
        and found.get("iss") == f"https://sts.windows.net/{TENANT}/"
        and found.get("vd_audience") in audiences
        and found["nbf"] <= time.time() < found["exp"]
    )
    return found if valid else None
