#!/usr/bin/python3
"""The promise for a sweep that is not a plain grid (zipped keys, random or
Sobol search): the same numbers for -j1, -j2 and a sweep resumed after half
of it ran (--shard 0/2, then --resume); each run records the values the dry
run printed for it; with --grow, a search run with its runs kept and resumed
with twice the samples equals a fresh sweep of twice the samples, whose
first runs equal the smaller sweep's; /cube is over run, each swept key a
coordinate along it (xarray, both engines).  The files are format 2 (the
default); a format-1 sweep (--format 1) holds the same numbers.

usage: check_search.py RUNNER WORKDIR SPEC [--grow]
"""
import os
import subprocess
import sys

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import compare_numbers  # noqa: E402
from runs import Run, check_cube, n_runs, stored_runs  # noqa: E402


def run(runner, spec, *args):
    p = subprocess.run([runner, spec, "-q", *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: runner {spec} {' '.join(args)}: exit {p.returncode}\n{p.stderr}")
    return p.stdout


def convert(runner, src, dst):
    p = subprocess.run([runner, "convert", src, dst, "--force"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: runner convert {src} {dst}: exit {p.returncode}\n{p.stderr}")


def same(a, b):
    sys.argv = ["compare_numbers.py", a, b]
    if compare_numbers.main() != 0:
        sys.exit(f"FAIL: {a} and {b} differ")


def dry_run_values(runner, spec, *args):
    """Run index -> {key: label} from the dry run's table."""
    out = run(runner, spec, "--dry-run", *args).splitlines()
    head = next(i for i, l in enumerate(out) if l.startswith("run "))
    keys = out[head].split()[2:]
    keys = [k for k in keys if k != "repeat"]
    table = {}
    for line in out[head + 1:]:
        cells = line.split()
        table[int(cells[0])] = dict(zip(keys, cells[2:2 + len(keys)]))
    return table


def check_values(path, table):
    with h5py.File(path, "r") as f:
        if n_runs(f) != len(table) or stored_runs(f) != len(table):
            sys.exit(f"FAIL: {path} has {n_runs(f)} runs, the dry run {len(table)}")
        for k, want in table.items():
            run = Run(f, k)
            for key, label in want.items():
                got = run.attr(key)
                if isinstance(got, bytes):
                    got = got.decode()
                if isinstance(got, str):
                    ok = got == label
                elif isinstance(got, (bool,)) or str(got) in ("True", "False"):
                    ok = str(got).lower() == label
                else:
                    ok = float(got) == float(label)
                if not ok:
                    sys.exit(f"FAIL: run {k} {key}: recorded {got!r}, dry run {label!r}")


def first_runs_equal(small, big):
    with h5py.File(small, "r") as a, h5py.File(big, "r") as b:
        for k in range(n_runs(a)):
            va, vb = Run(a, k).values(), Run(b, k).values()
            if sorted(va) != sorted(vb):
                sys.exit(f"FAIL: run {k} holds {sorted(va)} in {small}, {sorted(vb)} in {big}")
            for name in va:
                if not compare_numbers.same(va[name], vb[name]):
                    sys.exit(f"FAIL: run {k} {name} differs in {big}")


def main():
    runner, work, spec = sys.argv[1:4]
    grow = "--grow" in sys.argv[4:]
    os.makedirs(work, exist_ok=True)
    os.chdir(work)
    run(runner, spec, "-j1", "-o", "j1.h5", "--force")
    run(runner, spec, "-j2", "-o", "j2.h5", "--force")
    run(runner, spec, "-j2", "-o", "resumed.h5", "--force", "--shard", "0/2")
    run(runner, spec, "-j1", "-o", "resumed.h5", "--resume")
    same("j1.h5", "j2.h5")
    same("j1.h5", "resumed.h5")
    check_values("j1.h5", dry_run_values(runner, spec))
    print(check_cube("j1.h5"))
    # format 1 holds the same numbers: written by the runner and converted
    run(runner, spec, "-j2", "-o", "f1.h5", "--force", "--format", "1")
    convert(runner, "j1.h5", "to1.h5")
    same("f1.h5", "to1.h5")
    check_values("f1.h5", dry_run_values(runner, spec))
    if grow:
        header = run(runner, spec, "--dry-run").splitlines()[1]
        n = int(header.split(": ")[1].split()[0])  # "random search: N samples ..."
        more = f"sweep.samples={2 * n}"
        run(runner, spec, "-j2", "-o", "grown.h5", "--force", "--keep-runs")
        run(runner, spec, "-j2", "-o", "grown.h5", "--resume", "--set", more)
        run(runner, spec, "-j1", "-o", "big.h5", "--force", "--set", more)
        same("grown.h5", "big.h5")
        first_runs_equal("j1.h5", "big.h5")
        check_values("big.h5", dry_run_values(runner, spec, "--set", more))
    print("ok")


if __name__ == "__main__":
    main()
