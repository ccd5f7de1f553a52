#!/bin/sh
# sdk_swish_sweep: the example sweep over swish's beta, shortened, run by the
# installed runner with the plugin from --plugin-path; every run must finish
# and the results must say which swish.so (and its hash) produced them.
# usage: swish_sweep.sh RUNNER SPEC SWISH_PLUGIN_DIR OUT.h5
set -eu
runner=$1 spec=$2 swish=$3 out=$4
fail() { echo "swish_sweep: $*" >&2; exit 1; }

rm -rf "$out" "${out%.h5}.runs"
env -u MLPLAB_PLUGIN_PATH "$runner" "$spec" --plugin-path "$swish" -o "$out" -q -j 2 \
    --set train.iterations=40 --set dataset.train=60 --set dataset.test=20 \
    --set record.boundary.resolution=8 || fail "the sweep failed (exit $?)"
info=$("$runner" info "$out") || fail "runner info failed"
printf '%s\n' "$info"
runs=$("$runner" info "$out" --csv --columns status | grep -c '^ok$')
test "$runs" -eq 4 || fail "expected 4 runs ok, found $runs"
if command -v h5dump >/dev/null 2>&1; then
    so="$swish/activations/swish.so"
    h5dump -a /plugin_activation_swish_file "$out" | grep -q -F "\"$so\"" ||
        fail "plugin_activation_swish_file is not $so"
    sum=$(sha256sum "$so" | cut -d' ' -f1)
    h5dump -a /plugin_activation_swish_sha256 "$out" | grep -q "\"$sum\"" ||
        fail "plugin_activation_swish_sha256 is not $sum"
fi
echo "swish_sweep: ok"
