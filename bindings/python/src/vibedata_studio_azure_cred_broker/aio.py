"""The async credential: ``vibedata_studio_azure_cred_broker.aio.StudioAzureCredBroker``.

It implements azure-core's ``AsyncTokenCredential`` and
``AsyncSupportsTokenInfo`` for the ``.aio`` clients of the Azure SDK. The
native call blocks (for at most the timeout), so it runs in a worker thread
and the event loop keeps going; a cancelled await leaves the call to finish
in its thread, and the native client is freed only after it has.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from azure.core.credentials import TokenRequestOptions
from azure.core.credentials_async import AsyncTokenCredential

from . import credential
from ._options import PathArg
from ._tokens import AccessToken, AccessTokenInfo

__all__ = ["StudioAzureCredBroker"]


class StudioAzureCredBroker(AsyncTokenCredential):
    """The async twin of :class:`vibedata_studio_azure_cred_broker.StudioAzureCredBroker`:
    the same arguments, environment variables, errors and cache."""

    def __init__(
        self,
        broker_url: str | None = None,
        credential_file: PathArg | None = None,
        timeout: float | None = 10,
        audience_map: Mapping[str, str | None] | None = None,
        *,
        lane: str | None = None,
        configuration_revision: int | str | None = None,
        cache: bool | None = None,
        runtime_access_socket: PathArg | None = None,
        unavailable_outside_studio: bool = False,
    ) -> None:
        self._credential = credential.StudioAzureCredBroker(
            broker_url,
            credential_file,
            timeout,
            audience_map,
            lane=lane,
            configuration_revision=configuration_revision,
            cache=cache,
            runtime_access_socket=runtime_access_socket,
            unavailable_outside_studio=unavailable_outside_studio,
        )

    async def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token for the first of ``scopes``, without blocking the event loop."""
        return await asyncio.to_thread(
            self._credential.get_token, *scopes, claims=claims, tenant_id=tenant_id, enable_cae=enable_cae, **kwargs
        )

    async def get_token_info(self, *scopes: str, options: TokenRequestOptions | None = None) -> AccessTokenInfo:
        """A token with its refresh time, without blocking the event loop."""
        return await asyncio.to_thread(self._credential.get_token_info, *scopes, options=options)

    async def close(self) -> None:
        """Frees the native client once no call uses it; never waits."""
        self._credential.close()

    async def __aenter__(self) -> StudioAzureCredBroker:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.close()
