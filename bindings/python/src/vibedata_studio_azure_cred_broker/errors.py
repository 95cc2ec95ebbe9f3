"""The exceptions, and the one table from ``vd_broker`` status to exception.

They keep the old pure-Python package's contract — ``ValueError`` for
configuration, ``ScopeNotAllowedError(ValueError)`` for an unmapped scope,
``RuntimeError`` for file and broker failures — and add a subclass per
failure, each carrying the library's status code. Messages come from the
core; they name the problem and the fix, and never contain a bearer or token.
"""

from __future__ import annotations

from ._native import Status


class CredentialBrokerError(Exception):
    """Base of every failure the native library reports.

    ``status`` is the ``vd_broker_status`` code (a :class:`Status` when known),
    ``status_name`` its name in ``vd_broker.h``; ``status_code`` is the HTTP
    status the broker (or helper) answered, when the failure was an answer.
    """

    def __init__(self, message: str, status: int, status_name: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.status_name = status_name
        self.status_code = status_code


class ConfigurationError(CredentialBrokerError, ValueError):
    """The broker URL or credential file is missing, or a setting is invalid
    (``VD_BROKER_ERR_CONFIGURATION``, ``_INVALID_ARGUMENT``, ``_INVALID_UTF8``)."""


class ScopeNotAllowedError(CredentialBrokerError, ValueError):
    """The scope maps to no broker audience; the broker was not contacted
    (``VD_BROKER_ERR_SCOPE_NOT_ALLOWED``)."""


class CredentialFileError(CredentialBrokerError, RuntimeError):
    """The bearer file is unreadable or empty — is the Studio intent session
    active? (``VD_BROKER_ERR_CREDENTIAL_UNREADABLE``, ``_CREDENTIAL_BLANK``)."""


class BrokerError(CredentialBrokerError, RuntimeError):
    """The broker (or runtime-access helper) did not hand out a token;
    ``status_code`` is its HTTP answer, if it gave one."""


class BrokerUnreachableError(BrokerError):
    """The broker could not be reached: refused, DNS, reset
    (``VD_BROKER_ERR_BROKER_UNREACHABLE``)."""


class BrokerRejectedError(BrokerError):
    """The broker answered 401/403: the intent bearer is expired, revoked or
    out of scope (``VD_BROKER_ERR_BROKER_REJECTED``)."""


class BrokerStatusError(BrokerError):
    """The broker answered another non-2xx status (``VD_BROKER_ERR_BROKER_STATUS``)."""


class BrokerResponseError(BrokerError):
    """The broker answered 2xx without a usable token (``VD_BROKER_ERR_BROKER_RESPONSE``)."""


class BrokerTimeoutError(BrokerError):
    """No answer within the timeout (``VD_BROKER_ERR_TIMEOUT``)."""


class AccessHelperRefusedError(BrokerError):
    """The runtime-access helper refused (``VD_BROKER_ERR_ACCESS_HELPER_REFUSED``)."""


class InternalError(CredentialBrokerError, RuntimeError):
    """A bug caught at the library boundary (``VD_BROKER_ERR_PANIC``), or a
    status this binding does not know; the process is fine. Please report it."""


EXCEPTION_FOR_STATUS: dict[Status, type[CredentialBrokerError]] = {
    Status.ERR_INVALID_ARGUMENT: ConfigurationError,
    Status.ERR_INVALID_UTF8: ConfigurationError,
    Status.ERR_BUFFER_TOO_SMALL: InternalError,
    Status.ERR_CONFIGURATION: ConfigurationError,
    Status.ERR_SCOPE_NOT_ALLOWED: ScopeNotAllowedError,
    Status.ERR_CREDENTIAL_UNREADABLE: CredentialFileError,
    Status.ERR_CREDENTIAL_BLANK: CredentialFileError,
    Status.ERR_BROKER_UNREACHABLE: BrokerUnreachableError,
    Status.ERR_BROKER_REJECTED: BrokerRejectedError,
    Status.ERR_BROKER_STATUS: BrokerStatusError,
    Status.ERR_BROKER_RESPONSE: BrokerResponseError,
    Status.ERR_TIMEOUT: BrokerTimeoutError,
    Status.ERR_ACCESS_HELPER_REFUSED: AccessHelperRefusedError,
    Status.ERR_PANIC: InternalError,
}


def error_for(status: int, status_name: str, message: str, http_status: int = 0) -> CredentialBrokerError:
    """The exception for a failed call's status, message and HTTP status (0: none)."""
    status_code = http_status or None
    try:
        known = Status(status)
    except ValueError:
        return InternalError(
            f"{message} (status {status}, {status_name}, is unknown to this binding: "
            "upgrade vibedata-studio-azure-cred-broker)",
            status,
            status_name,
            status_code,
        )
    return EXCEPTION_FOR_STATUS[known](message, known, status_name, status_code)
