"""A real consumer: azure-keyvault-secrets' SecretClient (sync and async)
reads a secret from an HTTPS Key Vault stand-in that challenges with 401 and
checks the token the emulator minted through the native library."""

from __future__ import annotations

import asyncio

import pytest
from azure.keyvault.secrets import SecretClient
from azure.keyvault.secrets import aio as secrets_aio
from azure.keyvault.secrets._shared import http_challenge_cache

from support.keyvault import KeyVaultStandIn
from support.tls import loopback_certificate
from support.tokens import sha256_hex
from vibedata_studio_azure_cred_broker import StudioAzureCredBroker
from vibedata_studio_azure_cred_broker import aio as broker_aio


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return loopback_certificate(tmp_path_factory.mktemp("keyvault-tls"))


@pytest.fixture
def vault(certificate):
    # The SDK caches challenges per host, module-wide: each test starts clean.
    http_challenge_cache.clear()
    stand_in = KeyVaultStandIn(certificate, {"warehouse-password": "s3cret-value"}, {"vault", "key_vault_data_plane"})
    yield stand_in
    stand_in.stop()
    http_challenge_cache.clear()


def secret_client(client_type, vault, certificate, credential):
    return client_type(
        vault_url=vault.url,
        credential=credential,
        verify_challenge_resource=False,
        connection_verify=str(certificate.ca),
    )


def test_secret_client_reads_a_secret_with_our_token(emulator, studio_env, bearer, vault, certificate, evidence):
    with StudioAzureCredBroker() as credential, secret_client(SecretClient, vault, certificate, credential) as client:
        secret = client.get_secret("warehouse-password")

    assert secret.value == "s3cret-value"
    assert secret.name == "warehouse-password"
    # The real challenge dance: no bearer first, 401, then our token accepted.
    assert vault.seen == [(None, 401), ("Bearer", 200)]
    [accepted] = vault.accepted
    assert accepted["vd_audience"] == "vault"
    assert accepted["vd_bearer"] == sha256_hex(bearer)[:16]
    [minted] = emulator.requests()
    assert minted["audience"] == "vault"
    assert minted["bearer_sha256"] == sha256_hex(bearer)
    evidence(f"Key Vault stand-in accepted a token minted by the emulator for bearer {accepted['vd_bearer']}")


def test_secret_client_with_the_secret_store_audience(emulator, studio_env, vault, certificate):
    credential = StudioAzureCredBroker(audience_map={"https://vault.azure.net": "key_vault_data_plane"})
    with credential, secret_client(SecretClient, vault, certificate, credential) as client:
        assert client.get_secret("warehouse-password").value == "s3cret-value"
    assert vault.accepted[0]["vd_audience"] == "key_vault_data_plane"


def test_async_secret_client_reads_a_secret_with_our_token(emulator, studio_env, bearer, vault, certificate):
    async def read() -> str:
        async with broker_aio.StudioAzureCredBroker() as credential:
            async with secret_client(secrets_aio.SecretClient, vault, certificate, credential) as client:
                return (await client.get_secret("warehouse-password")).value

    assert asyncio.run(read()) == "s3cret-value"
    assert vault.seen == [(None, 401), ("Bearer", 200)]
    assert vault.accepted[0]["vd_bearer"] == sha256_hex(bearer)[:16]
    assert [r["audience"] for r in emulator.requests()] == ["vault"]
