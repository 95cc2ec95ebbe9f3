# Sourced by the suites that test the packages of tools/dist.sh on their
# own architecture (tests/suites/70-dist.sh, 75-platforms.sh). Needs root
# (the repository), work and fail() set by the caller.
#
# run_on ARCH PROGRAM [ARGS...] runs a program built for ARCH: natively on
# this machine's architecture, aarch64 under qemu-aarch64-static with the
# arm64 Debian root of .ci/install.d/65-cross.sh as the place its loader and
# C libraries come from (QEMU_LD_PREFIX, which the programs it starts
# inherit; binfmt_misc runs those through qemu too; see arm64_prefix). No
# chroot, no root.
#
# zig_cc TRIPLE prints a C compiler command for another target (zig, the
# same zig cargo-zigbuild uses; .venv's ziglang).

arm64_root="$root/target/debian-arm64"

run_on() {
  local arch="$1"
  shift
  if [ "$arch" = "$(uname -m)" ]; then
    "$@"
    return
  fi
  [ "$arch" = aarch64 ] || fail "no way to run $arch programs here"
  command -v qemu-aarch64-static >/dev/null || fail "qemu-aarch64-static not found: run .ci/install.sh"
  [ -s "$arm64_root/.complete" ] ||
    fail "no arm64 root at $arm64_root: run .ci/install.sh (making it needs root: .ci/install.d/65-cross.sh)"
  QEMU_LD_PREFIX="$(arm64_prefix)" qemu-aarch64-static "$@"
}

# arm64_prefix prints the loader prefix qemu is given: a view of the arm64
# root (in $work) holding only what programs load from it. qemu takes any
# path from the prefix when the prefix has it, so the root's own empty /tmp,
# /home or /root would hide the host's, where the repository or a test's
# scratch files may be (pytest, walking down from /tmp, then found no test).
arm64_prefix() {
  local view="$work/arm64-prefix" dir
  if [ ! -d "$view" ]; then
    mkdir "$view"
    for dir in bin etc lib lib64 sbin usr; do
      if [ -e "$arm64_root/$dir" ]; then
        ln -s "$arm64_root/$dir" "$view/$dir"
      fi
    done
  fi
  echo "$view"
}

zig_cc() {
  local zig
  zig="$(python3 -c 'import os, ziglang; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')"
  [ -x "$zig" ] || fail "zig not found in python3's ziglang package: run .ci/install.sh"
  echo "$zig cc -target $1"
}
