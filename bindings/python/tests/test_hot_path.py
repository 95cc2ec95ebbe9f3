"""What the warm path shares, and the native client's lifetime without locks.

A call takes its out-parameters from a pool and the scope's C string from
a bounded map, and checks the log level cheaply; a call holds the handle
by reference, so close(), the collector and fork free the client only when
no call uses it. These tests are what breaks when any of that is wrong.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

import pytest

from support.gate import Gate
from support.tokens import claims
from vibedata_studio_azure_cred_broker import BrokerError, ScopeNotAllowedError

VAULT = "https://vault.azure.net/.default"
STORAGE = "https://storage.azure.com/.default"
SQL = "https://database.windows.net/.default"
AUDIENCES = {VAULT: "vault", STORAGE: "storage", SQL: "sql"}
UNMAPPED = "https://unmapped.example/.default"
LOGGER = logging.getLogger("vibedata_studio_azure_cred_broker")


def audience(token: str) -> str:
    return claims(token)["vd_audience"]


def native_client(credential) -> weakref.finalize:
    """The finalizer that frees the credential's native client: not ``alive``
    once it has (a free cannot be seen from Python otherwise)."""
    return credential._client._handle.free


def test_threads_mixing_scopes_and_failures_each_get_their_own_answer(make_credential):
    credential = make_credential()
    scopes = [*AUDIENCES, UNMAPPED] * 400

    def call(numbered: tuple[int, str]) -> str:
        number, scope = numbered
        if scope == UNMAPPED:
            with pytest.raises(ScopeNotAllowedError) as raised:
                credential.get_token(scope)
            return str(raised.value)
        token = credential.get_token(scope) if number % 2 else credential.get_token_info(scope)
        return audience(token.token)

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(call, enumerate(scopes)))
    for scope, answer in zip(scopes, answers):
        if scope == UNMAPPED:
            assert "https://unmapped.example" in answer
        else:
            assert answer == AUDIENCES[scope]


def test_a_log_handler_asking_for_a_token_inside_a_call_does_not_disturb_it(make_credential, caplog):
    # The core calls the handler while the outer call is still inside the
    # native call: the inner call must not use the outer one's out-parameters.
    caplog.set_level(logging.DEBUG, logger=LOGGER.name)
    credential = make_credential()
    credential.get_token(VAULT)
    credential.get_token(STORAGE)
    inner: list[str] = []

    class AskingHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "served from the cache" in record.getMessage() and not inner:
                inner.append(audience(credential.get_token(STORAGE).token))
                with pytest.raises(ScopeNotAllowedError):
                    credential.get_token(UNMAPPED)

    handler = AskingHandler()
    LOGGER.addHandler(handler)
    try:
        outer = credential.get_token(VAULT)
    finally:
        LOGGER.removeHandler(handler)
    assert inner == ["storage"]
    assert audience(outer.token) == "vault"


def test_more_scopes_than_are_remembered_each_get_their_own_audience(emulator, make_credential):
    # 300 different scopes: past the 256 remembered, the map starts over.
    resources = {f"https://r{i}.example": f"aud{i}" for i in range(300)}
    credential = make_credential(audience_map=resources)
    for _ in range(2):
        for resource, expected in resources.items():
            assert audience(credential.get_token(f"{resource}/.default").token) == expected
    assert len(emulator.requests()) == 300  # the second round from the cache


def test_a_scope_that_is_not_a_str_is_still_refused_by_the_core(make_credential):
    credential = make_credential()
    with pytest.raises(ScopeNotAllowedError) as raised:
        credential.get_token(["https://vault.azure.net/.default"])  # type: ignore[arg-type]
    assert "vault.azure.net" in str(raised.value)
    with pytest.raises(ValueError, match="NUL"):
        credential.get_token("https://vault.azure.net/.default\0")


def test_the_log_level_is_followed_from_one_call_to_the_next(make_credential, caplog):
    credential = make_credential()
    credential.get_token(VAULT)

    def cache_hits_delivered() -> int:
        caplog.clear()
        credential.get_token(VAULT)
        return len([r for r in caplog.records if "served from the cache" in r.getMessage()])

    caplog.set_level(logging.WARNING, logger=LOGGER.name)
    assert cache_hits_delivered() == 0
    caplog.set_level(logging.DEBUG, logger=LOGGER.name)
    assert cache_hits_delivered() == 1
    caplog.set_level(logging.INFO, logger=LOGGER.name)
    assert cache_hits_delivered() == 0
    # The logger's own level unset: its parent's decides.
    caplog.set_level(logging.NOTSET, logger=LOGGER.name)
    caplog.set_level(logging.DEBUG)
    assert cache_hits_delivered() == 1
    logging.disable(logging.DEBUG)
    try:
        assert cache_hits_delivered() == 0
    finally:
        logging.disable(logging.NOTSET)
    assert cache_hits_delivered() == 1


def test_close_when_idle_frees_the_native_client_at_once(make_credential):
    credential = make_credential()
    credential.get_token(VAULT)
    client = native_client(credential)
    credential.close()
    assert not client.alive
    assert audience(credential.get_token(VAULT).token) == "vault"  # a new client


@pytest.mark.parametrize("call", ["get_token", "odbc_access_token"])
def test_close_while_a_call_runs_frees_the_client_when_it_returns(emulator, make_credential, call):
    gate = Gate(emulator.url)
    credential = make_credential(broker_url=gate.url, cache=False)
    client = native_client(credential)
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(getattr(credential, call), VAULT)
        gate.wait_for_a_call()  # the call is inside the native client
        credential.close()
        assert client.alive
        gate.open()
        assert running.result(timeout=30)
    assert not client.alive
    assert [r["audience"] for r in emulator.requests()] == ["vault"]
    gate.close()


def test_a_failed_calls_traceback_does_not_keep_the_client(emulator, make_credential):
    credential = make_credential()
    emulator.fault(action="respond", status=401)
    with pytest.raises(BrokerError) as raised:
        credential.get_token(VAULT)
    client = native_client(credential)
    credential.close()
    assert raised.value.__traceback__ is not None
    assert not client.alive


def test_a_credential_nobody_closed_frees_its_client_when_collected(make_credential, emulator, bearer_file):
    from vibedata_studio_azure_cred_broker import StudioAzureCredBroker

    credential = StudioAzureCredBroker(emulator.url, str(bearer_file))
    credential.get_token(VAULT)
    client = native_client(credential)
    del credential
    gc.collect()
    assert not client.alive


def test_a_child_forked_while_a_parent_thread_is_in_a_call_gets_tokens_and_closes(emulator, make_credential):
    # The parent's thread is gone in the child, its reference to the handle
    # with it: the child still uses the client, closes it and makes another.
    gate = Gate(emulator.url)
    credential = make_credential(broker_url=gate.url, cache=False)
    with ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(credential.get_token, VAULT)
        gate.wait_for_a_call()
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report, then leave without running the parent's cleanup
            status = 1
            try:
                first = audience(credential.get_token(STORAGE).token)
                credential.close()
                second = audience(credential.get_token(SQL).token)
                os.write(write_end, f"{first} {second}".encode())
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        gate.open()  # for the parent's call and the child's
        with os.fdopen(read_end, "rb") as reader:
            reported = reader.read().decode()
        _, wait_status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(wait_status) == 0
        assert reported == "storage sql"
        assert audience(running.result(timeout=30).token) == "vault"
    assert audience(credential.get_token(VAULT).token) == "vault"
    gate.close()
