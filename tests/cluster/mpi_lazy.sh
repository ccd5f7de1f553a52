#!/bin/sh
# mpi_lazy: the runner loads the MPI libraries only when an MPI launcher
# started it (framework/sweep/team.c).  A plain start must not load libmpi;
# a start that looks launched (the launcher's variable set, no launcher
# behind it) goes for the MPI module, the one installed beside the runner
# first, and says what failed when that one is damaged or is another
# shared object.  The real mpirun
# sweeps, which load it, are mpi_sweep.py's.
# usage: mpi_lazy.sh RUNNER BUILD_DIR WORK
runner=$1 build=$2 work=$3
fail() { echo "mpi_lazy: $*" >&2; exit 1; }

rm -rf "$work" && mkdir -p "$work" || fail "cannot make $work"
# a plain start: no MPI library among the objects the loader opens
LD_DEBUG=files "$runner" --version >"$work/plain.out" 2>"$work/plain.log" ||
    fail "runner --version failed"
grep -q 'file=libmpi' "$work/plain.log" && fail "a plain start loaded libmpi:
$(grep 'file=libmpi' "$work/plain.log" | head -3)"
grep -q 'file=.*mlplab_mpi' "$work/plain.log" && fail "a plain start loaded the MPI module"
grep -q 'mlplab runner' "$work/plain.out" || fail "runner --version printed nothing"

# the module exists and exports its table, and nothing else
test -f "$build/mlplab_mpi.so" || fail "no $build/mlplab_mpi.so"
syms=$(nm -D --defined-only "$build/mlplab_mpi.so" | awk '$2 ~ /^[TDRB]$/ {print $3}')
test "$syms" = "mlplab_team_mpi_ops" || fail "the module exports [$syms], not its table alone"

# a copy of the runner with a damaged module where an installed one sits
# (<bin>/../lib/mlplab/, looked at before the build tree's): the error names
# that file and says what to do (exit 1, not a crash, no run started)
mkdir -p "$work/bin" "$work/lib/mlplab" && cp "$runner" "$work/bin/runner" ||
    fail "cannot copy the runner"
echo "not a shared object" >"$work/lib/mlplab/mlplab_mpi.so"
OMPI_COMM_WORLD_SIZE=2 "$work/bin/runner" "$work/none.yaml" >"$work/damaged.out" 2>&1
rc=$?
test $rc -eq 1 || fail "a launched runner with a damaged MPI module exited $rc, not 1"
grep -q "cannot load the runner's MPI module: $work/lib/mlplab/mlplab_mpi.so" "$work/damaged.out" ||
    fail "no clear error for the damaged module: $(cat "$work/damaged.out")"
grep -q "install the runner again" "$work/damaged.out" ||
    fail "the error does not say what to do: $(cat "$work/damaged.out")"
# a shared object that is not the module (a plugin): refused by name
cp "$build/plugins/activations/sigmoid.so" "$work/lib/mlplab/mlplab_mpi.so" ||
    fail "cannot copy a plugin"
OMPI_COMM_WORLD_SIZE=2 "$work/bin/runner" "$work/none.yaml" >"$work/other.out" 2>&1
rc=$?
test $rc -eq 1 || fail "a launched runner with another shared object as its module exited $rc"
grep -q "$work/lib/mlplab/mlplab_mpi.so is not this runner's MPI module (no operations table)" \
    "$work/other.out" || fail "no clear error for a foreign module: $(cat "$work/other.out")"
echo "mpi_lazy: ok"
