"""The wire contract (DESIGN.md §1), case by case, through the Python binding
against the emulator: what is sent, what comes back, what is raised."""

from __future__ import annotations

import struct
import time

import pytest

from support.tokens import claims, sha256_hex, write_bearer
from vibedata_studio_azure_cred_broker import (
    AuthenticationFailedError,
    BrokerError,
    ScopeNotAllowedError,
    Status,
)

DEFAULT_AUDIENCES = [
    ("https://database.windows.net/.default", "sql", "https://database.windows.net/"),
    ("https://storage.azure.com/.default", "storage", "https://storage.azure.com"),
    ("https://vault.azure.net/.default", "vault", "https://vault.azure.net"),
    ("https://api.fabric.microsoft.com/.default", "fabric_api", "https://api.fabric.microsoft.com"),
    ("https://analysis.windows.net/powerbi/api/.default", "fabric_cli", "https://analysis.windows.net/powerbi/api"),
    ("https://management.azure.com/.default", "arm", "https://management.azure.com/"),
    # An alias: the Azure CLI's login resource, another name of ARM's audience.
    ("https://management.core.windows.net/.default", "arm", "https://management.azure.com/"),
]
VAULT = "https://vault.azure.net/.default"


@pytest.mark.parametrize(("scope", "audience", "aud"), DEFAULT_AUDIENCES)
def test_each_default_scope_is_exchanged_for_its_audience(emulator, make_credential, bearer, scope, audience, aud):
    token = make_credential().get_token(scope)

    assert claims(token.token)["vd_audience"] == audience
    assert claims(token.token)["aud"] == aud
    [request] = emulator.requests()
    assert request["method"] == "POST"
    assert request["path"] == "/api/v1/credential-broker/token"
    assert request["content_type"] == "application/json"
    assert request["authorization"] == "bearer"
    assert request["bearer_sha256"] == sha256_hex(bearer)
    assert request["body"] == {"audience": audience}


@pytest.mark.parametrize(
    "scope", ["https://vault.azure.net", "https://vault.azure.net/", "https://vault.azure.net/.default"]
)
def test_default_suffix_and_trailing_slash_are_ignored(emulator, make_credential, scope):
    make_credential(cache=False).get_token(scope)
    assert emulator.requests()[0]["audience"] == "vault"


def test_only_the_first_scope_is_used(emulator, make_credential):
    make_credential().get_token(VAULT, "https://storage.azure.com/.default")
    assert [r["audience"] for r in emulator.requests()] == ["vault"]


def test_no_scope_is_a_value_error_and_the_broker_is_not_asked(emulator, make_credential):
    with pytest.raises(ValueError, match="^no scope given: pass the Azure scope to mint for"):
        make_credential().get_token()
    assert emulator.requests() == []


def test_unmapped_scope_lists_known_resources_and_the_broker_is_not_asked(emulator, make_credential):
    with pytest.raises(ScopeNotAllowedError) as raised:
        make_credential().get_token("https://graph.microsoft.com/.default")
    assert isinstance(raised.value, ValueError)
    assert raised.value.status == Status.ERR_SCOPE_NOT_ALLOWED
    assert "https://graph.microsoft.com/.default" in str(raised.value)
    assert "https://vault.azure.net" in str(raised.value)
    assert emulator.requests() == []


def test_audience_map_overrides_adds_and_removes(emulator, make_credential):
    credential = make_credential(
        audience_map={
            "https://vault.azure.net": "key_vault_data_plane",
            "https://graph.microsoft.com": "graph",
            "https://management.azure.com": "",
        }
    )
    credential.get_token(VAULT)
    credential.get_token("https://graph.microsoft.com/.default")
    with pytest.raises(ScopeNotAllowedError):
        credential.get_token("https://management.azure.com/.default")
    assert [r["audience"] for r in emulator.requests()] == ["key_vault_data_plane", "graph"]


def test_broker_url_trailing_slash_is_stripped(emulator, make_credential):
    make_credential(broker_url=emulator.url + "/").get_token(VAULT)
    assert emulator.requests()[0]["path"] == "/api/v1/credential-broker/token"


def test_bearer_is_reread_on_every_call(emulator, make_credential, bearer_file):
    credential = make_credential()
    first = credential.get_token(VAULT)
    rotated = write_bearer(bearer_file)
    second = credential.get_token(VAULT)

    assert first.token != second.token
    assert claims(second.token)["vd_bearer"] == sha256_hex(rotated)[:16]
    assert emulator.requests()[1]["bearer_sha256"] == sha256_hex(rotated)


def test_bearer_whitespace_is_stripped(emulator, make_credential, bearer_file):
    bearer_file.write_text("\n  vd_iat_padded_for_the_test  \r\n")
    make_credential(cache=False).get_token(VAULT)
    assert emulator.requests()[0]["bearer_sha256"] == sha256_hex("vd_iat_padded_for_the_test")


def test_unreadable_credential_file_is_a_runtime_error_naming_the_path(emulator, make_credential, tmp_path):
    missing = tmp_path / "no-such-credential"
    with pytest.raises(AuthenticationFailedError) as raised:
        make_credential(credential_file=str(missing)).get_token(VAULT)
    assert isinstance(raised.value, RuntimeError)
    assert str(missing) in str(raised.value)
    assert "Is the Studio intent session active?" in str(raised.value)
    assert emulator.requests() == []


def test_blank_credential_file_is_a_runtime_error(emulator, make_credential, bearer_file):
    bearer_file.write_text(" \n")
    with pytest.raises(AuthenticationFailedError) as raised:
        make_credential().get_token(VAULT)
    assert raised.value.status == Status.ERR_CREDENTIAL_BLANK
    assert str(bearer_file) in str(raised.value)
    assert emulator.requests() == []


def test_unreachable_broker_is_a_runtime_error_asking_if_studio_runs(make_credential):
    dead = "http://127.0.0.1:9/api/v1/credential-broker"
    with pytest.raises(BrokerError) as raised:
        make_credential(broker_url=dead, timeout=2).get_token(VAULT)
    assert isinstance(raised.value, RuntimeError)
    assert f"{dead}/token" in str(raised.value)
    assert "is Studio running?" in str(raised.value)


def test_slow_broker_is_a_timeout_error(emulator, make_credential):
    emulator.settings(delay_ms=1500)
    with pytest.raises(BrokerError) as raised:
        make_credential(timeout=0.3).get_token(VAULT)
    assert isinstance(raised.value, RuntimeError)
    assert raised.value.status == Status.ERR_TIMEOUT
    assert len(emulator.wait_for_requests(1)) == 1


@pytest.mark.parametrize("status", [401, 403])
def test_rejection_is_a_runtime_error_with_the_status(emulator, make_credential, status):
    emulator.fault(action="respond", status=status)
    with pytest.raises(AuthenticationFailedError) as raised:
        make_credential().get_token(VAULT)
    assert isinstance(raised.value, RuntimeError)
    assert raised.value.status_code == status
    assert f"broker rejected the request ({status})" in str(raised.value)
    assert "expired, revoked or out of scope" in str(raised.value)


def test_unknown_bearer_is_rejected_by_the_broker(emulator, make_credential, bearer_file):
    bearer_file.write_text("not_an_intent_bearer")
    with pytest.raises(AuthenticationFailedError) as raised:
        make_credential().get_token(VAULT)
    assert raised.value.status_code == 401


@pytest.mark.parametrize("status", [400, 404])
def test_other_non_2xx_is_a_runtime_error_with_the_status(emulator, make_credential, status):
    emulator.fault(action="respond", status=status)
    with pytest.raises(BrokerError) as raised:
        make_credential().get_token(VAULT)
    assert isinstance(raised.value, RuntimeError)
    assert raised.value.status_code == status
    assert str(status) in str(raised.value)


def test_a_transient_5xx_is_retried_by_the_core(emulator, make_credential):
    emulator.fault(action="respond", status=503)
    token = make_credential().get_token(VAULT)
    assert claims(token.token)["vd_audience"] == "vault"
    assert [r["status"] for r in emulator.requests()] == [503, 200]


@pytest.mark.parametrize(
    "body",
    ["not json", "[1, 2]", '{"token_type": "Bearer"}', '{"access_token": ""}', '{"access_token": 7}'],
)
def test_unusable_2xx_body_is_a_runtime_error(emulator, make_credential, body):
    emulator.fault(action="respond", status=200, body=body)
    with pytest.raises(BrokerError) as raised:
        make_credential().get_token(VAULT)
    assert isinstance(raised.value, RuntimeError)


@pytest.mark.parametrize(
    ("settings", "lifetime"),
    [
        ({"expires_in": 1234}, 1234),
        ({"expires_in": 4321, "expires_in_as_string": True}, 4321),
        ({"omit_expires_in": True}, 3600),
    ],
)
def test_expires_on_is_now_plus_expires_in(emulator, make_credential, settings, lifetime):
    emulator.settings(**settings)
    before = int(time.time())
    token = make_credential().get_token(VAULT)
    after = int(time.time())
    assert before + lifetime <= token.expires_on <= after + lifetime


@pytest.mark.parametrize(
    ("audience", "scope"),
    [("vault", "data_platform"), ("key_vault_data_plane", "secret_store"), ("discovery", "secret_store")],
)
def test_lane_and_revision_are_sent_with_the_broker_scope(emulator, make_credential, audience, scope):
    credential = make_credential(
        lane="service", configuration_revision="7", audience_map={"https://vault.azure.net": audience}
    )
    token = credential.get_token(VAULT)
    assert emulator.requests()[0]["body"] == {
        "audience": audience,
        "scope": scope,
        "lane": "service",
        "configurationRevision": 7,
    }
    assert claims(token.token)["vd_lane"] == "service"


def test_runtime_access_helper_mints_without_bearer_or_broker_url(emulator):
    from vibedata_studio_azure_cred_broker import StudioAzureCredBroker

    # Cache off: the helper's tokens are cached by socket, not by bearer.
    with StudioAzureCredBroker(runtime_access_socket=str(emulator.helper_socket), cache=False) as credential:
        token = credential.get_token(VAULT)
    assert claims(token.token)["vd_audience"] == "vault"
    [request] = emulator.requests()
    assert request["face"] == "helper"
    assert request["authorization"] == "none"
    assert request["body"] == {"audience": "vault", "scope": "data_platform"}


def test_a_token_longer_than_the_default_buffer_comes_back_whole(emulator, make_credential):
    long_token = "eyJ" + "x" * 40000
    emulator.fault(action="respond", status=200, body=f'{{"access_token": "{long_token}", "expires_in": 3600}}')
    credential = make_credential()
    assert credential.get_token(VAULT).token == long_token
    assert credential.odbc_access_token(VAULT) == struct.pack("<I", 2 * len(long_token)) + long_token.encode(
        "utf-16-le"
    )
    assert len(emulator.requests()) == 1
