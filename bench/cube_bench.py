#!/usr/bin/python3
"""cube_bench.py -- issue 13's numbers: format 1 against format 2 (one run of each).

usage: bench/cube_bench.py [--runner build/runner] [--workdir /tmp/mlplab_cube]
                           [--big 100000] [--threads 2]

  tiny10k     bench/tiny10k.yaml with -j THREADS in each format: process wall,
              compute (the runs' summed wall_seconds / threads), write+build
              (wall - compute) and its share of compute, peak RSS, file size
  big         the same spec with --set repeats=BIG in format 2: peak RSS, file
              size against the bytes of the numbers it holds
  tutorial    configs/circles_width_sweep.yaml in each format: wall and size
  read        one run's loss curve from the big file with h5py (index, then the
              row), cold file handle each time: median and max of 50 runs
  compress    gzip (levels 1, 4) with and without shuffle against none, on the
              stacked curves and boundary grids of the tutorial and tiny files:
              bytes, time to write, time to read one row

Prints markdown; numbers are from one run, never from a test.
"""
import argparse
import os
import random
import resource
import subprocess
import sys
import time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed: {p.stderr.read().decode()}")
    return wall, ru.ru_maxrss / 1024.0


def wall_seconds(path):
    with h5py.File(path) as f:
        col = f["wall_seconds"] if "wall_seconds" in f else f["summary/wall_seconds"]
        return float(np.sum(col[()]))


def raw_bytes(path):
    """Bytes of every number and string the file holds (element size x count)."""
    total = 0

    def visit(name, obj):
        nonlocal total
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind != "O":
            total += obj.size * obj.dtype.itemsize
    with h5py.File(path) as f:
        f.visititems(visit)
    return total


def sweep(a, spec, out, fmt, sets=()):
    if os.path.exists(out):
        os.remove(out)
    cmd = [a.runner, spec, "-q", "-j", str(a.threads), "-o", out, "--format", str(fmt)]
    for s in sets:
        cmd += ["--set", s]
    wall, rss = run_timed(cmd)
    return wall, rss, os.path.getsize(out)


def tiny(a, rows):
    spec = os.path.join(ROOT, "bench", "tiny10k.yaml")
    for fmt in (1, 2):
        out = os.path.join(a.workdir, f"tiny10k_f{fmt}.h5")
        wall, rss, size = sweep(a, spec, out, fmt)
        comp = wall_seconds(out) / a.threads
        wb = wall - comp
        rows.append(f"| tiny10k, format {fmt}, -j{a.threads} | {wall:.2f} s | {comp:.2f} s | "
                    f"{wb:.2f} s | {100 * wb / comp:.0f}% | {rss:.0f} MB | {size / 1e6:.1f} MB |")


def big(a, rows):
    spec = os.path.join(ROOT, "bench", "tiny10k.yaml")
    out = os.path.join(a.workdir, "big_f2.h5")
    wall, rss, size = sweep(a, spec, out, 2, [f"repeats={a.big}"])
    comp = wall_seconds(out) / a.threads
    raw = raw_bytes(out)
    rows.append(f"| {a.big} tiny runs, format 2, -j{a.threads} | {wall:.2f} s | {comp:.2f} s | "
                f"{wall - comp:.2f} s | {100 * (wall - comp) / comp:.0f}% | {rss:.0f} MB | "
                f"{size / 1e6:.1f} MB (numbers: {raw / 1e6:.1f} MB, x{size / raw:.3f}) |")
    return out


def tutorial(a, rows):
    spec = os.path.join(ROOT, "configs", "circles_width_sweep.yaml")
    for fmt in (1, 2):
        out = os.path.join(a.workdir, f"tutorial_f{fmt}.h5")
        wall, rss, size = sweep(a, spec, out, fmt)
        rows.append(f"| tutorial sweep, format {fmt}, -j{a.threads} | {wall:.2f} s | "
                    f"{wall_seconds(out) / a.threads:.2f} s | | | {rss:.0f} MB | "
                    f"{size / 1e6:.2f} MB |")


def read_one(path, n=50):
    times = []
    with h5py.File(path) as f:
        n_runs = int(f.attrs["n_runs"])
    rnd = random.Random(1)
    for _ in range(n):
        k = rnd.randrange(n_runs)
        t0 = time.perf_counter()
        with h5py.File(path) as f:
            s, r = int(f["index/stack"][k]), int(f["index/row"][k])
            loss = f[f"stacks/s{s}/loss"][r]
        times.append(time.perf_counter() - t0)
        assert loss.size > 0
    times.sort()
    return times[len(times) // 2], times[-1]


def compress(a, files):
    """Rewrite the curves and grids of each file's stacks with each filter."""
    print("\n| file: arrays | filter | bytes | write | read one row |")
    print("| --- | --- | ---: | ---: | ---: |")
    for path in files:
        with h5py.File(path) as f:
            arrays = {}
            for s in f["stacks"]:
                g = f["stacks"][s]
                for name in ("loss", "grad_norm_W", "test_loss", "boundary_prob",
                             "hidden_layer0", "W_layer0"):
                    if name in g:
                        arrays.setdefault(name, []).append((g[name][()], g[name].chunks))
        for name, parts in arrays.items():
            for filt in ("none", "gzip1", "gzip1+shuffle", "gzip4+shuffle"):
                tmp = os.path.join(a.workdir, "compress.h5")
                kw = {}
                if filt != "none":
                    kw = {"compression": "gzip", "compression_opts": int(filt[4]),
                          "shuffle": filt.endswith("shuffle")}
                t0 = time.perf_counter()
                with h5py.File(tmp, "w") as o:
                    for i, (data, chunks) in enumerate(parts):
                        o.create_dataset(f"d{i}", data=data, chunks=chunks, **kw)
                tw = time.perf_counter() - t0
                nbytes = 0
                with h5py.File(tmp) as o:
                    for i in range(len(parts)):
                        nbytes += o[f"d{i}"].id.get_storage_size()
                    t0 = time.perf_counter()
                    for _ in range(20):
                        o["d0"][len(parts[0][0]) // 2]
                    tr = (time.perf_counter() - t0) / 20
                print(f"| {os.path.basename(path)}: {name} | {filt} | {nbytes} | "
                      f"{tw * 1000:.1f} ms | {tr * 1e6:.0f} us |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runner", default=os.path.join(ROOT, "build", "runner"))
    ap.add_argument("--workdir", default="/tmp/mlplab_cube")
    ap.add_argument("--big", type=int, default=100000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="tiny,big,tutorial,read,compress")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    only = a.only.split(",")
    rows = []
    bigfile = os.path.join(a.workdir, "big_f2.h5")
    if "tiny" in only:
        tiny(a, rows)
    if "big" in only:
        bigfile = big(a, rows)
    if "tutorial" in only:
        tutorial(a, rows)
    print("| sweep | wall | compute | write+build | share | peak RSS | file |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    if "read" in only and os.path.exists(bigfile):
        med, worst = read_one(bigfile)
        print(f"\none run's loss from {bigfile} with h5py (open, index, row): "
              f"median {med * 1000:.2f} ms, max {worst * 1000:.2f} ms of 50")
    if "compress" in only:
        compress(a, [os.path.join(a.workdir, "tutorial_f2.h5"),
                     os.path.join(a.workdir, "tiny10k_f2.h5")])


if __name__ == "__main__":
    main()
