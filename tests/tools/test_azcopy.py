"""azcopy, unchanged, with AZCOPY_AUTO_LOGIN_TYPE=MSI: it copies a file to
a container on Azurite and lists it (`azcopy make` takes no IP-style URL,
with the account in the path, so the container is made beforehand). azcopy
sends a token only to hosts it trusts, so Azurite's host:port is named with
--trusted-microsoft-suffixes."""

from __future__ import annotations

import json

from conftest import record_version, run, tool


def test_copies_a_file_to_azurite_and_lists_it(base_env, served, azurite, make_container, tmp_path):
    azcopy = tool("azcopy")
    env = {**base_env, **served.variables, "AZCOPY_AUTO_LOGIN_TYPE": "MSI",
           "AZCOPY_LOG_LOCATION": str(tmp_path / "logs"), "AZCOPY_JOB_PLAN_LOCATION": str(tmp_path / "plans"),
           "AZCOPY_DISABLE_SYSLOG": "true"}
    record_version("azcopy", run([azcopy, "--version"], env).stdout.split()[-1])
    trusted = ["--trusted-microsoft-suffixes", azurite.host]
    container = make_container("azcopy")
    (tmp_path / "report.csv").write_text("id,tool\n1,azcopy\n")

    run([azcopy, "copy", tmp_path / "report.csv", f"{azurite.account_url}/{container}/reports/report.csv",
         "--from-to", "LocalBlob", *trusted], env)
    listing = run([azcopy, "list", f"{azurite.account_url}/{container}", "--location", "Blob",
                   "--output-type", "json", *trusted], env)

    listed = [json.loads(json.loads(line)["MessageContent"])["Path"]
              for line in listing.stdout.splitlines() if '"ListObject"' in line]
    assert listed == ["reports/report.csv"]
    assert served.audiences() == ["storage"]
