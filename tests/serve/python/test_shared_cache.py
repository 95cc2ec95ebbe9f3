"""One endpoint, one cache: 8 client processes in 3 languages (Python's
azure-identity, Go's azidentity, JavaScript's @azure/identity), started at
once and asking for one resource, make 1 broker request between them."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import broker_requests

# Mapped to the audience "shared" by the suite (`--audience`); no other test asks for it.
SCOPE = "https://shared.example/.default"
PYTHON_CLIENT = """
import hashlib, sys
from azure.identity import ManagedIdentityCredential
token = ManagedIdentityCredential().get_token(sys.argv[1]).token
print(hashlib.sha256(token.encode()).hexdigest())
"""
NODE_CLIENT = Path(__file__).resolve().parents[1] / "node" / "token.mjs"


def test_eight_processes_in_three_languages_make_one_broker_request():
    go_client = os.environ.get("VD_SERVE_GO_TOKEN")
    assert go_client, "the suite builds tests/serve/go/cmd/token and names it in VD_SERVE_GO_TOKEN"
    commands = (
        [[sys.executable, "-c", PYTHON_CLIENT, SCOPE]] * 3
        + [[go_client, SCOPE]] * 3
        + [["node", str(NODE_CLIENT), SCOPE]] * 2
    )
    before = broker_requests("shared")
    clients = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    results = [client.communicate(timeout=120) for client in clients]
    for command, client, (_, err) in zip(commands, clients, results):
        assert client.returncode == 0, f"{command[0]}: {err}"
    digests = {out.strip() for out, _ in results}
    assert len(digests) == 1, f"the clients got different tokens: {digests}"
    assert broker_requests("shared") == before + 1
