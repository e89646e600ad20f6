#!/usr/bin/env bash
# Installs what Prensa needs when it is missing: Debian packages from Debian's own archive, and
# pinned Python packages from PyPI into .prensa-venv/ (in the repository root). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libcmark-gfm-dev libcmark-gfm-extensions-dev pkg-config python3-venv)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} from Debian..."
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}"
fi

# Python packages the build runs, one pinned requirement a line:
#   pagefind[bin]  the search index (the Pagefind binary ships inside the wheel)
python_packages=(
  "pagefind[bin]==1.5.2"
)
venv=.prensa-venv
if [ ! -x "$venv/bin/python" ]; then
  echo "Creating $venv..."
  python3 -m venv "$venv"
fi
# pip freeze names extras' packages without the extra ("pagefind==1.5.2", "pagefind-bin==1.5.2").
installed=$("$venv/bin/python" -m pip freeze --disable-pip-version-check 2>/dev/null | tr '[:upper:]_' '[:lower:]-')
wanted=()
for requirement in "${python_packages[@]}"; do
  pinned=$(printf '%s' "$requirement" | sed 's/\[[^]]*\]//' | tr '[:upper:]_' '[:lower:]-')
  grep -qxF "$pinned" <<<"$installed" || wanted+=("$requirement")
done
if [ ${#wanted[@]} -gt 0 ]; then
  echo "Installing ${wanted[*]} into $venv from PyPI..."
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${wanted[@]}"
fi
