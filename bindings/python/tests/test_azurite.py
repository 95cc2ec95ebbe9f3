"""A real consumer: azure-storage-blob uploads and downloads a blob on
Azurite (HTTPS, OAuth), authenticated only by our credential — its token
minted by the emulator and handed over by the native library."""

from __future__ import annotations

import asyncio
import secrets

from azure.storage.blob import BlobServiceClient
from azure.storage.blob.aio import BlobServiceClient as AsyncBlobServiceClient

from support.tokens import sha256_hex
from vibedata_studio_azure_cred_broker import StudioAzureCredBroker
from vibedata_studio_azure_cred_broker import aio as broker_aio


def container_name() -> str:
    return f"vd-{secrets.token_hex(6)}"


def test_blob_round_trip_with_our_credential(emulator, studio_env, bearer, azurite, evidence):
    data = secrets.token_bytes(64 * 1024)
    with StudioAzureCredBroker() as credential:
        service = BlobServiceClient(azurite.account_url, credential=credential, connection_verify=str(azurite.ca))
        with service:
            container = service.create_container(container_name())
            container.upload_blob("reports/q3.bin", data)
            downloaded = container.download_blob("reports/q3.bin").readall()
            names = [blob.name for blob in container.list_blobs()]

    assert downloaded == data
    assert names == ["reports/q3.bin"]
    minted = emulator.requests()
    assert [(r["audience"], r["bearer_sha256"]) for r in minted] == [("storage", sha256_hex(bearer))]
    evidence(f"Azurite accepted a storage token the emulator minted for bearer {sha256_hex(bearer)[:16]}")


def test_blob_round_trip_with_the_async_credential(emulator, studio_env, azurite):
    async def round_trip() -> bytes:
        async with broker_aio.StudioAzureCredBroker() as credential:
            async with AsyncBlobServiceClient(
                azurite.account_url, credential=credential, connection_verify=str(azurite.ca)
            ) as service:
                container = await service.create_container(container_name())
                await container.upload_blob("hello.txt", b"hello from the async credential")
                return await (await container.download_blob("hello.txt")).readall()

    assert asyncio.run(round_trip()) == b"hello from the async credential"
    assert [r["audience"] for r in emulator.requests()] == ["storage"]


def test_azurite_refuses_a_request_without_our_token(azurite):
    from azure.core.exceptions import HttpResponseError

    service = BlobServiceClient(azurite.account_url, connection_verify=str(azurite.ca))
    try:
        service.create_container(container_name())
    except HttpResponseError as refused:
        assert refused.status_code in (401, 403)
    else:
        raise AssertionError("Azurite accepted an anonymous request: the round trips above prove nothing")
