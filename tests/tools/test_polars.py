"""polars, unchanged: it writes a Parquet file to Azurite over az:// and
reads it back, authenticated only by what `vd-broker serve --exec` sets."""

from __future__ import annotations

from conftest import record_version

SCRIPT = """
import json, sys
import polars as pl
path, options = sys.argv[1], json.loads(sys.argv[2])
pl.DataFrame({"id": [1, 2, 3], "tool": ["polars"] * 3}).write_parquet(path, storage_options=options)
frame = pl.read_parquet(path, storage_options=options)
print(json.dumps({"version": pl.__version__, "rows": frame.sort("id")["id"].to_list()}))
"""


def test_reads_parquet_from_azurite_over_az(on_azurite):
    result, identity = on_azurite("polars", SCRIPT, "frames/ids.parquet")

    record_version("polars", result["version"])
    assert result["rows"] == [1, 2, 3]
    assert identity.audiences() == ["storage"]
