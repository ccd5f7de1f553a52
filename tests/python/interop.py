#!/usr/bin/python3
"""interop.py CHECK PATH... -- one reader's view of mlplab results files, as
docs/results.md promises it, with no reader options.

CHECK is one of
  h5py              every dataset reads; the root says format = mlplab-results
  xarray-h5netcdf   xarray.open_dataset(path, group=G, engine="h5netcdf") for
  xarray-netcdf4    G = runs/run_0000 and each of its sub-groups: the axes
                    carry the documented dimension names, none is phony_dim_*
  summary-dataframe xarray.open_dataset(path, group="summary").to_dataframe()
                    has one row per run, indexed by run
  pandas-read-hdf   pandas.read_hdf(path, "summary_table") has the same rows
                    and values as /summary
  h5dump            `h5dump -H path` succeeds (h5dump's path: --h5dump=PATH)

Exits 0 when every file passes, 1 with a message naming file, group and what
was wrong otherwise, 2 on a usage error.
"""

import re
import subprocess
import sys
import warnings


class Failed(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Failed(msg)


def run_groups(path):
    """runs/run_0000 and its sub-groups (weights/layer<l>, hidden, boundary,
    dataset/train, dataset/test) as the file holds them."""
    import h5py

    with h5py.File(path, "r") as f:
        expect("runs/run_0000" in f, "no group runs/run_0000")
        g = f["runs/run_0000"]
        groups = ["runs/run_0000"]
        if "weights" in g:
            groups += [f"runs/run_0000/weights/{k}" for k in sorted(g["weights"])]
        for sub in ("hidden", "boundary", "dataset/train", "dataset/test"):
            if sub in g:
                groups.append(f"runs/run_0000/{sub}")
        return groups, int(f.attrs["n_runs"])


def documented_dims(group, name, ds):
    """The dimensions docs/results.md gives variable `name` of `group`, or
    None for a variable the page does not describe (checked only for phony
    dimensions).  Evaluation curves (test loss, accuracy curves) lie on their
    own coordinate eval_iteration when the run group has one, else on
    iteration."""
    tail = group.rsplit("/", 1)[-1]
    if re.fullmatch(r"runs/run_\d+", group):
        ev = ("eval_iteration",) if "eval_iteration" in ds.variables else ("iteration",)
        return {"loss": ("iteration",), "iteration": ("iteration",),
                "eval_iteration": ("eval_iteration",), "test_loss": ev,
                "test_accuracy_curve": ev, "train_accuracy_curve": ev,
                "grad_norm_W": ("iteration", "layer"), "grad_norm_b": ("iteration", "layer"),
                "layer": ("layer",), "epoch": ("epoch",),
                "validation_accuracy": ("epoch",)}.get(name)
    if re.fullmatch(r"layer\d+", tail) and "/weights/" in group:
        return {"W": ("out", "in"), "b": ("out",)}.get(name)
    if tail == "hidden":
        m = re.fullmatch(r"layer(\d+)", name)
        return ("sample", f"unit_{m.group(1)}") if m else None
    if tail == "boundary":
        return {"grid_x": ("grid_x",), "grid_y": ("grid_y",), "class": ("class",),
                "prob": None}.get(name)
    if group.endswith("dataset/train") or group.endswith("dataset/test"):
        return {"x": ("sample", "feature"), "y": ("sample",)}.get(name)
    return None


def check_h5py(path):
    import h5py

    n = 0
    with h5py.File(path, "r") as f:
        fmt = f.attrs.get("format")
        fmt = fmt.decode() if isinstance(fmt, bytes) else fmt
        expect(fmt == "mlplab-results", f"root attribute format is {fmt!r}")

        def visit(name, obj):
            nonlocal n
            if isinstance(obj, h5py.Dataset):
                try:
                    obj[()]
                except Exception as e:
                    raise Failed(f"/{name}: h5py cannot read it: {type(e).__name__}: {e}")
                n += 1
            for key in obj.attrs:
                try:
                    obj.attrs[key]
                except Exception as e:
                    raise Failed(f"/{name} attribute {key}: h5py cannot read it: {e}")

        f.visititems(visit)
        n_runs = int(f.attrs["n_runs"])
        runs = [k for k in f["runs"] if k.startswith("run_")]
        expect(len(runs) == n_runs, f"{len(runs)} run groups, n_runs says {n_runs}")
    return f"{n} datasets"


def check_xarray(path, engine):
    import xarray as xr

    groups, _ = run_groups(path)
    for group in groups:
        try:
            ds = xr.open_dataset(path, group=group, engine=engine)
        except Exception as e:
            raise Failed(f"group {group}: open_dataset(engine={engine!r}) failed: "
                         f"{type(e).__name__}: {e}")
        with ds:
            try:
                ds.load()
            except Exception as e:
                raise Failed(f"group {group}: {engine} cannot load the data: {e}")
            phony = [d for d in ds.dims if str(d).startswith("phony_dim")]
            expect(not phony, f"group {group} ({engine}): phony dimensions {phony}")
            expect(len(ds.variables) > 0, f"group {group} ({engine}): no variables")
            for name, var in ds.variables.items():
                want = documented_dims(group, name, ds)
                if name == "prob":
                    want = ("grid_y", "grid_x", "class") if var.ndim == 3 else ("grid_y", "grid_x")
                if want is not None:
                    expect(tuple(var.dims) == want,
                           f"group {group} ({engine}): {name} has dimensions {var.dims}, "
                           f"docs/results.md says {want}")
            if group.count("/") == 1:  # the run group: its attributes come through
                status = ds.attrs.get("status")
                expect(status in ("ok", "diverged"),
                       f"group {group} ({engine}): attribute status is {status!r}")
                expect("widths" in ds.attrs and "seed" in ds.attrs,
                       f"group {group} ({engine}): run attributes widths/seed missing")
                expect("loss" in ds.data_vars, f"group {group} ({engine}): no loss variable")
    return f"{len(groups)} groups"


def summary_frame(path):
    import xarray as xr

    try:
        with xr.open_dataset(path, group="summary") as ds:
            return ds.to_dataframe()
    except Exception as e:
        raise Failed(f"xarray.open_dataset(group='summary').to_dataframe(): "
                     f"{type(e).__name__}: {e}")


def check_summary(path):
    _, n_runs = run_groups(path)
    frame = summary_frame(path)
    expect(len(frame) == n_runs, f"/summary as a DataFrame has {len(frame)} rows, "
                                 f"n_runs is {n_runs}")
    expect(frame.index.name == "run", f"/summary DataFrame index is {frame.index.name!r}")
    expect(list(frame.index) == list(range(n_runs)), "/summary run index is not 0 ... n-1")
    for col in ("seed", "status", "final_loss", "train_accuracy", "test_accuracy",
                "first_iteration_at_100pct", "wall_seconds"):
        expect(col in frame.columns, f"/summary lacks column {col}")
    return f"{len(frame)} rows"


def check_pandas(path):
    import numpy as np
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTables notes attributes it does not use
        try:
            table = pd.read_hdf(path, "summary_table")
        except Exception as e:
            raise Failed(f"pandas.read_hdf(summary_table): {type(e).__name__}: {e}")
    frame = summary_frame(path)
    expect(len(table) == len(frame),
           f"summary_table has {len(table)} rows, /summary {len(frame)}")
    expect(list(table["run"]) == list(frame.index), "summary_table and /summary differ in run")
    for col in frame.columns:
        expect(col in table.columns, f"summary_table lacks /summary's column {col}")
        a, b = table[col].to_numpy(), frame[col].to_numpy()
        if a.dtype.kind in "SO" or b.dtype.kind in "SO":
            a = [x.decode() if isinstance(x, bytes) else str(x) for x in a]
            b = [x.decode() if isinstance(x, bytes) else str(x) for x in b]
            expect(a == b, f"column {col}: summary_table {a} != /summary {b}")
        else:
            expect(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"),
                   f"column {col}: summary_table and /summary differ")
    return f"{len(table)} rows"


def check_h5dump(path, h5dump):
    try:
        p = subprocess.run([h5dump, "-H", path], capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise Failed(f"h5dump not found at {h5dump!r} (Debian: apt-get install hdf5-tools)")
    expect(p.returncode == 0, f"h5dump -H exited {p.returncode}: {p.stderr.strip()[:400]}")
    expect("mlplab-results" in p.stdout or 'ATTRIBUTE "format"' in p.stdout,
           "h5dump -H output does not show the format attribute")
    return f"{len(p.stdout.splitlines())} lines"


CHECKS = {
    "h5py": check_h5py,
    "xarray-h5netcdf": lambda p: check_xarray(p, "h5netcdf"),
    "xarray-netcdf4": lambda p: check_xarray(p, "netcdf4"),
    "summary-dataframe": check_summary,
    "pandas-read-hdf": check_pandas,
}


def main(argv):
    h5dump = "h5dump"
    args = []
    for a in argv[1:]:
        if a.startswith("--h5dump="):
            h5dump = a.split("=", 1)[1]
        else:
            args.append(a)
    if len(args) < 2 or (args[0] not in CHECKS and args[0] != "h5dump"):
        print(__doc__, file=sys.stderr)
        return 2
    check, paths = args[0], args[1:]
    status = 0
    for path in paths:
        try:
            what = check_h5dump(path, h5dump) if check == "h5dump" else CHECKS[check](path)
            print(f"interop {check}: {path}: ok ({what})")
        except Failed as e:
            print(f"interop {check}: {path}: {e}", file=sys.stderr)
            status = 1
        except ImportError as e:
            print(f"interop {check}: {e.name} is not installed", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
