"""polars, unchanged: it writes a Parquet file to Azurite over az:// and
reads it back, authenticated only by what `vd-broker serve --exec` sets."""

from __future__ import annotations

import json

from conftest import Identity, exec_under_serve, record_version, tool

SCRIPT = """
import json, sys
import polars as pl
path, options = sys.argv[1], json.loads(sys.argv[2])
pl.DataFrame({"id": [1, 2, 3], "tool": ["polars"] * 3}).write_parquet(path, storage_options=options)
frame = pl.read_parquet(path, storage_options=options)
print(json.dumps({"version": pl.__version__, "rows": frame.sort("id")["id"].to_list()}))
"""


def test_reads_parquet_from_azurite_over_az(base_env, emulator, azurite, make_container, tmp_path):
    identity = Identity(emulator, tmp_path / "identity")
    container = make_container("polars")
    options = {"account_name": "devstoreaccount1", "endpoint": azurite.account_url}

    done = exec_under_serve(identity, [tool("polars", "bin", "python3"), "-c", SCRIPT,
                                       f"az://{container}/frames/ids.parquet", json.dumps(options)], base_env)

    result = json.loads(done.stdout)
    record_version("polars", result["version"])
    assert result["rows"] == [1, 2, 3]
    assert identity.audiences() == ["storage"]
