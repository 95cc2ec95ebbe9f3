"""The pure-Python package's documented examples (0.1.0 and 0.2.0 READMEs),
run unchanged on this package: its users change nothing."""

from __future__ import annotations

import pytest
from azure.keyvault.secrets._shared import http_challenge_cache

from support.keyvault import KeyVaultStandIn
from support.tls import loopback_certificate
from support.tokens import sha256_hex

EXAMPLE_0_1_0 = """
from azure.keyvault.secrets import SecretClient
from vibedata_studio_azure_cred_broker import StudioAzureCredBroker

client = SecretClient(vault_url=vault_url, credential=StudioAzureCredBroker())
"""

EXAMPLE_0_2_0 = """
from azure.keyvault.secrets import SecretClient
from vibedata_studio_azure_cred_broker import StudioAzureCredBroker

client = SecretClient(
    vault_url=vault_url,
    credential=StudioAzureCredBroker(
        audience_map={"https://vault.azure.net": "key_vault_data_plane"}
    ),
)
"""


@pytest.fixture
def vault(tmp_path, monkeypatch):
    certificate = loopback_certificate(tmp_path)
    # The clients in the examples trust the default CA bundle: make it ours.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate.ca))
    http_challenge_cache.clear()
    stand_in = KeyVaultStandIn(certificate, {"dbt-password": "p4ss"}, {"vault", "key_vault_data_plane"})
    yield stand_in
    stand_in.stop()
    http_challenge_cache.clear()


def run_example(example: str, vault: KeyVaultStandIn) -> str:
    namespace = {"vault_url": vault.url}
    exec(example, namespace)
    client = namespace["client"]
    # Key Vault's SDK checks that the vault's host is under vault.azure.net;
    # the stand-in is on 127.0.0.1. The one change, made after the example ran.
    client._client._config.authentication_policy._verify_challenge_resource = False
    with client:
        return client.get_secret("dbt-password").value


def test_0_1_0_example_with_the_older_environment(emulator, bearer_file, bearer, vault, monkeypatch):
    monkeypatch.setenv("VD_AZ_TOKEN_URL", emulator.url)
    monkeypatch.setenv("VD_CREDENTIAL_FILE", str(bearer_file))
    assert run_example(EXAMPLE_0_1_0, vault) == "p4ss"
    [request] = emulator.requests()
    assert request["body"] == {"audience": "vault"}
    assert request["bearer_sha256"] == sha256_hex(bearer)


def test_0_2_0_example_with_the_newer_environment(emulator, bearer_file, vault, monkeypatch):
    monkeypatch.setenv("VD_CREDENTIAL_BROKER_URL", emulator.url)
    monkeypatch.setenv("VD_CREDENTIAL_FILE", str(bearer_file))
    monkeypatch.setenv("VD_CREDENTIAL_LANE", "service")
    monkeypatch.setenv("VD_CREDENTIAL_CONFIGURATION_REVISION", "12")
    assert run_example(EXAMPLE_0_2_0, vault) == "p4ss"
    assert emulator.requests()[0]["body"] == {
        "audience": "key_vault_data_plane",
        "scope": "secret_store",
        "lane": "service",
        "configurationRevision": 12,
    }
    assert vault.accepted[0]["vd_lane"] == "service"
