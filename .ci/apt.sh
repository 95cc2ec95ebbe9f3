# Sourced by the .ci/install.d parts that need Debian packages. apt_install
# installs the packages not yet installed: as root, or through sudo when it
# needs no password; otherwise it names the command an administrator must
# run and fails. Nothing is done (and no root needed) when all are present.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      echo "install: missing Debian packages: ${missing[*]}" >&2
      echo "install: ask an administrator to run, as root:" \
        "apt-get install --no-install-recommends ${missing[*]}  (then run .ci/install.sh again)" >&2
      return 1
    fi
  fi
  # One index update per install run (.ci/install.sh names the stamp file).
  if [ -z "${VD_APT_STAMP:-}" ] || [ ! -s "$VD_APT_STAMP" ]; then
    "${as_root[@]}" apt-get update -qq
    [ -n "${VD_APT_STAMP:-}" ] && echo updated > "$VD_APT_STAMP"
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
}
