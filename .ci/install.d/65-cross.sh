#!/usr/bin/env bash
# The other three Linux targets of tools/dist.sh and what tests each on its
# own architecture (tests/suites/70-dist.sh, tests/suites/75-platforms.sh):
# - Rust's standard library for aarch64-unknown-linux-gnu and both musl
#   targets (cargo-zigbuild and zig of 60-dist.sh link them);
# - Debian's musl-tools (musl-gcc links the x86_64 musl tarball), and
#   qemu-user-static with binfmt-support, which run aarch64 programs;
# - an arm64 Debian root (python3, its venv module, and musl's loader) in
#   target/debian-arm64, made with debootstrap from the machine's own Debian
#   mirror (read from its apt sources). The tests run its programs with
#   qemu-aarch64-static and QEMU_LD_PREFIX=ROOT, which needs no root; making
#   it does (debootstrap runs the root's own arm64 programs).
#   A complete root is kept: its stamp names what it was made from.
set -euo pipefail
source .ci/apt.sh
SECONDS=0
apt_install qemu-user-static binfmt-support debootstrap musl-tools
rustup target add aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl
echo "install: qemu $(dpkg-query -W -f='${Version}' qemu-user-static), musl-tools, debootstrap and the Rust targets in ${SECONDS}s"

# The kernel runs aarch64 programs through qemu (binfmt_misc): debootstrap's
# second stage inside the root, and the programs an emulated program starts
# (the tests' Python starts Python). A machine-wide setting, lost at reboot,
# so checked on every run.
if [ "$(head -n 1 /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null)" != enabled ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install: binfmt_misc does not run aarch64 programs through qemu; ask an administrator to run, as root:" >&2
    echo "install:   mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; update-binfmts --enable qemu-aarch64" >&2
    exit 1
  fi
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  update-binfmts --enable qemu-aarch64
fi

root_dir=target/debian-arm64
# shellcheck source=/dev/null # the machine's own release file
suite="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
packages=python3,python3-venv,musl
stamp="debootstrap --arch=arm64 --variant=minbase --include=$packages $suite"
if [ -x "$root_dir/usr/bin/python3" ] && [ "$(cat "$root_dir/.complete" 2>/dev/null)" = "$stamp" ]; then
  echo "install: the arm64 root $root_dir is complete ($stamp); kept"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install: the arm64 Debian root ($root_dir) is missing or incomplete, and making it needs root:" >&2
  echo "install: ask an administrator to run, in this checkout: sudo bash .ci/install.d/65-cross.sh" >&2
  exit 1
fi
[ -n "$suite" ] || { echo "install: no VERSION_CODENAME in /etc/os-release: which Debian release is this?" >&2; exit 1; }
# The first Debian mirror of the machine's apt sources (deb822 or one-line).
mirror="$(
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources; grep -hs '^deb ' /etc/apt/sources.list; } |
    grep -oE '(https?|file)://[^ ]+' | grep -v -- '-security' | head -n 1 || true
)"
[ -n "$mirror" ] || { echo "install: no Debian mirror in /etc/apt/sources.list{,.d}" >&2; exit 1; }

SECONDS=0
rm -rf "$root_dir"
mkdir -p target
debootstrap --arch=arm64 --variant=minbase --include="$packages" "$suite" "$root_dir" "$mirror" >target/debootstrap.log 2>&1 ||
  { tail -n 30 target/debootstrap.log >&2; echo "install: debootstrap failed (target/debootstrap.log)" >&2; exit 1; }
# Its package cache is not needed to run it.
rm -rf "$root_dir"/var/cache/apt/archives/*.deb
echo "$stamp" >"$root_dir/.complete"
echo "install: the arm64 root $root_dir ($stamp, from the machine's mirror) in ${SECONDS}s"
