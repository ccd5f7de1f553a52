#!/usr/bin/env bash
# run_campaign.sh [SECONDS] -- a fuzzing campaign over both harnesses, then a
# minimized corpus.  Builds ./build-fuzz (CC=clang-14, -DMLPLAB_FUZZ=ON), runs
# fuzz_spec and fuzz_set side by side for SECONDS each (default 600) in fork
# mode (a crash, timeout or OOM is saved under WORK/artifacts-*/ and the
# campaign goes on), starting from the committed seeds and corpus, then merges
# what they found with the corpus (-merge=1 -use_counters=0: the fewest inputs
# covering the same edges) into WORK/merged-{spec,set}, to be copied over
# tests/fuzz/corpus/{spec,set}.  WORK is $FUZZ_WORK or /tmp/mlplab-fuzz.
#
# A crash: reproduce with `build-fuzz/tests/fuzz/fuzz_spec FILE`, minimize
# with `fuzz_spec -minimize_crash=1 -runs=10000 FILE`, save the result under
# tests/fuzz/crashes/ and report it (the replay tests do not read crashes/).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-600}
work=${FUZZ_WORK:-/tmp/mlplab-fuzz}
[ -f build-fuzz/CMakeCache.txt ] ||
  CC=clang-14 cmake -S . -B build-fuzz -DMLPLAB_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build-fuzz -j "$(nproc)" --target fuzz_spec fuzz_set
mkdir -p "$work"
opts=(-dict=tests/fuzz/spec.dict -max_len=4096 -timeout=10 -rss_limit_mb=2048
      -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -print_final_stats=1)
pids=()
for h in spec set; do
  mkdir -p "$work/$h" "$work/artifacts-$h"
  build-fuzz/tests/fuzz/fuzz_$h "${opts[@]}" -max_total_time="$secs" \
    -artifact_prefix="$work/artifacts-$h/" "$work/$h" "tests/fuzz/corpus/$h" "tests/fuzz/seeds/$h" \
    > "$work/fuzz_$h.log" 2>&1 &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
for h in spec set; do
  echo "== fuzz_$h: $(grep -c . < <(ls "$work/artifacts-$h")) artifact(s)"
  grep -E '^#[0-9]+' "$work/fuzz_$h.log" | tail -1
  rm -rf "$work/merged-$h" && mkdir -p "$work/merged-$h"
  build-fuzz/tests/fuzz/fuzz_$h -merge=1 -use_counters=0 -timeout=10 -rss_limit_mb=2048 \
    "$work/merged-$h" "tests/fuzz/corpus/$h" "$work/$h" > "$work/merge_$h.log" 2>&1
  tail -1 "$work/merge_$h.log"
done
echo "minimized corpora: $work/merged-spec, $work/merged-set (copy into tests/fuzz/corpus/)"
