"""The Python benchmark scripts still run and print what the bench driver reads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from support.emulator import REPO, emulator_binary


def run_bench(script: str, *args: str, env: dict[str, str] | None = None) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **(env or {})}
    ran = subprocess.run(
        [sys.executable, str(REPO / "benches" / script), *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr
    return [json.loads(line) for line in ran.stdout.splitlines()]


def test_bench_prints_one_json_line_per_measurement(emulator, bearer_file):
    lines = run_bench(
        "python_bench.py", "--broker-url", emulator.url, "--credential-file", str(bearer_file), "--iterations", "5"
    )
    assert [line["name"] for line in lines] == ["python binding, cold"]
    assert all(line["calls"] == 5 and line["per_call_us"] > 0 for line in lines)
    assert len(emulator.requests()) == 1 + 5  # connect + 5


def test_the_same_process_bench_sets_the_binding_beside_azure_identity(emulator, bearer_file):
    serve = subprocess.Popen(
        [str(emulator_binary().parent / "vd-broker"), "serve"],
        env={**os.environ, "VD_CREDENTIAL_BROKER_URL": emulator.url, "VD_CREDENTIAL_FILE": str(bearer_file)},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        endpoint = dict(serve.stdout.readline().strip().split("=", 1) for _ in range(2))
        lines = run_bench(
            "serve_python_bench.py", "--broker-url", emulator.url, "--credential-file", str(bearer_file),
            "--calls", "200", "--fresh-calls", "2", env=endpoint,
        )  # fmt: skip
    finally:
        serve.terminate()
        serve.wait(timeout=10)
    rows = {line["name"]: line for line in lines}
    theirs = "azure-identity ManagedIdentityCredential through vd-broker serve, cached hit"
    assert list(rows) == [
        f"{theirs}: get_token",
        f"{theirs}: get_token_info",
        "Python binding, warm: get_token",
        "Python binding, warm: get_token_info",
        "Python binding, warm: its C call alone through ctypes",
        "azure-identity ManagedIdentityCredential, new credential per call",
    ]
    assert all(line["per_call_us"] > 0 for line in lines)
    for call in ("get_token", "get_token_info"):
        note = rows[f"Python binding, warm: {call}"]["note"]
        assert re.fullmatch(r"\d+\.\d\d× azure-identity's cached hit, same process \(target ≤ 0\.4×\)", note), note
    # One mint: the binding's, the endpoint's and azure-identity's calls all share it.
    assert [r["audience"] for r in emulator.requests()] == ["storage"]
