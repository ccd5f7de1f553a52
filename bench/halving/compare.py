#!/usr/bin/python3
"""Successive halving against the full grid on moons (issue 14): runs the
grid of moons_grid.yaml in full and under sweep.halving, and prints the best
test accuracy of each, what each would pick by validation accuracy, and the
iterations each trained (counted by the runner, not timed).

usage: bench/halving/compare.py [--runner build/runner] [--workdir DIR] [-j N]
                                [--min-iterations 222] [--eta 3]
                                [--metric validation_accuracy]
"""
import argparse
import os
import re
import subprocess
import sys
import time

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))


def sweep(runner, out, threads, *sets):
    cmd = [runner, os.path.join(HERE, "moons_grid.yaml"), "-q", "-j", str(threads), "-o", out,
           "--force"]
    for s in sets:
        cmd += ["--set", s]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        sys.exit(p.stderr)
    return p.stdout, time.monotonic() - t0


def runs(path):
    with h5py.File(path, "r") as f:
        out = []
        for g in f["runs"].values():
            va = g["validation_accuracy"][()] if "validation_accuracy" in g else []
            why = g.attrs["stop_reason"]
            out.append({"run": int(g.attrs["index"]), "test": float(g.attrs["test_accuracy"]),
                        "iterations": int(g.attrs["iterations_run"]),
                        "why": why.decode() if isinstance(why, bytes) else str(why),
                        "val": float(va[-1]) if len(va) else float("nan")})
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runner", default=os.path.join(HERE, "..", "..", "build", "runner"))
    ap.add_argument("--workdir", default="/tmp/mlplab_bench_halving")
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--min-iterations", type=int, default=222)
    ap.add_argument("--eta", type=int, default=3)
    ap.add_argument("--metric", default="validation_accuracy")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    grid_h5 = os.path.join(a.workdir, "grid.h5")
    halv_h5 = os.path.join(a.workdir, "halving.h5")
    _, grid_s = sweep(a.runner, grid_h5, a.j)
    out, halv_s = sweep(a.runner, halv_h5, a.j,
                        f"sweep.halving={{min_iterations: {a.min_iterations}, eta: {a.eta}, "
                        f"metric: {a.metric}}}")
    grid, halv = runs(grid_h5), runs(halv_h5)
    grid_iters = sum(r["iterations"] for r in grid)
    halv_iters = int(re.search(r"trained (\d+) iterations here", out).group(1))
    full = [r for r in halv if r["why"] != "halving"]
    best_grid = max(grid, key=lambda r: (r["test"], -r["run"]))
    best_full = max(full, key=lambda r: (r["test"], -r["run"]))
    pick_grid = max(grid, key=lambda r: (r["val"], -r["run"]))
    pick_halv = max(full, key=lambda r: (r["val"], -r["run"]))
    print(f"full grid:  {len(grid)} runs, {grid_iters} iterations, {grid_s:.1f} s wall")
    print(f"halving:    min_iterations {a.min_iterations}, eta {a.eta}, metric {a.metric}: "
          f"{halv_iters} iterations ({100 * halv_iters / grid_iters:.1f}% of the grid's), "
          f"{len(full)} runs to the full budget, {halv_s:.1f} s wall")
    print(f"best test accuracy: grid {best_grid['test']:.4f} (run {best_grid['run']}), "
          f"halving {best_full['test']:.4f} (run {best_full['run']}): "
          f"{100 * (best_grid['test'] - best_full['test']):.2f} points apart")
    print(f"picked by validation accuracy: grid run {pick_grid['run']} test "
          f"{pick_grid['test']:.4f}, halving run {pick_halv['run']} test {pick_halv['test']:.4f}")
    print(f"halving's best of every run, halted ones too: {max(r['test'] for r in halv):.4f}")


if __name__ == "__main__":
    main()
