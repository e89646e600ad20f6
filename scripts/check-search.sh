#!/usr/bin/env bash
# Checks the search page end to end in a real browser (headless Chromium with selenium, from the
# audit tools): builds a small site under a sub-path, indexes it with Pagefind, serves it, and
# runs searches. Accent folding is the point: "memoria" must find "memória", "escalonadór" must
# find "escalonador". Only post bodies are indexed: "leitura" (from "1 min de leitura") and
# "pequeno" (the site description in every footer) find nothing. Not a `swift test`: it needs
# the browser.
#
# Pagefind retries a word that matches nothing with shorter and shorter prefixes of it (upstream
# behaviour, no option turns it off), so a query for a word absent from the site may still list
# posts; the words that must find nothing here share no prefix with any indexed word.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
port=${PORT:-8131}
export PRENSA_PYTHON=${PRENSA_PYTHON:-$repo/.prensa-venv/bin/python}

swift build --product prensa >/dev/null
prensa="$(swift build --show-bin-path)/prensa"
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/site/content/posts"
ln -s "$repo/templates" "$work/site/templates"
cat >"$work/site/content/site.yml" <<'YAML'
title: Busca de teste
description: Um site pequeno para testar a busca.
base_url: https://exemplo.com.br/blog/
language: pt-BR
author: Equipe de testes
timezone: America/Sao_Paulo
YAML
post() {  # slug, title, body
  printf -- '---\ntitle: %s\ndate: 2026-03-01\ndescription: Post de teste.\n---\n\n%s\n' "$2" "$3" \
    >"$work/site/content/posts/$1.md"
}
post um "Páginas e quadros" "A memória virtual dá a cada processo o seu espaço de endereçamento. A memória física é dividida em quadros."
post dois "Quem roda agora" "O escalonador do Linux escolhe a próxima tarefa. Um bom escalonador é justo."
post tres "Pacotes" "A pilha de rede entrega o pacote ao socket. Nenhuma palavra acentuada de propósito: pacote, socket."
post quatro "Ação e reação" "Cada ação do kernel tem um custo. Uma interrupção também."

"$prensa" build --source "$work/site" --output "$work/www/blog" --base-url "http://127.0.0.1:$port/blog/"
test -f "$work/www/blog/pagefind/pagefind.js" || { echo "FAIL  no search index was built"; exit 1; }

python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/blog/busca/')" 2>/dev/null && break
  sleep 0.1
done

# KEEP=1: serve the test site and wait, to look at it by hand, instead of running the checks.
[ -n "${KEEP:-}" ] && { echo "serving $work/www on $port"; wait "$server"; }
python3 "$repo/scripts/check-search.py" "http://127.0.0.1:$port/blog/busca/" '{
  "memoria": ["/blog/posts/um/"],
  "memória": ["/blog/posts/um/"],
  "MEMÓRIA": ["/blog/posts/um/"],
  "memorià": ["/blog/posts/um/"],
  "escalonador": ["/blog/posts/dois/"],
  "escalonadór": ["/blog/posts/dois/"],
  "paginas": ["/blog/posts/um/"],
  "acao": ["/blog/posts/quatro/"],
  "interrupcao": ["/blog/posts/quatro/"],
  "pacote": ["/blog/posts/tres/"],
  "inexistente": [],
  "leitura": [],
  "pequeno": []
}'
