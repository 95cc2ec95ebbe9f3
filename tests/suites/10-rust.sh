#!/usr/bin/env bash
# The Rust core: unit and integration tests (against the emulator as a real
# process), the generated header's drift, its compiling as C and C++, and the
# shared library's export list.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

cargo test --locked 2>&1
# The benchmark is not run here (it measures, it does not test), but it must build.
cargo build --locked --benches 2>&1

# build.rs rewrites include/vd_broker.h when the Rust source changed it: a
# difference from the committed file means the commit forgot the header.
if git diff --quiet -- include/vd_broker.h; then
  echo "header: include/vd_broker.h matches the Rust source"
else
  git --no-pager diff -- include/vd_broker.h
  echo "header: include/vd_broker.h drifted from src/ffi; commit the regenerated header" >&2
  exit 1
fi

probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
printf '#include "vd_broker.h"\nint main(void) { return vd_broker_version() == 0; }\n' > "$probe/probe.c"
cp "$probe/probe.c" "$probe/probe.cpp"
gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude -c "$probe/probe.c" -o "$probe/c.o"
g++ -std=c++17 -Wall -Wextra -Wpedantic -Werror -Iinclude -c "$probe/probe.cpp" -o "$probe/cpp.o"
echo "header: compiles as C11 and C++17 with -Wall -Wextra -Wpedantic -Werror"

unexpected="$(nm -D --defined-only target/debug/libvd_broker.so | awk '{print $3}' | grep -v '^vd_broker_' || true)"
if [ -n "$unexpected" ]; then
  echo "exports: libvd_broker.so exports symbols outside vd_broker_*:" >&2
  echo "$unexpected" >&2
  exit 1
fi
echo "exports: $(nm -D --defined-only target/debug/libvd_broker.so | wc -l) symbols, all vd_broker_*"
