#!/usr/bin/env bash
# Reproducible builds: builds the real blog (content/ and templates/) twice from scratch, from two
# copies of the site at different paths (the second written file by file in reverse order), with
# different TZ, LANG/LC_ALL, file modification times and CPU counts, no cache and no earlier
# output, then compares the two public/ folders byte for byte (diff -r, then a SHA-256 list of
# every file). Any difference fails.
#
#   scripts/check-reproducible.sh [--other-filesystem] [PRENSA]   (default: .build/release/prensa)
#
# Highlighting and search run as in `make site` (the repository's .prensa-venv), and the swift
# sim blocks are compiled in each copy (about 25 s each).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
prensa=${1:-$repo/.build/release/prensa}
prensa=$(cd "$(dirname "$prensa")" && pwd)/$(basename "$prensa")
if [ ! -x "$prensa" ]; then
  echo "check-reproducible: no prensa at $prensa; run make site first" >&2
  exit 1
fi
python=$repo/.prensa-venv/bin/python
if [ ! -x "$python" ]; then
  echo "check-reproducible: no $python; run make site first" >&2
  exit 1
fi

# --other-filesystem puts the second copy in /dev/shm (tmpfs), whose folders list files in
# creation order. Pagefind's index then differs: `pagefind --site` numbers pages in listing order
# (a known non-determinism, see the hardening report), so CI keeps both copies on one file system.
other_filesystem=""
if [ "${1:-}" = "--other-filesystem" ]; then
  other_filesystem=1
  shift
fi
first=$(mktemp -d "${TMPDIR:-/tmp}/prensa-repro-first-XXXXXX")
if [ -n "$other_filesystem" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  second=$(mktemp -d /dev/shm/prensa-repro-second-and-longer-path-XXXXXX)
else
  second=$(mktemp -d "${TMPDIR:-/tmp}/prensa-repro-second-and-longer-path-XXXXXX")
fi
trap 'rm -rf "$first" "$second"' EXIT

# The first copy in the repository's order, the second written file by file in reverse order.
cp -R content templates "$first/"
(cd "$repo" && find content templates -type d) | while read -r folder; do mkdir -p "$second/$folder"; done
(cd "$repo" && find content templates -type f | sort -r) | while read -r file; do cp "$repo/$file" "$second/$file"; done

# Different modification times (the second copy's folders too).
find "$first" -exec touch -h -d '2001-02-03 04:05:06 UTC' {} +
find "$second" -exec touch -h -d '2030-12-31 23:59:58 UTC' {} +

build() { # build DIR TZ LOCALE [taskset CPUs]
  local dir=$1 tz=$2 locale=$3
  shift 3
  (
    cd "$dir"
    env -u PRENSA_ROOT TZ="$tz" LANG="$locale" LC_ALL="$locale" LANGUAGE="${locale%%.*}" \
      PRENSA_PYTHON="$python" "$@" "$prensa" build --no-cache --quiet
  )
}
echo "check-reproducible: building $first (TZ=America/Sao_Paulo, LC_ALL=C.UTF-8)"
build "$first" America/Sao_Paulo C.UTF-8
echo "check-reproducible: building $second (TZ=Pacific/Kiritimati, LC_ALL=tr_TR.UTF-8, one CPU)"
if command -v taskset >/dev/null; then
  build "$second" Pacific/Kiritimati tr_TR.UTF-8 taskset -c 0
else
  build "$second" Pacific/Kiritimati tr_TR.UTF-8
fi

status=0
if ! diff -r "$first/public" "$second/public" >"$first/diff.txt" 2>&1; then
  echo "check-reproducible: the two builds differ (diff -r):" >&2
  head -n 60 "$first/diff.txt" >&2
  status=1
fi
(cd "$first/public" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >"$first/hashes.txt"
(cd "$second/public" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >"$second/hashes.txt"
if ! cmp -s "$first/hashes.txt" "$second/hashes.txt"; then
  echo "check-reproducible: the SHA-256 lists differ:" >&2
  diff "$first/hashes.txt" "$second/hashes.txt" | head -n 40 >&2 || true
  status=1
fi
files=$(wc -l <"$first/hashes.txt")
if [ "$files" -lt 20 ]; then
  echo "check-reproducible: only $files files were built" >&2
  status=1
fi
if [ "$status" -eq 0 ]; then
  echo "check-reproducible: OK: $files files, byte-identical ($(sha256sum "$first/hashes.txt" | cut -c1-16))"
fi
exit "$status"
