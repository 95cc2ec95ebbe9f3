"""The async twin: azure-core's async protocols, and an event loop that keeps
running while the broker takes its time."""

from __future__ import annotations

import asyncio

import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.credentials_async import AsyncSupportsTokenInfo, AsyncTokenCredential

from support.tokens import claims
from vibedata_studio_azure_cred_broker import AuthenticationFailedError, ConfigurationError, ScopeNotAllowedError
from vibedata_studio_azure_cred_broker.aio import StudioAzureCredBroker

VAULT = "https://vault.azure.net/.default"


@pytest.fixture
def async_credential(emulator, bearer_file):
    return StudioAzureCredBroker(emulator.url, str(bearer_file))


def test_it_implements_the_async_protocols(async_credential):
    assert isinstance(async_credential, AsyncTokenCredential)
    assert isinstance(async_credential, AsyncSupportsTokenInfo)


def test_get_token_and_get_token_info(async_credential, emulator):
    async def scenario():
        async with async_credential as credential:
            token = await credential.get_token(VAULT, tenant_id="ignored", enable_cae=True)
            info = await credential.get_token_info("https://storage.azure.com/.default")
        return token, info

    token, info = asyncio.run(scenario())
    assert isinstance(token, AccessToken) and isinstance(info, AccessTokenInfo)
    assert claims(token.token)["vd_audience"] == "vault"
    assert claims(info.token)["vd_audience"] == "storage"
    assert info.refresh_on < info.expires_on
    assert "<redacted>" in repr(token) and "<redacted>" in repr(info)


def test_errors_are_the_sync_ones(async_credential, emulator):
    async def scenario():
        with pytest.raises(ValueError, match="^no scope given: pass the Azure scope to mint for"):
            await async_credential.get_token()
        with pytest.raises(ScopeNotAllowedError):
            await async_credential.get_token("https://graph.microsoft.com/.default")
        emulator.fault(action="respond", status=403)
        with pytest.raises(AuthenticationFailedError):
            await async_credential.get_token_info(VAULT)
        await async_credential.close()

    asyncio.run(scenario())


def test_configuration_errors_raise_at_construction(bearer_file):
    with pytest.raises(ConfigurationError, match="VD_CREDENTIAL_BROKER_URL"):
        StudioAzureCredBroker(credential_file=str(bearer_file))


def test_the_event_loop_runs_while_the_broker_is_slow(async_credential, emulator):
    emulator.settings(delay_ms=1000)

    async def scenario():
        fetch = asyncio.create_task(async_credential.get_token(VAULT))

        async def meanwhile() -> bool:
            # Scheduled after the fetch: had the fetch blocked the loop, it
            # would be done by the time this runs.
            return not fetch.done()

        ran_while_pending = await asyncio.create_task(meanwhile())
        token = await fetch
        await async_credential.close()
        return ran_while_pending, token

    ran_while_pending, token = asyncio.run(scenario())
    assert ran_while_pending
    assert claims(token.token)["vd_audience"] == "vault"


def test_a_cancelled_call_and_a_close_leave_the_credential_sound(async_credential, emulator):
    emulator.settings(delay_ms=500)

    async def scenario():
        fetch = asyncio.create_task(async_credential.get_token_info(VAULT))
        await asyncio.sleep(0)
        fetch.cancel()
        await async_credential.close()
        with pytest.raises(asyncio.CancelledError):
            await fetch
        emulator.settings(delay_ms=0)
        return await async_credential.get_token(VAULT)

    assert claims(asyncio.run(scenario()).token)["vd_audience"] == "vault"
    # The second call joined the cancelled call's request, still in flight.
    assert len(emulator.requests()) == 1
