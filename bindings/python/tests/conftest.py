"""Fixtures: one broker emulator process per session (reset for every test),
a fresh bearer file per test, and an environment cleared of Studio settings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support.azurite import Azurite
from support.emulator import Emulator
from support.tokens import write_bearer
from vibedata_studio_azure_cred_broker import StudioAzureCredBroker

# Every message and secret, for the secrets sweep (tests/suites/99-secrets-sweep.sh).
pytest_plugins = ["support.message_log"]

STUDIO_VARIABLES = (
    "VD_CREDENTIAL_BROKER_URL",
    "VD_AZ_TOKEN_URL",
    "VD_CREDENTIAL_FILE",
    "VD_CREDENTIAL_LANE",
    "VD_CREDENTIAL_CONFIGURATION_REVISION",
    "VD_BROKER_CACHE",
    "VD_BROKER_SHARED_CACHE",
    "VD_RUNTIME_ACCESS_SOCKET",
)


@pytest.fixture(autouse=True)
def studio_environment(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No Studio variable leaks in, no runtime-access helper is found unless
    a test points at one (the default socket path may exist here), and each
    test has a shared token cache of its own (its subprocesses share it)."""
    for name in STUDIO_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VD_RUNTIME_ACCESS_SOCKET", str(tmp_path_factory.getbasetemp() / "no-helper.sock"))
    monkeypatch.setenv("VD_BROKER_CACHE_DIR", str(tmp_path_factory.mktemp("shared-cache") / "cache"))


@pytest.fixture(scope="session")
def emulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    emulator = Emulator(tmp_path_factory.mktemp("helper") / "helper.sock")
    yield emulator
    emulator.stop()


@pytest.fixture
def emulator(emulator_process: Emulator) -> Emulator:
    """The session's emulator with default settings, no faults and no log."""
    emulator_process.reset()
    return emulator_process


@pytest.fixture
def bearer_file(tmp_path: Path) -> Path:
    """A credential file holding a bearer no other test uses."""
    path = tmp_path / "credential"
    write_bearer(path)
    return path


@pytest.fixture
def bearer(bearer_file: Path) -> str:
    return bearer_file.read_text().strip()


@pytest.fixture
def make_credential(emulator: Emulator, bearer_file: Path) -> Iterator[Callable[..., StudioAzureCredBroker]]:
    """Builds credentials pointed at the emulator and this test's bearer
    (overridable), and closes them after the test."""
    made: list[StudioAzureCredBroker] = []

    def make(**kwargs: object) -> StudioAzureCredBroker:
        kwargs.setdefault("broker_url", emulator.url)
        kwargs.setdefault("credential_file", str(bearer_file))
        credential = StudioAzureCredBroker(**kwargs)
        made.append(credential)
        return credential

    yield make
    for credential in made:
        credential.close()


@pytest.fixture
def studio_env(monkeypatch: pytest.MonkeyPatch, emulator: Emulator, bearer_file: Path) -> Path:
    """The environment Studio injects into an agent container (newer names)."""
    monkeypatch.setenv("VD_CREDENTIAL_BROKER_URL", emulator.url)
    monkeypatch.setenv("VD_CREDENTIAL_FILE", str(bearer_file))
    return bearer_file


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """Azurite Blob over HTTPS with OAuth, started on first use."""
    server = Azurite(tmp_path_factory.mktemp("azurite"))
    yield server
    server.stop()


_EVIDENCE: list[str] = []


@pytest.fixture
def evidence() -> Callable[[str], None]:
    """Records a line for the run's closing summary: what a real consumer
    accepted, so a CI log shows it without digging."""
    return _EVIDENCE.append


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _EVIDENCE:
        terminalreporter.section("real consumers")
        for line in _EVIDENCE:
            terminalreporter.write_line(line)
