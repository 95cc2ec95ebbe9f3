"""tests/scenarios.json: every scenario gives, through this binding, the
status, classification and message text the file lists — the same ones the
C, Go and .NET tests check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support.emulator import REPO, Emulator
from support.tokens import write_bearer
from vibedata_studio_azure_cred_broker import (
    BrokerError,
    ConfigurationError,
    CredentialBrokerError,
    ScopeNotAllowedError,
    StudioAzureCredBroker,
)

SCENARIOS = json.loads((REPO / "tests" / "scenarios.json").read_text())["scenarios"]


def run(scenario: dict, emulator: Emulator, bearer_file: Path) -> CredentialBrokerError:
    """Creates the scenario's credential and makes its call; returns what it raised."""
    settings = {"broker_url": emulator.url, "credential_file": str(bearer_file)} if scenario["broker"] == "emulator" else {}
    stage = "create"
    with pytest.raises(CredentialBrokerError) as raised:
        credential = StudioAzureCredBroker(
            timeout=scenario["timeout_seconds"], runtime_access_socket="/nonexistent/vd-broker-scenarios.sock", **settings
        )
        stage = "token"
        if scenario["settings"]:
            emulator.settings(**scenario["settings"])
        if scenario["fault"]:
            emulator.fault(**scenario["fault"])
        try:
            credential.get_token(scenario["scope"])
        finally:
            credential.close()
    assert scenario["fails_at"] == stage
    return raised.value


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(scenario: dict, emulator: Emulator, tmp_path: Path) -> None:
    bearer_file = tmp_path / "credential"
    bearer = write_bearer(bearer_file) if scenario["bearer"] == "valid" else ""
    if not bearer:
        bearer_file.write_text("")
    try:
        error = run(scenario, emulator, bearer_file)
    finally:
        emulator.reset()
    assert error.status_name == scenario["status"]
    assert (error.status_code or 0) == scenario["http_status"]
    classes = {name: getattr(error, name) for name in ("retriable", "authentication_failure", "configuration_error", "caller_error")}
    assert classes == {name: scenario[name] for name in classes}
    message = scenario["message"].replace("{token_url}", f"{emulator.url}/token").replace("{credential_file}", str(bearer_file))
    assert str(error) == message
    assert not bearer or bearer not in message
    # The old package's contract: ValueError for what the caller must fix, RuntimeError for the rest.
    if scenario["status"] == "VD_BROKER_ERR_SCOPE_NOT_ALLOWED":
        assert isinstance(error, ScopeNotAllowedError) and isinstance(error, ValueError)
    elif scenario["configuration_error"] or scenario["caller_error"]:
        assert isinstance(error, ConfigurationError) and isinstance(error, ValueError)
    else:
        assert isinstance(error, BrokerError) and isinstance(error, RuntimeError)
