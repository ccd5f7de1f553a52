#!/bin/sh
# sdk_install: `cmake --install` the build tree into a fresh prefix and check
# the layout: runner, header, every shipped plugin (and no test fixture),
# mlplab-figures and the example specs, the
# CMake package and the pkg-config file, with no absolute path baked into the
# last two.
# usage: install_prefix.sh CMAKE BUILD_DIR PREFIX CONFIG BINDIR INCLUDEDIR LIBDIR
set -eu
cmake=$1 build=$2 prefix=$3 config=$4 bindir=$5 incdir=$6 libdir=$7
fail() { echo "sdk_install: $*" >&2; exit 1; }

rm -rf "$prefix"
"$cmake" --install "$build" --prefix "$prefix" ${config:+--config "$config"} ||
    fail "cmake --install failed"

test -x "$prefix/$bindir/runner" || fail "no $bindir/runner"
test -f "$prefix/$incdir/mlplab/plugin.h" || fail "no $incdir/mlplab/plugin.h"
pkg="$prefix/$libdir/cmake/mlplab"
for f in mlplabConfig.cmake mlplabConfigVersion.cmake mlplabTargets.cmake MlplabPlugin.cmake; do
    test -f "$pkg/$f" || fail "no $libdir/cmake/mlplab/$f"
done
pc="$prefix/$libdir/pkgconfig/mlplab.pc"
test -f "$pc" || fail "no $libdir/pkgconfig/mlplab.pc"
if grep -l -F "$build" "$pkg"/*.cmake "$pc"; then
    fail "the files above name the build tree: the package would not survive a move"
fi

# every shipped plugin, and nothing else, one folder per kind
plugins="$prefix/$libdir/mlplab/plugins"
for kind in activations losses datasets; do
    # the shell sorts a glob's matches; one left unmatched stays '*.so'
    have=$(cd "$plugins/$kind" 2>/dev/null && printf '%s ' *.so)
    want=$(cd "$build/plugins/$kind" && printf '%s ' *.so)
    test "$want" != "*.so " || fail "no $kind built in $build/plugins/$kind"
    test "$have" = "$want" ||
        fail "installed $kind [$have] differ from the shipped ones [$want]"
done
# the MPI module beside the plugins when the build has one (the installed
# runner loads it from there under mpirun: tests/cluster/mpi_lazy.sh)
if test -f "$build/mlplab_mpi.so"; then
    test -f "$prefix/$libdir/mlplab/mlplab_mpi.so" || fail "no $libdir/mlplab/mlplab_mpi.so"
fi
if find "$prefix" -path '*fixture*' | grep .; then
    fail "test fixtures were installed"
fi
# the figures program on PATH, and the example specs
test -x "$prefix/$bindir/mlplab-figures" || fail "no executable $bindir/mlplab-figures"
PATH="$prefix/$bindir:$PATH" mlplab-figures --help | grep -q -- '--runs' ||
    fail "mlplab-figures --help does not run (or does not know --runs)"
for f in circles_width_sweep.yaml circles_activation_sweep.yaml; do
    test -f "$prefix/share/mlplab/configs/$f" || fail "no share/mlplab/configs/$f"
done
echo "sdk_install: $prefix complete"
