#!/usr/bin/env bash
# Installs what Prensa needs when it is missing: the Debian packages (from Debian's own archive),
# then the pinned Python packages (from PyPI) into .prensa-venv/ in the repository root, where
# `prensa build` finds its Python. Quiet and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- Debian packages --------------------------------------------------------------------------
packages=(libcmark-gfm-dev libcmark-gfm-extensions-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
apt_updated=""
apt_install() {
  echo "Installing $* from Debian..."
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$apt_updated" ]; then
    $sudo apt-get update -qq
    apt_updated=1
  fi
  $sudo apt-get install -y -qq "$@"
}
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# --- Python packages, pinned (one per line; the output depends on their versions) ------------
# Pygments: build-time syntax highlighting (templates/assets/highlight.css was made with it).
# pagefind[bin]: the search index (the Pagefind binary ships inside the wheel).
PYTHON_PACKAGES=(
  "Pygments==2.20.0"
  "pagefind[bin]==1.5.2"
)
venv=.prensa-venv

# A venv whose interpreter no longer runs (Python removed or upgraded) is made again.
if [ -e "$venv" ] && ! "$venv/bin/python" -c '' >/dev/null 2>&1; then
  echo "Recreating $venv (its Python no longer runs)..."
  rm -rf "$venv"
fi
if [ ! -e "$venv" ]; then
  echo "Creating $venv..."
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian's python3 needs python3-venv for ensurepip.
    rm -rf "$venv"
    apt_install python3 python3-venv
    /usr/bin/python3 -m venv "$venv"
  fi
fi

# The pins that are not installed at exactly their version.
mapfile -t wanted < <("$venv/bin/python" - "${PYTHON_PACKAGES[@]}" <<'EOF'
import re
import sys
from importlib.metadata import PackageNotFoundError, version

for pin in sys.argv[1:]:
    name, _, pinned = pin.partition("==")
    name = re.sub(r"\[.*\]$", "", name)
    try:
        if version(name) == pinned:
            continue
    except PackageNotFoundError:
        pass
    print(pin)
EOF
)
if [ ${#wanted[@]} -gt 0 ]; then
  echo "Installing ${wanted[*]} into $venv..."
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${wanted[@]}"
fi
