"""A local HTTPS stand-in for the Fabric REST API pieces `dbt debug` with
dbt-fabricspark uses: the lakehouse's properties and a Livy session that
runs its test query. Every request must carry a Power BI token the emulator
minted (audience fabric_cli)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from support.https_stand_in import Answer, HttpsStandIn
from support.tls import LoopbackCertificate
from support.tokens import valid_bearer

LIVY = r"/v1/workspaces/[\w-]+/lakehouses/[\w-]+/livyapi/versions/2023-12-01/sessions"
IDLE_SESSION = {"id": "7", "state": "idle", "livyInfo": {"currentState": "idle"}}
QUERY_RESULT = {
    "id": 1,
    "state": "available",
    "output": {
        "status": "ok",
        "execution_count": 1,
        "data": {"application/json": {"schema": {"fields": [{"name": "1", "type": "integer"}]}, "data": [[1]]}},
    },
}


class FabricStandIn:
    def __init__(self, certificate: LoopbackCertificate) -> None:
        #: (method, path) of every authorised request.
        self.calls: list[tuple[str, str]] = []
        #: Claims of every bearer token accepted.
        self.accepted: list[dict] = []
        #: Statements the Livy session was asked to run.
        self.statements: list[str] = []
        self._server = HttpsStandIn(certificate, self._answer)
        self.url = self._server.url

    def stop(self) -> None:
        self._server.stop()

    def _answer(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> Answer:
        found = valid_bearer(headers.get("Authorization"), "https://analysis.windows.net/powerbi/api", {"fabric_cli"})
        if found is None:
            return 401, {"errorCode": "TokenExpired", "message": "a Power BI token is required"}, {}
        self.accepted.append(found)
        path = path.split("?")[0]
        self.calls.append((method, path))
        if method == "GET" and re.fullmatch(r"/v1/workspaces/[\w-]+/lakehouses/[\w-]+", path):
            return 200, {"id": path.rsplit("/", 1)[1], "type": "Lakehouse", "properties": {}}, {}
        if method == "POST" and re.fullmatch(LIVY, path):
            return 202, IDLE_SESSION, {}
        if method in ("GET", "DELETE") and re.fullmatch(LIVY + r"/7", path):
            return 200, IDLE_SESSION, {}
        if method == "POST" and re.fullmatch(LIVY + r"/7/statements", path):
            self.statements.append(json.loads(body).get("code", ""))
            return 201, {"id": 1, "state": "waiting"}, {}
        if method == "GET" and re.fullmatch(LIVY + r"/7/statements/1", path):
            return 200, QUERY_RESULT, {}
        return 404, {"errorCode": "NotFound", "message": f"the stand-in does not serve {method} {path}"}, {}
