"""The binding as a native azure-identity citizen: the core's events in
``logging`` (silent when unconfigured), errors azure-core callers catch, and
``unavailable_outside_studio`` in a real ``ChainedTokenCredential``."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import textwrap

import pytest
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ChainedTokenCredential, CredentialUnavailableError

from vibedata_studio_azure_cred_broker import AuthenticationFailedError, BrokerError, StudioAzureCredBroker
from vibedata_studio_azure_cred_broker.aio import StudioAzureCredBroker as AsyncStudioAzureCredBroker

VAULT = "https://vault.azure.net/.default"
STORAGE = "https://storage.azure.com/.default"
LOGGER = "vibedata_studio_azure_cred_broker"


class Another:
    """The next credential of a chain: a fixed token, and a count of its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
        self.calls += 1
        return AccessToken("another-token", 4102444800)


def closed_port_url() -> str:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def ours(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.name.startswith(LOGGER)]


def test_a_mint_logs_info_a_cache_hit_debug_and_a_failure_warning(emulator, make_credential, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    credential = make_credential()
    credential.get_token(VAULT)
    credential.get_token(VAULT)
    emulator.fault(action="respond", status=401)
    with pytest.raises(AuthenticationFailedError):
        credential.get_token(STORAGE)

    events = [(r.levelno, r.getMessage()) for r in ours(caplog.records)]
    assert any(level == logging.INFO and "minted a fresh token for " + VAULT in m for level, m in events), events
    assert any(level == logging.DEBUG and "served from the cache" in m for level, m in events), events
    assert any(level == logging.WARNING and "no token for " + STORAGE in m for level, m in events), events


def test_at_info_the_cache_hits_are_not_delivered(make_credential, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    credential = make_credential()
    credential.get_token(VAULT)
    credential.get_token(VAULT)
    assert [r for r in ours(caplog.records) if r.levelno == logging.DEBUG] == []
    assert [r for r in ours(caplog.records) if r.levelno == logging.INFO]


def test_no_record_holds_a_secret(emulator, make_credential, bearer, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    credential = make_credential()
    emulator.fault(action="respond", status=503)
    token = credential.get_token(VAULT)
    blob = credential.odbc_access_token()
    emulator.fault(action="respond", status=401, body=f'{{"error_description": "bearer {bearer} refused"}}')
    with pytest.raises(AuthenticationFailedError) as raised:
        credential.get_token(STORAGE)

    records = ours(caplog.records)
    assert any("retr" in r.getMessage() for r in records), [r.getMessage() for r in records]
    for text in [r.getMessage() for r in records] + [repr(r.__dict__) for r in records] + [str(raised.value)]:
        assert bearer not in text
        assert token.token not in text
        assert blob.hex() not in text


def test_unconfigured_logging_prints_nothing_for_a_failing_call(bearer_file):
    program = textwrap.dedent(
        f"""
        from vibedata_studio_azure_cred_broker import StudioAzureCredBroker, BrokerError
        try:
            StudioAzureCredBroker({closed_port_url()!r}, {str(bearer_file)!r}, timeout=2).get_token({VAULT!r})
        except BrokerError:
            print("raised")
        """
    )
    ran = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, "raised\n", "")


def test_broker_failures_are_client_authentication_errors_with_the_http_status(emulator, make_credential):
    emulator.fault(action="respond", status=403)
    with pytest.raises(ClientAuthenticationError) as raised:
        make_credential().get_token(VAULT)
    assert isinstance(raised.value, AuthenticationFailedError) and isinstance(raised.value, RuntimeError)
    assert raised.value.status_code == 403
    assert not isinstance(raised.value, CredentialUnavailableError)


def test_without_the_opt_in_a_missing_configuration_still_raises_value_error():
    with pytest.raises(ValueError):
        StudioAzureCredBroker()


def test_the_chain_moves_on_when_studio_is_absent():
    another = Another()
    chain = ChainedTokenCredential(StudioAzureCredBroker(unavailable_outside_studio=True), another)
    assert chain.get_token(VAULT).token == "another-token"
    assert another.calls == 1


def test_the_chain_moves_on_when_no_broker_listens(bearer_file):
    another = Another()
    ours_ = StudioAzureCredBroker(closed_port_url(), bearer_file, timeout=2, unavailable_outside_studio=True)
    with pytest.raises(CredentialUnavailableError) as raised:
        ours_.get_token_info(VAULT)
    assert isinstance(raised.value.__cause__, BrokerError) and raised.value.__cause__.unavailable
    assert ChainedTokenCredential(ours_, another).get_token(VAULT).token == "another-token"


def test_the_chain_stops_at_a_refusal_studio_being_present(emulator, make_credential):
    another = Another()
    emulator.fault(action="respond", status=401)
    with pytest.raises(ClientAuthenticationError):
        ChainedTokenCredential(make_credential(unavailable_outside_studio=True), another).get_token(VAULT)
    assert another.calls == 0


def test_the_chain_uses_ours_when_studio_is_present(emulator, bearer_file, monkeypatch):
    monkeypatch.setenv("VD_CREDENTIAL_BROKER_URL", emulator.url)
    monkeypatch.setenv("VD_CREDENTIAL_FILE", str(bearer_file))
    another = Another()
    token = ChainedTokenCredential(StudioAzureCredBroker(unavailable_outside_studio=True), another).get_token(VAULT)
    assert token.token != "another-token" and another.calls == 0
    assert [r["audience"] for r in emulator.requests()] == ["vault"]


async def _async_token(credential: AsyncStudioAzureCredBroker) -> None:
    async with credential:
        await credential.get_token(VAULT)


def test_the_async_credential_takes_the_opt_in():
    import asyncio

    with pytest.raises(CredentialUnavailableError):
        asyncio.run(_async_token(AsyncStudioAzureCredBroker(unavailable_outside_studio=True)))


def test_a_forked_child_keeps_logging(make_credential, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    credential = make_credential()
    credential.get_token(VAULT)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its own records, reported through the pipe
        verdict = b"no"
        try:
            seen: list[str] = []
            handler = logging.Handler()
            handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
            logging.getLogger(LOGGER).addHandler(handler)
            credential.get_token(STORAGE)
            verdict = b"ok" if any("minted a fresh token for " + STORAGE in m for m in seen) else b"no"
        finally:
            os.write(writer, verdict)
            os._exit(0)
    os.close(writer)
    _, status = os.waitpid(pid, 0)
    assert (status, os.read(reader, 2)) == (0, b"ok")
    os.close(reader)


def test_the_interpreter_exits_cleanly_while_a_daemon_thread_is_logging(emulator, bearer_file):
    program = textwrap.dedent(
        f"""
        import logging, threading
        from vibedata_studio_azure_cred_broker import StudioAzureCredBroker
        logging.basicConfig(level=logging.DEBUG)
        credential = StudioAzureCredBroker({emulator.url!r}, {str(bearer_file)!r})
        started = threading.Event()
        def ask():
            credential.get_token({VAULT!r})
            while True:
                credential.get_token({VAULT!r})  # a cache hit, logged at DEBUG
                started.set()
        threading.Thread(target=ask, daemon=True).start()
        started.wait(30)
        print("exiting")
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    ran = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, env=env)
    assert (ran.returncode, ran.stdout) == (0, "exiting\n"), ran.stderr[-2000:]
    assert "served from the cache" in ran.stderr
    assert "Fatal Python error" not in ran.stderr
