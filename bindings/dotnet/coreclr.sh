# Sourced by build-and-test.sh and tests/dotnet-consumer/run.sh: where
# CoreCLR is and how an application runs on it.
#
# CoreCLR 3.1 with its Microsoft.NETCore.App shared framework comes from
# PyPI's dotnetcore2 (Microsoft's package), installed into the Python
# environment first on PATH (.ci/install.d/55-coreclr.sh). It has the host
# (`dotnet exec`) and no SDK: assemblies are compiled by Mono's mcs.
coreclr_bin="$(python3 -c 'import os, dotnetcore2; print(os.path.join(os.path.dirname(dotnetcore2.__file__), "bin"))' 2>/dev/null)" ||
  { echo "no CoreCLR: PyPI's dotnetcore2 is not installed in $(command -v python3) (run .ci/install.d/55-coreclr.sh)" >&2; exit 1; }

# OpenSSL 1.1 for CoreCLR 3.1 (55-coreclr.sh): put first on LD_LIBRARY_PATH of
# what runs on CoreCLR, with the directory of libvd_broker.so.
coreclr_openssl="$(python3 -c 'import sys; print(sys.prefix)')/lib/coreclr-openssl"
[ -f "$coreclr_openssl/libssl.so.1.1" ] ||
  { echo "no OpenSSL 1.1 for CoreCLR 3.1 in $coreclr_openssl: run .ci/install.d/55-coreclr.sh" >&2; exit 1; }

coreclr_version() { ls "$coreclr_bin/shared/Microsoft.NETCore.App" | sort -V | tail -n 1; }
coreclr_framework() { echo "$coreclr_bin/shared/Microsoft.NETCore.App/$(coreclr_version)"; }

# CoreCLR 3.1 looks for ICU only up to the versions it knew of; tell it the
# installed one (it fails at start without ICU, as a .NET app would).
coreclr_icu="$(ldconfig -p | sed -n 's/^[[:space:]]*libicuuc\.so\.\([0-9][0-9]*\) .*/\1/p' | sort -n | tail -n 1)"
[ -n "$coreclr_icu" ] || { echo "no libicuuc.so.N (ICU) for CoreCLR: run .ci/install.d/55-coreclr.sh" >&2; exit 1; }
# `timeout N "${coreclr_exec[@]}" DIR/APP.dll ARGS...` runs an app that
# coreclr_app laid out in DIR.
coreclr_exec=(env "CLR_ICU_VERSION_OVERRIDE=$coreclr_icu" "$coreclr_bin/dotnet" exec)

# coreclr_app DIR MAIN.dll DEPENDENCY.dll...: an application directory as a
# framework-dependent .NET app has it, its assemblies side by side (the host
# puts them all on its trusted list) and MAIN.runtimeconfig.json naming the
# shared framework. Without Mono's facades: CoreCLR has its own netstandard.dll.
coreclr_app() {
  local dir="$1" main="$2"
  shift 2
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$main" "$@" "$dir/"
  cat >"$dir/$(basename "$main" .dll).runtimeconfig.json" <<JSON
{
  "runtimeOptions": {
    "tfm": "netcoreapp3.1",
    "framework": { "name": "Microsoft.NETCore.App", "version": "$(coreclr_version)" }
  }
}
JSON
}
