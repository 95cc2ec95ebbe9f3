#!/usr/bin/env python3
"""azure-identity's ManagedIdentityCredential through `vd-broker serve`:
its own cached hit (one credential, called again and again), and a new
credential per call (every call one request to the endpoint, whose cache
is warm).

    IDENTITY_ENDPOINT=... IDENTITY_HEADER=... python3 benches/serve_python_bench.py

Prints one JSON object per line, as benches/python_bench.py does.
"""

from __future__ import annotations

import json
import time

from azure.identity import ManagedIdentityCredential

SCOPE = "https://storage.azure.com/.default"


def per_call_us(call, iterations: int) -> float:
    call()  # warm-up
    started = time.perf_counter()
    for _ in range(iterations):
        call()
    return (time.perf_counter() - started) / iterations * 1e6


def main() -> None:
    credential = ManagedIdentityCredential()
    rows = (
        ("azure-identity ManagedIdentityCredential, cached hit (its own cache)", lambda: credential.get_token(SCOPE), 10_000, ""),
        (
            "azure-identity ManagedIdentityCredential, new credential per call",
            lambda: ManagedIdentityCredential().get_token(SCOPE),
            300,
            "one request to the endpoint each (its cache warm)",
        ),
    )
    for name, call, iterations, note in rows:
        result = per_call_us(call, iterations)
        print(json.dumps({"name": name, "per_call_us": round(result, 2), "calls": iterations, "note": note}), flush=True)


if __name__ == "__main__":
    main()
