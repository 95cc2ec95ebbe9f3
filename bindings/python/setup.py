"""Builds the Rust core (the vd_broker crate) into the package as a plain
shared library for ctypes, and tags the wheel py3-none-<platform>.

Where the crate is: in an sdist, in ``crate/`` beside this file (the sdist
command below copies the files the crate's own Cargo.toml ``include`` names);
in the repository, two levels up. ``VD_BROKER_PREBUILT_LIBRARY`` names a
library already built instead: tools/dist.sh builds it once per Linux target
(x86_64 and aarch64, glibc 2.17 and musl) and ships that same file in the
target's wheel (``--plat-name`` gives its tag), C tarball and the NuGet package.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tomllib
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist
from setuptools_rust import Binding, RustExtension, Strip, build_rust

HERE = Path(__file__).resolve().parent
SDIST_CRATE = HERE / "crate"
REPOSITORY_CRATE = HERE.parent.parent
PACKAGE = "vibedata_studio_azure_cred_broker"
ENV_PREBUILT = "VD_BROKER_PREBUILT_LIBRARY"

# cargo's arguments for the library alone: the default `serve` feature only
# adds the `vd-broker serve` command's HTTP server, which a wheel never holds
# (tools/install-c-library.sh builds the same way).
CARGO_ARGS = ["--locked", "--no-default-features"]


def _library_file() -> str:
    """The bundled library's file name, from the module that loads it."""
    spec = importlib.util.spec_from_file_location("_vd_library", HERE / "src" / PACKAGE / "_library.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LIBRARY_FILE


def _crate_dir() -> Path:
    for candidate in (SDIST_CRATE, REPOSITORY_CRATE):
        if (candidate / "Cargo.toml").is_file():
            return candidate
    raise SystemExit(
        f"no Rust crate found (neither {SDIST_CRATE}/Cargo.toml nor {REPOSITORY_CRATE}/Cargo.toml): "
        "build this package from its sdist or from the vd_broker repository (`pip install ./bindings/python`)"
    )


def _prebuilt_library() -> Path | None:
    value = os.environ.get(ENV_PREBUILT, "").strip()
    if not value:
        return None
    path = Path(value)
    if not path.is_file():
        raise SystemExit(f"{ENV_PREBUILT}={value!r} is not a file: point it at a built libvd_broker.so, or unset it")
    return path


class build_plain_library(build_rust):
    """Puts the cdylib in the package under its platform name: it is loaded
    with ctypes, not imported, so a CPython-version suffix would be wrong."""

    def get_dylib_ext_path(self, ext: RustExtension, target_fname: str) -> str:
        return str(Path(super().get_dylib_ext_path(ext, target_fname)).with_name(_library_file()))


class build_py_with_prebuilt(build_py):
    """Copies the prebuilt library into the package, when one is given."""

    def run(self) -> None:
        super().run()
        prebuilt = _prebuilt_library()
        if prebuilt is not None:
            shutil.copyfile(prebuilt, Path(self.build_lib) / PACKAGE / _library_file())


class bdist_wheel_any_python(bdist_wheel):
    """ctypes needs no CPython ABI: one wheel serves every Python 3 on a
    platform."""

    def get_tag(self) -> tuple[str, str, str]:
        return "py3", "none", super().get_tag()[2]


class NativeDistribution(Distribution):
    """Never pure, even with a prebuilt library and so no Rust extension to
    build: the library goes to platlib, where auditwheel looks for it."""

    def has_ext_modules(self) -> bool:
        return True


class sdist_with_crate(sdist):
    """An sdist that builds anywhere Rust is installed: the crate goes in as
    crate/, exactly the files its Cargo.toml ``include`` ships."""

    def make_release_tree(self, base_dir: str, files: list[str]) -> None:
        super().make_release_tree(base_dir, files)
        crate = _crate_dir()
        manifest = tomllib.loads((crate / "Cargo.toml").read_text(encoding="utf-8"))
        destination = Path(base_dir) / "crate"
        for entry in manifest["package"]["include"]:
            source = crate / entry.lstrip("/")
            target = destination / entry.lstrip("/")
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)


def _rust_extensions() -> list[RustExtension]:
    if _prebuilt_library() is not None:
        return []
    crate = _crate_dir()
    # In the repository, release builds for packages share one cargo target
    # directory (with tools/install-c-library.sh), apart from the tests'
    # target/debug and never waiting on its lock.
    # From an sdist: CARGO_TARGET_DIR if set, else a directory of its own.
    given = os.environ.get("CARGO_TARGET_DIR")
    if crate == REPOSITORY_CRATE:
        target_dir = Path(given or crate / "target") / "packaging"
    else:
        target_dir = Path(given) if given else HERE / "build" / "cargo"
    cargo_env = dict(os.environ, CARGO_TARGET_DIR=str(target_dir))
    return [
        RustExtension(
            f"{PACKAGE}.libvd_broker",
            path=str(crate / "Cargo.toml"),
            binding=Binding.NoBinding,
            args=CARGO_ARGS,
            strip=Strip.Debug,
            env=cargo_env,
        )
    ]


setup(
    distclass=NativeDistribution,
    rust_extensions=_rust_extensions(),
    cmdclass={
        "build_rust": build_plain_library,
        "build_py": build_py_with_prebuilt,
        "bdist_wheel": bdist_wheel_any_python,
        "sdist": sdist_with_crate,
    },
)
