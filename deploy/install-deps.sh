#!/usr/bin/env bash
# Install the Debian packages listed in deploy/packages.txt.
#   deploy/install-deps.sh          install only what is missing (no apt-get
#                                   call at all when everything is there)
#   deploy/install-deps.sh --all    apt-get update, then install the whole list
#   deploy/install-deps.sh --list   print the list
# Uses sudo when not run as root.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
LIST=$HERE/packages.txt

packages() { sed -e 's/#.*//' -e 's/[[:space:]]//g' "$LIST" | grep -v '^$'; }

mode=missing
case ${1:-} in
  "") ;;
  --all) mode=all ;;
  --list) packages; exit 0 ;;
  -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "install-deps.sh: unknown option $1" >&2; exit 2 ;;
esac

# One install at a time (the README's two commands may run side by side on a
# fresh machine, and apt/dpkg refuse a second process): wait for the other,
# then see what is still missing.
LOCK=${TMPDIR:-/tmp}/motcua-install-deps.lock
if command -v flock >/dev/null 2>&1 && { exec 7>>"$LOCK"; } 2>/dev/null; then
  chmod 666 "$LOCK" 2>/dev/null || true
  flock -w 1800 7 || { echo "install-deps.sh: another install held $LOCK for 30 min" >&2; exit 1; }
fi

mapfile -t pkgs < <(packages)
want=()
if [[ $mode == all ]]; then
  want=("${pkgs[@]}")
else
  for p in "${pkgs[@]}"; do
    st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $st == installed ]] || want+=("$p")
  done
  if [[ ${#want[@]} -eq 0 ]]; then
    echo "install-deps.sh: all ${#pkgs[@]} packages are installed"
    exit 0
  fi
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps.sh: not root and no sudo; install: ${want[*]}" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps.sh: installing ${want[*]}"
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${want[@]}"
