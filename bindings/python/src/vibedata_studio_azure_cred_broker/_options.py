"""The constructor's keyword arguments as ``vd_broker_options_set_*`` calls.

Only translation happens here — Python values into C values. Unset values
(None, "") are not passed, so the core falls back to the environment; the
core validates what is passed, and ``vd_broker_client_create`` reports
what it refused, with its own message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Union

PathArg = Union[str, "os.PathLike[str]"]

#: A setter's name and its arguments after the options.
Setting = tuple[str, tuple[object, ...]]


def c_string(value: object, name: str) -> bytes:
    """``value`` (a path, or anything as its ``str``) as the bytes of a C
    string. Lone surrogates pass through as invalid UTF-8 for the core to
    refuse; a NUL cannot be carried at all."""
    encoded = os.fsencode(value) if isinstance(value, os.PathLike) else str(value).encode("utf-8", "surrogatepass")
    if b"\0" in encoded:
        raise ValueError(f"{name} contains a NUL character, which cannot be passed to the native library")
    return encoded


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
    texts = {
        "vd_broker_options_set_broker_url": ("broker_url", broker_url),
        "vd_broker_options_set_credential_file": ("credential_file", credential_file),
        "vd_broker_options_set_lane": ("lane", lane),
        "vd_broker_options_set_runtime_access_socket": ("runtime_access_socket", runtime_access_socket),
        "vd_broker_options_set_configuration_revision_text": ("configuration_revision", configuration_revision),
    }
    chosen: list[Setting] = [
        (setter, (c_string(value, name),))
        for setter, (name, value) in texts.items()
        if not _unset(value)
    ]
    if timeout is not None:
        chosen.append(("vd_broker_options_set_timeout_seconds", (timeout,)))
    for resource, audience in (audience_map or {}).items():
        encoded = None if _unset(audience) else c_string(audience, "audience_map")
        chosen.append(("vd_broker_options_set_audience", (c_string(resource, "audience_map"), encoded)))
    if cache is not None:
        chosen.append(("vd_broker_options_set_cache", (bool(cache),)))
    return tuple(chosen)
