#!/usr/bin/env python3
"""SIGKILL atomicity check for `prensa build`.

Builds a generated site of a few hundred posts, then, again and again, changes the content,
starts the real `prensa build` and kills it with SIGKILL after a random delay (seeded, so a run
can be repeated) spread over the length of a build. After every kill the output folder must be
exactly the old complete site or the new complete site: the SHA-256 of every file, every folder
and every symlink is compared with the manifests of the two versions, built once at the start.
Killed builds may leave one staging folder behind, never more, and the next successful build
removes it.

    scripts/check-kill-atomicity.py [--kills 200] [--seed 1] [--posts 400] [--prensa PATH]

Exits 1 on the first kill point whose output is neither site (printing what differs), else
prints the outcomes.
"""

import argparse
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SITE_YML = """title: Atomicidade
description: Um site gerado para matar builds no meio.
base_url: https://exemplo.com.br/
language: pt-BR
author: Teste
timezone: America/Sao_Paulo
posts_per_page: 10
"""

TAGS = ["processos", "memória", "rede", "arquivos", "escalonamento", "linux", "windows", "macos"]


def post_text(index: int, version: str) -> str:
    """Post `index` as written in content version `version` ("a" or "b")."""
    # Version b rewrites every third post; the others stay byte-identical (an incremental build
    # may then reuse their pages).
    changed = version == "b" and index % 3 == 0
    marker = "revisado na versão B" if changed else "texto original"
    tags = ", ".join(TAGS[(index + k) % len(TAGS)] for k in range(2))
    paragraphs = "\n\n".join(
        f"Parágrafo {p} do post {index} ({marker}): o kernel agenda, a memória pagina, "
        f"o disco grava e o processo {index * 7 + p} espera a sua vez."
        for p in range(12))
    return (f"---\ntitle: Post número {index}\ndate: 2024-{1 + index % 12:02d}-{1 + index % 28:02d}\n"
            f"description: Descrição do post {index}, {marker}.\ntags: [{tags}]\n---\n\n"
            f"## Seção de {index}\n\n{paragraphs}\n\n"
            f"```c\nint main(void) {{ return {index}; }}\n```\n")


def content_files(posts: int, version: str) -> dict:
    files = {"site.yml": SITE_YML, "sobre.md": "---\ntitle: Sobre\ndescription: Sobre.\n---\n\nSobre o site.\n"}
    # Version b also drops the last post and adds a new one.
    indices = range(posts) if version == "a" else list(range(posts - 1)) + [posts]
    for index in indices:
        files[f"posts/post-{index:04d}.md"] = post_text(index, version)
    return files


def switch_content(root: str, posts: int, version: str) -> None:
    """Makes `root/content` hold `version`, rewriting only the files that differ."""
    wanted = content_files(posts, version)
    content = os.path.join(root, "content")
    for relative, text in wanted.items():
        path = os.path.join(content, relative)
        data = text.encode()
        try:
            with open(path, "rb") as existing:
                if existing.read() == data:
                    continue
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(data)
    for folder, _, names in os.walk(content):
        for name in names:
            relative = os.path.relpath(os.path.join(folder, name), content)
            if relative not in wanted:
                os.unlink(os.path.join(folder, name))


def manifest(folder: str):
    """Every entry under `folder`: files by SHA-256, symlinks by target, folders by name.
    None when the folder does not exist."""
    if not os.path.isdir(folder):
        return None
    entries = {}
    for parent, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = os.path.join(parent, name)
            relative = os.path.relpath(path, folder)
            if os.path.islink(path):
                entries[relative] = "link:" + os.readlink(path)
            elif os.path.isdir(path):
                entries[relative] = "dir"
            else:
                with open(path, "rb") as f:
                    entries[relative] = hashlib.sha256(f.read()).hexdigest()
    return entries


def describe_difference(found, expected_a, expected_b) -> str:
    if found is None:
        return "the output folder is missing"
    lines = []
    for name, expected in (("old", expected_a), ("new", expected_b)):
        missing = sorted(set(expected) - set(found))
        extra = sorted(set(found) - set(expected))
        changed = sorted(k for k in set(found) & set(expected) if found[k] != expected[k])
        lines.append(f"  versus the {name} site: {len(missing)} missing, {len(extra)} extra, {len(changed)} changed"
                     f" (e.g. {(missing + extra + changed)[:3]})")
    return "\n".join(lines)


def staging_folders(root: str) -> list:
    return sorted(name for name in os.listdir(root) if name.startswith(".public.staging-"))


def users_of(root: str, folders: list) -> list:
    """Processes whose command line or open files mention one of `folders` (orphans of a
    killed build still writing into its staging folder)."""
    users = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
            paths = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
            paths.append(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            continue
        if any(folder in text for folder in folders for text in [command] + paths):
            users.append(f"{pid}: {command[:80]}")
    return users


def build(prensa: str, root: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([prensa, "build", "--quiet", "--source", root], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def build_to_end(prensa: str, root: str, env: dict) -> float:
    start = time.monotonic()
    process = build(prensa, root, env)
    _, err = process.communicate()
    if process.returncode != 0:
        sys.exit(f"kill-atomicity: a build without kill failed ({process.returncode}):\n{err.decode()}")
    return time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--posts", type=int, default=400)
    parser.add_argument("--prensa", default=os.path.join(REPO, ".build/release/prensa"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary site")
    args = parser.parse_args()
    if not os.access(args.prensa, os.X_OK):
        sys.exit(f"kill-atomicity: no prensa binary at {args.prensa}; run make site first")

    env = dict(os.environ)
    # Highlighting and the search index run when the repository's venv has them (as in
    # `make site`), so kills also land in the Pygments and Pagefind phases.
    venv_python = os.path.join(REPO, ".prensa-venv/bin/python")
    if os.access(venv_python, os.X_OK):
        env["PRENSA_PYTHON"] = venv_python
    root = tempfile.mkdtemp(prefix="prensa-kill-")
    try:
        shutil.copytree(os.path.join(REPO, "templates"), os.path.join(root, "templates"))
        output = os.path.join(root, "public")

        # The two sites every kill must leave: each built once, to the end.
        switch_content(root, args.posts, "b")
        build_to_end(args.prensa, root, env)
        site_b = manifest(output)
        switch_content(root, args.posts, "a")
        durations = [build_to_end(args.prensa, root, env)]
        site_a = manifest(output)
        # A second build of the same content must give the same site, or "old or new" means nothing.
        shutil.rmtree(output)
        durations.append(build_to_end(args.prensa, root, env))
        if manifest(output) != site_a:
            sys.exit("kill-atomicity: two builds of the same content differ:\n"
                     + describe_difference(manifest(output), site_a, site_a))
        if site_a == site_b:
            sys.exit("kill-atomicity: the two content versions build the same site")
        duration = max(durations)
        print(f"kill-atomicity: {args.posts} posts, {len(site_a)} entries per site, a build takes {duration:.2f} s; "
              f"{args.kills} kill points, seed {args.seed}")

        rng = random.Random(args.seed)
        sites = {"a": site_a, "b": site_b}
        current = "a"
        written = "a"
        outcomes = {"old": 0, "new": 0, "finished before the kill": 0}
        most_staging = 0
        doubled = 0
        for point in range(args.kills):
            target = "b" if current == "a" else "a"
            switch_content(root, args.posts, target)
            written = target
            # Spread over the whole build, from exec to a little after it would end.
            delay = rng.uniform(0, duration * 1.1)
            process = build(args.prensa, root, env)
            time.sleep(delay)
            finished = process.poll() is not None
            if not finished:
                process.send_signal(signal.SIGKILL)
            process.communicate()
            found = manifest(output)
            if finished:
                if process.returncode != 0:
                    print(f"kill point {point}: the build failed on its own ({process.returncode})")
                    return 1
                outcome = "finished before the kill"
            elif found == sites[current]:
                outcome = "old"
            elif found == sites[target]:
                outcome = "new"
            else:
                print(f"kill point {point} (delay {delay:.3f} s, {current} → {target}): "
                      f"the output is neither site\n{describe_difference(found, sites[current], sites[target])}")
                if args.keep:
                    print(f"kept {root}")
                return 1
            if found != sites[current]:
                current = target
            outcomes[outcome] += 1
            leftovers = staging_folders(root)
            most_staging = max(most_staging, len(leftovers))
            if len(leftovers) > 1:
                # A build removes the staging folders of dead builds when it starts; two at once
                # means that removal failed (something still wrote into the folder).
                print(f"kill point {point}: {len(leftovers)} staging folders: {leftovers}; "
                      f"processes still using them: {users_of(root, leftovers)}")
                doubled += 1
            if finished and leftovers:
                print(f"kill point {point}: a successful build left staging folders: {leftovers}")
                return 1

        # One build to the end removes what the killed ones left, and gives the site of the
        # content last written (the output may still hold the other one if the last build was
        # killed early).
        build_to_end(args.prensa, root, env)
        if manifest(output) != sites[written]:
            print(f"after the kills, a full build of version {written} gives another site:\n"
                  + describe_difference(manifest(output), sites[written], sites[written]))
            return 1
        leftovers = staging_folders(root)
        if leftovers:
            print(f"after a successful build, staging folders remain: {leftovers}")
            return 1
        summary = ", ".join(f"{count} {name}" for name, count in outcomes.items())
        print(f"kill-atomicity: OK: {args.kills} kill points: {summary}; at most {most_staging} staging folder(s) "
              f"left between builds ({doubled} times two), none after a successful build")
        return 1 if doubled else 0
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
