#!/bin/sh
# dry_run.sh RUNNER DIR: the 10^9-run sweep of DIR/huge_sweep.yaml through
# --dry-run: exit 0, the count in the first line, the first 1000 runs listed
# and the rest counted; then the same sweep with widths past the limit at
# the far end of its 10^6-value axis, and DIR/huge_base.yaml (a wrong value
# in the spec body under a swept key): exit 2, the located message.  CTest's
# TIMEOUT is the only time bound (before issue 18's fix this took hours).
set -u
runner=$1
dir=$2
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
fail() { echo "FAIL: $*"; echo "--- stdout (head)"; head -5 "$out"; echo "--- stderr"; cat "$err"; exit 1; }

"$runner" "$dir/huge_sweep.yaml" --dry-run -o huge.h5 >"$out" 2>"$err"
rc=$?
[ $rc -eq 0 ] || fail "exit $rc"
head -1 "$out" | grep -qx 'huge: 1000000000 runs (2 sweep keys x 1 repeat), seed 1 -> huge.h5' ||
  fail "no count in the first line"
[ "$(wc -l <"$out")" -eq 1003 ] || fail "$(wc -l <"$out") lines, not 1 + 1 + 1000 + 1"
sed -n 1002p "$out" | grep -q '^0999 ' || fail "the 1000th run is not listed last"
tail -1 "$out" | grep -qx '\.\.\. and 999999000 more runs (a dry run lists the first 1000 of 1000000000)' ||
  fail "no count of the runs not listed"

# the widths past 10^6 are only at the end of the axis: found all the same
"$runner" "$dir/huge_sweep.yaml" --dry-run -o huge.h5 \
  --set 'sweep.model.hidden={from: 1, to: 2000000, step: 2}' >"$out" 2>"$err"
rc=$?
[ $rc -eq 2 ] || fail "past the limit: exit $rc, not 2"
grep -q "^--set:1:20: error: 'model.hidden' must be between 1 and 1000000, got 1[0-9]\{6\}\$" "$err" ||
  fail "past the limit: not the located message"
# a base value under a swept key that is wrong on its own: refused, though
# the keys the body leaves to the sweep have 10^9 combinations
"$runner" "$dir/huge_base.yaml" --dry-run -o huge.h5 >"$out" 2>"$err"
rc=$?
[ $rc -eq 2 ] || fail "wrong base value: exit $rc, not 2"
grep -q "huge_base.yaml:8:36: error: unknown key 'bogus' in 'model.activation' (activation plugin 'tanh' takes no parameters)\$" "$err" ||
  fail "wrong base value: not the located message"
echo "ok"
