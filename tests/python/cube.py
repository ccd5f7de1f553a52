#!/usr/bin/python3
"""Checks of format 2, the sweep cube, one per CTest test.

usage: cube.py CHECK --runner RUNNER --dir DIR --figures FIGURES.py
               --compare COMPARE.py F1 F2 F2J2 SWEPT1 SWEPT2 MULTI1 MULTI2

The files are the same sweeps written by the runner in format 1 (F1,
SWEPT1, MULTI1) and format 2 (F2 with -j1, F2J2 with -j2, SWEPT2,
MULTI2).  CHECK is one of:

  convert       runner convert both ways: format 2 -> 1 has every number of
                the runner's format-1 file, 1 -> 2 every number of its
                format-2 file, and 1 -> 2 -> 1 gives the format-1 file's bytes
  threads       -j1 and -j2 give the same numbers in format 2
  xarray-cube   xarray.open_dataset(path, group="cube") with h5netcdf and
                netcdf4: dimensions the swept keys and repeat, coordinates
                their values, every cell the summary's value of its run
  pandas-netcdf pandas.read_hdf(path, "summary_table") without a warning (and
                nothing on stderr in a fresh interpreter),
                and netcdf4 sees every summary column at the root
  h5py-row      a run's arrays are one indexing away: stack and row from
                /index, and equal to the format-1 file's run group
  warm-start    a warm start from either format starts from the same weights
  info          runner info prints the same table from both formats
  figures       figures.py draws every figure from format-2 files
  refusals      convert and --format refuse bad input with their messages
  shapes        a sweep of widths and depths (1, 2 and 3 hidden layers, weight
                snapshots, hidden outputs) run in both formats: one stack per
                shape, the index right, convert both ways equal numbers and
                1 -> 2 -> 1 the same bytes
  old-file      tests/data/format1_705a769.h5, written by the runner of commit
                705a769 (before format 2): runner info, figures.py, a warm
                start, convert to format 2 (the cube over the sweep's keys)
                and back to the same bytes
  resume        a format-2 sweep killed with SIGKILL once a run is in its run
                folder, then --resume: every dataset and attribute (strings,
                the summary table, the stacks' attributes) as in the
                uninterrupted sweep's file, timings aside
  merge         the sweep of F1 and F2 in two shards, runner merge --format 1
                --keep-runs, then runner merge (format 2) of the same part
                files: the numbers of F1 and of F2
  search-cube   the zipped and random sweeps of tests/search in format 2: a
                cube over run alone, every swept key a run coordinate equal
                to its summary column (both engines); convert both ways;
                runner info prints format 1's table; and tests/search's
                halving and Hyperband sweeps: each run's halving_bracket and
                halving_rungs kept, convert both ways
"""
import argparse
import os
import shutil
import subprocess
import sys
import warnings

import h5py
import numpy as np


class Failed(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Failed(msg)


def run(cmd, code=0, cwd=None):
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if p.returncode != code:
        raise Failed(f"{' '.join(cmd)}: exit {p.returncode}, wanted {code}\n{p.stdout}{p.stderr}")
    return p


def pairs(a):
    return [(a.files[0], a.files[1]), (a.files[3], a.files[4]), (a.files[5], a.files[6])]


def compare(a, x, y):
    p = subprocess.run([sys.executable, a.compare, x, y], capture_output=True, text=True)
    expect(p.returncode == 0, f"{x} and {y} differ:\n{p.stdout}{p.stderr}")
    return p.stdout


def check_convert(a):
    for f1, f2 in pairs(a):
        base = os.path.join(a.dir, os.path.basename(f2))
        to1, to2, back = base + ".to1.h5", base + ".to2.h5", base + ".back.h5"
        out = run([a.runner, "convert", f2, to1]).stdout
        expect("format 1" in out, f"convert of a format-2 file says: {out}")
        compare(a, f1, to1)
        run([a.runner, "convert", f1, to2, "--format", "2"])
        compare(a, f2, to2)
        with h5py.File(to2) as f:
            expect(int(f.attrs["format_version"]) == 2, "converted file is not format 2")
        run([a.runner, "convert", to2, back])
        with open(f1, "rb") as x, open(back, "rb") as y:
            expect(x.read() == y.read(), f"{f1} -> 2 -> 1 is not the same bytes")
        # format 2 rewritten as format 2 keeps the sweep's layout (stacks largest first)
        again = base + ".again2.h5"
        run([a.runner, "convert", f2, again, "--format", "2"])
        compare(a, f2, again)
        print(f"{f1} <-> {f2}: equal numbers both ways, 1 -> 2 -> 1 the same bytes, "
              f"2 -> 2 the same layout")


def check_threads(a):
    print(compare(a, a.files[1], a.files[2]).strip())


def check_xarray_cube(a):
    import xarray as xr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # netCDF4 built against another numpy
        import netCDF4  # noqa: F401
    for path, dims, values in [
        (a.files[1], ("model.hidden", "model.activation", "repeat"),
         [[3, 6], ["sigmoid", "tanh"], [0, 1]]),
        (a.files[4], ("dataset.noise", "repeat"), [[0.0, 0.1], [0]]),
        (a.files[6], ("model.hidden", "repeat"), [[3, 6], [0]]),
    ]:
        with h5py.File(path) as f:
            summary = {k: f[k][()] for k in ("final_loss", "seed", "test_accuracy")}
        for engine in ("h5netcdf", "netcdf4"):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                ds = xr.open_dataset(path, group="cube", engine=engine)
            expect(ds.final_loss.dims == dims,
                   f"{path} ({engine}): final_loss over {ds.final_loss.dims}, not {dims}")
            for d, v in zip(dims, values):
                got = [x.decode() if isinstance(x, bytes) else x for x in ds[d].values.tolist()]
                expect(got == v, f"{path} ({engine}): coordinate {d} is {got}, not {v}")
            run_ix = ds.run.values.ravel()
            expect(list(run_ix) == list(range(run_ix.size)), f"{path}: runs not in grid order")
            for k, col in summary.items():
                cube = ds[k].values.ravel()
                expect(np.array_equal(cube, col[run_ix], equal_nan=k != "seed"),
                       f"{path} ({engine}): cube {k} differs from the summary")
            sel = ds.final_loss.sel({dims[0]: values[0][-1]}).mean("repeat")
            expect(sel.size >= 1, "sel over a swept key failed")
            print(f"{path} ({engine}): final_loss {dict(ds.final_loss.sizes)}")
    # not a grid (here: a spec convert cannot read, so no grid is known):
    # the cube is over run, each swept key and repeat a coordinate along it
    nogrid1, nogrid2 = os.path.join(a.dir, "nogrid1.h5"), os.path.join(a.dir, "nogrid2.h5")
    with open(a.files[0], "rb") as src, open(nogrid1, "wb") as dst:
        dst.write(src.read())
    with h5py.File(nogrid1, "r+") as f:
        f.attrs["spec_resolved"] = "not: [a spec"
    run([a.runner, "convert", nogrid1, nogrid2])
    with h5py.File(nogrid2) as f:
        hidden = f["model.hidden"][()]
    for engine in ("h5netcdf", "netcdf4"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ds = xr.open_dataset(nogrid2, group="cube", engine=engine)
        expect(ds.final_loss.dims == ("run",), f"{nogrid2}: over {ds.final_loss.dims}")
        for c in ("model.hidden", "model.activation", "repeat"):
            expect(c in ds.coords and ds[c].dims == ("run",), f"{nogrid2}: no coordinate {c}")
        expect(list(ds["model.hidden"].values) == list(hidden), f"{nogrid2}: model.hidden")
        print(f"{nogrid2} ({engine}): over run, keys as run coordinates")


def check_pandas_netcdf(a):
    import pandas as pd
    import xarray as xr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        import netCDF4  # noqa: F401
    for path in (a.files[1], a.files[4], a.files[6]):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            df = pd.read_hdf(path, "summary_table")
        expect(not caught, f"{path}: read_hdf warned: {[str(w.message) for w in caught]}")
        # and nothing at all on stderr in a fresh interpreter (warnings shown
        # once per place, HDF5's own error stack), as a user would see it
        p = run([sys.executable, "-c", "import sys, pandas; "
                 "print(len(pandas.read_hdf(sys.argv[1], 'summary_table')))", path])
        expect(p.stderr == "" and p.stdout.strip() == str(len(df)),
               f"{path}: read_hdf in a fresh python printed: {p.stderr}")
        with h5py.File(path) as f:
            names = [n.decode() for n in f["summary_table"].attrs["column_names"]]
            expect(len(names) == len(df.columns), f"{path}: column_names has {len(names)}")
            for col, name in zip(df.columns, names):
                want = f[name][()] if name != "run" else np.arange(len(df))
                got = df[col].to_numpy()
                if want.dtype.kind == "O":
                    want = [w.decode() if isinstance(w, bytes) else w for w in want]
                    expect(list(got) == list(want), f"{path}: column {col} differs")
                else:
                    expect(np.array_equal(got, want, equal_nan=want.dtype.kind == "f"),
                           f"{path}: column {col} differs from /{name}")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ds = xr.open_dataset(path, engine="netcdf4")
        seen = set(ds.data_vars) | set(ds.coords)
        missing = [n for n in names if n not in seen]
        expect(not missing, f"{path}: netcdf4 does not see {missing}")
        print(f"{path}: pandas {len(df.columns)} columns, no warning; netcdf4 sees them all")


def check_h5py_row(a):
    for f1, f2 in pairs(a):
        with h5py.File(f1) as x, h5py.File(f2) as y:
            n = int(y.attrs["n_runs"])
            stacks = set()
            for k in range(n):
                s, r = int(y["index/stack"][k]), int(y["index/row"][k])
                stacks.add(s)
                g = y[f"stacks/s{s}"]
                expect(int(g["run"][r]) == k, f"{f2}: stack s{s} row {r} is not run {k}")
                old = x[f"runs/run_{k:04d}"]
                expect(np.array_equal(g["loss"][r], old["loss"][()], equal_nan=True),
                       f"{f2}: run {k}'s loss differs")
                expect(np.array_equal(g["W_layer0"][r], old["weights/layer0/W"][()]),
                       f"{f2}: run {k}'s W_layer0 differs")
                expect(np.array_equal(g["boundary_prob"][r], old["boundary/prob"][()],
                                      equal_nan=True), f"{f2}: run {k}'s boundary differs")
                expect(list(g.attrs["widths"]) == list(old.attrs["widths"]),
                       f"{f2}: run {k}'s widths differ")
                # chunked along run only, or (a stack of at most one chunk:
                # 64 kB of runs) not chunked at all
                chunks, shape = g["loss"].chunks, g["loss"].shape
                row_bytes = 8 * int(np.prod(shape[1:]))
                expect(chunks[1:] == shape[1:] if chunks is not None
                       else shape[0] <= max(1, 65536 // row_bytes),
                       f"{f2}: loss of shape {shape} has chunks {chunks}")
            print(f"{f2}: {n} runs in {len(stacks)} stacks, each run one index away")


WARM = """name: warm
seed: 11
dataset: {plugin: circles, train: 60, test: 30, factor: 0.5, noise: 0.05}
model: {hidden: 6, activation: tanh, init: {file: FILE, run: 7}}
loss: bce
train: {learning_rate: 1.0, iterations: 5}
"""


def warm_losses(a, template, sources):
    """The first run's loss curve of a sweep warm-started from each file in
    sources (template: a spec with FILE where the path goes)."""
    losses = []
    for i, src in enumerate(sources):
        spec = os.path.join(a.dir, f"warm{i}.yaml")
        out = os.path.join(a.dir, f"warm{i}.h5")
        with open(spec, "w") as f:
            f.write(template.replace("FILE", src))
        run([a.runner, spec, "-q", "--force", "-o", out])
        with h5py.File(out) as f:
            losses.append(f["stacks/s0/loss"][0])
    return losses

def check_warm_start(a):
    os.makedirs(a.dir, exist_ok=True)
    losses = warm_losses(a, WARM, a.files[:2])
    expect(np.array_equal(losses[0], losses[1]), "warm starts from the two formats differ")
    with h5py.File(a.files[1]) as f:
        w = f[f"stacks/s{int(f['index/stack'][7])}/W_layer0"][int(f["index/row"][7])]
    expect(w.shape == (6, 2), f"run 7's W_layer0 has shape {w.shape}")
    # a run that is not there, in format 2
    spec = os.path.join(a.dir, "warm_bad.yaml")
    with open(spec, "w") as f:
        f.write(WARM.replace("FILE", a.files[1]).replace("run: 7", "run: 99"))
    p = run([a.runner, spec, "-q", "--force", "-o", os.path.join(a.dir, "bad.h5")], code=2)
    expect("no run 99 in this results file" in p.stderr, f"message: {p.stderr}")
    spec = os.path.join(a.dir, "warm_shape.yaml")
    with open(spec, "w") as f:
        f.write(WARM.replace("FILE", a.files[1]).replace("run: 7", "run: 0"))
    p = run([a.runner, spec, "-q", "--force", "-o", os.path.join(a.dir, "bad.h5")], code=2)
    expect("has weights of shape (3, 2); this model's layer 0 needs (6, 2)" in p.stderr,
           f"message: {p.stderr}")
    print(f"warm start: first loss {losses[0][0]:.17g} from both formats")


def check_info(a):
    for f1, f2 in pairs(a):
        t1 = run([a.runner, "info", "--csv", f1]).stdout.splitlines()
        t2 = run([a.runner, "info", "--csv", f2]).stdout.splitlines()
        head = t1[0].split(",")
        expect(t2[0].split(",") == head, f"{f2}: columns {t2[0]} != {t1[0]}")
        wall = head.index("wall_seconds")
        strip = [[",".join(c for i, c in enumerate(r.split(",")) if i != wall) for r in t]
                 for t in (t1, t2)]
        expect(len(t1) == len(t2), f"{f2}: {len(t2)} rows, format 1 {len(t1)}")
        if f1 == a.files[0]:  # the same sweep run twice: equal but for the timings
            expect(strip[0] == strip[1], f"{f2}: runner info differs from {f1}")
        run([a.runner, "info", "--where", "status=ok", "--columns", head[4], f2])
    print("runner info: the same table from both formats")


def check_figures(a):
    for path in (a.files[1], a.files[4], a.files[6]):
        out = os.path.join(a.dir, os.path.basename(path) + ".figures")
        run([sys.executable, a.figures, path, "--out", out])
        made = sorted(os.listdir(out))
        for want in ("boundaries.png", "loss.png", "metrics.png", "dataset.png"):
            expect(want in made, f"{path}: figures.py did not draw {want} ({made})")
    print("figures.py draws from format-2 files")


def check_refusals(a):
    os.makedirs(a.dir, exist_ok=True)
    out = os.path.join(a.dir, "r.h5")
    cases = [
        (["convert", os.path.join(a.dir, "missing.h5"), out], "no such results file"),
        (["convert", a.files[1], out, "--format", "3"], "--format expects 1 or 2, got '3'"),
        (["convert", a.files[1], a.files[1]], "convert writes a new file"),
        (["convert", a.files[1], a.files[0]], "exists (use --force to replace it)"),
        (["convert", a.files[1]], "convert needs IN.h5 and OUT.h5"),
    ]
    plain = os.path.join(a.dir, "plain.h5")
    with h5py.File(plain, "w") as f:
        f["x"] = np.arange(3)
    cases.append((["convert", plain, out], "not an mlplab results file"))
    for args, msg in cases:
        p = subprocess.run([a.runner] + args, capture_output=True, text=True)
        expect(p.returncode in (1, 2), f"runner {' '.join(args)}: exit {p.returncode}")
        expect(msg in p.stderr, f"runner {' '.join(args)}: wanted '{msg}', got {p.stderr}")
        expect(not os.path.exists(out), f"runner {' '.join(args)} left {out}")
    p = subprocess.run([a.runner, "x.yaml", "--format", "0"], capture_output=True, text=True)
    expect(p.returncode == 2 and "--format expects 1 (a group per run) or 2" in p.stderr,
           f"--format 0: {p.stderr}")
    print(f"{len(cases) + 1} refusals, each with its message")


SHAPES = """name: shapes
seed: 5
dataset: {plugin: circles, train: 40, test: 20, factor: 0.5, noise: 0.1}
model: {hidden: 3, activation: tanh}
loss: bce
train: {learning_rate: 0.5, iterations: 20}
repeats: 2
sweep:
  model.hidden: [3, [4, 2], [5, 3, 2], 6]
record: {boundary: {resolution: 8}, weights_every: 10}
"""


def round_trip(a, f1, f2):
    """runner convert both ways between a sweep's format-1 file F1 and its
    format-2 file F2: equal numbers, and 1 -> 2 -> 1 F1's bytes."""
    base = os.path.join(a.dir, os.path.basename(f2))
    to1, to2, back = base + ".to1.h5", base + ".to2.h5", base + ".back.h5"
    run([a.runner, "convert", f2, to1])
    compare(a, f1, to1)
    run([a.runner, "convert", f1, to2])
    compare(a, f2, to2)
    run([a.runner, "convert", to2, back])
    with open(f1, "rb") as x, open(back, "rb") as y:
        expect(x.read() == y.read(), f"{f1} -> 2 -> 1 is not the same bytes")


def check_shapes(a):
    spec = os.path.join(a.dir, "shapes.yaml")
    with open(spec, "w") as f:
        f.write(SHAPES)
    f1, f2 = os.path.join(a.dir, "shapes1.h5"), os.path.join(a.dir, "shapes2.h5")
    run([a.runner, spec, "-q", "-o", f1, "--format", "1"])
    run([a.runner, spec, "-q", "-o", f2])
    with h5py.File(f1) as x, h5py.File(f2) as y:
        expect(int(y.attrs["format_version"]) == 2, f"{f2}: not format 2")
        expect(sorted(y["stacks"]) == ["s0", "s1", "s2", "s3"], f"{f2}: stacks {list(y['stacks'])}")
        # stacks largest first (layer weights x iterations: [5, 3, 2] 33, then
        # [4, 2] and 6 both 18, the smaller first run first, then 3 with 9),
        # rows in run order
        expect(list(y["index/stack"][()]) == [3, 3, 1, 1, 0, 0, 2, 2] and
               list(y["index/row"][()]) == [0, 1] * 4, f"{f2}: index {y['index/stack'][()]}"
               f" {y['index/row'][()]}")
        for k in range(8):
            g = y[f"stacks/s{int(y['index/stack'][k])}"]
            r, old = int(y["index/row"][k]), x[f"runs/run_{k:04d}"]
            depth = len(old.attrs["widths"]) - 1
            expect(list(g.attrs["widths"]) == list(old.attrs["widths"]), f"run {k}: widths")
            for l in range(depth):
                for ours, theirs in ((f"W_layer{l}", f"weights/layer{l}/W"),
                                     (f"b_layer{l}", f"weights/layer{l}/b")):
                    expect(np.array_equal(g[ours][r], old[theirs][()]), f"run {k}: {ours}")
                expect(f"W_layer{l}_snapshots" in g, f"run {k}: no W_layer{l}_snapshots")
            for l in range(depth - 1):
                expect(np.array_equal(g[f"hidden_layer{l}"][r], old[f"hidden/layer{l}"][()]),
                       f"run {k}: hidden_layer{l}")
    round_trip(a, f1, f2)
    print(f"{f2}: 4 shapes in 4 stacks, every run one index away; convert both ways")


OLD_WARM = """name: warm_old
seed: 3
dataset: {plugin: circles, train: 40, test: 20, factor: 0.5, noise: 0.1}
model: {hidden: [3, 2], activation: tanh, init: {file: FILE, run: 2}}
loss: bce
train: {learning_rate: 0.5, iterations: 5}
"""


def check_old_file(a):
    old = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                       "format1_705a769.h5")
    with h5py.File(old) as f:
        expect(int(f.attrs["format_version"]) == 1 and "runs" in f, f"{old}: not format 1")
    rows = run([a.runner, "info", "--csv", old]).stdout.splitlines()
    expect(len(rows) == 5 and all(",ok," in r for r in rows[1:]), f"runner info: {rows}")
    out = os.path.join(a.dir, "old.figures")
    run([sys.executable, a.figures, old, "--out", out])
    made = sorted(os.listdir(out))
    for want in ("boundaries.png", "loss.png", "metrics.png", "dataset.png"):
        expect(want in made, f"{old}: figures.py did not draw {want} ({made})")
    to2, back = os.path.join(a.dir, "old2.h5"), os.path.join(a.dir, "old_back.h5")
    run([a.runner, "convert", old, to2])
    run([a.runner, "convert", to2, back])
    # every number and attribute as the old runner wrote it; only the
    # descriptions (long_name) are today's, which may say more (stop_reason's
    # names halving since the search work)
    with h5py.File(old) as x, h5py.File(back) as y:
        names = []
        x.visit(names.append)
        other = []
        y.visit(other.append)
        expect(sorted(names) == sorted(other), f"{old} -> 2 -> 1 has other objects")
        for name in [""] + names:
            ox, oy = (x[name], y[name]) if name else (x, y)
            if isinstance(ox, h5py.Dataset):
                vx, vy = ox[()], oy[()]
                if ox.dtype.kind == "O":  # strings: by value, not by pointer
                    vx, vy = np.asarray(vx).tolist(), np.asarray(vy).tolist()
                else:
                    vx, vy = vx.tobytes(), vy.tobytes()
                expect(ox.dtype == oy.dtype and ox.shape == oy.shape and vx == vy,
                       f"{old} -> 2 -> 1: {name} differs")
            for k in ox.attrs:
                if k in ("long_name", "DIMENSION_LIST", "REFERENCE_LIST"):
                    continue
                vx, vy = ox.attrs[k], oy.attrs.get(k)
                expect(vy is not None and np.array_equal(np.asarray(vx), np.asarray(vy)),
                       f"{old} -> 2 -> 1: attribute {k} of /{name} differs")
    again2, again1 = os.path.join(a.dir, "old2b.h5"), os.path.join(a.dir, "old_back2.h5")
    run([a.runner, "convert", back, again2])
    run([a.runner, "convert", again2, again1])
    with open(back, "rb") as x, open(again1, "rb") as y:
        expect(x.read() == y.read(), f"{back} -> 2 -> 1 is not the same bytes")
    import xarray as xr
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = xr.open_dataset(to2, group="cube", engine="h5netcdf")
    expect(ds.final_loss.dims == ("model.hidden", "model.activation", "repeat"),
           f"{to2}: cube over {ds.final_loss.dims}")
    losses = warm_losses(a, OLD_WARM, (old, to2))
    with h5py.File(old) as f:
        w0 = f["runs/run_0002/weights/layer0/W"][()]
    expect(np.array_equal(losses[0], losses[1]), "warm starts from the old file and its "
           "format-2 conversion differ")
    print(f"{os.path.basename(old)}: info, figures, a warm start (W0 {w0.shape}), "
          f"convert to a cube {dict(ds.final_loss.sizes)} and back to the same numbers and "
          f"attributes (then the same bytes)")


KILLED = """name: killed
seed: 3
dataset: {plugin: circles, train: 100, test: 50, factor: 0.5}
model: {hidden: 8}
train: {learning_rate: 2.0, iterations: 3000}
repeats: 2
sweep:
  model.hidden: [4, 6, [8, 3], 10]
  model.activation: [tanh, sigmoid]
record: {boundary: {resolution: 30}}
"""


def check_resume(a):
    import glob
    import signal
    import time

    spec = os.path.join(a.dir, "killed.yaml")
    with open(spec, "w") as f:
        f.write(KILLED)
    ref, out = os.path.join(a.dir, "ref.h5"), os.path.join(a.dir, "killed.h5")
    run([a.runner, spec, "-q", "-j1", "-o", ref])
    landed = False
    for attempt in range(5):  # until the kill lands while runs are left
        shutil.rmtree(out[:-3] + ".runs", ignore_errors=True)
        if os.path.exists(out):
            os.remove(out)
        p = subprocess.Popen([a.runner, spec, "-q", "-j2", "-o", out],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 600
        while time.time() < deadline and p.poll() is None and \
                not glob.glob(out[:-3] + ".runs/part_*.bin"):
            time.sleep(0.005)
        p.send_signal(signal.SIGKILL)
        if p.wait() == -signal.SIGKILL and not os.path.exists(out):
            landed = True
            break
    expect(landed, "the kill never landed before the sweep file was built")
    r = run([a.runner, spec, "-q", "-j2", "-o", out, "--resume"])
    expect("resumed" in r.stdout, f"--resume says: {r.stdout}")
    with h5py.File(out) as f:
        expect(int(f.attrs["format_version"]) == 2, f"{out}: not format 2")
    print(compare(a, ref, out).strip())
    print(f"killed with SIGKILL after attempt {attempt + 1}, --resume: {r.stdout.strip()}")


def check_merge(a):
    spec = os.path.join(os.path.dirname(os.path.abspath(__file__)), "integration.yaml")
    out = os.path.join(a.dir, "m.h5")
    for i in (0, 1):
        run([a.runner, spec, "-q", "-o", out, "--shard", f"{i}/2"])
    runs = out[:-3] + ".runs"
    merged = []
    for fmt, args in ((1, ["--format", "1", "--keep-runs"]), (2, [])):
        r = run([a.runner, "merge", runs] + args)
        expect("merged" in r.stdout, f"merge {args}: {r.stdout}")
        path = os.path.join(a.dir, f"m{fmt}.h5")
        os.rename(out, path)
        with h5py.File(path) as f:
            expect(int(f.attrs["format_version"]) == fmt, f"{path}: not format {fmt}")
        merged.append(path)
    expect(not os.path.exists(runs), f"{runs} is left after the merge without --keep-runs")
    compare(a, a.files[0], merged[0])
    compare(a, a.files[1], merged[1])
    print("two shards merged into format 1 and into format 2: the numbers of one machine")


def check_search_cube(a):
    import xarray as xr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        import netCDF4  # noqa: F401
    search = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "search")
    for name, keys in (("zip", ["model.hidden", "train.learning_rate", "train.batch_size"]),
                       ("random", ["model.hidden", "train.learning_rate", "train.momentum",
                                   "train.batch_size", "train.l2", "model.activation",
                                   "train.nesterov"])):
        spec = os.path.join(search, name + ".yaml")
        f1, f2 = os.path.join(a.dir, name + "1.h5"), os.path.join(a.dir, name + "2.h5")
        run([a.runner, spec, "-q", "-o", f1, "--format", "1"])
        run([a.runner, spec, "-q", "-o", f2])
        with h5py.File(f2) as f:
            cols = {k: f[k][()] for k in keys + ["repeat", "final_loss"]}
        n = len(cols["final_loss"])
        for engine in ("h5netcdf", "netcdf4"):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                ds = xr.open_dataset(f2, group="cube", engine=engine)
            expect(ds.final_loss.dims == ("run",) and ds.sizes["run"] == n,
                   f"{f2} ({engine}): final_loss over {dict(ds.final_loss.sizes)}")
            for k in keys + ["repeat"]:
                expect(k in ds.coords and ds[k].dims == ("run",),
                       f"{f2} ({engine}): {k} is not a coordinate along run")
                got, want = ds[k].values.tolist(), cols[k].tolist()
                got = [g.decode() if isinstance(g, bytes) else g for g in got]
                want = [w.decode() if isinstance(w, bytes) else w for w in want]
                expect(got == want, f"{f2} ({engine}): {k} is {got}, the summary {want}")
            expect(np.array_equal(ds.final_loss.values, cols["final_loss"], equal_nan=True),
                   f"{f2} ({engine}): final_loss differs from the summary")
        round_trip(a, f1, f2)
        # runner info: the table of the format-1 file, timings aside
        t1, t2 = (run([a.runner, "info", "--csv", f]).stdout.splitlines() for f in (f1, f2))
        wall = t1[0].split(",").index("wall_seconds")
        t1, t2 = ([[c for i, c in enumerate(r.split(",")) if i != wall] for r in t]
                  for t in (t1, t2))
        expect(len(t1) == n + 1 and t1 == t2, f"{f2}: runner info differs from {f1}")
        print(f"{f2}: a cube over run ({n}), {len(keys)} swept keys and repeat as run "
              f"coordinates (both engines); convert both ways; runner info as format 1's")
    # successive halving and Hyperband: each run's bracket and rungs (format
    # 1's run attributes) are root columns over run, as the summary's
    for name in ("halving", "hyperband"):
        spec = os.path.join(search, name + ".yaml")
        f1, f2 = os.path.join(a.dir, name + "1.h5"), os.path.join(a.dir, name + "2.h5")
        run([a.runner, spec, "-q", "-o", f1, "--format", "1"])
        run([a.runner, spec, "-q", "-o", f2])
        with h5py.File(f1) as x, h5py.File(f2) as y:
            n = int(y.attrs["n_runs"])
            for k in range(n):
                old = x[f"runs/run_{k:04d}"]
                for attr in ("halving_bracket", "halving_rungs"):
                    expect(attr in y and y[attr].shape == (n,) and
                           int(y[attr][k]) == int(old.attrs[attr]),
                           f"{f2}: run {k}'s {attr} is not format 1's {old.attrs[attr]}")
            expect(y.attrs["halving"] == x.attrs["halving"], f"{f2}: root attribute halving")
        round_trip(a, f1, f2)
        print(f"{f2}: {n} runs' halving_bracket and halving_rungs as format 1's; "
              f"convert both ways")


CHECKS = {
    "convert": check_convert, "threads": check_threads, "xarray-cube": check_xarray_cube,
    "pandas-netcdf": check_pandas_netcdf, "h5py-row": check_h5py_row,
    "warm-start": check_warm_start, "info": check_info, "figures": check_figures,
    "refusals": check_refusals, "shapes": check_shapes, "search-cube": check_search_cube,
    "old-file": check_old_file, "resume": check_resume,
    "merge": check_merge,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("check", choices=sorted(CHECKS))
    ap.add_argument("--runner", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--figures", required=True)
    ap.add_argument("--compare", required=True)
    ap.add_argument("files", nargs=7)
    a = ap.parse_args()
    shutil.rmtree(a.dir, ignore_errors=True)  # what an earlier run left
    os.makedirs(a.dir)
    try:
        CHECKS[a.check](a)
    except Failed as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
