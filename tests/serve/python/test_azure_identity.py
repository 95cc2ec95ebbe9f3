"""azure-identity's own credentials against `vd-broker serve`, with no code
of ours in the client: ManagedIdentityCredential and DefaultAzureCredential
pick the App Service protocol from IDENTITY_ENDPOINT and IDENTITY_HEADER."""

import base64
import json
import time

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError, DefaultAzureCredential, ManagedIdentityCredential

from conftest import FAULT_RESOURCE, broker_requests


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_managed_identity_credential_gets_a_studio_token():
    token = ManagedIdentityCredential().get_token("https://vault.azure.net/.default")
    assert claims(token.token)["aud"] == "https://vault.azure.net"
    assert claims(token.token)["iss"].startswith("https://sts.windows.net/")
    assert token.expires_on > time.time() + 3000


def test_default_azure_credential_finds_the_endpoint():
    before = broker_requests("storage")
    credential = DefaultAzureCredential()
    token = credential.get_token("https://storage.azure.com/.default")
    assert claims(token.token)["aud"] == "https://storage.azure.com"
    # The token came through the endpoint (one broker request), and the
    # credential's own cache answers the next call.
    assert broker_requests("storage") == before + 1
    assert credential.get_token("https://storage.azure.com/.default").token == token.token


def test_a_second_credential_is_answered_from_the_endpoints_cache():
    first = ManagedIdentityCredential().get_token("https://database.windows.net/.default")
    before = broker_requests("sql")
    again = ManagedIdentityCredential().get_token("https://database.windows.net/.default")
    assert again.token == first.token
    assert broker_requests("sql") == before


def test_get_token_info_carries_the_expiry():
    info = ManagedIdentityCredential().get_token_info("https://management.azure.com/.default")
    assert claims(info.token)["aud"] == "https://management.azure.com/"
    assert info.expires_on > time.time() + 3000


# What azure-identity raises for each of the endpoint's errors. MSAL (under
# azure-identity 1.27) reports every App Service failure as "unavailable",
# with the endpoint's statusCode and message in the text.

def test_unknown_resource_is_unavailable_with_the_known_resources():
    with pytest.raises(CredentialUnavailableError) as raised:
        ManagedIdentityCredential().get_token("https://example.com/.default")
    assert "400" in str(raised.value) and "https://storage.azure.com" in str(raised.value)
    with pytest.raises(ClientAuthenticationError) as chained:
        DefaultAzureCredential().get_token("https://example.com/.default")
    assert "no broker audience is mapped" in str(chained.value)


def test_wrong_header_is_unavailable(monkeypatch):
    monkeypatch.setenv("IDENTITY_HEADER", "0" * 64)
    with pytest.raises(CredentialUnavailableError) as raised:
        ManagedIdentityCredential().get_token("https://vault.azure.net/.default")
    assert "401" in str(raised.value) and "X-IDENTITY-HEADER header is wrong" in str(raised.value)
    with pytest.raises(ClientAuthenticationError):
        DefaultAzureCredential().get_token("https://vault.azure.net/.default")


def test_wrong_path_is_unavailable(monkeypatch):
    import os
    monkeypatch.setenv("IDENTITY_ENDPOINT", os.environ["IDENTITY_ENDPOINT"] + "/elsewhere")
    with pytest.raises(CredentialUnavailableError) as raised:
        ManagedIdentityCredential().get_token("https://vault.azure.net/.default")
    assert "404" in str(raised.value)


def test_broker_rejection_is_unavailable_with_the_brokers_reason(broker_fault):
    broker_fault({"action": "respond", "status": 401, "times": 8})
    with pytest.raises(CredentialUnavailableError) as raised:
        ManagedIdentityCredential().get_token(f"{FAULT_RESOURCE}/.default")
    assert "403" in str(raised.value) and "broker rejected the request (401)" in str(raised.value)
