"""The azure-core credential protocol, the handle's lifetime, and that no
token or bearer shows up in a repr, a log line or an exception."""

from __future__ import annotations


import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo, SupportsTokenInfo, TokenCredential

import vibedata_studio_azure_cred_broker as package
from support.tokens import claims
from vibedata_studio_azure_cred_broker import AuthenticationFailedError, CredentialBrokerError, StudioAzureCredBroker

VAULT = "https://vault.azure.net/.default"


def test_it_is_a_token_credential_with_token_info(make_credential):
    credential = make_credential()
    assert isinstance(credential, TokenCredential)
    assert isinstance(credential, SupportsTokenInfo)


def test_get_token_returns_an_azure_access_token(make_credential):
    token = make_credential().get_token(VAULT, tenant_id="ignored-tenant", enable_cae=True, extra="ignored")
    assert isinstance(token, AccessToken)
    value, expires_on = token
    assert (value, expires_on) == (token.token, token.expires_on)
    assert claims(value)["exp"] == expires_on


def test_get_token_info_carries_refresh_on_from_the_core(emulator, make_credential):
    emulator.settings(refresh_in=600)
    info = make_credential().get_token_info(VAULT, options={"tenant_id": "ignored", "enable_cae": True})
    assert isinstance(info, AccessTokenInfo)
    assert info.token_type == "Bearer"
    assert info.expires_on - 3600 <= info.refresh_on <= info.expires_on - 3000
    assert claims(info.token)["vd_audience"] == "vault"


def test_get_token_info_without_a_broker_hint_refreshes_before_expiry(make_credential):
    info = make_credential().get_token_info(VAULT)
    assert info.refresh_on is not None and info.refresh_on < info.expires_on


def test_get_token_info_needs_a_scope(make_credential):
    with pytest.raises(ValueError, match="^no scope given: pass the Azure scope to mint for"):
        make_credential().get_token_info()


def test_tokens_are_cached_process_wide(emulator, make_credential):
    first = make_credential().get_token(VAULT)
    second = make_credential().get_token_info(VAULT)
    assert first.token == second.token
    assert len(emulator.requests()) == 1


@pytest.mark.parametrize("ask", ["get_token", "get_token_info"])
def test_claims_bypass_the_cache_and_replace_the_entry(emulator, make_credential, ask):
    credential = make_credential()
    cached = credential.get_token(VAULT)
    challenge = '{"access_token":{"nbf":{"essential":true,"value":"1"}}}'
    if ask == "get_token":
        fresh = credential.get_token(VAULT, claims=challenge)
    else:
        fresh = credential.get_token_info(VAULT, options={"claims": challenge})
    assert fresh.token != cached.token
    assert credential.get_token(VAULT).token == fresh.token
    assert len(emulator.requests()) == 2


def test_close_and_context_manager(emulator, studio_env):
    with StudioAzureCredBroker() as credential:
        credential.get_token(VAULT)
    credential.close()  # twice is fine
    # Closed, it makes a new native client when asked again (as azure-identity's do).
    credential.get_token("https://storage.azure.com/.default")
    credential.close()
    assert len(emulator.requests()) == 2


def test_reprs_hide_the_token(make_credential):
    credential = make_credential()
    token = credential.get_token(VAULT)
    info = credential.get_token_info(VAULT)
    for shown in (repr(token), str(token), repr(info), str(info), repr(token._replace(expires_on=1))):
        assert token.token not in shown
        assert "<redacted>" in shown
    assert repr(token) == f"AccessToken(token='<redacted>', expires_on={token.expires_on})"


def test_every_exception_is_a_credential_broker_error_with_its_status(make_credential, tmp_path):
    with pytest.raises(CredentialBrokerError) as raised:
        make_credential(credential_file=str(tmp_path / "missing")).get_token(VAULT)
    assert (raised.value.status, raised.value.status_name) == (6, "VD_BROKER_ERR_CREDENTIAL_UNREADABLE")


def test_every_status_of_the_header_maps_to_the_old_contract_by_the_cores_classes():
    from vibedata_studio_azure_cred_broker._client import LIB
    from vibedata_studio_azure_cred_broker.errors import error_class

    value_errors = {"ERR_CONFIGURATION", "ERR_INVALID_ARGUMENT", "ERR_INVALID_UTF8", "ERR_SCOPE_NOT_ALLOWED", "ERR_BUFFER_TOO_SMALL"}
    for status in package.Status:
        if status == package.Status.OK:
            continue
        classes = {c: getattr(LIB, f"vd_broker_status_is_{c}")(status) for c in ("retriable", "authentication_failure", "configuration_error", "caller_error")}
        exception = error_class(f"VD_BROKER_{status.name}", classes)
        assert issubclass(exception, ValueError if status.name in value_errors else RuntimeError), status


def test_a_status_unknown_to_the_binding_is_a_runtime_error():
    from vibedata_studio_azure_cred_broker.errors import error_class

    unclassified = dict.fromkeys(("retriable", "authentication_failure", "configuration_error", "caller_error"), False)
    assert error_class("VD_BROKER_UNKNOWN_STATUS", unclassified) is package.BrokerError


def test_version_and_exports():
    assert package.__version__ == "0.3.0"
    assert package.native_version().count(".") == 2
    assert package.SQL_COPT_SS_ACCESS_TOKEN == 1256
    for name in package.__all__:
        assert hasattr(package, name), name
