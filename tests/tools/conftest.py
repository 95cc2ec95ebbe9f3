"""The tools agents run, each unchanged, against `vd-broker serve` with the
broker emulator behind it (tests/suites/80-tools.sh starts the emulator and
Azurite and runs this directory with pytest).

Every tool runs as a subprocess with an environment made here: a HOME and
config directories of its own, telemetry and update checks off, no Azure or
Studio credential but the endpoint's variables, and HTTP(S)_PROXY pointing
at a loopback trap that fails the test if anything tries to leave the
machine. A tool that is not installed fails its test.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from standins import OffLoopbackTrap

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / ".tools"
AZCOPY = REPO / "tests/tools/azcopy/node_modules/@azure-tools/azcopy-linux/dist/bin/azcopy_linux_amd64"
VD_BROKER = Path(os.environ.get("VD_BROKER_LIB_DIR", REPO / "target/debug")) / "vd-broker"
ACCOUNT = "devstoreaccount1"
# Variables that would hand a tool another credential or another protocol.
FOREIGN = ("AZURE_", "MSI_", "IMDS_", "IDENTITY_", "VD_", "FAB_", "AZCOPY_")
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")

_versions: dict[str, str] = {}


def tool(*parts: str) -> Path:
    """A tool's file under .tools/ (or azcopy's), which must be there."""
    path = TOOLS.joinpath(*parts) if parts != ("azcopy",) else AZCOPY
    assert path.is_file(), f"{path} is missing: run .ci/install.d/65-tools.sh"
    return path


def record_version(name: str, version: str) -> None:
    """Printed at the end of the run (and with each test's output)."""
    print(f"tools: {name} {version}")
    _versions[name] = version


def package_version(venv: str, package: str) -> str:
    """The version of a package installed in a tool's venv, as pip sees it."""
    code = f"import importlib.metadata as m; print(m.version({package!r}))"
    return subprocess.run([tool(venv, "bin", "python3"), "-c", code], capture_output=True, text=True,
                          check=True, timeout=60).stdout.strip()


def pytest_terminal_summary(terminalreporter) -> None:
    for name, version in sorted(_versions.items()):
        terminalreporter.write_line(f"tools: {name} {version}")


def run(argv, env: dict, timeout: float = 180, check: bool = True) -> subprocess.CompletedProcess:
    """Runs a tool; its output is shown when it fails."""
    done = subprocess.run([str(a) for a in argv], env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        pytest.fail(f"{argv[0]} exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    return done


class Emulator:
    def __init__(self) -> None:
        self.broker_url = os.environ["VD_TOOLS_BROKER_URL"]
        self._control = self.broker_url.split("/api/", 1)[0] + "/_emulator/requests"

    def audiences(self, bearer: str) -> list[str]:
        """The audiences the broker was asked for with this bearer, in order."""
        digest = hashlib.sha256(bearer.encode()).hexdigest()  # as its log has it
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self._control, timeout=10) as answer:
            requests = json.loads(answer.read())["requests"]
        return [r["audience"] for r in requests if r.get("bearer_sha256") == digest]


class Azurite:
    """The suite's one Azurite (HTTPS, OAuth), started by the suite script."""

    def __init__(self) -> None:
        directory = Path(os.environ["VD_TOOLS_AZURITE_DIR"])
        self.ca = directory / "ca.pem"
        self.certificate = directory / "cert.pem"
        self.key = directory / "key.pem"
        self.port = int((directory / "port").read_text())
        self.host = f"127.0.0.1:{self.port}"
        self.account_url = f"https://{self.host}/{ACCOUNT}"


class Identity:
    """One Studio session: a bearer of its own (so the emulator's log tells
    its requests apart) and a token cache of its own."""

    def __init__(self, emulator: Emulator, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.emulator = emulator
        self.bearer = f"vd_iat_tools_{secrets.token_hex(12)}"
        self.bearer_file = directory / "credential"
        self.bearer_file.write_text(self.bearer + "\n")
        self.cache_dir = directory / "cache"
        self.cache_dir.mkdir(exist_ok=True)

    def serve_argv(self) -> list[str]:
        """`vd-broker serve` configured by options, so that the environment
        a tool sees holds no Studio variable."""
        return [str(VD_BROKER), "--broker-url", self.emulator.broker_url,
                "--credential-file", str(self.bearer_file), "serve"]

    def serve_env(self, env: dict) -> dict:
        return {**env, "VD_BROKER_CACHE_DIR": str(self.cache_dir),
                "VD_RUNTIME_ACCESS_SOCKET": str(self.cache_dir / "no-helper.sock")}

    def audiences(self) -> list[str]:
        return self.emulator.audiences(self.bearer)

    def bearer_digest(self) -> str:
        """As the emulator's tokens carry it (`vd_bearer`, its first 16)."""
        return hashlib.sha256(self.bearer.encode()).hexdigest()


class Served(Identity):
    """`vd-broker serve --env-file` running for a test module; `variables`
    is what the env file says."""

    def __init__(self, emulator: Emulator, directory: Path, env: dict) -> None:
        super().__init__(emulator, directory)
        env_file = directory / "identity.env"
        self.log_file = directory / "serve.log"
        with open(self.log_file, "w") as log:
            self._process = subprocess.Popen(
                [*self.serve_argv(), "--env-file", str(env_file)], env=self.serve_env(env),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 30
        while not env_file.exists():
            assert self._process.poll() is None, f"vd-broker serve exited: {self.log_file.read_text()}"
            assert time.monotonic() < deadline, "vd-broker serve wrote no env file within 30 s"
            time.sleep(0.05)
        self.variables = dict(line.split("=", 1) for line in env_file.read_text().splitlines())

    def log(self) -> str:
        return self.log_file.read_text()

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=30)
        # For the secrets sweep (tests/suites/99-secrets-sweep.sh): the
        # endpoint's log lines, and the bearer they must never show.
        append("VD_TEST_MESSAGE_LOG", "".join(f"cli\t{line}\n" for line in self.log().splitlines()))
        append("VD_TEST_SECRET_LOG", self.bearer + "\n")


def append(variable: str, text: str) -> None:
    """Appends to the file a variable names, when it is set."""
    if os.environ.get(variable) and text:
        with open(os.environ[variable], "a", encoding="utf-8") as log:
            log.write(text)


@pytest.fixture(scope="session")
def emulator() -> Emulator:
    return Emulator()


@pytest.fixture(scope="session")
def azurite() -> Azurite:
    return Azurite()


@pytest.fixture(scope="session")
def trap():
    trap = OffLoopbackTrap()
    yield trap
    trap.stop()


@pytest.fixture(autouse=True)
def nothing_leaves_loopback(trap):
    before = len(trap.seen)
    yield
    assert trap.seen[before:] == [], "a tool tried to reach beyond loopback"


@pytest.fixture
def base_env(tmp_path, trap, azurite) -> dict:
    """What every tool runs with (the endpoint's variables come on top)."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(FOREIGN + PROXIES)}
    env.update({
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        # The Azure CLI: its own config dir, no telemetry, no survey prompt.
        "AZURE_CONFIG_DIR": str(home / ".azure"),
        "AZURE_CORE_COLLECT_TELEMETRY": "0",
        "AZURE_CORE_SURVEY_MESSAGE": "0",
        "AZURE_CORE_NO_COLOR": "1",
        # Trust Azurite's (and the ARM stand-in's) CA: requests, Rust, Go.
        "REQUESTS_CA_BUNDLE": str(azurite.ca),
        "SSL_CERT_FILE": str(azurite.ca),
    })
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        env[name] = env[name.upper()] = trap.url
    env["no_proxy"] = env["NO_PROXY"] = "127.0.0.1,localhost"
    return env


@pytest.fixture(scope="module")
def module_dir(tmp_path_factory, request) -> Path:
    return tmp_path_factory.mktemp(request.module.__name__)


@pytest.fixture(scope="module")
def served(emulator, module_dir):
    """One endpoint per test module (its own bearer and cache)."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(FOREIGN + PROXIES)}
    served = Served(emulator, module_dir / "serve", env)
    yield served
    served.stop()


def exec_under_serve(identity: Identity, argv, env: dict, timeout: float = 180) -> subprocess.CompletedProcess:
    """`vd-broker serve --exec -- ARGV`: the tool sees only what serve sets."""
    return run([*identity.serve_argv(), "--exec", "--", *argv], identity.serve_env(env), timeout=timeout)


@pytest.fixture(scope="session")
def make_container(emulator, azurite, tmp_path_factory):
    """Creates a blob container for a tool that cannot (object_store), with
    the project's own Python credential and a bearer of the setup's own."""
    from azure.storage.blob import BlobServiceClient
    from vibedata_studio_azure_cred_broker import StudioAzureCredBroker

    setup = Identity(emulator, tmp_path_factory.mktemp("setup"))
    credential = StudioAzureCredBroker(broker_url=emulator.broker_url, credential_file=setup.bearer_file,
                                       cache=False, runtime_access_socket=setup.cache_dir / "no-helper.sock")
    service = BlobServiceClient(azurite.account_url, credential=credential, connection_verify=str(azurite.ca))

    def make(name: str) -> str:
        service.create_container(name)
        return name

    return make


@pytest.fixture
def on_azurite(base_env, emulator, azurite, make_container, tmp_path):
    """Runs SCRIPT with a tool venv's Python under `vd-broker serve --exec`,
    given an `az://` URL in a container of its own (argv[1]) and object_store
    options naming only the account and Azurite's endpoint: no key, no SAS,
    no token (argv[2]). Returns the JSON the script prints, and the identity
    whose broker requests to check."""

    def run_script(venv: str, script: str, path: str) -> tuple[dict, Identity]:
        identity = Identity(emulator, tmp_path / "identity")
        url = f"az://{make_container(venv)}/{path}"
        options = json.dumps({"account_name": ACCOUNT, "endpoint": azurite.account_url})
        done = exec_under_serve(identity, [tool(venv, "bin", "python3"), "-c", script, url, options], base_env)
        return json.loads(done.stdout), identity

    return run_script
