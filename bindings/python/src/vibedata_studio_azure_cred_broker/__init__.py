"""Azure ``TokenCredential`` backed by the VibeData Studio credential broker.

The Studio backend injects an intent-scoped bearer (``vd_iat_*``) into the
agent container's tmpfs file. ``StudioAzureCredBroker`` exchanges it at the
broker's ``POST /token`` endpoint (or mints through the runtime-access
helper, where the container has one) for a downstream, audience-bound Azure
access token — Fabric SQL, OneLake storage, Key Vault, Fabric API, ARM.

A drop-in for the pure-Python package of the same name: same class, same
arguments and environment variables, same exceptions, now over the native
``vd_broker`` library (loaded with ctypes, bundled in the wheel; set
``VD_BROKER_LIBRARY`` to load another build). Works with dbt-fabricspark
(``credential_class: "vibedata_studio_azure_cred_broker.StudioAzureCredBroker"``),
dlt and the Azure SDK clients. The async twin is in ``.aio``.
"""

from __future__ import annotations

from ._client import native_version
from ._native import SQL_COPT_SS_ACCESS_TOKEN, Status
from .credential import StudioAzureCredBroker
from .errors import (
    AuthenticationFailedError,
    BrokerError,
    ConfigurationError,
    CredentialBrokerError,
    ScopeNotAllowedError,
)

__version__ = "0.3.0"

__all__ = [
    "AuthenticationFailedError",
    "BrokerError",
    "ConfigurationError",
    "CredentialBrokerError",
    "SQL_COPT_SS_ACCESS_TOKEN",
    "ScopeNotAllowedError",
    "Status",
    "StudioAzureCredBroker",
    "native_version",
]
