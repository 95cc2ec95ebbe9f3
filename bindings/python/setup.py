"""Builds the Rust core (the crate at the repository root) into the package
as a plain shared library for ctypes, and tags the wheel py3-none-<platform>.

pip builds a local directory in place, so the crate is found two levels up;
an sdist taken out of the repository cannot build (it has no crate).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from setuptools import setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools_rust import Binding, RustExtension, Strip, build_rust

HERE = Path(__file__).resolve().parent
CRATE_MANIFEST = HERE.parent.parent / "Cargo.toml"
PACKAGE = "vibedata_studio_azure_cred_broker"


def _library_file() -> str:
    """The bundled library's file name, from the module that loads it."""
    spec = importlib.util.spec_from_file_location("_vd_library", HERE / "src" / PACKAGE / "_library.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LIBRARY_FILE


class build_plain_library(build_rust):
    """Puts the cdylib in the package under its platform name: it is loaded
    with ctypes, not imported, so a CPython-version suffix would be wrong."""

    def get_dylib_ext_path(self, ext: RustExtension, target_fname: str) -> str:
        return str(Path(super().get_dylib_ext_path(ext, target_fname)).with_name(_library_file()))


class bdist_wheel_any_python(bdist_wheel):
    """ctypes needs no CPython ABI: one wheel serves every Python 3 on a platform."""

    def get_tag(self) -> tuple[str, str, str]:
        return "py3", "none", super().get_tag()[2]


if not CRATE_MANIFEST.is_file():
    raise SystemExit(
        f"{CRATE_MANIFEST} not found: build this package from the vd_broker repository "
        "(`pip install ./bindings/python` at its root); it compiles the Rust crate there"
    )

# A pip build gets its own cargo target directory, so it never waits on (or
# disturbs) the lock of the repository's target/ that `cargo build` holds.
cargo_env = dict(os.environ)
cargo_env.setdefault("CARGO_TARGET_DIR", str(HERE / "build" / "cargo"))

setup(
    rust_extensions=[
        RustExtension(
            f"{PACKAGE}.libvd_broker",
            path=str(CRATE_MANIFEST),
            binding=Binding.NoBinding,
            # The library alone: the default `serve` feature only adds the
            # `vd-broker serve` command's HTTP server, which a wheel never holds.
            args=["--locked", "--no-default-features"],
            strip=Strip.Debug,
            env=cargo_env,
        )
    ],
    cmdclass={"build_rust": build_plain_library, "bdist_wheel": bdist_wheel_any_python},
)
