"""A local HTTPS stand-in for Key Vault's secrets API: it answers an
unauthenticated request with the real 401 bearer challenge, then checks the
bearer token's claims before handing out the secret."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from support.https_stand_in import Answer, HttpsStandIn
from support.tls import LoopbackCertificate
from support.tokens import TENANT, valid_bearer

CHALLENGE = {
    "WWW-Authenticate": f'Bearer authorization="https://login.microsoftonline.com/{TENANT}", '
    'resource="https://vault.azure.net"'
}


class KeyVaultStandIn:
    """Serves ``GET /secrets/<name>[/<version>]`` over HTTPS on 127.0.0.1."""

    def __init__(self, certificate: LoopbackCertificate, secrets: dict[str, str], audiences: set[str]) -> None:
        self.secrets = secrets
        self.audiences = audiences
        #: (authorization scheme or None, HTTP status answered) per request.
        self.seen: list[tuple[str | None, int]] = []
        #: Claims of every bearer token accepted.
        self.accepted: list[dict] = []
        self._server = HttpsStandIn(certificate, self._answer)
        self.url = self._server.url

    def stop(self) -> None:
        self._server.stop()

    def _answer(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        authorization = headers.get("Authorization")
        answer = self._check(path, authorization)
        self.seen.append((authorization.split(" ")[0] if authorization else None, answer[0]))
        return answer

    def _check(self, path: str, authorization: str | None) -> Answer:
        if authorization is None:
            return (
                401,
                {"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer"}},
                CHALLENGE,
            )
        found = valid_bearer(authorization, "https://vault.azure.net", self.audiences)
        if found is None:
            return 401, {"error": {"code": "Unauthorized", "message": "the token's claims were refused"}}, CHALLENGE
        self.accepted.append(found)
        parts = urlsplit(path).path.strip("/").split("/")
        if len(parts) < 2 or parts[0] != "secrets" or parts[1] not in self.secrets:
            return 404, {"error": {"code": "SecretNotFound", "message": f"no secret at {path}"}}, {}
        name = parts[1]
        return (
            200,
            {
                "value": self.secrets[name],
                "id": f"{self.url}/secrets/{name}/0123456789abcdef0123456789abcdef",
                "attributes": {
                    "enabled": True,
                    "created": 1700000000,
                    "updated": 1700000000,
                    "recoveryLevel": "Purgeable",
                },
            },
            {},
        )
