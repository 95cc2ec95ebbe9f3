"""One Python process of the shared-cache count test: CALLS get_token calls
on the binding's credential (configured from the environment), printing the
same fingerprint of the token as worker.c — a hash, never the token.

    python3 worker.py CALLS
"""

import sys

from vibedata_studio_azure_cred_broker import StudioAzureCredBroker


def fingerprint(text: str) -> int:
    """FNV-1a, as worker.c computes it."""
    value = 1469598103934665603
    for byte in text.encode():
        value = ((value ^ byte) * 1099511628211) % (1 << 64)
    return value


def main() -> int:
    calls = int(sys.argv[1])
    with StudioAzureCredBroker() as credential:
        seen = {fingerprint(credential.get_token("https://database.windows.net/.default").token) for _ in range(calls)}
    if len(seen) != 1:
        print(f"worker.py: {calls} calls got {len(seen)} different tokens", file=sys.stderr)
        return 1
    print(f"token {seen.pop():016x}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
