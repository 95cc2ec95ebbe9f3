"""Finding and loading the native vd_broker library.

setup.py reads ``LIBRARY_FILE`` from this file without importing the package,
so it stays free of imports beyond the standard library.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

#: Names another build of the library (a path to the shared library) to load
#: instead of the one bundled in the package — for developing the core.
ENV_LIBRARY = "VD_BROKER_LIBRARY"

#: The platform's file name for the library, as the wheel bundles it.
LIBRARY_FILE = {"darwin": "libvd_broker.dylib", "win32": "vd_broker.dll"}.get(sys.platform, "libvd_broker.so")

#: Where the wheel puts the library: beside this file.
BUNDLED_LIBRARY = Path(__file__).resolve().parent / LIBRARY_FILE


def library_path() -> Path:
    """The library to load: ``$VD_BROKER_LIBRARY`` if set, else the bundled one."""
    explicit = os.environ.get(ENV_LIBRARY, "").strip()
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ImportError(
                f"{ENV_LIBRARY}={explicit!r} is not a file: point it at a build of "
                f"{LIBRARY_FILE} (e.g. target/debug/{LIBRARY_FILE} after `cargo build`), "
                f"or unset it to use the library bundled at {BUNDLED_LIBRARY}"
            )
        return path
    if not BUNDLED_LIBRARY.is_file():
        raise ImportError(
            f"the native vd_broker library is missing: there is no {BUNDLED_LIBRARY} and "
            f"{ENV_LIBRARY} is not set. Reinstall the package with `pip install ./bindings/python` "
            f"(it builds the library), or set {ENV_LIBRARY} to a build of {LIBRARY_FILE}"
        )
    return BUNDLED_LIBRARY


def load() -> ctypes.CDLL:
    """The loaded library (not yet declared: see ``_native.declare``)."""
    path = library_path()
    try:
        return ctypes.CDLL(str(path))
    except OSError as error:
        raise ImportError(f"could not load the native vd_broker library {path}: {error}") from error
