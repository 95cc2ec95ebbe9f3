#!/usr/bin/env bash
# The tools agents run, for the tools suite (tests/suites/80-tools.sh), each
# installed once from its registry at a pinned version into a prefix of its
# own under .tools/ (never .venv: azure-cli pins many packages): the Azure
# CLI, the Fabric CLI, mssql-python, deltalake (with pyarrow to read a table
# back), polars, and azcopy from npm (its binary needs libsecret). The pip
# installs run side by side; the time taken is printed.
set -euo pipefail
SECONDS=0
source .ci/apt.sh
apt_install libsecret-1-0

declare -A pins=(
  [az]="azure-cli==2.91.0"
  [fab]="ms-fabric-cli==1.8.0"
  [mssql]="mssql-python==1.16.0"
  [deltalake]="deltalake==1.6.6 pyarrow==26.0.1"
  [polars]="polars==2.1.0"
)
mkdir -p .tools
pids=()
for name in "${!pins[@]}"; do
  (
    [ -x ".tools/$name/bin/python3" ] || python3 -m venv ".tools/$name"
    # shellcheck disable=SC2086 # one word per requirement
    ".tools/$name/bin/python3" -m pip install --quiet --disable-pip-version-check ${pins[$name]} \
      > ".tools/$name.log" 2>&1 || { cat ".tools/$name.log" >&2; exit 1; }
  ) &
  pids+=($!)
done
(cd tests/tools/azcopy && npm ci --no-audit --no-fund --silent \
  && chmod +x node_modules/@azure-tools/azcopy-linux/dist/bin/azcopy_linux_*)
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
[ "$status" -eq 0 ] || { echo "install: a tool failed to install (its pip output is above)" >&2; exit 1; }
echo "install: tools (az, fab, mssql-python, deltalake, polars, azcopy) in ${SECONDS} s"
