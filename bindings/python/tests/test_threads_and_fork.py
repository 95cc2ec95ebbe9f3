"""One credential shared by many threads, closed while calls run, and used
in a forked child."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from support.tokens import claims

VAULT = "https://vault.azure.net/.default"


def test_threads_share_one_credential_and_one_mint(emulator, make_credential):
    emulator.settings(delay_ms=200)
    credential = make_credential()
    with ThreadPoolExecutor(max_workers=32) as pool:
        tokens = list(pool.map(lambda _: credential.get_token(VAULT).token, range(64)))
    assert len(set(tokens)) == 1
    assert len(emulator.requests()) == 1


def test_threads_without_cache_each_get_their_own_token(emulator, make_credential):
    credential = make_credential(cache=False)
    with ThreadPoolExecutor(max_workers=16) as pool:
        tokens = list(pool.map(lambda _: credential.get_token(VAULT).token, range(32)))
    assert len(set(tokens)) == 32
    assert len(emulator.requests()) == 32


def test_close_while_calls_run_lets_them_finish(emulator, make_credential):
    emulator.settings(delay_ms=500)
    credential = make_credential(cache=False)
    started = threading.Barrier(9)

    def call() -> str:
        started.wait()
        return credential.get_token(VAULT).token

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(call) for _ in range(8)]
        started.wait()
        credential.close()  # the native client is freed by the last call to return
        tokens = [f.result() for f in futures]
    assert all(claims(t)["vd_audience"] == "vault" for t in tokens)
    emulator.settings(delay_ms=0)
    assert claims(credential.get_token(VAULT).token)["vd_audience"] == "vault"


def test_forked_child_gets_tokens_and_frees_the_client_leaving_the_parents_connections(emulator, make_credential):
    # Cache off: the child must reach the broker itself. The core gives the
    # child connections of its own, and freeing the client there (close)
    # leaves the parent's alone: this binding keeps no pid check.
    credential = make_credential(cache=False)
    credential.get_token(VAULT)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running the parent's cleanup
        status = 1
        try:
            token = credential.get_token("https://storage.azure.com/.default").token
            credential.close()
            os.write(write_end, claims(token)["vd_audience"].encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        reported = reader.read().decode()
    _, wait_status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(wait_status) == 0
    assert reported == "storage"
    # The parent's client and its pooled connection still work.
    assert claims(credential.get_token(VAULT).token)["vd_audience"] == "vault"
    assert [r["audience"] for r in emulator.requests()] == ["vault", "storage", "vault"]
