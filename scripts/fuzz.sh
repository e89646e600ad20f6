#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ and runs them: `scripts/fuzz.sh [TARGET|all] SECONDS`.
#
#   scripts/fuzz.sh all 60                # every target for 60 s each (what CI does)
#   scripts/fuzz.sh FuzzScheduler 600     # one target for 10 minutes
#   scripts/fuzz.sh list                  # the target names
#
# The targets are built only here, with `-sanitize=fuzzer,address`, into .build-fuzz/ (PRENSA_FUZZ=1
# adds them to Package.swift; plain `swift build` and `swift test` never see them). Each run starts
# from the committed seeds in Fuzz/Corpus/<target>/ plus what earlier runs found, kept in
# .build-fuzz/corpus/<target>/ (not committed). A crash, a hang (longer than FUZZ_TIMEOUT seconds
# for one input), too much memory (FUZZ_RSS_MB) or a failed oracle is a finding: its input is saved
# in .build-fuzz/findings/<target>/ and the script exits non-zero once every target has run.
# FUZZ_JOBS targets run at once (default 1); fuzzers run under `nice -n 19`.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(
  FuzzFrontMatter FuzzSiteConfig FuzzMarkdown FuzzScheduler FuzzPageWalk FuzzReplacement FuzzPacketPath
  FuzzRequestPath
)
usage() {
  echo "usage: scripts/fuzz.sh [TARGET|all] SECONDS   (targets: ${targets[*]})" >&2
  exit 2
}
if [ "${1:-}" = list ]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi
[ $# -eq 2 ] || usage
which=$1
seconds=$2
[[ "$seconds" =~ ^[0-9]+$ ]] || usage
if [ "$which" = all ]; then
  selected=("${targets[@]}")
else
  [[ " ${targets[*]} " == *" $which "* ]] || usage
  selected=("$which")
fi
jobs=${FUZZ_JOBS:-1}
timeout=${FUZZ_TIMEOUT:-20}
rss_mb=${FUZZ_RSS_MB:-2048}
build=.build-fuzz
swift=${SWIFT:-swift}

./scripts/install-deps.sh

echo "fuzz: building ${selected[*]} into $build/"
for target in "${selected[@]}"; do
  PRENSA_FUZZ=1 "$swift" build --build-path "$build" -c release \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
    --product "$target" 2>&1 | grep -v '^\[[0-9]*/[0-9]*\]' || true
  if [ ! -x "$build/release/$target" ]; then
    echo "fuzz: building $target failed" >&2
    exit 1
  fi
done

run_target() {
  local target=$1 corpus=$build/corpus/$1 findings=$build/findings/$1
  mkdir -p "$corpus" "$findings"
  local options=(
    -max_total_time="$seconds" -timeout="$timeout" -rss_limit_mb="$rss_mb" -malloc_limit_mb="$rss_mb"
    -artifact_prefix="$findings/" -print_final_stats=1 -print_pcs=0
  )
  [ -f "Fuzz/Dictionaries/$target.dict" ] && options+=(-dict="Fuzz/Dictionaries/$target.dict")
  # New inputs go to the first folder (ignored by git); the committed seeds are only read, and so
  # are the reproducers of fixed findings (Fuzz/Regressions/<target>/), so each run replays them.
  local regressions=""
  [ -d "Fuzz/Regressions/$target" ] && regressions="Fuzz/Regressions/$target"
  # Leak checks are off: the Swift runtime keeps metadata caches that LeakSanitizer reports.
  # The Swift runtime's own backtracer is off too: under ASan it crashes while reporting.
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
    nice -n 19 "$build/release/$target" "${options[@]}" "$corpus" "Fuzz/Corpus/$target" $regressions \
    >"$build/$target.log" 2>&1
}

mkdir -p "$build"
failed=()
running=()
names=()
finish_one() {
  local pid=${running[0]} name=${names[0]}
  running=("${running[@]:1}")
  names=("${names[@]:1}")
  if wait "$pid"; then
    echo "fuzz: $name: no findings ($(grep -Eo '#[0-9]+.*(DONE|pulse|NEW|REDUCE).*' "$build/$name.log" | tail -1))"
  else
    echo "fuzz: $name: FINDING (log: $build/$name.log)" >&2
    grep -E '^(==[0-9]+==ERROR|fuzz oracle failed|Fatal error|SUMMARY|artifact_prefix|Test unit written)' \
      "$build/$name.log" | head -20 >&2 || true
    failed+=("$name")
  fi
}
for target in "${selected[@]}"; do
  while [ ${#running[@]} -ge "$jobs" ]; do finish_one; done
  echo "fuzz: running $target for ${seconds}s"
  run_target "$target" &
  running+=($!)
  names+=("$target")
done
while [ ${#running[@]} -gt 0 ]; do finish_one; done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}; reproduce one with: $build/release/TARGET FILE" >&2
  exit 1
fi
echo "fuzz: no findings in ${selected[*]}"
