"""The native client: calls into ``vd_broker``, and the handle's lifetime.

A ``NativeClient`` owns at most one ``vd_broker_client`` at a time. It is
freed exactly once: by ``close()`` — or, when calls are still running on
other threads, by the last of them to return — or by the garbage collector
for a credential nobody closed. A forked child never touches its parent's
client (it holds the parent's pooled sockets, and a parent thread may have
been inside it): the child makes its own on first use.
"""

from __future__ import annotations

import ctypes
import os
import threading
import weakref
from collections.abc import Callable
from ctypes import byref, c_int64, c_size_t, c_uint8, c_uint16
from typing import NamedTuple

from . import _native
from ._library import load
from ._native import TOKEN_BUFFER_SIZE, ClientPointer, Status
from ._options import Setting
from .errors import CredentialBrokerError, error_for

LIB = _native.declare(load())

# Big enough for the core's longest message (an unmapped scope lists every
# known resource); a longer one is cut, never overrun.
_ERROR_BUFFER_SIZE = 4096


class Token(NamedTuple):
    """A token as the core handed it out; Unix seconds."""

    token: str
    expires_on: int
    refresh_on: int


def native_version() -> str:
    """The loaded library's version, e.g. ``"0.1.0"``."""
    return LIB.vd_broker_version().decode("ascii")


def _status_name(status: int) -> str:
    return LIB.vd_broker_status_name(status).decode("ascii")


def _failure(status: int, error_buffer: ctypes.Array, http_status: int = 0) -> CredentialBrokerError:
    return error_for(status, _status_name(status), error_buffer.value.decode("utf-8", "replace"), http_status)


def _thread_last_error() -> str:
    # The options setters have no error buffer of their own. Reading this
    # thread's last error right after the call is sound here: a Python thread
    # is one OS thread, and nothing else runs on it in between.
    buffer = ctypes.create_string_buffer(_ERROR_BUFFER_SIZE)
    LIB.vd_broker_last_error_message(buffer, len(buffer), None)
    return buffer.value.decode("utf-8", "replace")


def _new_client(settings: tuple[Setting, ...]) -> ClientPointer:
    options = LIB.vd_broker_options_new()
    if not options:
        raise MemoryError("vd_broker_options_new failed: the native library could not allocate options")
    try:
        for setting in settings:
            status = getattr(LIB, setting.setter)(options, *setting.args)
            if status != Status.OK:
                raise error_for(
                    status, _status_name(status), f"{setting.given} is not accepted: {_thread_last_error()}"
                )
        client = ClientPointer()
        errors = ctypes.create_string_buffer(_ERROR_BUFFER_SIZE)
        status = LIB.vd_broker_client_new(options, byref(client), errors, len(errors))
        if status != Status.OK:
            raise _failure(status, errors)
        return client
    finally:
        LIB.vd_broker_options_free(options)


def _free_client(client: ClientPointer, owner_pid: int) -> None:
    if os.getpid() == owner_pid:
        LIB.vd_broker_client_free(client)


class _Handle:
    """One ``vd_broker_client`` and the calls using it."""

    __slots__ = ("client", "in_flight", "retired", "free", "__weakref__")

    def __init__(self, client: ClientPointer) -> None:
        self.client = client
        self.in_flight = 0
        self.retired = False
        # Runs at most once: on close, after the last call, or at collection.
        self.free = weakref.finalize(self, _free_client, client, os.getpid())
        # At exit, daemon threads may still be inside a call; the OS reclaims it.
        self.free.atexit = False


_LIVE: weakref.WeakSet[NativeClient] = weakref.WeakSet()


class NativeClient:
    """A thread-safe, fork-safe owner of a ``vd_broker_client``."""

    def __init__(self, settings: tuple[Setting, ...]) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        # Built now so that bad configuration fails at construction, as it always did.
        self._handle: _Handle | None = _Handle(_new_client(settings))
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
        """``vd_broker_client_get_token`` for ``scope``."""
        return self._call(lambda client: _get_token(client, scope, claims))

    def odbc_token(self, scope: bytes) -> bytes:
        """``vd_broker_client_get_odbc_token`` for ``scope``."""
        return self._call(lambda client: _get_odbc_token(client, scope))

    def _call(self, body: Callable[[ClientPointer], object]):
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

    def _forget_after_fork(self) -> None:
        # Another thread may have held the lock when the parent forked.
        self._lock = threading.Lock()
        if self._handle is not None:
            self._handle.free.detach()
        self._handle = None


def _after_fork_in_child() -> None:
    for client in list(_LIVE):
        client._forget_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _get_token(client: ClientPointer, scope: bytes, claims: bytes | None) -> Token:
    expires_on, refresh_on = c_int64(), c_int64()
    secret = _sized_call(
        lambda buffer, capacity, length, http_status, errors: LIB.vd_broker_client_get_token(
            client, scope, claims, 0, buffer, capacity,
            byref(length), byref(expires_on), byref(refresh_on), byref(http_status), errors, len(errors),
        ),
        ctypes.create_string_buffer,
        terminator=1,
    )  # fmt: skip
    return Token(secret.decode("ascii"), expires_on.value, refresh_on.value)


def _get_odbc_token(client: ClientPointer, scope: bytes) -> bytes:
    return _sized_call(
        lambda buffer, capacity, length, http_status, errors: LIB.vd_broker_client_get_odbc_token(
            client, scope, 0, buffer, capacity, byref(length), None, byref(http_status), errors, len(errors)
        ),
        lambda capacity: (c_uint8 * capacity)(),
        terminator=0,
    )


def _sized_call(
    call: Callable[[ctypes.Array, int, c_size_t, c_uint16, ctypes.Array], int],
    new_buffer: Callable[[int], ctypes.Array],
    terminator: int,
) -> bytes:
    """Runs a call that fills a caller buffer: first with the header's size,
    then once more with the size the library reported, if that was too small.
    The buffer is wiped once its content is copied out."""
    capacity = TOKEN_BUFFER_SIZE
    for _ in range(2):
        buffer = new_buffer(capacity)
        length, http_status = c_size_t(), c_uint16()
        errors = ctypes.create_string_buffer(_ERROR_BUFFER_SIZE)
        status = call(buffer, capacity, length, http_status, errors)
        if status == Status.OK:
            try:
                return ctypes.string_at(buffer, length.value)
            finally:
                LIB.vd_broker_secure_zero(buffer, length.value)
        if status != Status.ERR_BUFFER_TOO_SMALL:
            break
        capacity = length.value + terminator
    raise _failure(status, errors, http_status.value)
