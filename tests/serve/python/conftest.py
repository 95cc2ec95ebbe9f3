"""Fixtures for the Azure SDK clients of `vd-broker serve`.

The suite runs pytest as `vd-broker serve --exec -- python3 -m pytest ...`,
so IDENTITY_ENDPOINT and IDENTITY_HEADER come from the endpoint itself, and
VD_SERVE_TEST_EMULATOR names the emulator's control API behind it.
"""

import json
import os
import urllib.request

import pytest

# A resource the suite maps to an audience of its own (`--audience`), asked
# for only when the broker is told to fail, so that no token of it is cached.
FAULT_RESOURCE = "https://fault.example"
OTHER_CREDENTIALS = ("AZURE_", "MSI_", "IMDS_", "IDENTITY_SERVER_THUMBPRINT")


def control(method, path, body=None):
    request = urllib.request.Request(
        f"{os.environ['VD_SERVE_TEST_EMULATOR']}/_emulator/{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def broker_requests(audience):
    return sum(1 for r in control("GET", "requests")["requests"] if r.get("audience") == audience)


@pytest.fixture(autouse=True)
def only_the_endpoint(monkeypatch):
    """No other credential may answer for DefaultAzureCredential."""
    assert os.environ.get("IDENTITY_ENDPOINT") and os.environ.get("IDENTITY_HEADER"), \
        "run under `vd-broker serve --exec`"
    for name in list(os.environ):
        # AZURE_MSI_ENDPOINT is the endpoint's own (object_store's name for it).
        if name.startswith(OTHER_CREDENTIALS) and name != "AZURE_MSI_ENDPOINT":
            monkeypatch.delenv(name)
    yield
    control("DELETE", "faults")


@pytest.fixture
def broker_fault():
    def queue(spec):
        control("POST", "faults", spec)
    return queue
