"""The Azure CLI, unchanged (the tests share one az profile, in order):
`az login --identity` through the endpoint (no --audience: its login
resource is an alias of `arm`), then a token for Key Vault, then a blob
listing on Azurite with --auth-mode login.

Resource Manager is not reachable here, so the test registers a cloud whose
Resource Manager is a loopback stand-in answering the one listing az makes
at login (`GET /subscriptions`); its Entra resource is the real one,
https://management.core.windows.net/, so az's own login code asks for it.
"""

from __future__ import annotations

import datetime
import json

import pytest

from conftest import package_version, record_version, run, tool
from standins import ArmStandIn, claims


@pytest.fixture(scope="module")
def arm(azurite):
    stand_in = ArmStandIn(azurite.certificate, azurite.key)
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="module")
def az_home(tmp_path_factory):
    """One az profile for the module: login, then the commands that use it.

    az looks for a newer release of itself at its first start in a config
    dir (no setting turns that off); a version cache written just now, as
    that look-up leaves it, keeps it on loopback."""
    home = tmp_path_factory.mktemp("az-home")
    version = package_version("az", "azure-cli")
    (home / ".azure").mkdir()
    (home / ".azure" / "versionCheck.json").write_text(json.dumps({
        "versions": {"azure-cli": {"local": version}, "core": {"local": version}},
        "update_time": datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f"),
    }))
    return home


@pytest.fixture
def az(base_env, served, az_home):
    env = {**base_env, **served.variables, "HOME": str(az_home), "AZURE_CONFIG_DIR": str(az_home / ".azure")}
    return lambda *args, **kw: run([tool("az", "bin", "az"), *args], env, **kw)


def test_login_with_identity_needs_no_audience_option(az, arm, served):
    # The installed package's version: `az version` would ask the network
    # for the newest release.
    record_version("azure-cli", package_version("az", "azure-cli"))
    az("cloud", "register", "-n", "StudioLoopback", "--skip-endpoint-discovery",
       "--endpoint-resource-manager", arm.url,
       # Never contacted by a managed-identity login; loopback all the same.
       "--endpoint-active-directory", "https://127.0.0.1:9",
       "--endpoint-active-directory-resource-id", "https://management.core.windows.net/",
       "--suffix-storage-endpoint", "core.windows.net")
    az("cloud", "set", "-n", "StudioLoopback")

    accounts = json.loads(az("login", "--identity", "--allow-no-subscriptions", "-o", "json").stdout)

    assert served.audiences() == ["arm"], "the login token is minted for arm"
    assert '"https://management.core.windows.net/" 200' in served.log(), served.log()
    [listing] = arm.seen
    assert listing["path"].startswith("/subscriptions?api-version=")
    token = claims(listing["authorization"].removeprefix("Bearer "))
    assert token["vd_audience"] == "arm" and token["vd_bearer"] == served.bearer_digest()[:16]
    [account] = accounts
    assert account["user"] == {"assignedIdentityInfo": "MSI", "name": "systemAssignedIdentity",
                               "type": "servicePrincipal"}
    assert account["tenantId"] == token["tid"], "az's tenant is the one its login token names"


def test_get_access_token_prints_the_brokers_token(az, served):
    answer = json.loads(az("account", "get-access-token", "--resource", "https://vault.azure.net", "-o", "json").stdout)

    token = claims(answer["accessToken"])
    assert token["vd_audience"] == "vault" and token["aud"] == "https://vault.azure.net"
    assert token["vd_bearer"] == served.bearer_digest()[:16]
    assert served.audiences()[-1] == "vault"


def test_storage_blob_list_with_login_reaches_azurite(az, azurite, served, tmp_path):
    endpoint = ["--auth-mode", "login", "--blob-endpoint", azurite.account_url]
    (tmp_path / "hello.txt").write_text("hello from az\n")
    az("storage", "container", "create", "-n", "az-tools", *endpoint)
    az("storage", "blob", "upload", "-c", "az-tools", "-n", "hello.txt", "-f", str(tmp_path / "hello.txt"), *endpoint)

    names = json.loads(az("storage", "blob", "list", "-c", "az-tools", "--query", "[].name", "-o", "json", *endpoint).stdout)

    assert names == ["hello.txt"]
    assert served.audiences()[-1] == "storage"
