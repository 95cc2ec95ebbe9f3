"""A real consumer: a dlt pipeline loads into its filesystem destination on
Azurite (az:// through adlfs), with dlt's AzureCredentials built from our
live credential — the way a Studio dlt pipeline authenticates to OneLake/ADLS."""

from __future__ import annotations

import gzip
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient

from vibedata_studio_azure_cred_broker import StudioAzureCredBroker

DLT_LOAD = Path(__file__).parent / "support" / "dlt_load.py"


@pytest.mark.parametrize("kind", ["sync", "aio"])
def test_dlt_filesystem_destination_loads_with_our_credential(emulator, studio_env, azurite, tmp_path, kind):
    container = f"dlt-{secrets.token_hex(6)}"
    with StudioAzureCredBroker() as credential:
        storage = BlobServiceClient(azurite.account_url, credential=credential, connection_verify=str(azurite.ca))
        blobs = storage.create_container(container)

        env = {**os.environ, "SSL_CERT_FILE": str(azurite.ca), "RUNTIME__DLTHUB_TELEMETRY": "false"}
        env["PYTHONPATH"] = os.pathsep.join(sys.path)
        loaded = subprocess.run(
            [sys.executable, str(DLT_LOAD), azurite.account_url, container, str(tmp_path / "pipelines"), kind],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert loaded.returncode == 0, loaded.stderr
        assert json.loads(loaded.stdout.splitlines()[-1]) == {"failed_jobs": False, "packages": 1}

        [orders] = [b.name for b in blobs.list_blobs(name_starts_with="landing/sales/orders/")]
        lines = gzip.decompress(blobs.download_blob(orders).readall()).splitlines()
    assert [json.loads(line)["region"] for line in lines] == ["emea", "apac"]
    minted = emulator.requests()
    assert {r["audience"] for r in minted} == {"storage"}
    # This process's token only: the pipeline process read it from the
    # shared token cache (the test's own directory, which it inherits).
    assert len(minted) == 1
