"""deltalake, unchanged: it writes a Delta table to Azurite and reads it
back, authenticated only by what `vd-broker serve --exec` sets (object_store
reads AZURE_MSI_ENDPOINT, with IDENTITY_HEADER)."""

from __future__ import annotations

from conftest import record_version

# The script leaves with os._exit once its answer is out: deltalake 1.6 can
# abort as the interpreter tears down its runtime's threads ("terminate
# called without an active exception", exit 134, seen once in CI after the
# table was written and read), which is the tool's own exit, not the token's.
SCRIPT = """
import json, os, sys
import deltalake
import pyarrow as pa
uri, options = sys.argv[1], json.loads(sys.argv[2])
deltalake.write_deltalake(uri, pa.table({"id": [1, 2, 3], "tool": ["deltalake"] * 3}), storage_options=options)
deltalake.write_deltalake(uri, pa.table({"id": [4], "tool": ["deltalake"]}), storage_options=options, mode="append")
table = deltalake.DeltaTable(uri, storage_options=options)
print(json.dumps({"version": deltalake.__version__, "table_version": table.version(),
                  "rows": sorted(table.to_pyarrow_table().column("id").to_pylist())}))
sys.stdout.flush()
os._exit(0)
"""


def test_writes_and_reads_a_delta_table_on_azurite(on_azurite):
    result, identity = on_azurite("deltalake", SCRIPT, "tables/events")

    record_version("deltalake", result["version"])
    assert result["table_version"] == 1 and result["rows"] == [1, 2, 3, 4]
    assert identity.audiences() == ["storage"]
