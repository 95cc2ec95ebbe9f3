#!/usr/bin/env python3
"""Python binding benchmark: `get_token` with the token cache off (every call
asks the broker: "cold"). The warm calls are measured beside azure-identity's
cached hit, in one process, by benches/serve_python_bench.py.

    python3 benches/python_bench.py --broker-url URL --credential-file PATH --iterations N

Prints one JSON object per line, e.g.
    {"name": "python binding, cold", "per_call_us": 190.0, "calls": 1000}

Uses the installed package (`pip install ./bindings/python`); to measure a
source checkout instead, run with PYTHONPATH=bindings/python/src and
VD_BROKER_LIBRARY=<path to libvd_broker.so>.
"""

from __future__ import annotations

import argparse
import json
import time

from vibedata_studio_azure_cred_broker import StudioAzureCredBroker

SCOPE = "https://storage.azure.com/.default"


def per_call_us(credential: StudioAzureCredBroker, iterations: int) -> float:
    started = time.perf_counter()
    for _ in range(iterations):
        credential.get_token(SCOPE)
    return (time.perf_counter() - started) / iterations * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--broker-url", required=True, help="the broker base URL (e.g. the emulator's)")
    parser.add_argument("--credential-file", required=True, help="file holding a vd_iat_* bearer")
    parser.add_argument("--iterations", type=int, default=1000, help="get_token calls per measurement")
    args = parser.parse_args()

    with StudioAzureCredBroker(args.broker_url, args.credential_file, cache=False) as credential:
        credential.get_token(SCOPE)  # connect
        result = per_call_us(credential, args.iterations)
    line = {"name": "python binding, cold", "per_call_us": round(result, 2), "calls": args.iterations}
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
