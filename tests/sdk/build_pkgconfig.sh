#!/bin/sh
# sdk_example_pkgconfig: build swish.c with the compiler and pkg-config only
# (PKG_CONFIG_PATH at the installed prefix), check the .pc variables, and
# have the installed runner load the result.
# usage: build_pkgconfig.sh CC PKG_CONFIG PREFIX LIBDIR SWISH_C OUT_DIR RUNNER
set -eu
cc=$1 pkgconf=$2 prefix=$3 libdir=$4 src=$5 out=$6 runner=$7
fail() { echo "build_pkgconfig: $*" >&2; exit 1; }

PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
export PKG_CONFIG_PATH
cflags=$("$pkgconf" --cflags mlplab) || fail "pkg-config does not know mlplab"
abi=$("$pkgconf" --variable=pluginabi mlplab)
plugindir=$("$pkgconf" --variable=plugindir mlplab)
hdr="$prefix/include/mlplab/plugin.h"
want=$(sed -n 's/^#define MLP_ABI_MAJOR \([0-9]*\).*/\1/p' "$hdr").$(sed -n 's/^#define MLP_ABI_MINOR \([0-9]*\).*/\1/p' "$hdr")
test "$abi" = "$want" || fail "pluginabi is '$abi', the header says $want"
test -f "$plugindir/activations/sigmoid.so" || fail "plugindir '$plugindir' holds no activations/sigmoid.so"

rm -rf "$out"
mkdir -p "$out/activations"
# shellcheck disable=SC2086 # cflags are words
"$cc" -std=c11 -O2 -Wall -Wextra -Wpedantic -fPIC -shared -fvisibility=hidden -Wl,-z,defs \
    $cflags "$src" -o "$out/activations/swish.so" -lm || fail "compile failed ($cflags)"

line=$(env -u MLPLAB_PLUGIN_PATH "$runner" plugins --plugin-path "$out" |
       awk '$1 == "activation" && $2 == "swish" {print $4}')
test "$line" = "$out/activations/swish.so" ||
    fail "the installed runner did not list $out/activations/swish.so (got '$line')"
echo "build_pkgconfig: $out/activations/swish.so with $cflags, plugin ABI $abi"
