"""The native client: calls into ``vd_broker``, and the handle's lifetime.

A ``NativeClient`` owns at most one ``vd_broker_client`` at a time, held by
a ``_Handle``, which frees it when the last reference to the handle goes.
The references are the owner's (dropped by ``close()``, or with a
credential nobody closed when it is collected) and one per call running:
a call holds the handle in a local from before the native call until after
it returns. So ``close()`` while calls run frees the client when the last
of them returns, and a call takes no lock. The core makes a client safe to
use and to free in a forked child (it leaves the parent's connections
alone); a call that a thread of the parent was making at the fork keeps
its reference in the child, where that client is then never freed.
"""

from __future__ import annotations

import ctypes
import weakref
from collections.abc import Callable
from ctypes import POINTER, byref, c_char_p, c_int32, c_uint64

from . import _native
from ._library import load
from ._logging import LogHook
from ._native import vd_broker_client, vd_broker_error, vd_broker_token
from ._options import Setting, c_string
from .errors import CredentialBrokerError, error_class

LIB = _native.declare(load())
_CLASSIFIERS = {
    "retriable": LIB.vd_broker_status_is_retriable,
    "authentication_failure": LIB.vd_broker_status_is_authentication_failure,
    "configuration_error": LIB.vd_broker_status_is_configuration_error,
    "caller_error": LIB.vd_broker_status_is_caller_error,
    "unavailable": LIB.vd_broker_status_is_unavailable,
}
LOG_HOOK = LogHook(LIB)


def native_version() -> str:
    """The loaded library's version, e.g. ``"0.1.0"``."""
    return LIB.vd_broker_version().decode("ascii")


def _failure(error: POINTER(vd_broker_error)) -> CredentialBrokerError:
    """The exception for a preferred call's error object, which it frees."""
    try:
        status, http_status = error.contents.status, error.contents.http_status
        message = ctypes.string_at(error.contents.message).decode("utf-8", "replace")
    finally:
        LIB.vd_broker_error_free(error)
    name = LIB.vd_broker_status_name(status).decode("ascii")
    classes = {kind: bool(classify(status)) for kind, classify in _CLASSIFIERS.items()}
    return error_class(name, classes)(message, status, name, http_status or None, classes)


def _checked(call: Callable[[POINTER(vd_broker_error)], int]) -> None:
    """Runs a preferred call, raising its error object as an exception."""
    error = POINTER(vd_broker_error)()
    if call(byref(error)) != _native.Status.OK:
        raise _failure(error)


def _new_client(settings: tuple[Setting, ...]) -> POINTER(vd_broker_client):
    LOG_HOOK.sync()
    options = LIB.vd_broker_options_new()
    if not options:
        raise MemoryError("vd_broker_options_new failed: the native library could not allocate options")
    try:
        # A refused setting is reported by vd_broker_client_create.
        for setter, args in settings:
            getattr(LIB, setter)(options, *args)
        client = POINTER(vd_broker_client)()
        _checked(lambda error: LIB.vd_broker_client_create(options, byref(client), error))
        return client
    finally:
        LIB.vd_broker_options_free(options)


# The token call, as the hot path makes it. No argtypes: every argument is
# passed already converted (the client pointer, bytes, None, a c_uint64, two
# byrefs), which spares ctypes a from_param per argument on every call.
_fetch_token = LIB["vd_broker_client_fetch_token"]
_fetch_token.restype = c_int32
_CLIENT_TIMEOUT = c_uint64(0)  # 0: the client's own timeout


class _TokenText(ctypes.Structure):
    """``vd_broker_token`` from ``vd_broker_client_fetch_token``: the same
    layout, with the secret read as the NUL-terminated string it is there
    (one copy in C, where ``string_at`` costs a ctypes call of its own)."""

    _fields_ = [("secret", c_char_p), *vd_broker_token._fields_[1:]]


assert vd_broker_token._fields_[0][0] == "secret", "vd_broker_token's first field is its secret"

# Zeroing and freeing never blocks nor calls back into Python, so this call
# keeps the GIL (a PyDLL function); no argtypes either.
_free_token_text = ctypes.PyDLL(LIB._name, handle=LIB._handle)["vd_broker_token_free"]
_free_token_text.restype = None

#: Out-parameters no call is using: a call takes a set and gives it back.
#: ``list.pop`` and ``append`` are atomic, so no two calls share a set — not
#: two threads, nor a call made from a signal or log handler inside another.
_SPARE_OUTS: list[tuple[object, object, object, object]] = []


def _new_outs() -> tuple[object, object, object, object]:
    token, error = POINTER(_TokenText)(), POINTER(vd_broker_error)()
    return token, byref(token), error, byref(error)


#: Scopes as C strings: a program asks for a few scopes, again and again.
#: Bounded: past this many different ones it starts over.
_SCOPES: dict[str, bytes] = {}
_SCOPES_KEPT = 256


def _scope_bytes(scope: object) -> bytes:
    encoded = c_string(scope, "scope")
    if type(scope) is str:
        if len(_SCOPES) >= _SCOPES_KEPT:
            _SCOPES.clear()
        _SCOPES[scope] = encoded
    return encoded


def _take(call: Callable[..., int]) -> tuple[bytes, int, int]:
    """The secret and times of a preferred token call, the token freed (and zeroed)."""
    token = POINTER(vd_broker_token)()
    _checked(lambda error: call(byref(token), error))
    try:
        fields = token.contents
        return ctypes.string_at(fields.secret, fields.secret_len), fields.expires_on, fields.refresh_on
    finally:
        LIB.vd_broker_token_free(token)


class _Handle:
    """One ``vd_broker_client``, freed when the handle is (at most once)."""

    __slots__ = ("client", "free", "__weakref__")

    def __init__(self, client: POINTER(vd_broker_client)) -> None:
        self.client = client
        self.free = weakref.finalize(self, LIB.vd_broker_client_free, client)
        # At exit, daemon threads may still be inside a call; the OS reclaims it.
        self.free.atexit = False


class NativeClient:
    """A thread-safe owner of a ``vd_broker_client``."""

    def __init__(self, settings: tuple[Setting, ...], defer_unavailable: bool = False) -> None:
        self._settings = settings
        # Built now so that bad configuration fails at construction, as it always did;
        # with ``defer_unavailable``, a Studio-is-absent failure comes at the first call.
        self._handle: _Handle | None = None
        try:
            self._handle = _Handle(_new_client(settings))
        except CredentialBrokerError as error:
            if not (defer_unavailable and error.unavailable):
                raise

    def close(self) -> None:
        """Frees the native client now, or when the calls still using it return.
        A later call makes a new one."""
        self._handle = None

    def token(self, scope: object, claims: str | None) -> tuple[str, int, int]:
        """``vd_broker_client_fetch_token`` for ``scope``: the token, its
        expiry and its refresh time. The warm path of every ``get_token``,
        hence written out in one frame."""
        LOG_HOOK.sync()
        handle = self._handle or self._reopen()
        try:
            encoded_scope = _SCOPES[scope]
        except (KeyError, TypeError):
            encoded_scope = _scope_bytes(scope)
        encoded_claims = c_string(claims, "claims") if claims else None
        try:
            outs = _SPARE_OUTS.pop()
        except IndexError:
            outs = _new_outs()
        token, token_out, error, error_out = outs
        if _fetch_token(handle.client, encoded_scope, encoded_claims, _CLIENT_TIMEOUT, token_out, error_out):
            handle = None  # not kept alive by the traceback
            failure = _failure(error)
            _SPARE_OUTS.append(outs)
            raise failure
        try:
            fields = token.contents
            secret = fields.secret
            # A NUL inside would end the C string early. The core hands out
            # none, but a token must never come out truncated.
            if len(secret) != fields.secret_len:
                secret = ctypes.string_at(ctypes.cast(token, POINTER(ctypes.c_void_p))[0], fields.secret_len)
            return secret.decode("ascii"), fields.expires_on, fields.refresh_on
        finally:
            _free_token_text(token)
            _SPARE_OUTS.append(outs)

    def odbc_token(self, scope: bytes) -> bytes:
        """``vd_broker_client_fetch_odbc_token`` for ``scope``."""
        LOG_HOOK.sync()
        handle = self._handle or self._reopen()
        fetch = LIB.vd_broker_client_fetch_odbc_token
        return _take(lambda token, error: fetch(handle.client, scope, 0, token, error))[0]

    def _reopen(self) -> _Handle:
        # Two threads racing here each make a client; the one not kept is
        # freed when its call returns.
        handle = self._handle = _Handle(_new_client(self._settings))
        return handle
