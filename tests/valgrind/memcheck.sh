#!/bin/sh
# memcheck.sh RUNNER SPEC OUTDIR SUPPRESSIONS
# Runs the runner on SPEC under valgrind memcheck, then `runner info` on the
# file it wrote.  Exit 77 (CTest: skipped) without valgrind, 1 on any memcheck
# error or definite leak, the runner's status if it fails on its own.
# Valgrind has no AVX-512, so under it the kernels and plugins run their
# AVX2 (x86-64-v3) copies; the same sweep run natively (AVX-512 copies and
# twins, on a machine that has them) must give the same numbers to the last
# digit: the cross-ISA half of the numeric contract (docs/performance.md).
set -eu
runner=$1 spec=$2 out=$3 supp=$4
if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind is not installed: skipped (bash .ci/deps installs it)"
  exit 77
fi
vg() {
  valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
           --errors-for-leak-kinds=definite --error-exitcode=1 \
           --suppressions="$supp" --num-callers=30 --quiet "$@"
}
rm -rf "$out/small.h5" "$out/small.runs"
vg "$runner" "$spec" -q -j2 -o "$out/small.h5" --force
vg "$runner" info "$out/small.h5" >/dev/null
echo "memcheck: no errors, no definite leaks"
rm -rf "$out/native.h5" "$out/native.runs"
"$runner" "$spec" -q -j1 -o "$out/native.h5" --force
cols=run,final_loss,train_accuracy,test_accuracy,first_iteration_at_100pct
"$runner" info "$out/small.h5" --csv --columns $cols >"$out/valgrind.csv"
"$runner" info "$out/native.h5" --csv --columns $cols >"$out/native.csv"
if ! cmp -s "$out/valgrind.csv" "$out/native.csv"; then
  echo "different numbers under valgrind (AVX2 code) and natively:"
  diff "$out/valgrind.csv" "$out/native.csv" || true
  exit 1
fi
echo "the same numbers under valgrind (AVX2 code) and natively: $(wc -l <"$out/native.csv") lines"
