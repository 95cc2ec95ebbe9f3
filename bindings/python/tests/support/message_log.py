"""What the secrets sweep (``tests/suites/99-secrets-sweep.sh``) reads: a
pytest plugin that appends every message the binding lets out — each
exception's message, each log record of the package's logger at DEBUG — to
``$VD_TEST_MESSAGE_LOG`` as ``python<TAB>TEXT``, and every bearer the tests
make to ``$VD_TEST_SECRET_LOG``. Nothing is written when they are unset."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest

from vibedata_studio_azure_cred_broker.errors import CredentialBrokerError


def _append(variable: str, line: str) -> None:
    path = os.environ.get(variable)
    if path:
        # One write per line: lines from concurrent processes do not interleave.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8", "backslashreplace"))
        finally:
            os.close(fd)


def record_message(text: str) -> None:
    if text:
        _append("VD_TEST_MESSAGE_LOG", "python\t" + text.replace("\n", " ").replace("\r", " ") + "\n")


def record_secret(secret: str) -> None:
    _append("VD_TEST_SECRET_LOG", secret + "\n")


class _Recorder(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        record_message(self.format(record))


@pytest.fixture(autouse=True, scope="session")
def _record_messages() -> Iterator[None]:
    """Every log record of the package at DEBUG, and every exception the
    binding raises, as they are made (observed only: nothing changes)."""
    logger = logging.getLogger("vibedata_studio_azure_cred_broker")
    recorder = _Recorder(logging.DEBUG)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(recorder)
    made = CredentialBrokerError.__init__

    def recording(self: CredentialBrokerError, message: str, *args: object, **kwargs: object) -> None:
        made(self, message, *args, **kwargs)  # type: ignore[arg-type]
        record_message(str(message))

    CredentialBrokerError.__init__ = recording  # type: ignore[method-assign]
    yield
    CredentialBrokerError.__init__ = made  # type: ignore[method-assign]
    logger.removeHandler(recorder)
    logger.setLevel(level)
