"""Times the old pure-Python credential against a broker, for the benchmark
table. Prints one JSON object per line: {"name", "per_call_us", "calls"}."""

import argparse
import json
import statistics
import time

from vibedata_studio_azure_cred_broker import StudioAzureCredBroker

SCOPE = "https://database.windows.net/.default"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker-url", required=True)
    parser.add_argument("--credential-file", required=True)
    parser.add_argument("--iterations", type=int, default=1000)
    args = parser.parse_args()

    credential = StudioAzureCredBroker(broker_url=args.broker_url, credential_file=args.credential_file)
    for _ in range(max(args.iterations // 10, 1)):
        credential.get_token(SCOPE)
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(args.iterations):
            credential.get_token(SCOPE)
        rounds.append((time.perf_counter() - started) / args.iterations)
    print(json.dumps({
        "name": "old pure-Python credential 0.1.0 (mints every call)",
        "per_call_us": statistics.median(rounds) * 1e6,
        "calls": args.iterations,
        "note": "requests, new connection per call",
    }))


if __name__ == "__main__":
    main()
