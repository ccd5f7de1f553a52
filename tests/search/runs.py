"""A run of an mlplab results file in either format, for the search checks.

Format 1 keeps run k in the group /runs/run_<k>: scalars as its attributes,
arrays as its datasets.  Format 2 (docs/results.md, "Format 2") keeps its
scalars as row k of the summary columns at the root (and what its stack's
runs share as the stack's attributes), its arrays as row index/row[k] of the
stack index/stack[k].  Run hides which, so that a check reads the same
numbers from both.
"""
import warnings

import h5py
import numpy as np


def n_runs(f):
    return int(f.attrs["n_runs"])


def stored_runs(f):
    """How many runs the file holds (not what it says: n_runs)."""
    return len(f["index/run"]) if int(f.attrs["format_version"]) >= 2 else len(f["runs"])


def is_scale(d):
    return d.attrs.get("CLASS") in (b"DIMENSION_SCALE", "DIMENSION_SCALE")


class Run:
    def __init__(self, f, k):
        self.f, self.k = f, k
        self.two = int(f.attrs["format_version"]) >= 2
        if self.two:
            s, self.row = int(f["index/stack"][k]), int(f["index/row"][k])
            self.g = f[f"stacks/s{s}"]
            if int(self.g["run"][self.row]) != k:
                raise ValueError(f"stack s{s} row {self.row} is not run {k}")
        else:
            self.g = f[f"runs/run_{k:04d}"]

    def attr(self, name):
        """A scalar of the run: format 1's run attribute `name`."""
        if not self.two:
            return self.g.attrs[name]
        if name == "index":
            return self.k
        if name in self.g.attrs:
            return self.g.attrs[name]
        if name in self.g and not is_scale(self.g[name]):  # best_iteration, note
            return self.g[name][self.row]
        return self.f[name][self.k]

    def array(self, name):
        """An array of the run as format 1 names it in the run group (loss,
        eval_iteration, grad_norm_W, ...); a coordinate as it is."""
        d = self.g[name]
        return d[()] if not self.two or is_scale(d) else d[self.row]

    def values(self):
        """Everything stored for the run, name -> value (run numbering and
        wall_seconds left out): what two files must agree on run by run."""
        out = {}
        if not self.two:
            for k, v in self.g.attrs.items():
                if k not in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    out["@" + k] = v

            def visit(name, obj):
                if isinstance(obj, h5py.Dataset):
                    out[name] = obj[()]
            self.g.visititems(visit)
        else:
            for name, d in self.f.items():
                if (isinstance(d, h5py.Dataset) and d.ndim == 1 and name != "run" and
                        d.shape[0] == n_runs(self.f)):
                    out["@" + name] = d[self.k]
            for k, v in self.g.attrs.items():
                if k not in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    out["@" + k] = v
            for name, d in self.g.items():
                if name != "run":
                    out[name] = self.array(name)
        out.pop("@wall_seconds", None)
        out.pop("@index", None)
        return out


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def check_cube(path, grid=None):
    """/cube with both xarray engines: over the swept keys and repeat when
    grid (the dimensions, in order) is given, else over run with every swept
    key and repeat a coordinate along it; every cell the summary's value of
    its run (halving_bracket and halving_rungs too, when the file has them).
    Returns a line to print."""
    import xarray as xr

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # netCDF4 built against another numpy
        import netCDF4  # noqa: F401
    with h5py.File(path, "r") as f:
        keys = [text(k) for k in f.attrs.get("swept_parameters", [])]
        cols = ["final_loss", "test_accuracy", "seed", "iterations_run", "repeat"]
        cols += [c for c in ("halving_bracket", "halving_rungs") if c in f]
        summary = {c: f[c][()] for c in cols + keys}
        n = n_runs(f)
    for engine in ("h5netcdf", "netcdf4"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ds = xr.open_dataset(path, group="cube", engine=engine)
        want = tuple(grid) if grid else ("run",)
        if ds.final_loss.dims != want:
            raise AssertionError(f"{path} ({engine}): final_loss over {ds.final_loss.dims}, "
                                 f"not {want}")
        if grid:
            run_ix = ds.run.values.ravel()
            if sorted(run_ix.tolist()) != list(range(n)):
                raise AssertionError(f"{path} ({engine}): cube/run is not every run once")
        else:
            run_ix = np.arange(n)
            if list(ds.run.values) != list(run_ix):
                raise AssertionError(f"{path} ({engine}): run coordinate {ds.run.values}")
            for c in keys + ["repeat"]:
                if c not in ds.coords or ds[c].dims != ("run",):
                    raise AssertionError(f"{path} ({engine}): {c} is not a coordinate along run")
        for c in cols + keys:
            if grid and c in keys + ["repeat"]:
                continue  # a grid's coordinates, checked through run below
            got = ds[c].values.ravel()
            col = summary[c][run_ix]
            if got.dtype.kind in "OS":
                same = [text(x) for x in got] == [text(x) for x in col]
            else:
                same = np.array_equal(got, col, equal_nan=got.dtype.kind == "f")
            if not same:
                raise AssertionError(f"{path} ({engine}): cube {c} differs from the summary")
        if grid:
            # each cell's coordinates are its run's swept values
            for c in keys + ["repeat"]:
                along = ds[c].values
                axis = grid.index(c)
                shape = [1] * len(grid)
                shape[axis] = along.size
                cell = np.broadcast_to(along.reshape(shape), ds.final_loss.shape).ravel()
                col = summary[c][run_ix]
                if [text(x) for x in cell] != [text(x) for x in col]:
                    raise AssertionError(f"{path} ({engine}): coordinate {c} is not the runs'")
    return f"{path}: /cube over {want} with both engines, equal to the summary"
