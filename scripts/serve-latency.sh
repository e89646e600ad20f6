#!/usr/bin/env bash
# Measures what an author waits for with `prensa serve`: from saving a post to the `reload`
# event reaching an open page. Starts `prensa serve --port 0` on the blog in the repository
# root, opens the event stream as a browser tab would, appends a line to one post 10 times
# (restoring the post at the end) and prints each latency and the median.
#
#   scripts/serve-latency.sh [POST] [RUNS]     POST defaults to the first content/posts/*.md
#
# PRENSA=path/to/prensa picks the binary (default: .build/release/prensa, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

PRENSA=${PRENSA:-.build/release/prensa}
if [[ ! -x $PRENSA ]]; then
    swift build -c release --product prensa >&2
fi
POST=${1:-$(ls content/posts/*.md | head -n 1)}
RUNS=${2:-10}

exec python3 - "$PRENSA" "$POST" "$RUNS" <<'PYTHON'
import os, re, signal, socket, statistics, subprocess, sys, threading, time

prensa, post, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
server = subprocess.Popen([prensa, "serve", "--port", "0"], stdout=subprocess.PIPE, text=True)
original = open(post, "rb").read()
events, ready = [], threading.Condition()

def fail(message):
    print(message, file=sys.stderr)
    server.kill()
    sys.exit(1)

def read_events(stream):
    """Records (time, name) of every event on the stream; chunk framing is skipped."""
    buffer = b""
    while True:
        data = stream.recv(4096)
        if not data:
            return
        now = time.monotonic()
        buffer += data
        for name in re.findall(rb"event: ([\w-]+)\n", buffer):
            with ready:
                events.append((now, name.decode()))
                ready.notify_all()
        buffer = buffer[buffer.rfind(b"\n") + 1:]

def wait_for(name, after, timeout=10.0):
    deadline = time.monotonic() + timeout
    with ready:
        while True:
            for moment, event in events[after:]:
                if event == name:
                    return moment
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready.wait(left)

try:
    port = None
    for line in server.stdout:
        print("  " + line.rstrip())
        match = re.search(r"Serving http://127\.0\.0\.1:(\d+)/", line)
        if match:
            port = int(match.group(1))
            break
    if port is None:
        fail("prensa serve printed no URL")
    rebuilds = []  # the server's "Rebuilt …" lines, kept for the end
    threading.Thread(target=lambda: [rebuilds.append(l.rstrip()) for l in server.stdout], daemon=True).start()

    stream = socket.create_connection(("127.0.0.1", port), timeout=30)
    stream.sendall(b"GET /__prensa/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    threading.Thread(target=read_events, args=(stream,), daemon=True).start()
    if wait_for("hello", 0) is None:
        fail("no hello event")

    latencies = []
    for run in range(1, runs + 1):
        time.sleep(0.3)  # past the debounce of the previous edit
        seen = len(events)
        start = time.monotonic()
        with open(post, "ab") as file:
            file.write(f"\nLinha {run} do teste de latência.\n".encode())
        arrived = wait_for("reload", seen)
        if arrived is None:
            fail(f"edit {run}: no reload within 10 s")
        latencies.append((arrived - start) * 1000)
        print(f"edit {run:2}: {latencies[-1]:6.1f} ms")
finally:
    with open(post, "wb") as file:
        file.write(original)

seen = len(events)
restored = wait_for("reload", seen) is not None
start = time.monotonic()
server.send_signal(signal.SIGINT)
status = server.wait(timeout=10)
print(f"the server rebuilt {len(rebuilds)} times; build times: "
      + ", ".join(re.sub(r".* in ", "", line) for line in rebuilds))
print(f"post restored ({'rebuilt' if restored else 'NOT rebuilt'}); "
      f"SIGINT → exit {status} in {(time.monotonic() - start) * 1000:.0f} ms")
print(f"edit → reload over {runs} edits: median {statistics.median(latencies):.1f} ms, "
      f"min {min(latencies):.1f} ms, max {max(latencies):.1f} ms")
PYTHON
