#!/usr/bin/env bash
# Figures benchmark: a site of 10 posts with 50 figures (the specs of Tests/FiguresTests/Specs,
# in turn), built cold (empty cache) and then again with every figure cached. Prints both times
# and what the build reports. Usage: scripts/bench-figures.sh [PRENSA_BINARY]
# KEEP_SITE=DIR builds in DIR and keeps it (to audit the output).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
prensa=${1:-$here/.build/release/prensa}
[ -x "$prensa" ] || { echo "build it first: swift build -c release --product prensa" >&2; exit 2; }
site=${KEEP_SITE:-$(mktemp -d /tmp/prensa-figures-XXXX)}
[ -n "${KEEP_SITE:-}" ] || trap 'rm -rf "$site"' EXIT
mkdir -p "$site/content/posts"
cp -r "$here/templates" "$site/templates"
cp "$here/content/site.yml" "$site/content/site.yml"
specs=("$here"/Tests/FiguresTests/Specs/*.yml)
figure=0
for post in $(seq 1 10); do
  file="$site/content/posts/post-$post.md"
  printf -- '---\ntitle: "Post %d"\ndate: 2026-11-%02d\ndescription: "Cinco figuras."\n---\n\n' "$post" "$post" > "$file"
  for _ in 1 2 3 4 5; do
    spec=${specs[$((figure % ${#specs[@]}))]}
    name=$(basename "$spec" .yml)
    kind=$(echo "$name" | sed -E 's/^(page-walk|packet-path|scheduler|replacement).*/\1/')
    figure=$((figure + 1))
    { echo "Figura $figure, veja a @fig-f$figure."; echo; echo '```sim '"$kind"; grep -v '^id:' "$spec"; echo "id: f$figure"; echo '```'; echo; } >> "$file"
  done
done
run() {
  local label=$1; shift
  printf '%-7s ' "$label"
  "$prensa" build --source "$site" --output "$site/public-$label" "$@" | tail -1
}
run cold
run cached
run cold2 --no-cache
