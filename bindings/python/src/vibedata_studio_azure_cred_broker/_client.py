"""The native client: calls into ``vd_broker``, and the handle's lifetime.

A ``NativeClient`` owns at most one ``vd_broker_client`` at a time. It is
freed exactly once: by ``close()`` — or, when calls are still running on
other threads, by the last of them to return — or by the garbage collector
for a credential nobody closed. The core makes a client safe to use and to
free in a forked child (it leaves the parent's connections alone).
"""

from __future__ import annotations

import ctypes
import os
import threading
import weakref
from collections.abc import Callable
from ctypes import POINTER, byref
from typing import NamedTuple

from . import _native
from ._library import load
from ._logging import LogHook
from ._native import vd_broker_client, vd_broker_error, vd_broker_token
from ._options import Setting
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


class Token(NamedTuple):
    """A token as the core handed it out; Unix seconds."""

    token: str
    expires_on: int
    refresh_on: int


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
    """One ``vd_broker_client`` and the calls using it."""

    __slots__ = ("client", "in_flight", "retired", "free", "__weakref__")

    def __init__(self, client: POINTER(vd_broker_client)) -> None:
        self.client = client
        self.in_flight = 0
        self.retired = False
        # Runs at most once: on close, after the last call, or at collection.
        self.free = weakref.finalize(self, LIB.vd_broker_client_free, client)
        # At exit, daemon threads may still be inside a call; the OS reclaims it.
        self.free.atexit = False


_LIVE: weakref.WeakSet[NativeClient] = weakref.WeakSet()


class NativeClient:
    """A thread-safe owner of a ``vd_broker_client``."""

    def __init__(self, settings: tuple[Setting, ...], defer_unavailable: bool = False) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        # Built now so that bad configuration fails at construction, as it always did;
        # with ``defer_unavailable``, a Studio-is-absent failure comes at the first call.
        self._handle: _Handle | None = None
        try:
            self._handle = _Handle(_new_client(settings))
        except CredentialBrokerError as error:
            if not (defer_unavailable and error.unavailable):
                raise
        _LIVE.add(self)

    def close(self) -> None:
        """Frees the native client now, or when the calls still using it return.
        A later call makes a new one."""
        with self._lock:
            handle, self._handle = self._handle, None
            if handle is None:
                return
            handle.retired = True
            idle = handle.in_flight == 0
        if idle:
            handle.free()

    def token(self, scope: bytes, claims: bytes | None) -> Token:
        """``vd_broker_client_fetch_token`` for ``scope``."""
        secret, expires_on, refresh_on = self._call(
            lambda client: _take(lambda token, error: LIB.vd_broker_client_fetch_token(client, scope, claims, 0, token, error))
        )
        return Token(secret.decode("ascii"), expires_on, refresh_on)

    def odbc_token(self, scope: bytes) -> bytes:
        """``vd_broker_client_fetch_odbc_token`` for ``scope``."""
        return self._call(
            lambda client: _take(lambda token, error: LIB.vd_broker_client_fetch_odbc_token(client, scope, 0, token, error))
        )[0]

    def _call(self, body: Callable[[POINTER(vd_broker_client)], object]):
        LOG_HOOK.sync()
        with self._lock:
            if self._handle is None:
                self._handle = _Handle(_new_client(self._settings))
            handle = self._handle
            handle.in_flight += 1
        try:
            return body(handle.client)
        finally:
            with self._lock:
                handle.in_flight -= 1
                last = handle.retired and handle.in_flight == 0
            if last:
                handle.free()

    def _after_fork(self) -> None:
        # Threads of the parent, and the lock or calls they held, are gone.
        self._lock = threading.Lock()
        if self._handle is not None:
            self._handle.in_flight = 0


os.register_at_fork(after_in_child=lambda: [client._after_fork() for client in list(_LIVE)])
