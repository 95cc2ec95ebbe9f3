"""The core's log events, delivered into ``logging``.

The native library logs through one process-wide callback
(``vd_broker_set_log_callback``); its messages are redacted in the core.
This module owns that callback: it hands each event to the package's
logger, ``vibedata_studio_azure_cred_broker``, at the matching level
(a fresh token INFO, a failure WARNING, a cache hit DEBUG). The logger has a
``NullHandler``, so a program that configured no logging sees nothing
(logging's last-resort stderr handler is never used).

The callback is registered with the most verbose level the logger wants,
checked before each native call: a program that leaves the logger at
WARNING pays nothing for the per-call DEBUG events, one that turns DEBUG on
later gets them from its next call, and one that turns it off again stops
them from its next call.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import os
import threading

from ._native import LogLevel, vd_broker_log_callback

LOGGER = logging.getLogger("vibedata_studio_azure_cred_broker")
LOGGER.addHandler(logging.NullHandler())

#: The core's levels, most verbose first, with logging's.
_LEVELS = (
    (LogLevel.DEBUG, logging.DEBUG),
    (LogLevel.INFO, logging.INFO),
    (LogLevel.WARNING, logging.WARNING),
    (LogLevel.ERROR, logging.ERROR),
)
_TO_LOGGING = dict(_LEVELS)

#: For each core level registered (0: none), the one check that says it
#: still serves: the next more verbose level still disabled (no event is
#: missed) or, for DEBUG, DEBUG still enabled (the per-call events stop
#: when no longer wanted). A registration left more verbose than the logger
#: wants — after it went from WARNING to ERROR, say — costs only the rare
#: events ``logging`` then drops.
_STILL_SERVES = {
    0: (logging.ERROR, False),
    LogLevel.ERROR: (logging.WARNING, False),
    LogLevel.WARNING: (logging.INFO, False),
    LogLevel.INFO: (logging.DEBUG, False),
    LogLevel.DEBUG: (logging.DEBUG, True),
}


def _deliver(level: int, message: bytes, length: int, user_data: object) -> None:
    # An exception must not cross into the native caller (ctypes would print it).
    try:
        LOGGER.log(_TO_LOGGING.get(level, logging.WARNING), message[:length].decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - a failing handler must not break the call
        pass


class LogHook:
    """The one registration of this process; ``sync()`` before each call."""

    def __init__(self, library: ctypes.CDLL) -> None:
        self._library = library
        # Kept alive for the life of the process: the core may call it on any thread.
        self._callback = vd_broker_log_callback(_deliver)
        self._enabled = LOGGER.isEnabledFor
        self._registered = 0  # the core level registered; 0: none
        self._still_serves = _STILL_SERVES[0]
        self._stopped = False
        self._lock = threading.Lock()
        # A thread of the parent may have held the lock at the fork; the
        # child keeps the core's registration (and this callback's memory).
        os.register_at_fork(after_in_child=self._reset_lock)
        # Silence the core before the interpreter goes: a daemon thread's call
        # must not call into a finalizing interpreter. (The native call
        # releases the GIL, so a delivery in progress can finish first.)
        atexit.register(self.stop)

    def sync(self) -> None:
        """Registers (or clears) the callback for the level the logger wants now.

        Called before every native call, so the usual case — nothing changed —
        is one of ``isEnabledFor``'s cached lookups."""
        checked, enabled = self._still_serves
        if self._enabled(checked) == enabled:
            return
        wanted = next((core for core, level in _LEVELS if self._enabled(level)), 0)
        with self._lock:
            if wanted != self._registered and not self._stopped:
                self._set(wanted)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._set(0)

    def _set(self, level: int) -> None:
        callback = self._callback if level else vd_broker_log_callback()
        # Refused only from inside a callback (a handler calling get_token): keep the old level.
        if self._library.vd_broker_set_log_callback(callback, level, None) == 0:
            self._registered = level
            self._still_serves = _STILL_SERVES[level]

    def _reset_lock(self) -> None:
        self._lock = threading.Lock()
