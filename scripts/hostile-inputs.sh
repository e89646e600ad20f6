#!/usr/bin/env bash
# Hostile inputs: builds one small site per case of Tests/SiteTests/HostileInputTests.swift with
# the real `prensa build` under /usr/bin/time -v, and prints for each the outcome (exit status and
# first diagnostic), the wall time and the peak memory (maximum resident set size). The bounds the
# corpus promises: every case ends within 10 s and 1 GiB (the 50 MB post: 60 s and 2 GiB) in a
# release build; a case past them is marked OVER.
# Usage: scripts/hostile-inputs.sh [PRENSA_BINARY]   (default .build/release/prensa)
# KEEP_SITES=DIR builds in DIR and keeps the sites.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
prensa=${1:-$here/.build/release/prensa}
[ -x "$prensa" ] && prensa=$(cd "$(dirname "$prensa")" && pwd)/$(basename "$prensa")
[ -x "$prensa" ] || { echo "build it first: swift build -c release --product prensa" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }
root=${KEEP_SITES:-$(mktemp -d /tmp/prensa-hostile-XXXX)}
[ -n "${KEEP_SITES:-}" ] || trap 'rm -rf "$root"' EXIT
# The sites and a file outside them are in sites/, what the runs print in logs/.
logs=$root/logs
mkdir -p "$root/sites/outside" "$logs"
printf -- '---\ntitle: Segredo\ndate: 2026-11-27\ndescription: D.\n---\nSegredo.\n' > "$root/sites/outside/segredo.md"

# new_site NAME: an empty site with the real templates; prints its folder.
new_site() {
  local site=$root/sites/$1
  rm -rf "$site"
  mkdir -p "$site/content/posts"
  cp -r "$here/templates" "$site/templates"
  printf 'title: Blog\ndescription: D.\nbase_url: https://exemplo.com.br/\ntimezone: America/Sao_Paulo\n' \
    > "$site/content/site.yml"
  echo "$site"
}
front='---\ntitle: T\ndate: 2026-11-27\ndescription: D.\n---\n\n'

cases=()
s=$(new_site invalid-utf8); { printf -- "$front"; printf 'Ol\xe1\n'; } > "$s/content/posts/a.md"; cases+=(invalid-utf8)
s=$(new_site bom); { printf '\xef\xbb\xbf'; printf -- "$front"; echo Texto.; } > "$s/content/posts/a.md"; cases+=(bom)
s=$(new_site crlf); printf -- '---\r\ntitle: T\r\ndate: 2026-13-01\r\ndescription: D.\r\n---\r\n' > "$s/content/posts/a.md"
cases+=(crlf)
s=$(new_site post-50mb)
python3 - "$s/content/posts/a.md" <<'EOF'
import sys
with open(sys.argv[1], 'w') as f:
    f.write('---\ntitle: Grande\ndate: 2026-11-27\ndescription: D.\n---\n\n')
    n, size = 0, 0
    while size < 50_000_000:
        p = f'Parágrafo {n}: Uma frase comum sobre memória virtual e escalonadores.\n\n'
        f.write(p); size += len(p.encode()); n += 1
EOF
cases+=(post-50mb)
s=$(new_site nested-10000)
python3 - "$s/content/posts/a.md" <<'EOF'
import sys
d = 10_000
open(sys.argv[1], 'w').write('---\ntitle: T\ndate: 2026-11-27\ndescription: D.\n---\n\n' + '> ' * d + 'x\n\n' + '- ' * d
    + 'x\n\n' + '*' * d + 'x' + '*' * d + '\n\n' + '[' * d + 'x' + ']' * d + '\n')
EOF
cases+=(nested-10000)
s=$(new_site line-1mb)
python3 -c "import sys; open(sys.argv[1],'w').write('---\ntitle: T\ndate: 2026-11-27\ndescription: D.\n---\n\n' + 'palavra ' * 125000 + 'fim.\n')" \
  "$s/content/posts/a.md"
cases+=(line-1mb)
s=$(new_site empty-file); : > "$s/content/posts/a.md"; cases+=(empty-file)
s=$(new_site yaml-bomb)
python3 - "$s/content/posts/a.md" <<'EOF'
import sys
lines = ['---', 'title: &a0 Risos'] + [f'x{i}: &a{i} [' + ', '.join([f'*a{i-1}'] * 10) + ']' for i in range(1, 10)]
open(sys.argv[1], 'w').write('\n'.join(lines + ['? *a9', ': chave', 'date: 2026-11-27', 'description: D.', '---']) + '\n')
EOF
cases+=(yaml-bomb)
s=$(new_site yaml-deep)
python3 -c "import sys; open(sys.argv[1],'w').write('---\ntitle: T\ndate: 2026-11-27\ndescription: D.\ntags: ' + '['*10000 + ']'*10000 + '\n---\n')" \
  "$s/content/posts/a.md"
cases+=(yaml-deep)
s=$(new_site slug-escape); printf -- '---\ntitle: T\ndate: 2026-11-27\ndescription: D.\nslug: ../../etc/passwd\n---\n' \
  > "$s/content/posts/a.md"; cases+=(slug-escape)
s=$(new_site duplicate-slug); printf -- "$front" > "$s/content/posts/a.md"
printf -- '---\ntitle: T\ndate: 2026-11-27\ndescription: D.\nslug: a\n---\n' > "$s/content/posts/b.md"; cases+=(duplicate-slug)
s=$(new_site empty-tag-slug); printf -- '---\ntitle: T\ndate: 2026-11-27\ndescription: D.\ntags: ["!!!"]\n---\n' \
  > "$s/content/posts/a.md"; cases+=(empty-tag-slug)
s=$(new_site markup-in-titles)
printf -- '---\ntitle: '"'"'<script>alert("x")</script> & "aspas"'"'"'\ndate: 2026-11-27\ndescription: D.\ntags: ['"'"'<script>"t"</script>'"'"']\n---\n\n```sim scheduler\ntitle: '"'"'<script>"svg"</script>'"'"'\npolicy: fifo\njobs: [{name: A, length: 2}]\n```\n' \
  > "$s/content/posts/a.md"
cases+=(markup-in-titles)
s=$(new_site symlinks); printf -- "$front" > "$s/content/posts/a.md"
ln -s ../../../outside/segredo.md "$s/content/posts/segredo.md"; ln -s /etc/passwd "$s/content/senhas.txt"
ln -s / "$s/content/raiz"; ln -s . "$s/content/laco"; mkfifo "$s/content/fila.md"; cases+=(symlinks)
s=$(new_site sim-billion)
printf -- "$front"'```sim scheduler\ntitle: T\npolicy: rr\nquantum: 0.000001\njobs: [{name: A, length: 1000}, {name: B, length: 1000}]\n```\n' \
  > "$s/content/posts/a.md"
cases+=(sim-billion)

over=0
printf '%-18s %-6s %9s %10s  %s\n' case status seconds peak-MiB "first line of output"
for name in "${cases[@]}"; do
  site=$root/sites/$name
  before=$(cd "$root/sites" && find . -path "./$name/public" -prune -o -path "./$name/.prensa-cache" -prune -o -print \
    | grep -v '/\.public\.staging' | sort | md5sum)
  set +e
  ( cd "$site" && PRENSA_PYTHON=/nonexistent /usr/bin/time -v -o "$logs/$name.time" timeout 300 "$prensa" build \
    > "$logs/$name.out" 2>&1 )
  status=$?
  set -e
  after=$(cd "$root/sites" && find . -path "./$name/public" -prune -o -path "./$name/.prensa-cache" -prune -o -print \
    | grep -v '/\.public\.staging' | sort | md5sum)
  seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$logs/$name.time")
  kib=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$logs/$name.time")
  mib=$((kib / 1024))
  first=$(grep -v '^note:' "$logs/$name.out" | head -1 | sed "s|$root/sites/||g" | cut -c1-110)
  limit_s=10; limit_mib=1024
  [ "$name" = post-50mb ] && { limit_s=60; limit_mib=2048; }
  mark=""
  if awk -v s="$seconds" -v l="$limit_s" 'BEGIN { exit !(s > l) }' || [ "$mib" -gt "$limit_mib" ]; then
    mark=" OVER (${limit_s} s, ${limit_mib} MiB)"; over=1
  fi
  [ "$before" = "$after" ] || { mark="$mark WROTE OUTSIDE public/"; over=1; }
  printf '%-18s %-6s %9s %10s  %s%s\n' "$name" "$status" "$seconds" "$mib" "$first" "$mark"
done
exit $over
