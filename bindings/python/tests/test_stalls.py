"""A call cannot be held past its timeout through Python either: a
runtime-access helper whose listen backlog is full, a FIFO as the credential
file with no writer or a silent one. Each call fails with the TIMEOUT status
within 2.5 s of a 2 s timeout (a correctness bound, not a speed); the work is
the native library's, the binding only translates."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vibedata_studio_azure_cred_broker import BrokerError, Status, StudioAzureCredBroker

SCOPE = "https://database.windows.net/.default"
TIMEOUT = 2.0
BOUND = 2.5


def expect_timeout(credential: StudioAzureCredBroker, message_part: str) -> None:
    started = time.monotonic()
    with pytest.raises(BrokerError, match=message_part) as raised:
        credential.get_token(SCOPE)
    took = time.monotonic() - started
    assert raised.value.status == Status.ERR_TIMEOUT, raised.value.status_name
    assert took <= BOUND, f"returned after {took:.2f} s, timeout {TIMEOUT} s"


@pytest.fixture
def full_helper(tmp_path: Path) -> Iterator[Path]:
    """A helper socket listening with a full backlog: connecting waits for an
    accept that never comes."""
    path = tmp_path / "helper.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(0)
    fillers = []
    for _ in range(64):
        filler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        filler.setblocking(False)
        try:
            filler.connect(str(path))
        except BlockingIOError:
            filler.close()
            break
        fillers.append(filler)
    else:
        pytest.fail("the helper's backlog never filled")
    yield path
    for filler in fillers:
        filler.close()
    listener.close()


def test_a_helper_with_a_full_backlog_cannot_hold_the_call(full_helper: Path) -> None:
    with StudioAzureCredBroker(runtime_access_socket=str(full_helper), timeout=TIMEOUT) as credential:
        expect_timeout(credential, "runtime-access helper")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "credential.fifo"
    os.mkfifo(path)
    return path


def test_a_fifo_credential_file_without_a_writer_cannot_hold_the_call(make_credential, fifo: Path) -> None:
    expect_timeout(make_credential(credential_file=str(fifo), timeout=TIMEOUT), "gave no bearer before the timeout")


def test_a_fifo_credential_file_with_a_silent_writer_cannot_hold_the_call(make_credential, fifo: Path) -> None:
    silent_writer = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    try:
        expect_timeout(make_credential(credential_file=str(fifo), timeout=TIMEOUT), "gave no bearer before the timeout")
    finally:
        os.close(silent_writer)
