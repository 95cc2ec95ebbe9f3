"""The Fabric CLI, unchanged: `fab auth login --identity` through the
endpoint asks for its three resources (Fabric, OneLake storage, Resource
Manager). `fab auth status` is not run: it checks the token's signature
against Entra's keys, which the emulator's unsigned tokens cannot pass."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import package_version, record_version, run, tool


def test_login_with_identity_asks_for_its_three_resources(base_env, served):
    fab = tool("fab", "bin", "fab")
    env = {**base_env, **served.variables}
    version = run([fab, "--version"], env).stdout.split()
    assert version[:2] == ["fab", "version"], version
    record_version("ms-fabric-cli", version[2])
    assert version[2] == package_version("fab", "ms-fabric-cli")
    # No look for a newer release on PyPI at login; tokens kept in a
    # plain file (a container has no keyring to encrypt them with).
    run([fab, "config", "set", "check_cli_version_updates", "false"], env)
    run([fab, "config", "set", "encryption_fallback_enabled", "true"], env)

    run([fab, "auth", "login", "--identity"], env)

    assert sorted(served.audiences()) == ["arm", "fabric_api", "storage"]
    log = served.log()
    for resource in ("https://api.fabric.microsoft.com", "https://storage.azure.com", "https://management.azure.com"):
        assert f'GET "{resource}" 200' in log, log
    auth = json.loads(Path(base_env["HOME"], ".config/fab/auth.json").read_text())
    assert auth["identity_type"] == "managed_identity"
