#!/bin/sh
# The sweep as Slurm array tasks gives the numbers one machine gives.
#   slurm_sweep.sh scripts RUNNER SOURCE_DIR WORK PYTHON
#       runner slurm's scripts, run by sh with the array task's variables set
#       (no Slurm needed): the merged file equals the one-machine file, merging
#       again is a no-op, usage errors exit 2
#   slurm_sweep.sh cluster RUNNER SOURCE_DIR WORK PYTHON
#       on a single-node Slurm cluster (slurm_cluster.sh): 4 array tasks + the
#       merge job; then one task scancel'd, merge lists the missing runs and
#       exits 1, the array script submitted again completes the sweep
# Exits 77 (skip) only when the Slurm packages are absent.
set -eu
mode=$1 runner=$2 src=$3 work=$4 py=$5
spec=$src/tests/python/integration.yaml
compare="$py $src/tests/python/compare_numbers.py"

fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
cd "$work"

if [ "$mode" = scripts ]; then
  "$runner" "$spec" -q -o one.h5
  "$runner" slurm "$spec" --tasks 3 --cpus-per-task 2 -o out/sh.h5 -- --time=5 > slurm.txt
  grep -q "wrote $work/out/sh.runs/slurm/array.sbatch" slurm.txt || fail "no array script path"
  a=out/sh.runs/slurm/array.sbatch m=out/sh.runs/slurm/merge.sbatch
  for line in '#SBATCH --array=0-2' '#SBATCH --cpus-per-task=2' '#SBATCH --requeue' \
              '#SBATCH --open-mode=append' '#SBATCH --time=5' "#SBATCH --output=$work/out/sh.runs/slurm/array-%A_%a.out"; do
    grep -qxF -- "$line" "$a" || fail "$a lacks '$line'"
  done
  grep -qF -- "--shard \"\$SLURM_ARRAY_TASK_ID/3\" -j \"\${SLURM_CPUS_PER_TASK:-1}\" --resume -q" "$a" \
    || fail "$a: no shard command"
  grep -qF -- "'$(readlink -f "$runner")' '$spec'" "$a" || fail "$a: runner or spec not absolute"
  grep -qF -- "merge '$work/out/sh.runs' -o '$work/out/sh.h5'" "$m" || fail "$m: no merge command"
  # task 1 missing: merge lists it and exits 1
  SLURM_ARRAY_TASK_ID=0 SLURM_CPUS_PER_TASK=2 sh "$a"
  SLURM_ARRAY_TASK_ID=2 sh "$a"
  if sh "$m" 2> merge.err; then fail "merge succeeded with a shard missing"; fi
  grep -q "are missing" merge.err || fail "merge did not list the missing runs"
  grep -q -- "--shard 1/3 --resume" merge.err || fail "merge did not name the shard to rerun"
  # the whole array again: only shard 1's runs are computed
  for i in 0 1 2; do SLURM_ARRAY_TASK_ID=$i sh "$a" > "task$i.txt"; done
  grep -q "0 runs computed" task0.txt || fail "task 0 computed its runs again"
  sh "$m"
  $compare one.h5 out/sh.h5
  sh "$m" | grep -q "merged already" || fail "merging again is not a no-op"
  code=0; "$runner" slurm "$spec" --tasks 3 -o out/sh.h5 2> exists.err || code=$?
  [ $code = 2 ] && grep -q "exists" exists.err || fail "slurm over a finished sweep: exit $code"
  code=0; "$runner" slurm "$spec" -o x.h5 2> /dev/null || code=$?
  [ $code = 2 ] || fail "slurm without --tasks: exit $code"
  code=0; "$runner" slurm "$spec" --tasks 2 --resume 2> /dev/null || code=$?
  [ $code = 2 ] || fail "slurm --resume: exit $code"
  echo "slurm scripts: OK"
  exit 0
fi

[ "$mode" = cluster ] || fail "mode: scripts or cluster"
cluster="$work/c"
code=0
sh "$src/tests/cluster/slurm_cluster.sh" start "$cluster" > cluster.txt || code=$?
[ $code = 77 ] && exit 77
trap 'sh "$src/tests/cluster/slurm_cluster.sh" stop "$cluster" >/dev/null 2>&1 || true' EXIT INT TERM
[ $code = 0 ] || { cat "$cluster"/log/*.log >&2 2>/dev/null || true; fail "the cluster did not start"; }
export SLURM_CONF="$cluster/slurm.conf"
PATH=/usr/sbin:/usr/bin:$PATH

# wait_gone ID...: until squeue lists none of the jobs (at most 300 s)
wait_gone() {
  ids=$(echo "$*" | tr ' ' ,)
  i=0
  while [ -n "$(squeue -h -j "$ids" -o %i 2>/dev/null)" ]; do
    i=$((i + 1)); [ $i -lt 3000 ] || { squeue >&2; fail "jobs $ids still queued after 300 s"; }
    sleep 0.1
  done
}

# (b) 4 array tasks + the merge job, against (a) one machine
"$runner" "$spec" --set train.iterations=60 -q -o one.h5
"$runner" slurm "$spec" --set train.iterations=60 --tasks 4 -o arr/arr.h5 --submit > submit.txt
cat submit.txt
jobs=$(sed -n 's/^submitted array job \([0-9]*\) .* and merge job \([0-9]*\)$/\1 \2/p' submit.txt)
[ -n "$jobs" ] || fail "no job ids printed"
wait_gone $jobs
[ -f arr/arr.h5 ] || { cat arr/arr.runs/slurm/*.out >&2 || true; fail "the merge job wrote no sweep file"; }
$compare one.h5 arr/arr.h5

# one task scancel'd: merge lists its runs; the array again completes the sweep
slow=$src/tests/cluster/slow.yaml
"$runner" "$slow" -q -o slow_one.h5
"$runner" slurm "$slow" --tasks 4 -o slow/slow.h5 --submit > submit2.txt
set -- $(sed -n 's/^submitted array job \([0-9]*\) .* and merge job \([0-9]*\)$/\1 \2/p' submit2.txt)
array=$1 merge=$2
i=0
until [ "$(squeue -h -j "${array}_1" -o %T 2>/dev/null)" = RUNNING ]; do
  i=$((i + 1)); [ $i -lt 600 ] || fail "task ${array}_1 never started"
  sleep 0.1
done
# and until its runner is there (its shard lock): a scancel 52 ms after the
# task's launch, before the runner had started, was recorded as a cancel but
# the task still ran to the end, its runs complete (slurmd.log; seen twice
# in full ctest runs, never alone)
i=0
until [ -f slow/slow.runs/shard-1-of-4.lock ]; do
  i=$((i + 1)); [ $i -lt 600 ] || fail "task ${array}_1 never took its shard lock"
  sleep 0.1
done
scancel "${array}_1"
wait_gone "$array" "$merge"
[ ! -f slow/slow.h5 ] || fail "the sweep file exists with a task cancelled"
grep -q "are missing" slow/slow.runs/slurm/merge-"$merge".out \
  || { cat slow/slow.runs/slurm/*.out >&2; fail "the merge job did not list the missing runs"; }
code=0; "$runner" merge slow/slow.runs 2> merge.err || code=$?
[ $code = 1 ] || fail "merge of an incomplete folder: exit $code"
grep -q -- "--shard 1/4 --resume" merge.err || fail "merge did not name shard 1/4"
cat merge.err
again=$(sbatch --parsable slow/slow.runs/slurm/array.sbatch | cut -d';' -f1)
merge2=$(sbatch --parsable --dependency=afterany:"$again" slow/slow.runs/slurm/merge.sbatch | cut -d';' -f1)
wait_gone "$again" "$merge2"
[ -f slow/slow.h5 ] || { cat slow/slow.runs/slurm/*.out >&2; fail "resubmission did not complete the sweep"; }
grep -q "resumed from earlier part files" slow/slow.runs/slurm/array-"$again"_0.out \
  || fail "task 0 of the resubmission computed its runs again"
$compare slow_one.h5 slow/slow.h5
echo "slurm cluster: OK"
