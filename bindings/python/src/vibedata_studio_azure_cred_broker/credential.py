"""``StudioAzureCredBroker``: the azure-core credential over the native client."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from azure.core.credentials import TokenCredential, TokenRequestOptions

from . import _options
from ._client import NativeClient
from ._options import PathArg, c_string
from ._tokens import AccessToken, AccessTokenInfo, token_info
from .errors import CredentialBrokerError, unavailable

#: An ``AccessToken`` (a NamedTuple) made without its ``__new__``'s Python frame.
_new_tuple = tuple.__new__

#: The scope Azure SQL and Fabric SQL tokens are minted for.
SQL_SCOPE = "https://database.windows.net/.default"


class StudioAzureCredBroker(TokenCredential):
    """``TokenCredential`` that mints downstream Azure tokens via the Studio broker.

    Each ``get_token`` maps the scope to a broker audience, reads the intent
    bearer fresh from the credential file (the backend rotates it) and
    exchanges it at ``{broker_url}/token`` — or, in a container with the
    runtime-access helper, mints through the helper. Tokens are cached
    process-wide until they are due for refresh. All of it happens in the
    native ``vd_broker`` library; this class translates.

    Every argument falls back to its environment variable when it is None
    or empty: ``broker_url`` to ``VD_CREDENTIAL_BROKER_URL`` (or the older
    ``VD_AZ_TOKEN_URL``), ``credential_file`` to ``VD_CREDENTIAL_FILE``,
    ``lane`` to ``VD_CREDENTIAL_LANE``, ``configuration_revision`` to
    ``VD_CREDENTIAL_CONFIGURATION_REVISION``, ``cache`` to
    ``VD_BROKER_CACHE``, ``runtime_access_socket`` to
    ``VD_RUNTIME_ACCESS_SOCKET``. ``timeout`` is in seconds (default 10).
    ``audience_map`` maps resources (scopes) to broker audiences over the
    defaults; an empty audience removes a resource. The positional order is
    the published 0.1.0 one (``broker_url, credential_file, timeout,
    audience_map``); the later settings are keyword-only.

    Raises ``ValueError`` (:class:`~.errors.ConfigurationError`) when the
    configuration is missing or invalid — unless ``unavailable_outside_studio``
    is true: then a failure the library classifies as Studio being absent
    (``vd_broker_status_is_unavailable``: the configuration missing or
    invalid, the bearer file unreadable, no broker listening) is raised by
    ``get_token``/``get_token_info`` as azure-identity's
    ``CredentialUnavailableError`` (when azure-identity is importable), so
    that a ``ChainedTokenCredential`` moves on to its next credential.
    Every other failure raises as without it. Safe to share between threads and
    usable in a forked child. ``close()`` (or ``with``) frees the native
    client; a later call makes a new one.
    """

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
        settings = _options.settings(
            broker_url=broker_url,
            credential_file=credential_file,
            lane=lane,
            configuration_revision=configuration_revision,
            timeout=timeout,
            audience_map=audience_map,
            cache=cache,
            runtime_access_socket=runtime_access_socket,
        )
        self._unavailable_outside_studio = unavailable_outside_studio
        self._client = NativeClient(settings, defer_unavailable=unavailable_outside_studio)

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        """A token for the first of ``scopes``. ``claims`` (a CAE challenge)
        bypasses the cache. ``tenant_id`` and ``enable_cae`` are accepted for
        the protocol; the broker decides the tenant."""
        # No scope is passed on as "" for the core to refuse with its own message.
        # The core logs the outcome (see _logging); this only translates.
        try:
            token, expires_on, _ = self._client.token(scopes[0] if scopes else "", claims)
        except CredentialBrokerError as error:
            self._raise_unavailable(error)
            raise
        return _new_tuple(AccessToken, (token, expires_on))

    def get_token_info(self, *scopes: str, options: TokenRequestOptions | None = None) -> AccessTokenInfo:
        """``get_token`` with the refresh time: ``refresh_on`` says when
        azure-core should ask again, before ``expires_on``."""
        try:
            claims = options.get("claims") if options else None
            token, expires_on, refresh_on = self._client.token(scopes[0] if scopes else "", claims)
        except CredentialBrokerError as error:
            self._raise_unavailable(error)
            raise
        return token_info(token, expires_on, refresh_on or None)

    def odbc_access_token(self, scope: str = SQL_SCOPE) -> bytes:
        """The ``SQL_COPT_SS_ACCESS_TOKEN`` (1256) blob for pyodbc's
        ``attrs_before={1256: blob}``: the token as the Microsoft ODBC driver
        expects it, built by the native library."""
        return self._client.odbc_token(c_string(scope, "scope"))

    def close(self) -> None:
        """Frees the native client (after any calls still running return)."""
        self._client.close()

    def __enter__(self) -> StudioAzureCredBroker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _raise_unavailable(self, error: CredentialBrokerError) -> None:
        """Raises what ``unavailable_outside_studio`` makes of ``error``, if anything."""
        chained = unavailable(error) if self._unavailable_outside_studio and error.unavailable else None
        if chained is not None:
            raise chained from error
