"""A real consumer: dbt-fabricspark's token_credential authentication, run
through its own code — it imports credential_class from the dotted string,
instantiates it with credential_kwargs, checks it is a TokenCredential and
asks for the Power BI scope to build the Livy request headers."""

from __future__ import annotations

import pytest
from dbt.adapters.fabricspark import livysession
from dbt.adapters.fabricspark.credentials import FabricSparkCredentials

from support.tokens import claims, sha256_hex

CREDENTIAL_CLASS = "vibedata_studio_azure_cred_broker.StudioAzureCredBroker"


@pytest.fixture
def fresh_dbt_state():
    """dbt-fabricspark keeps the token and the credential instances module-wide."""
    livysession.accessToken = None
    livysession._custom_credential_cache.clear()
    yield
    for credential in livysession._custom_credential_cache.values():
        credential.close()
    livysession.accessToken = None
    livysession._custom_credential_cache.clear()


def fabric_credentials(**overrides) -> FabricSparkCredentials:
    profile = {
        "method": "livy",
        "authentication": "token_credential",
        "credential_class": CREDENTIAL_CLASS,
        "endpoint": "https://api.fabric.microsoft.com/v1",
        "workspaceid": "00000000-0000-4000-8000-000000000001",
        "lakehouseid": "00000000-0000-4000-8000-000000000002",
        "lakehouse": "studio_lakehouse",
        "schema": "dbo",
        "spark_config": {"name": "studio"},
    }
    return FabricSparkCredentials(**{**profile, **overrides})


def bearer_of(headers: dict[str, str]) -> dict:
    scheme, token = headers["Authorization"].split(" ", 1)
    assert scheme == "Bearer"
    return claims(token)


def test_profile_without_credential_kwargs_uses_the_studio_environment(emulator, studio_env, bearer, fresh_dbt_state):
    headers = livysession.get_headers(fabric_credentials())

    token = bearer_of(headers)
    assert token["aud"] == "https://analysis.windows.net/powerbi/api"
    assert token["vd_audience"] == "fabric_cli"
    assert token["vd_bearer"] == sha256_hex(bearer)[:16]
    [request] = emulator.requests()
    assert request["body"] == {"audience": "fabric_cli"}


def test_credential_kwargs_reach_the_constructor(emulator, bearer_file, fresh_dbt_state):
    kwargs = {"broker_url": emulator.url, "credential_file": str(bearer_file), "timeout": 5}
    headers = livysession.get_headers(fabric_credentials(credential_kwargs=kwargs))
    assert bearer_of(headers)["vd_audience"] == "fabric_cli"


def test_the_instance_is_reused_and_the_token_kept_until_refresh(emulator, studio_env, fresh_dbt_state):
    credentials = fabric_credentials()
    first = livysession.get_headers(credentials)
    second = livysession.get_headers(credentials)
    assert first == second
    assert len(livysession._custom_credential_cache) == 1
    assert len(emulator.requests()) == 1


def test_missing_studio_environment_fails_with_our_message(fresh_dbt_state):
    with pytest.raises(ValueError, match="VD_CREDENTIAL_BROKER_URL"):
        livysession.get_headers(fabric_credentials())
