"""The ctypes declarations against include/vd_broker.h: every function, every
parameter type, every constant. A stale binding fails here, not in a user's
process (wasmtime-py keeps its ctypes in step with its header the same way)."""

from __future__ import annotations

import ctypes
import re
from ctypes import POINTER

import pytest

from support.emulator import REPO
from vibedata_studio_azure_cred_broker import _native

HEADER = (REPO / "include" / "vd_broker.h").read_text()
CODE = re.sub(r"/\*.*?\*/|//[^\n]*", "", HEADER, flags=re.S)

BASE_TYPES = {
    "void": None,
    "bool": ctypes.c_bool,
    **{f"{sign}int{bits}_t": getattr(ctypes, f"c_{sign}int{bits}") for sign in ("", "u") for bits in (8, 16, 32, 64)},
    "size_t": ctypes.c_size_t,
    "char": ctypes.c_char,
    "struct vd_broker_client": _native.Client,
    "struct vd_broker_options": _native.Options,
}


def ctype_of(declaration: str):
    """The ctypes type a C type must be declared as: `const char *` is an input
    string (c_char_p), `char *` a buffer the library writes (POINTER(c_char))."""
    declaration = " ".join(declaration.replace("*", " * ").split())
    is_const = declaration.startswith("const ")
    base = declaration.removeprefix("const ").replace(" *", "").strip()
    stars = declaration.count("*")
    if stars == 1 and base == "char" and is_const:
        return ctypes.c_char_p
    if stars == 1 and base == "void":
        return ctypes.c_void_p
    assert base in BASE_TYPES, f"the header uses {base!r}: teach this test (and _native.py) its ctypes type"
    result = BASE_TYPES[base]
    for _ in range(stars):
        result = POINTER(result)
    return result


def header_functions() -> dict[str, tuple[object, list[object]]]:
    functions = {}
    for returns, name, params in re.findall(r"^([\w ]+?\s*\**)\s*(vd_broker_\w+)\(([^)]*)\);", CODE, flags=re.M):
        params = " ".join(params.split())
        argtypes = []
        if params not in ("", "void"):
            for param in params.split(","):
                declared = re.fullmatch(r"\s*(.+?)\s*(\w+)\s*", param).group(1)
                argtypes.append(ctype_of(declared))
        functions[name] = (ctype_of(returns), argtypes)
    return functions


def header_constants() -> dict[str, int]:
    defines = dict(re.findall(r"^#define (VD_BROKER_\w+) (\d+)$", CODE, flags=re.M))
    enumerators = dict(re.findall(r"^\s*(VD_BROKER_\w+) = (\d+),", CODE, flags=re.M))
    return {name: int(value) for name, value in {**defines, **enumerators}.items()}


def test_the_header_parses_into_every_export():
    assert len(header_functions()) >= 20
    assert "vd_broker_client_get_token" in header_functions()


def test_every_header_function_is_declared_and_nothing_else():
    assert sorted(_native.FUNCTIONS) == sorted(header_functions())


@pytest.mark.parametrize("name", sorted(header_functions()))
def test_declaration_matches_the_prototype(name):
    restype, argtypes = header_functions()[name]
    declared_restype, declared_argtypes = _native.FUNCTIONS[name]
    assert declared_restype == restype, f"{name} returns {restype}"
    assert declared_argtypes == argtypes, f"{name} takes {argtypes}"


def test_declarations_are_applied_to_the_loaded_library():
    from vibedata_studio_azure_cred_broker._client import LIB

    for name, (restype, argtypes) in _native.FUNCTIONS.items():
        function = getattr(LIB, name)
        assert (function.restype, function.argtypes) == (restype, argtypes), name


def test_every_status_matches_the_header():
    statuses = {f"VD_BROKER_{s.name}": s.value for s in _native.Status}
    from_header = {n: v for n, v in header_constants().items() if n.startswith(("VD_BROKER_OK", "VD_BROKER_ERR_"))}
    assert statuses == from_header


def test_library_status_names_match():
    from vibedata_studio_azure_cred_broker._client import LIB

    for status in _native.Status:
        assert LIB.vd_broker_status_name(status).decode() == f"VD_BROKER_{status.name}"


def test_constants_match_the_header():
    constants = header_constants()
    assert _native.TOKEN_BUFFER_SIZE == constants["VD_BROKER_TOKEN_BUFFER_SIZE"]
    assert _native.SQL_COPT_SS_ACCESS_TOKEN == constants["VD_BROKER_SQL_COPT_SS_ACCESS_TOKEN"]
