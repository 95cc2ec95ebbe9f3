"""mssql-python, unchanged, with `Authentication=ActiveDirectoryMSI`: it
asks the endpoint for the SQL token before it connects, so the token is
minted even though the connection then fails on a closed loopback port."""

from __future__ import annotations

import socket

from conftest import Identity, exec_under_serve, record_version, tool

SCRIPT = """
import sys
import mssql_python
print("version", mssql_python.__version__)
try:
    mssql_python.connect(sys.argv[1], timeout=5)
except mssql_python.OperationalError as error:
    print("connection failed:", error)
else:
    sys.exit("connected to a closed port")
"""


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_managed_identity_asks_for_the_sql_token_before_connecting(base_env, emulator, tmp_path):
    identity = Identity(emulator, tmp_path / "identity")
    connection = (f"Server=tcp:127.0.0.1,{closed_port()};Database=studio;"
                  "Authentication=ActiveDirectoryMSI;Encrypt=yes;ConnectRetryCount=0")

    done = exec_under_serve(identity, [tool("mssql", "bin", "python3"), "-c", SCRIPT, connection], base_env)

    lines = done.stdout.splitlines()
    record_version("mssql-python", lines[0].removeprefix("version "))
    assert lines[1].startswith("connection failed:") and "TCP Provider" in lines[1], done.stdout
    assert identity.audiences() == ["sql"], "the sql token was asked for before the connection failed"
