"""The book's container recipe (docs/serve.md), run as it shows it: the
entrypoint starts `vd-broker serve` around the agent's main process, and a
shell opened later takes the endpoint from the profile script. The only
edit is the directory of the env file (/run is not ours to write here),
which each script must name."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from conftest import REPO, VD_BROKER, Identity, run

RECIPE = (REPO / "docs" / "serve.md").read_text()
RUN_DIR = "/run/vd-broker"
# A real consumer: azure-identity's ManagedIdentityCredential prints the
# audience of the token it got.
TOKEN = ("from azure.identity import ManagedIdentityCredential; import base64, json, sys; "
         "t = ManagedIdentityCredential().get_token(sys.argv[1]).token.split('.')[1]; "
         "print(json.loads(base64.urlsafe_b64decode(t + '==='))['vd_audience'])")
AGENT = """
import os, subprocess, sys, time
ready, stop = sys.argv[1:3]
audience = subprocess.run([sys.executable, "-c", os.environ["TOKEN"], "https://vault.azure.net/.default"],
                          capture_output=True, text=True, check=True).stdout.strip()
open(ready, "w").write(audience)
while not os.path.exists(stop):
    time.sleep(0.05)
sys.exit(3)
"""


def snippet(name: str) -> str:
    found = re.search(rf"<!-- snippet: {name} -->\n```\w+\n(.*?)\n```", RECIPE, flags=re.S)
    assert found, f"no snippet {name!r} in docs/serve.md"
    return found.group(1)


def adapted(script: str, run_dir: str) -> str:
    assert RUN_DIR in script, f"the documented script no longer uses {RUN_DIR}"
    return script.replace(RUN_DIR, run_dir)


def wait_for(path, process, what: str) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert process.poll() is None, f"the entrypoint exited before {what}: {process.stderr.read()}"
        assert time.monotonic() < deadline, f"no {what} within 60 s"
        time.sleep(0.05)


def test_the_entrypoint_and_a_later_shell_get_tokens(base_env, emulator, tmp_path):
    identity = Identity(emulator, tmp_path / "identity")
    run_dir = tmp_path / "run" / "vd-broker"
    entrypoint = tmp_path / "studio-entrypoint"
    entrypoint.write_text(adapted(snippet("container-entrypoint"), str(run_dir)))
    entrypoint.chmod(0o755)
    profile = tmp_path / "vd-broker.sh"
    profile.write_text(adapted(snippet("container-profile"), str(run_dir)))
    # The container's environment: the Studio variables, and a stale
    # variable of another managed-identity protocol.
    path = f"{VD_BROKER.parent}{os.pathsep}{os.path.dirname(sys.executable)}{os.pathsep}{base_env['PATH']}"
    container = {**base_env, "PATH": path, "TOKEN": TOKEN, "MSI_ENDPOINT": "http://stale.invalid",
                 "VD_CREDENTIAL_BROKER_URL": emulator.broker_url, "VD_CREDENTIAL_FILE": str(identity.bearer_file)}
    ready, stop = tmp_path / "ready", tmp_path / "stop"
    agent = subprocess.Popen([entrypoint, sys.executable, "-c", AGENT, ready, stop], env=identity.serve_env(container),
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(ready, agent, "token in the agent")
        assert ready.read_text() == "vault"
        env_file = run_dir / "identity.env"
        assert (run_dir.stat().st_mode & 0o777, env_file.stat().st_mode & 0o777) == (0o700, 0o600)

        # `docker exec ... bash -l`: a fresh environment, then the profile.
        later = {k: v for k, v in container.items() if not k.startswith("VD_")}
        shell = run(["sh", "-c", f'. "{profile}"; echo "$AZURE_MSI_ENDPOINT ${{MSI_ENDPOINT-unset}}"; '
                     f'exec python3 -c "$TOKEN" https://storage.azure.com/.default'], later)
        endpoint, msi_endpoint, audience = shell.stdout.split()
        assert endpoint.startswith("http://127.0.0.1:") and msi_endpoint == "unset"
        assert audience == "storage"
        assert identity.audiences() == ["vault", "storage"]
    finally:
        stop.touch()
        status = agent.wait(timeout=60)
    assert status == 3, f"the container's status is the agent's: {agent.stderr.read()}"
    assert not (run_dir / "identity.env").exists(), "the env file outlives the endpoint"
