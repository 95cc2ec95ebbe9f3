"""The ODBC access-token blob for pyodbc's attrs_before={1256: blob}, built
by the native library, against the well-known pure-Python recipe."""

from __future__ import annotations

import struct

import pytest

from support.tokens import claims
from vibedata_studio_azure_cred_broker import SQL_COPT_SS_ACCESS_TOKEN, ScopeNotAllowedError

SQL = "https://database.windows.net/.default"


def pyodbc_recipe(token: str) -> bytes:
    """What pyodbc users have long built by hand for SQL_COPT_SS_ACCESS_TOKEN."""
    data = token.encode("utf-16-le")
    return struct.pack("<I", len(data)) + data


def test_blob_matches_the_pyodbc_recipe_byte_for_byte(emulator, make_credential):
    credential = make_credential()
    token = credential.get_token(SQL).token  # cached: the blob is built from this same token
    blob = credential.odbc_access_token()

    assert blob == pyodbc_recipe(token)
    assert len(emulator.requests()) == 1
    assert claims(token)["aud"] == "https://database.windows.net/"
    assert SQL_COPT_SS_ACCESS_TOKEN == 1256


def test_blob_for_another_scope(emulator, make_credential):
    credential = make_credential()
    blob = credential.odbc_access_token("https://storage.azure.com/.default")
    (length,) = struct.unpack_from("<I", blob)
    token = blob[4:].decode("utf-16-le")
    assert length == len(blob) - 4
    assert claims(token)["vd_audience"] == "storage"
    assert blob == pyodbc_recipe(credential.get_token("https://storage.azure.com/.default").token)


def test_blob_errors_are_the_token_errors(emulator, make_credential):
    with pytest.raises(ScopeNotAllowedError):
        make_credential().odbc_access_token("https://graph.microsoft.com/.default")
    assert emulator.requests() == []
