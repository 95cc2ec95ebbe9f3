#!/usr/bin/env python3
"""The Python binding's warm calls against azure-identity's cached hit, in
one process: azure-identity's ManagedIdentityCredential pointed at
`vd-broker serve`, and this binding's StudioAzureCredBroker at the broker
(the emulator) that serve uses. Each pair is measured interleaved — batches
of one, then of the other, round after round, medians of the rounds, in
the thread's CPU time — so that load on the machine falls on both alike.
Beside them, the binding's C call alone (made as get_token makes it), which
says what the binding itself costs; and, in wall time, a new
ManagedIdentityCredential per call (one request to the endpoint each).

    IDENTITY_ENDPOINT=... IDENTITY_HEADER=... \\
    PYTHONPATH=bindings/python/src VD_BROKER_LIBRARY=target/release/libvd_broker.so \\
    python3 benches/serve_python_bench.py --broker-url URL --credential-file PATH

Prints one JSON object per line, as benches/python_bench.py does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from azure.identity import ManagedIdentityCredential

from vibedata_studio_azure_cred_broker import StudioAzureCredBroker
from vibedata_studio_azure_cred_broker import _client as binding

SCOPE = "https://storage.azure.com/.default"
ROUNDS = 5
BATCH = 100
TARGET = "(target ≤ 0.4×)"

#: The thread's CPU time: other work on the machine does not count.
clock = time.thread_time

#: A measured loop: makes ``n`` calls, returns the seconds they took.
Loop = Callable[[int], float]


def calls_of(call: Callable[[str], object], clock: Callable[[], float] = clock) -> Loop:
    def loop(n: int) -> float:
        started = clock()
        for _ in range(n):
            call(SCOPE)
        return clock() - started

    return loop


def c_call_alone(credential: StudioAzureCredBroker) -> Loop:
    """vd_broker_client_fetch_token + vd_broker_token_free, through the
    binding's own prototypes and arguments, and nothing else."""
    handle = credential._client._handle
    token, token_out, _, error_out = binding._new_outs()
    fetch, free, timeout = binding._fetch_token, binding._free_token_text, binding._CLIENT_TIMEOUT
    scope = SCOPE.encode()

    def loop(n: int) -> float:
        client = handle.client
        started = clock()
        for _ in range(n):
            if fetch(client, scope, None, timeout, token_out, error_out):
                raise RuntimeError("the warm C call failed")
            free(token)
        return clock() - started

    return loop


def interleaved(calls: int, loops: list[Loop]) -> list[float]:
    """Per-call microseconds of each loop: the median of ROUNDS rounds, each
    round ``calls`` calls of every loop in alternating batches."""
    for loop in loops:
        loop(max(calls // 10, 1))  # warm-up
    batches = max(calls // BATCH, 1)
    rounds: list[list[float]] = [[] for _ in loops]
    for _ in range(ROUNDS):
        spent = [0.0] * len(loops)
        for _ in range(batches):
            for i, loop in enumerate(loops):
                spent[i] += loop(BATCH)
        for i, seconds in enumerate(spent):
            rounds[i].append(seconds / (batches * BATCH) * 1e6)
    return [statistics.median(r) for r in rounds]


def row(name: str, per_call_us: float, calls: int, note: str) -> None:
    print(json.dumps({"name": name, "per_call_us": round(per_call_us, 2), "calls": calls, "note": note}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker-url", required=True, help="the broker base URL vd-broker serve uses")
    parser.add_argument("--credential-file", required=True, help="the bearer file vd-broker serve uses")
    parser.add_argument("--calls", type=int, default=10_000, help="calls per measurement and round")
    parser.add_argument("--fresh-calls", type=int, default=300, help="calls of a new credential each")
    args = parser.parse_args()

    theirs = ManagedIdentityCredential()
    ours = StudioAzureCredBroker(args.broker_url, args.credential_file)
    loops = [
        calls_of(theirs.get_token),
        calls_of(ours.get_token),
        calls_of(theirs.get_token_info),
        calls_of(ours.get_token_info),
        c_call_alone(ours),
    ]
    their_token, our_token, their_info, our_info, c_alone = interleaved(args.calls, loops)

    mi = "azure-identity ManagedIdentityCredential through vd-broker serve, cached hit"
    same = "interleaved with the Python binding's, same process, CPU time"
    row(f"{mi}: get_token", their_token, args.calls, f"its own cache; {same}")
    row(f"{mi}: get_token_info", their_info, args.calls, f"its own cache; {same}")
    for name, ours_us, theirs_us in (("get_token", our_token, their_token), ("get_token_info", our_info, their_info)):
        ratio = f"{ours_us / theirs_us:.2f}× azure-identity's cached hit, same process {TARGET}"
        row(f"Python binding, warm: {name}", ours_us, args.calls, ratio)
    row(
        "Python binding, warm: its C call alone through ctypes",
        c_alone,
        args.calls,
        f"fetch_token + token_free as get_token makes them; "
        f"the binding's own cost on top: {our_token - c_alone:.2f} µs",
    )
    ours.close()

    # Wall time: most of such a call is the endpoint's, in another process.
    fresh = calls_of(lambda scope: ManagedIdentityCredential().get_token(scope), time.perf_counter)
    fresh(1)  # warm-up
    row(
        "azure-identity ManagedIdentityCredential, new credential per call",
        fresh(args.fresh_calls) / args.fresh_calls * 1e6,
        args.fresh_calls,
        "one request to the endpoint each (its cache warm)",
    )


if __name__ == "__main__":
    main()
