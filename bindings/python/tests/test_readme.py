"""Every snippet of the package's README and of the manual's Python chapter,
run against the local stand-ins. The only edits are the ones that point
production code at loopback (each must match the snippet exactly once, so the
documentation cannot drift from what runs here)."""

from __future__ import annotations

import os
import re
import secrets
import struct
import subprocess
import sys
from pathlib import Path

from azure.keyvault.secrets._shared import http_challenge_cache

from support.emulator import REPO
from support.fabric import FabricStandIn
from support.keyvault import KeyVaultStandIn
from support.tls import loopback_certificate
from support.tokens import sha256_hex

DOCUMENTS = (Path(__file__).resolve().parents[1] / "README.md", REPO / "docs" / "bindings" / "python.md")


def snippet(name: str) -> str:
    """The snippet marked `name`, which stands exactly once in the README and
    the manual's Python chapter together."""
    found = [
        match.group(1)
        for document in DOCUMENTS
        for match in re.finditer(rf"<!-- snippet: {name} -->\n```\w+\n(.*?)\n```", document.read_text(), flags=re.S)
    ]
    assert len(found) == 1, f"snippet {name!r} stands {len(found)} times in the README and docs/bindings/python.md"
    return found[0]


def adapted(code: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert code.count(old) == 1, f"the documented snippet no longer contains {old!r}"
        code = code.replace(old, new)
    return code


def test_install_command_is_the_one_ci_runs():
    command = snippet("install")
    assert command == "python3 -m pip install ./bindings/python"
    ci = (REPO / ".ci" / "install.d" / "30-python.sh").read_text()
    assert "python3 -m pip install" in ci and '"${pip[@]}" ./bindings/python' in ci


def test_dbt_debug_with_the_profile_passes_against_a_fabric_stand_in(emulator, studio_env, bearer, tmp_path, evidence):
    """`dbt debug` end to end: dbt-fabricspark loads our class from the
    profile, gets a Power BI token, reads the lakehouse and runs its test
    query in a Livy session — all against the HTTPS stand-in."""
    certificate = loopback_certificate(tmp_path)
    fabric = FabricStandIn(certificate)
    try:
        (tmp_path / "profiles.yml").write_text(
            adapted(
                snippet("dbt"),
                (
                    "endpoint: https://api.fabric.microsoft.com/v1",
                    # The stand-in's URL; one Livy session (the stand-in has no
                    # high-concurrency API) polled every second.
                    f"endpoint: {fabric.url}/v1\n      high_concurrency: false\n      poll_wait: 1",
                ),
            )
        )
        project = tmp_path / "project"
        project.mkdir()
        (project / "dbt_project.yml").write_text(
            "name: studio\nversion: '1.0'\nprofile: my_project\nconfig-version: 2\n"
        )
        env = {
            **os.environ,
            "EPHEMERAL_WORKSPACE_ID": "00000000-0000-4000-8000-000000000001",
            "EPHEMERAL_LAKEHOUSE_ID": "00000000-0000-4000-8000-000000000002",
            "EPHEMERAL_LAKEHOUSE_NAME": "studio_lakehouse",
            "EPHEMERAL_SCHEMA": "dbo",
            "REQUESTS_CA_BUNDLE": str(certificate.ca),
            "DBT_SPARK_VERSION": "3.5",
            "DO_NOT_TRACK": "1",
            "PYTHONPATH": os.pathsep.join(sys.path),
        }
        dbt = str(Path(sys.executable).parent / "dbt")
        debug = subprocess.run(
            [dbt, "debug", "--project-dir", str(project), "--profiles-dir", str(tmp_path)],
            cwd=project, env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip
    finally:
        fabric.stop()

    assert debug.returncode == 0, debug.stdout + debug.stderr
    assert "Using token_credential auth (vibedata_studio_azure_cred_broker.StudioAzureCredBroker)" in debug.stdout
    assert "All checks passed!" in debug.stdout
    assert fabric.statements == ["select 1 as id"]
    assert {token["vd_bearer"] for token in fabric.accepted} == {sha256_hex(bearer)[:16]}
    assert [r["audience"] for r in emulator.requests()] == ["fabric_cli"]
    digest = sha256_hex(bearer)[:16]
    evidence(f"dbt debug passed; the Fabric stand-in accepted Power BI tokens the emulator minted for bearer {digest}")


def test_dlt_snippet_loads_into_azurite(emulator, studio_env, azurite, tmp_path):
    from azure.storage.blob import BlobServiceClient

    from vibedata_studio_azure_cred_broker import StudioAzureCredBroker

    container = f"readme-{secrets.token_hex(6)}"
    with StudioAzureCredBroker() as credential:
        service = BlobServiceClient(azurite.account_url, credential=credential, connection_verify=str(azurite.ca))
        blobs = service.create_container(container)
        host = azurite.account_url.removeprefix("https://")
        script = tmp_path / "pipeline.py"
        script.write_text(
            adapted(
                snippet("dlt"),
                ('azure_storage_account_name = "onelake"', 'azure_storage_account_name = "devstoreaccount1"'),
                ('"onelake.blob.fabric.microsoft.com"', repr(host)),
                ("az://my-workspace/my-lakehouse.Lakehouse/Files/landing", f"az://{container}/landing"),
            )
        )
        env = {**os.environ, "SSL_CERT_FILE": str(azurite.ca), "RUNTIME__DLTHUB_TELEMETRY": "false"}
        env["PYTHONPATH"] = os.pathsep.join(sys.path)
        ran = subprocess.run(
            [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert ran.returncode == 0, ran.stderr
        assert list(blobs.list_blobs(name_starts_with="landing/sales/orders/"))


def test_secretclient_snippet_reads_the_secret(emulator, studio_env, monkeypatch, tmp_path):
    certificate = loopback_certificate(tmp_path)
    vault = KeyVaultStandIn(certificate, {"warehouse-password": "s3cret"}, {"key_vault_data_plane"})
    http_challenge_cache.clear()
    try:
        namespace = {"vault_url": vault.url}
        exec(
            adapted(
                snippet("secretclient"),
                (
                    "SecretClient(vault_url=vault_url, credential=credential)",
                    f"SecretClient(vault_url=vault_url, credential=credential, verify_challenge_resource=False, "
                    f"connection_verify={str(certificate.ca)!r})",
                ),
            ),
            namespace,
        )
    finally:
        vault.stop()
        http_challenge_cache.clear()
    assert namespace["password"] == "s3cret"
    assert vault.accepted[0]["vd_audience"] == "key_vault_data_plane"


def test_async_snippet_uploads_a_blob(emulator, studio_env, azurite):
    namespace = {"account_url": azurite.account_url}
    exec(
        adapted(
            snippet("async"),
            (
                "BlobServiceClient(account_url, credential=credential)",
                f"BlobServiceClient(account_url, credential=credential, connection_verify={str(azurite.ca)!r})",
            ),
        ),
        namespace,
    )
    assert [r["audience"] for r in emulator.requests()] == ["storage"]


def test_pyodbc_snippet_builds_the_attribute_blob(emulator, studio_env):
    # No SQL Server here: run everything but the pyodbc lines, then check the blob.
    code = snippet("pyodbc")
    assert "attrs_before={SQL_COPT_SS_ACCESS_TOKEN: blob}" in code
    namespace: dict = {}
    exec("\n".join(line for line in code.splitlines() if "pyodbc" not in line), namespace)
    from vibedata_studio_azure_cred_broker import StudioAzureCredBroker

    with StudioAzureCredBroker() as credential:
        token = credential.get_token("https://database.windows.net/.default").token
    data = token.encode("utf-16-le")
    assert namespace["blob"] == struct.pack("<I", len(data)) + data
