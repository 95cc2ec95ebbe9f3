"""The constructor's keyword arguments as ``vd_broker_options_set_*`` calls.

Only translation happens here — Python values into C values. Unset values
(None, "") are not passed, so the core falls back to the environment; the
core validates what is passed and says what is wrong.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from typing import NamedTuple, Union

from ._native import Status
from .errors import ConfigurationError

PathArg = Union[str, "os.PathLike[str]"]

_INT64 = range(-(2**63), 2**63)
_UINT64_MAX = 2**64 - 1
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


class Setting(NamedTuple):
    """One options setter to call, and how the user spelled the value (for messages)."""

    setter: str
    args: tuple[object, ...]
    given: str


def c_string(value: str, name: str) -> bytes:
    """``value`` as the UTF-8 bytes of a C string.

    Lone surrogates pass through as invalid UTF-8 so the core refuses them
    with its own message; a NUL cannot be carried by a C string at all.
    """
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        raise ValueError(f"{name} contains a NUL character, which cannot be passed to the native library")
    return value.encode("utf-8", "surrogatepass")


def _c_path(value: PathArg, name: str) -> bytes:
    encoded = os.fsencode(value)
    if b"\0" in encoded:
        raise ValueError(f"{name} contains a NUL character, which cannot be passed to the native library")
    return encoded


def _timeout_ms(seconds: float) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, not {type(seconds).__name__}")
    if not math.isfinite(seconds):
        raise ValueError(f"timeout must be a finite number of seconds, not {seconds!r}")
    if seconds <= 0:
        return 0  # the core refuses it, with its message
    return min(math.ceil(seconds * 1000), _UINT64_MAX)


def _revision(value: int | str) -> int:
    """The revision as an int64; the core checks its range (≥ 0)."""
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value in _INT64:
        return value
    # The core's wording for a bad VD_CREDENTIAL_CONFIGURATION_REVISION.
    raise ConfigurationError(
        f"configuration_revision or VD_CREDENTIAL_CONFIGURATION_REVISION must be a non-negative integer, not {value!r}",
        Status.ERR_CONFIGURATION,
        "VD_BROKER_ERR_CONFIGURATION",
    )


def _unset(value: object) -> bool:
    return value is None or value == ""


def settings(
    *,
    broker_url: str | None,
    credential_file: PathArg | None,
    lane: str | None,
    configuration_revision: int | str | None,
    timeout: float | None,
    audience_map: Mapping[str, str | None] | None,
    cache: bool | None,
    runtime_access_socket: PathArg | None,
) -> tuple[Setting, ...]:
    """The setter calls for the given keyword arguments, in a fixed order."""
    chosen: list[Setting] = []

    def add(setter: str, name: str, given: object, *args: object) -> None:
        chosen.append(Setting(f"vd_broker_options_set_{setter}", args, f"{name}={given!r}"))

    for name, text in (("broker_url", broker_url), ("lane", lane)):
        if not _unset(text):
            add(name, name, text, c_string(text, name))
    for name, path in (("credential_file", credential_file), ("runtime_access_socket", runtime_access_socket)):
        if not _unset(path):
            add(name, name, path, _c_path(path, name))
    if not _unset(configuration_revision):
        add(
            "configuration_revision",
            "configuration_revision",
            configuration_revision,
            _revision(configuration_revision),
        )
    if timeout is not None:
        add("timeout_ms", "timeout", timeout, _timeout_ms(timeout))
    for resource, audience in (audience_map or {}).items():
        encoded = None if _unset(audience) else c_string(audience, f"audience_map[{resource!r}]")
        add("audience", f"audience_map[{resource!r}]", audience, c_string(resource, "an audience_map key"), encoded)
    if cache is not None:
        add("cache", "cache", cache, bool(cache))
    return tuple(chosen)
