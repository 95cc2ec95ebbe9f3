"""azure-core's token types with a ``repr`` that leaves the token out.

azure-core's own ``AccessToken`` (a NamedTuple) and ``AccessTokenInfo`` print
the token in their ``repr`` — one ``logger.debug("%r", token)`` or a test
failure's diff would leak it. These subclasses behave the same everywhere
else (``isinstance``, unpacking, attributes, ``_replace``).
"""

from __future__ import annotations

from azure.core.credentials import AccessToken as _AzureAccessToken
from azure.core.credentials import AccessTokenInfo as _AzureAccessTokenInfo


class AccessToken(_AzureAccessToken):
    """An ``azure.core.credentials.AccessToken`` whose ``repr`` hides the token."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"AccessToken(token='<redacted>', expires_on={self.expires_on})"


class AccessTokenInfo(_AzureAccessTokenInfo):
    """An ``azure.core.credentials.AccessTokenInfo`` whose ``repr`` hides the token."""

    def __repr__(self) -> str:
        return (
            f"AccessTokenInfo(token='<redacted>', expires_on={self.expires_on}, "
            f"token_type={self.token_type!r}, refresh_on={self.refresh_on})"
        )


_new_object = object.__new__


def token_info(token: str, expires_on: int, refresh_on: int | None) -> AccessTokenInfo:
    """``AccessTokenInfo(token, expires_on, refresh_on=refresh_on)``, built
    as its ``__init__`` would (the warm path's last step, at half the cost)."""
    info = _new_object(AccessTokenInfo)
    info.token = token
    info.expires_on = expires_on
    info.token_type = "Bearer"
    info.refresh_on = refresh_on
    return info
