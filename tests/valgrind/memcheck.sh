#!/bin/sh
# memcheck.sh RUNNER SPEC OUTDIR SUPPRESSIONS
# Runs the runner on SPEC under valgrind memcheck, then `runner info` on the
# file it wrote.  Exit 77 (CTest: skipped) without valgrind, 1 on any memcheck
# error or definite leak, the runner's status if it fails on its own.
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
