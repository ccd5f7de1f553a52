#!/usr/bin/python3
"""check_h5.py PATH -- check that an mlplab results file reads cleanly with
the Python stack SPEC section 4 promises: h5py (every dataset read),
xarray with engine h5netcdf on each group with no options (and no phony
dimensions), pandas.read_hdf on /summary_table, and the /summary group as a
pandas DataFrame.  With --netcdf4, the netcdf4 engine is checked too.
Exits 0 when every check passes, 1 with a message otherwise."""

import sys
import warnings


def fail(msg):
    print(f"check_h5: {msg}", file=sys.stderr)
    sys.exit(1)


def check_h5py(path):
    import h5py

    names = []
    with h5py.File(path, "r") as f:
        for key in ("format", "format_version", "Conventions", "n_runs", "spec_sha256"):
            if key not in f.attrs:
                fail(f"{path}: root attribute {key!r} missing")
        if f.attrs["format"] != "mlplab-results":
            fail(f"{path}: format is {f.attrs['format']!r}")

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                obj[()]  # reads every dataset, scales included
                names.append(name)
                for axis, dim in enumerate(obj.dims):
                    if not obj.attrs.get("CLASS") == b"DIMENSION_SCALE" and len(dim) == 0:
                        fail(f"{path}: /{name} axis {axis} has no dimension scale")

        f.visititems(visit)
        n_runs = int(f.attrs["n_runs"])
        runs = sorted(f["runs"].keys()) if "runs" in f else []
        if len(runs) != n_runs:
            fail(f"{path}: {len(runs)} run groups, n_runs says {n_runs}")
        groups = ["summary"]
        if runs:
            run0 = "runs/" + runs[0]
            groups.append(run0)
            for sub in ("weights/layer0", "boundary", "hidden", "dataset/train", "dataset/test"):
                if run0 + "/" + sub in f:
                    groups.append(run0 + "/" + sub)
        for sub in ("dataset/train", "dataset/test"):
            if sub in f:
                groups.append(sub)
    return names, groups


def check_xarray(path, groups, engine):
    import xarray as xr

    for group in groups:
        try:
            with xr.open_dataset(path, group=group, engine=engine) as ds:
                ds.load()
                for dim in ds.dims:
                    if str(dim).startswith("phony_dim"):
                        fail(f"{path}: group {group} ({engine}): phony dimension {dim}")
                if not ds.data_vars:
                    fail(f"{path}: group {group} ({engine}): no variables")
        except SystemExit:
            raise
        except Exception as e:  # any reader error is a failed check
            fail(f"{path}: xarray engine={engine} group={group}: {type(e).__name__}: {e}")


def check_pandas(path):
    import pandas as pd
    import xarray as xr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTables notes the DIMENSION_LIST attribute it skips
        try:
            table = pd.read_hdf(path, "summary_table")
        except Exception as e:
            fail(f"{path}: pandas.read_hdf(summary_table): {type(e).__name__}: {e}")
    with xr.open_dataset(path, group="summary", engine="h5netcdf") as ds:
        frame = ds.to_dataframe()
    if len(table) != len(frame):
        fail(f"{path}: summary_table has {len(table)} rows, /summary {len(frame)}")
    for column in ("run", "seed", "status", "final_loss", "train_accuracy", "test_accuracy",
                   "first_iteration_at_100pct", "wall_seconds"):
        if column not in table.columns:
            fail(f"{path}: summary_table lacks column {column}")
        if column != "run" and column not in frame.columns:
            fail(f"{path}: /summary lacks column {column}")
    if list(table["run"]) != list(frame.index):
        fail(f"{path}: summary_table and /summary disagree on run numbers")
    return table


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        print("usage: check_h5.py [--netcdf4] PATH", file=sys.stderr)
        return 2
    path = args[0]
    names, groups = check_h5py(path)
    check_xarray(path, groups, "h5netcdf")
    if "--netcdf4" in argv:
        check_xarray(path, groups, "netcdf4")
    table = check_pandas(path)
    print(f"check_h5: {path}: ok ({len(names)} datasets, {len(groups)} groups, "
          f"{len(table)} runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
