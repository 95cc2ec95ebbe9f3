"""ctypes declarations of ``include/vd_broker.h``, one for one, and nothing else.

tests/test_header.py parses the header and checks every constant and every
function signature here against it, so a stale declaration fails CI instead
of corrupting memory in a user's process.
"""

from __future__ import annotations

import ctypes
import enum
from ctypes import POINTER, c_bool, c_char, c_char_p, c_int32, c_int64, c_size_t, c_uint8, c_uint16, c_uint64, c_void_p

#: ``VD_BROKER_TOKEN_BUFFER_SIZE``: holds any token today's Azure services issue.
TOKEN_BUFFER_SIZE = 16384

#: ``VD_BROKER_SQL_COPT_SS_ACCESS_TOKEN``: the ODBC attribute that takes the blob.
SQL_COPT_SS_ACCESS_TOKEN = 1256


class Status(enum.IntEnum):
    """``enum vd_broker_status``; each member is the header's name without ``VD_BROKER_``."""

    OK = 0
    ERR_INVALID_ARGUMENT = 1
    ERR_INVALID_UTF8 = 2
    ERR_BUFFER_TOO_SMALL = 3
    ERR_CONFIGURATION = 4
    ERR_SCOPE_NOT_ALLOWED = 5
    ERR_CREDENTIAL_UNREADABLE = 6
    ERR_CREDENTIAL_BLANK = 7
    ERR_BROKER_UNREACHABLE = 8
    ERR_BROKER_REJECTED = 9
    ERR_BROKER_STATUS = 10
    ERR_BROKER_RESPONSE = 11
    ERR_TIMEOUT = 12
    ERR_ACCESS_HELPER_REFUSED = 13
    ERR_PANIC = 14


class Client(ctypes.Structure):
    """``struct vd_broker_client`` (opaque)."""


class Options(ctypes.Structure):
    """``struct vd_broker_options`` (opaque)."""


ClientPointer = POINTER(Client)
OptionsPointer = POINTER(Options)

# name -> (restype, argtypes). `const char *` inputs are c_char_p; writable
# `char *` buffers are POINTER(c_char), so a read-only bytes object cannot be
# passed where the library writes.
FUNCTIONS: dict[str, tuple[object, list[object]]] = {
    "vd_broker_client_new": (c_int32, [OptionsPointer, POINTER(ClientPointer), POINTER(c_char), c_size_t]),
    "vd_broker_client_free": (None, [ClientPointer]),
    "vd_broker_client_get_token": (
        c_int32,
        [
            ClientPointer,
            c_char_p,
            c_char_p,
            c_uint64,
            POINTER(c_char),
            c_size_t,
            POINTER(c_size_t),
            POINTER(c_int64),
            POINTER(c_int64),
            POINTER(c_uint16),
            POINTER(c_char),
            c_size_t,
        ],
    ),
    "vd_broker_get_token": (c_int32, [c_char_p, POINTER(c_char), c_size_t, POINTER(c_int64)]),
    "vd_broker_version": (c_char_p, []),
    "vd_broker_last_error_message": (None, [POINTER(c_char), c_size_t, POINTER(c_size_t)]),
    "vd_broker_client_get_odbc_token": (
        c_int32,
        [
            ClientPointer,
            c_char_p,
            c_uint64,
            POINTER(c_uint8),
            c_size_t,
            POINTER(c_size_t),
            POINTER(c_int64),
            POINTER(c_uint16),
            POINTER(c_char),
            c_size_t,
        ],
    ),
    "vd_broker_get_odbc_token": (
        c_int32,
        [c_char_p, POINTER(c_uint8), c_size_t, POINTER(c_size_t), POINTER(c_int64)],
    ),
    "vd_broker_secure_zero": (None, [c_void_p, c_size_t]),
    "vd_broker_options_new": (OptionsPointer, []),
    "vd_broker_options_free": (None, [OptionsPointer]),
    "vd_broker_options_set_broker_url": (c_int32, [OptionsPointer, c_char_p]),
    "vd_broker_options_set_credential_file": (c_int32, [OptionsPointer, c_char_p]),
    "vd_broker_options_set_timeout_ms": (c_int32, [OptionsPointer, c_uint64]),
    "vd_broker_options_set_audience": (c_int32, [OptionsPointer, c_char_p, c_char_p]),
    "vd_broker_options_set_cache": (c_int32, [OptionsPointer, c_bool]),
    "vd_broker_options_set_shared_cache": (c_int32, [OptionsPointer, c_bool]),
    "vd_broker_options_set_shared_cache_dir": (c_int32, [OptionsPointer, c_char_p]),
    "vd_broker_options_set_lane": (c_int32, [OptionsPointer, c_char_p]),
    "vd_broker_options_set_configuration_revision": (c_int32, [OptionsPointer, c_int64]),
    "vd_broker_options_set_runtime_access_socket": (c_int32, [OptionsPointer, c_char_p]),
    "vd_broker_status_name": (c_char_p, [c_int32]),
}


def declare(library: ctypes.CDLL) -> ctypes.CDLL:
    """Sets every function's restype and argtypes on ``library``."""
    for name, (restype, argtypes) in FUNCTIONS.items():
        function = getattr(library, name)
        function.restype = restype
        function.argtypes = argtypes
    return library
