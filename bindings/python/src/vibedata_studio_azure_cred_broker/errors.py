"""The exceptions: the old package's contract, chosen by the core's classifiers.

They keep the pure-Python package's contract — ``ValueError`` for
configuration, ``ScopeNotAllowedError(ValueError)`` for an unmapped scope,
``RuntimeError`` for bearer-file and broker failures; those are also
azure-core's ``ClientAuthenticationError``, what the Azure SDK's pipeline
and callers catch for authentication failures. Which one a failure
raises follows the native library's own classification
(``vd_broker_status_is_*``), so this binding keeps no table of statuses.
Messages come from the core; they name the problem and the fix, and never
contain a bearer or token.
"""

from __future__ import annotations

from azure.core.exceptions import ClientAuthenticationError


class CredentialBrokerError(Exception):
    """Base of every failure the native library reports.

    ``status`` is the ``vd_broker_status`` code (compare it with
    :class:`~vibedata_studio_azure_cred_broker.Status`), ``status_name`` its
    name in ``vd_broker.h``; ``status_code`` is the HTTP status the broker
    (or helper) answered, when the failure was an answer. ``retriable``,
    ``authentication_failure``, ``configuration_error`` and ``caller_error``
    are the library's classification of the status.
    """

    def __init__(self, message: str, status: int, status_name: str, status_code: int | None, classes: dict) -> None:
        super().__init__(message)
        self.status = status
        self.status_name = status_name
        self.status_code = status_code
        self.retriable: bool = classes["retriable"]
        self.authentication_failure: bool = classes["authentication_failure"]
        self.configuration_error: bool = classes["configuration_error"]
        self.caller_error: bool = classes["caller_error"]
        self.unavailable: bool = classes.get("unavailable", False)


class ConfigurationError(CredentialBrokerError, ValueError):
    """The settings are missing or invalid, or a call's argument is wrong."""


class ScopeNotAllowedError(CredentialBrokerError, ValueError):
    """The scope maps to no broker audience; the broker was not contacted."""


class BrokerError(CredentialBrokerError, ClientAuthenticationError, RuntimeError):
    """No token: the bearer file, the broker or the runtime-access helper
    failed (``retriable`` says whether asking again later may help). Also an
    ``azure.core.exceptions.ClientAuthenticationError``; its ``status_code``
    is the broker's HTTP status, when it answered."""


class AuthenticationFailedError(BrokerError):
    """The intent bearer was refused (401/403, a helper refusal) or could not
    be read (its file missing or empty): is the Studio intent session active?"""


def error_class(status_name: str, classes: dict) -> type[CredentialBrokerError]:
    """The exception type for a failure the library classified as ``classes``."""
    if status_name == "VD_BROKER_ERR_SCOPE_NOT_ALLOWED":
        return ScopeNotAllowedError
    if classes["configuration_error"] or classes["caller_error"]:
        return ConfigurationError
    return AuthenticationFailedError if classes["authentication_failure"] else BrokerError


def unavailable(error: CredentialBrokerError) -> Exception | None:
    """What ``unavailable_outside_studio`` raises for ``error`` (an
    ``unavailable`` one): azure-identity's ``CredentialUnavailableError``,
    which makes a ``ChainedTokenCredential`` try its next credential, when
    azure-identity is importable; else None (``error`` is raised as it is)."""
    try:
        from azure.identity import CredentialUnavailableError
    except ImportError:
        return None
    return CredentialUnavailableError(message=f"VibeData Studio is not available here: {error}")
