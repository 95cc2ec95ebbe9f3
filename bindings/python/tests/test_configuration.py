"""Construction: keyword arguments over environment variables, and the
ValueError (with the fix in its message) for configuration that cannot work."""

from __future__ import annotations

import ctypes
import math
from pathlib import Path

import pytest

from support.tokens import sha256_hex
from vibedata_studio_azure_cred_broker import ConfigurationError, Status, StudioAzureCredBroker

VAULT = "https://vault.azure.net/.default"
DEAD_BROKER = "http://127.0.0.1:9/api/v1/credential-broker"


def test_missing_broker_url_names_both_variables(bearer_file):
    with pytest.raises(ValueError) as raised:
        StudioAzureCredBroker(credential_file=str(bearer_file))
    assert isinstance(raised.value, ConfigurationError)
    assert raised.value.status == Status.ERR_CONFIGURATION
    assert "the broker URL is required: set the VD_CREDENTIAL_BROKER_URL environment variable" in str(raised.value)
    assert "VD_AZ_TOKEN_URL" in str(raised.value)


def test_missing_credential_file_names_the_variable(emulator):
    with pytest.raises(ValueError, match="the credential file is required: set the VD_CREDENTIAL_FILE environment variable"):
        StudioAzureCredBroker(broker_url=emulator.url)


@pytest.mark.parametrize("variable", ["VD_CREDENTIAL_BROKER_URL", "VD_AZ_TOKEN_URL"])
def test_environment_alone_configures_it(emulator, bearer_file, bearer, monkeypatch, variable):
    monkeypatch.setenv(variable, emulator.url)
    monkeypatch.setenv("VD_CREDENTIAL_FILE", str(bearer_file))
    with StudioAzureCredBroker() as credential:
        credential.get_token(VAULT)
    assert emulator.requests()[0]["bearer_sha256"] == sha256_hex(bearer)


def test_keyword_arguments_win_over_the_environment(emulator, bearer_file, bearer, monkeypatch, tmp_path):
    monkeypatch.setenv("VD_CREDENTIAL_BROKER_URL", DEAD_BROKER)
    monkeypatch.setenv("VD_CREDENTIAL_FILE", str(tmp_path / "missing"))
    monkeypatch.setenv("VD_CREDENTIAL_LANE", "user")
    monkeypatch.setenv("VD_CREDENTIAL_CONFIGURATION_REVISION", "1")
    with StudioAzureCredBroker(
        broker_url=emulator.url, credential_file=bearer_file, lane="service", configuration_revision=2
    ) as credential:
        credential.get_token(VAULT)
    [request] = emulator.requests()
    assert request["bearer_sha256"] == sha256_hex(bearer)
    assert (request["body"]["lane"], request["body"]["configurationRevision"]) == ("service", 2)


@pytest.mark.parametrize("unset", [None, ""])
def test_none_or_empty_arguments_fall_back_to_the_environment(studio_env, emulator, monkeypatch, unset):
    monkeypatch.setenv("VD_CREDENTIAL_LANE", "user")
    monkeypatch.setenv("VD_CREDENTIAL_CONFIGURATION_REVISION", "5")
    with StudioAzureCredBroker(
        broker_url=unset, credential_file=unset, lane=unset, configuration_revision=unset
    ) as credential:
        credential.get_token(VAULT)
    body = emulator.requests()[0]["body"]
    assert (body["lane"], body["configurationRevision"]) == ("user", 5)


def test_revision_zero_is_a_revision(emulator, make_credential):
    make_credential(lane="user", configuration_revision=0).get_token(VAULT)
    assert emulator.requests()[0]["body"]["configurationRevision"] == 0


def test_invalid_lane_is_refused_at_construction(emulator, make_credential):
    with pytest.raises(ValueError, match="'user' or 'service'"):
        make_credential(lane="robot", configuration_revision=1)
    assert emulator.requests() == []


@pytest.mark.parametrize("given", [{"lane": "user"}, {"configuration_revision": 4}])
def test_lane_and_revision_go_together(make_credential, given):
    with pytest.raises(ValueError, match="both, or neither"):
        make_credential(**given)


@pytest.mark.parametrize("revision", ["abc", "1.5", True, 2.0, 2**63])
def test_revision_that_is_no_integer_is_refused_in_the_core_s_words(make_credential, revision):
    with pytest.raises(ConfigurationError) as raised:
        make_credential(lane="user", configuration_revision=revision)
    assert str(raised.value) == (
        "the configuration revision (option or VD_CREDENTIAL_CONFIGURATION_REVISION) must be a "
        f'non-negative integer, not "{revision}"'
    )


@pytest.mark.parametrize("revision", [-1, "-3"])
def test_negative_revision_is_refused_by_the_core(make_credential, revision):
    with pytest.raises(ConfigurationError, match=f'must be a non-negative integer, not "{int(revision)}"$'):
        make_credential(lane="user", configuration_revision=revision)


def test_invalid_revision_in_the_environment_is_refused(studio_env, monkeypatch):
    monkeypatch.setenv("VD_CREDENTIAL_LANE", "user")
    monkeypatch.setenv("VD_CREDENTIAL_CONFIGURATION_REVISION", "seven")
    with pytest.raises(ValueError, match="VD_CREDENTIAL_CONFIGURATION_REVISION\\) must be a non-negative integer"):
        StudioAzureCredBroker()


@pytest.mark.parametrize(("timeout", "shown"), [(0, "0"), (-1, "-1"), (-0.5, "-0.5"), (math.nan, "NaN"), (math.inf, "inf")])
def test_timeout_must_be_positive_and_finite_in_the_core_s_words(make_credential, timeout, shown):
    with pytest.raises(ConfigurationError) as raised:
        make_credential(timeout=timeout)
    assert raised.value.status == Status.ERR_INVALID_ARGUMENT
    assert str(raised.value) == (
        f"the timeout option must be a positive number of seconds, not {shown}; leave it unset for the default of 10 s"
    )


def test_timeout_must_be_a_number(make_credential):
    with pytest.raises(ctypes.ArgumentError, match="wrong type"):
        make_credential(timeout="10")


def test_fractional_timeout_and_default_timeout_work(emulator, make_credential):
    make_credential(timeout=0.25).get_token(VAULT)
    make_credential(timeout=None).get_token("https://storage.azure.com/.default")
    assert len(emulator.requests()) == 2


@pytest.mark.parametrize("url", ["ftp://broker.test", "not a url", "http://broker.test/?a=b"])
def test_broker_url_that_is_no_http_url_is_refused(make_credential, url):
    with pytest.raises(ValueError, match="is not an http:// or https:// URL"):
        make_credential(broker_url=url)


def test_nul_in_a_string_cannot_reach_c(make_credential):
    with pytest.raises(ValueError, match="broker_url contains a NUL character"):
        make_credential(broker_url="http://127.0.0.1:1/\0tail")


def test_credential_file_may_be_a_path(emulator, make_credential, bearer_file):
    make_credential(credential_file=Path(bearer_file)).get_token(VAULT)
    assert len(emulator.requests()) == 1


def test_cache_off_in_the_environment_asks_every_time_unless_told_otherwise(emulator, make_credential, monkeypatch):
    monkeypatch.setenv("VD_BROKER_CACHE", "0")
    uncached = make_credential()
    uncached.get_token(VAULT)
    uncached.get_token(VAULT)
    assert len(emulator.requests()) == 2
    cached = make_credential(cache=True)
    cached.get_token(VAULT)
    cached.get_token(VAULT)
    assert len(emulator.requests()) == 3


def test_helper_socket_from_the_environment_needs_no_broker_url(emulator, monkeypatch):
    monkeypatch.setenv("VD_RUNTIME_ACCESS_SOCKET", str(emulator.helper_socket))
    with StudioAzureCredBroker(cache=False) as credential:
        credential.get_token(VAULT)
    assert emulator.requests()[0]["face"] == "helper"


def test_text_that_is_not_utf8_is_refused_by_the_core_naming_the_argument(make_credential):
    with pytest.raises(ConfigurationError) as raised:
        make_credential(lane="\udcff", configuration_revision=1)
    assert raised.value.status == Status.ERR_INVALID_UTF8
    assert str(raised.value) == "the lane option is not valid UTF-8"


def test_positional_arguments_keep_the_published_order(emulator, bearer_file):
    """0.1.0 took (broker_url, credential_file, timeout, audience_map)."""
    with StudioAzureCredBroker(
        emulator.url, str(bearer_file), 5, {"https://custom.example": "custom"}, cache=False
    ) as credential:
        credential.get_token("https://custom.example/.default")
    assert emulator.requests()[-1]["audience"] == "custom"
    with pytest.raises(TypeError):
        StudioAzureCredBroker(emulator.url, str(bearer_file), 5, None, "user")  # lane is keyword-only
