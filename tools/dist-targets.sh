# Sourced by tools/dist.sh and the tests of its packages: the four Linux
# targets, and what each is called by the packages built for it.
#
#   target                          arch     libc  wheel platform          .NET RID
dist_target_table="
x86_64-unknown-linux-gnu.2.17     x86_64   gnu   manylinux2014_x86_64    linux-x64
aarch64-unknown-linux-gnu.2.17    aarch64  gnu   manylinux2014_aarch64   linux-arm64
x86_64-unknown-linux-musl         x86_64   musl  musllinux_1_2_x86_64    linux-musl-x64
aarch64-unknown-linux-musl        aarch64  musl  musllinux_1_2_aarch64   linux-musl-arm64
"
# glibc 2.17 (the .2.17 suffix: cargo-zigbuild links against it) is what
# manylinux2014 promises; musl 1.2 is what Rust's musl targets ship.
# shellcheck disable=SC2034 # the callers read them
dist_all_targets=($(awk 'NF { print $1 }' <<<"$dist_target_table"))

# dist_describe TARGET: sets arch, libc, wheel_platform, rid, and c_name_suffix
# (linux-ARCH, -musl for musl: the C tarball's and the command's name).
dist_describe() {
  local line
  line="$(awk -v t="$1" '$1 == t' <<<"$dist_target_table")"
  if [ -z "$line" ]; then
    echo "unknown target $1: one of ${dist_all_targets[*]}" >&2
    return 64
  fi
  # shellcheck disable=SC2034 # the callers read them
  read -r _ arch libc wheel_platform rid <<<"$line"
  c_name_suffix="linux-$arch"
  [ "$libc" = gnu ] || c_name_suffix+="-$libc"
}
