"""A Studio-style dlt pipeline, run as its own process by tests/test_dlt.py:
it loads rows into dlt's filesystem destination (az:// through adlfs) with
dlt's AzureCredentials built from our live credential.

Its own process because adlfs reaches storage through aiohttp, which reads
the trusted CAs (SSL_CERT_FILE) once, when it is imported.

    python dlt_load.py ACCOUNT_URL CONTAINER PIPELINES_DIR sync|aio
"""

from __future__ import annotations

import json
import sys

import dlt
from dlt.common.configuration.specs import AzureCredentials

from vibedata_studio_azure_cred_broker import StudioAzureCredBroker, aio


def main(account_url: str, container: str, pipelines_dir: str, kind: str) -> None:
    credential = StudioAzureCredBroker() if kind == "sync" else aio.StudioAzureCredBroker()
    credentials = AzureCredentials.from_credential(credential)
    credentials.azure_storage_account_name = account_url.rsplit("/", 1)[1]
    credentials.azure_account_host = account_url.removeprefix("https://")
    pipeline = dlt.pipeline(
        pipeline_name=f"studio_{kind}",
        destination=dlt.destinations.filesystem(bucket_url=f"az://{container}/landing", credentials=credentials),
        dataset_name="sales",
        pipelines_dir=pipelines_dir,
    )
    rows = [{"id": 1, "region": "emea"}, {"id": 2, "region": "apac"}]
    info = pipeline.run(rows, table_name="orders", loader_file_format="jsonl")
    print(json.dumps({"failed_jobs": info.has_failed_jobs, "packages": len(info.loads_ids)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
