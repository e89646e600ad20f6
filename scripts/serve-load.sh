#!/usr/bin/env bash
# Load on `prensa serve`: serves the real blog (a copy of content/ and templates/) on loopback and
# runs wrk against its pages (every built HTML page, the CSS, the feeds: a Lua script picks them in
# turn), twice, sampling the server's memory (/proc/PID/status: VmRSS and VmHWM, the peak) before,
# between and after, so a leak shows as growth between the two runs. Prints requests/s, latency
# percentiles (wrk --latency) and the memory numbers. Not part of `make test`.
#
#   scripts/serve-load.sh [--duration 20s] [--connections 64] [--threads 2] [PRENSA]
#
# Needs wrk (apt-get install wrk; installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
duration=20s
connections=64
threads=2
prensa=$repo/.build/release/prensa
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) prensa=$1; shift ;;
  esac
done
if [ ! -x "$prensa" ]; then
  echo "serve-load: no prensa at $prensa; run make site first" >&2
  exit 1
fi
if ! command -v wrk >/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/prensa-load-XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cp -R content templates "$work/"
if [ -x "$repo/.prensa-venv/bin/python" ]; then export PRENSA_PYTHON=$repo/.prensa-venv/bin/python; fi

# A free port, then the server; its log says when the first build is done.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$prensa" serve --source "$work" --port "$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "serve-load: the server exited:" >&2
    cat "$work/serve.log" >&2
    exit 1
  fi
  sleep 0.2
done

# Every page of the built site, plus the assets and feeds, as request paths for the Lua script.
site=$work/.prensa-cache/serve
(cd "$site" && find . -name '*.html' | sed -e 's|^\.||' -e 's|index\.html$||' | LC_ALL=C sort) >"$work/paths.txt"
(cd "$site" && find assets -type f | sed 's|^|/|') >>"$work/paths.txt"
printf '%s\n' /feed.xml /feed.json /sitemap.xml /nao-existe/ >>"$work/paths.txt"
count=$(wc -l <"$work/paths.txt")
cat >"$work/paths.lua" <<EOF
local paths = {}
for line in io.lines("$work/paths.txt") do paths[#paths + 1] = line end
local index = 0
request = function()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end
EOF

memory() { # VmRSS and VmHWM of the server, in MiB
  awk '/^VmRSS|^VmHWM/ { printf "%s %.1f MiB  ", $1, $2 / 1024 }' "/proc/$server/status"
  echo
}
echo "serve-load: $count paths on http://127.0.0.1:$port/, wrk -t$threads -c$connections -d$duration, twice"
echo "memory after start-up:    $(memory)"
for run in 1 2; do
  wrk --latency -t"$threads" -c"$connections" -d"$duration" -s "$work/paths.lua" "http://127.0.0.1:$port/" \
    | tee "$work/wrk-$run.txt" | sed 's/^/  /'
  echo "memory after run $run:      $(memory)"
done
# Slow connections: 200 that send a request one byte a second and 50 that send nothing, for 25 s,
# while a normal request is timed every second; then how long the server kept each kind open.
python3 - "$port" <<'PYTHON'
import socket, sys, time
port = int(sys.argv[1])
def connect():
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    return s
slow = [connect() for _ in range(200)]
idle = [connect() for _ in range(50)]
closed = {}
request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Lento: " + b"a" * 100
start = time.monotonic()
times = []
for second in range(25):
    for index, s in enumerate(slow + idle):
        if s in closed:
            continue
        try:
            if index < len(slow):
                s.send(request[second:second + 1])
            data = s.recv(4096)
            if data == b"" or data.startswith(b"HTTP/1.1 408"):
                closed[s] = (time.monotonic() - start, data[:12])
        except BlockingIOError:
            pass
        except OSError:
            closed[s] = (time.monotonic() - start, b"reset")
    t = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as c:
        c.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        while c.recv(65536):
            pass
    times.append(time.monotonic() - t)
    time.sleep(max(0, start + second + 1 - time.monotonic()))
times.sort()
def summary(group, name):
    ends = sorted(closed[s][0] for s in group if s in closed)
    replies = {closed[s][1] for s in group if s in closed}
    when = f"closed after {ends[0]:.1f}-{ends[-1]:.1f} s ({', '.join(sorted(map(repr, replies)))})" if ends else "none closed"
    print(f"  {name}: {len(ends)} of {len(group)} {when}")
print(f"slow connections: normal request median {times[len(times) // 2] * 1000:.1f} ms, worst {times[-1] * 1000:.1f} ms")
summary(slow, "200 sending 1 byte/s")
summary(idle, "50 sending nothing")
PYTHON
echo "memory after the slow connections: $(memory)"
if grep -q "Non-2xx or 3xx responses" "$work/wrk-2.txt"; then
  echo "serve-load: (the non-2xx responses are the /nao-existe/ 404s, 1 in $count requests)"
fi
if ! kill -0 "$server" 2>/dev/null; then
  echo "serve-load: the server died under load" >&2
  exit 1
fi
