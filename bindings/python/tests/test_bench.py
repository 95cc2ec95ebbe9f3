"""benches/python_bench.py still runs and prints what the bench driver reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from support.emulator import REPO


def test_bench_prints_one_json_line_per_measurement(emulator, bearer_file):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    ran = subprocess.run(
        [sys.executable, str(REPO / "benches" / "python_bench.py"), "--broker-url", emulator.url,
         "--credential-file", str(bearer_file), "--iterations", "5"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    lines = [json.loads(line) for line in ran.stdout.splitlines()]
    assert [line["name"] for line in lines] == ["python binding, cold", "python binding, warm"]
    assert all(line["calls"] == 5 and line["per_call_us"] > 0 for line in lines)
    assert len(emulator.requests()) == 1 + 5 + 1  # cold: connect + 5; warm: one fill
