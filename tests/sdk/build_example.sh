#!/bin/sh
# sdk_example_*: configure and build examples/activation-swish in a fresh
# folder with the CMake arguments given, and check that find_package(mlplab)
# took the package from EXPECTED_PKG_DIR, that swish.so landed in
# plugins/activations/ and that it exports the entry symbol and nothing else.
# usage: build_example.sh CMAKE CC SOURCE_DIR BUILD_DIR EXPECTED_PKG_DIR [CMAKE_ARGS...]
set -eu
cmake=$1 cc=$2 src=$3 bdir=$4 expect=$5
shift 5
fail() { echo "build_example: $*" >&2; exit 1; }

rm -rf "$bdir"
"$cmake" -S "$src" -B "$bdir" -DCMAKE_C_COMPILER="$cc" \
    -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON "$@" || fail "configure failed"
"$cmake" --build "$bdir" || fail "build failed"

found=$(sed -n 's/^mlplab_DIR:[A-Z]*=//p' "$bdir/CMakeCache.txt")
test "$(cd "$found" && pwd -P)" = "$(cd "$expect" && pwd -P)" ||
    fail "mlplab found in '$found', expected '$expect'"
so="$bdir/plugins/activations/swish.so"
test -f "$so" || fail "no $so"
syms=$(nm -D --defined-only "$so" | awk '{print $3}' | tr '\n' ' ')
test "$syms" = "mlplab_plugin_entry " || fail "$so exports [$syms], not only mlplab_plugin_entry"
echo "build_example: $so (package $found)"
