#!/usr/bin/python3
"""figures.py -- the tutorial's figures from an mlplab results file.

usage: figures.py RESULTS.h5 [--runs LIST] [--format png|svg|pdf] [--out DIR]
                  [--only NAME,...] [--dpi N]
       (installed as mlplab-figures)

Renders, into DIR (default: beside the results file, `x.h5` -> `x.figures/`):

  dataset.png            the training (and test) points by class
  units_run<K>.png       run K's first-hidden-layer units as lines w.x + b = 0
  hidden_space_run<K>.png  run K's training points in its last hidden layer's
                         coordinates, with the output layer's separating plane
  boundaries.png         every run's decision boundary, ordered by the sweep,
                         with its roundness (also printed as a table)
  loss.png               every loss curve (test loss dashed), log scale
  metrics.png            each metric against each swept parameter, mean +- std
                         over repeats

A figure that does not apply to the file (no 2-D inputs, no hidden layer,
nothing recorded for it) is skipped with a one-line message.  NAME for
--only is one of: dataset, units, hidden_space, boundaries, loss, metrics.

Exit status: 0 done, 1 a figure failed, 2 usage error or not an mlplab
results file.  Needs numpy, h5py and matplotlib (Debian: python3-numpy,
python3-h5py, python3-matplotlib); draws with the Agg backend, no display.
"""

import argparse
import math
import os
import re
import sys
import textwrap

FIGURES = ("dataset", "units", "hidden_space", "boundaries", "loss", "metrics")
METRICS = ("final_loss", "train_accuracy", "test_accuracy", "first_iteration_at_100pct")
METRIC_LABELS = {
    "final_loss": "final training loss",
    "train_accuracy": "training accuracy",
    "test_accuracy": "test accuracy",
    "first_iteration_at_100pct": "first iteration at 100%",
}
# Names a swept key may not take in a run group (framework/results/format1_run.c): such a
# key is stored with a "param_" prefix.
RESERVED = {
    "index", "seed", "status", "wall_seconds", "iterations", "iterations_run", "loss_every",
    "widths", "final_loss", "train_accuracy", "test_accuracy", "first_iteration_at_100pct",
    "run", "iteration", "loss", "test_loss", "weights", "hidden", "boundary", "dataset",
    "spec_sha256", "complete", "note",
}
# Output value at which a loss's prediction turns to class 1 (its link's 1/2).
IDENTITY_LINK = {"mse", "huber"}
MAX_PANELS = 60
VIEW_OFFSET = 12.0  # degrees off edge-on for the 3-D hidden-space view


def die(msg, code=2):
    print(f"figures.py: {msg}", file=sys.stderr)
    sys.exit(code)


def skip(name, why):
    print(f"skipped {name}: {why}")


# --------------------------------------------------------------------------- reading


def as_text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if hasattr(v, "item") and getattr(v, "shape", None) == ():
        v = v.item()
        return v.decode("utf-8", "replace") if isinstance(v, bytes) else v
    return v


def fmt(v):
    """A swept value as a panel title shows it: 3.0 -> 3, 0.05 -> 0.05."""
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


class Data:
    """One dataset/train or dataset/test group."""

    def __init__(self, g):
        self.x = np.asarray(g["x"][()], dtype=float)
        self.y = np.asarray(g["y"][()]).astype(int)
        self.classes = int(g.attrs.get("classes", int(self.y.max()) + 1 if self.y.size else 1))


class Run:
    def __init__(self, results, name, g):
        self.results = results
        self.g = g
        self.name = name
        a = g.attrs
        self.index = int(a.get("index", int(name.split("_")[-1])))
        self.status = as_text(a.get("status", "ok"))
        self.diverged = self.status != "ok"
        self.widths = [int(w) for w in a["widths"]] if "widths" in a else None
        self.metrics = {}
        for m in METRICS:
            v = a.get(m)
            self.metrics[m] = float(v) if v is not None else float("nan")
        if self.metrics["first_iteration_at_100pct"] < 0:
            self.metrics["first_iteration_at_100pct"] = float("nan")
        self.params = {}
        for key in results.swept:
            self.params[key] = results.param_value(a, key)

    # Everything below is read on demand: a big sweep's boundaries are not all
    # needed at once.
    def data(self, which="train"):
        if "dataset" in self.g:
            g = self.g["dataset"]
            return Data(g[which]) if which in g else None
        return self.results.root_data(which)

    def loss(self):
        """(iteration, loss, test_iteration, test_loss); the test loss has an
        axis of its own (eval_iteration) when the file records one."""
        g = self.g
        if "loss" not in g:
            return None, None, None, None
        loss = g["loss"][()]
        it = g["iteration"][()] if "iteration" in g else np.arange(loss.size)
        test = g["test_loss"][()] if "test_loss" in g else None
        test_it = None
        if test is not None:
            test_it = g["eval_iteration"][()] if "eval_iteration" in g else it
            if len(test_it) != len(test):
                test_it = it if len(it) == len(test) else np.arange(len(test))
        return it, loss, test_it, test

    def layers(self):
        """[(W (out, in), b (out)), ...] for every layer, or None."""
        if "weights" not in self.g:
            return None
        w = self.g["weights"]
        out = []
        for l in range(len(w)):
            name = f"layer{l}"
            if name not in w:
                break
            out.append((w[name]["W"][()], w[name]["b"][()]))
        return out or None

    def hidden(self):
        """(l, h (sample, unit)) of the last recorded hidden layer, or None."""
        if "hidden" not in self.g:
            return None
        g = self.g["hidden"]
        layers = sorted((int(k[5:]), k) for k in g if re.fullmatch(r"layer\d+", k))
        if not layers:
            return None
        l, k = layers[-1]
        return l, g[k][()]

    def has_boundary(self):
        return "boundary" in self.g

    def boundary(self):
        """(prob (gy, gx[, class]), grid_x, grid_y, extent) or None."""
        if "boundary" not in self.g:
            return None
        g = self.g["boundary"]
        prob = g["prob"][()]
        gx, gy = g["grid_x"][()], g["grid_y"][()]
        ext = g.attrs.get("extent")
        ext = [float(e) for e in ext] if ext is not None else [gx[0], gx[-1], gy[0], gy[-1]]
        return prob, gx, gy, ext

    def label(self, keys=None, sep=", "):
        keys = self.results.swept if keys is None else keys
        return sep.join(f"{k}={fmt(self.params[k])}" for k in keys)

    def loss_plugin(self):
        for key, val in self.params.items():
            if key == "loss.plugin":
                return str(val)
            if key == "loss":
                m = re.search(r"plugin:\s*([\w.-]+)", str(val))
                return m.group(1) if m else str(val).strip()
        return self.results.loss_plugin

    def threshold(self):
        """The output value at which this run predicts class 1 (two-class)."""
        return 0.5 if self.loss_plugin() in IDENTITY_LINK else 0.0


class Run2(Run):
    """A run of a format-2 file: its row of the arrays of its stack
    (/stacks/s<i>, found through /index), its summary at the root."""

    def __init__(self, results, k, cols):
        f = results.f
        self.results = results
        self.index = k
        self.name = f"run {k}"
        self.g = f[f"stacks/s{int(f['index/stack'][k])}"]
        self.row = int(f["index/row"][k])
        self.status = as_text(cols["status"][k])
        self.diverged = self.status != "ok"
        self.widths = [int(w) for w in self.g.attrs["widths"]] if "widths" in self.g.attrs else None
        self.metrics = {m: float(cols[m][k]) for m in METRICS}
        if self.metrics["first_iteration_at_100pct"] < 0:
            self.metrics["first_iteration_at_100pct"] = float("nan")
        self.params = {}
        for key in results.swept:
            v = as_text(cols[key][k]) if key in cols else "?"
            self.params[key] = (int(v) if isinstance(v, (int, np.integer))
                                else float(v) if isinstance(v, (float, np.floating)) else str(v))

    def _row(self, name):
        return self.g[name][self.row] if name in self.g else None

    def data(self, which="train"):
        if f"{which}_x" in self.g:
            d = Data.__new__(Data)
            d.x = np.asarray(self._row(f"{which}_x"), dtype=float)
            d.y = np.asarray(self._row(f"{which}_y")).astype(int)
            d.classes = int(self.g.attrs.get(f"{which}_classes", int(d.y.max()) + 1))
            return d
        return self.results.root_data(which)

    def loss(self):
        if "loss" not in self.g:
            return None, None, None, None
        loss = self._row("loss")
        it = self.g["iteration"][()]
        test = self._row("test_loss")
        test_it = self.g["eval_iteration"][()] if test is not None else None
        return it, loss, test_it, test

    def layers(self):
        out = []
        while f"W_layer{len(out)}" in self.g:
            l = len(out)
            out.append((self._row(f"W_layer{l}"), self._row(f"b_layer{l}")))
        return out or None

    def hidden(self):
        layers = sorted(int(k[12:]) for k in self.g if re.fullmatch(r"hidden_layer\d+", k))
        if not layers:
            return None
        return layers[-1], self._row(f"hidden_layer{layers[-1]}")

    def has_boundary(self):
        return "boundary_prob" in self.g

    def boundary(self):
        if "boundary_prob" not in self.g:
            return None
        gx, gy = self.g["grid_x"][()], self.g["grid_y"][()]
        ext = self.g.attrs.get("boundary_extent")
        ext = [float(e) for e in ext] if ext is not None else [gx[0], gx[-1], gy[0], gy[-1]]
        return self._row("boundary_prob"), gx, gy, ext


class Results:
    def __init__(self, path):
        self.path = path
        try:
            self.f = h5py.File(path, "r")
        except FileNotFoundError:
            die(f"{path}: no such file")
        except OSError as e:
            die(f"{path}: not an mlplab results file (not HDF5: {e})")
        f = self.f
        version = f.attrs.get("format_version")
        self.version = int(version) if version is not None else 1
        layout = "runs" if self.version == 1 else "stacks"
        if as_text(f.attrs.get("format")) != "mlplab-results" or layout not in f:
            die(f"{path}: not an mlplab results file (no root attribute format = "
                f"'mlplab-results' and /{layout} group)")
        if self.version > 2:
            print(f"figures.py: warning: {path}: format_version {self.version} is newer than 2; "
                  "drawing what can be read", file=sys.stderr)
        self.name = str(as_text(f.attrs.get("name", os.path.basename(path))))
        desc = str(as_text(f.attrs.get("description", "")) or "").strip()
        self.description = desc.splitlines()[0] if desc else ""
        sp = f.attrs.get("swept_parameters")
        self.swept = [str(as_text(s)) for s in np.atleast_1d(sp)] if sp is not None else []
        resolved = str(as_text(f.attrs.get("spec_resolved", "")) or "")
        m = (re.search(r"^loss:\s*\n\s+plugin:\s*([\w.-]+)", resolved, re.M)
             or re.search(r"^loss:\s*([\w.-]+)\s*$", resolved, re.M))
        self.loss_plugin = m.group(1) if m else "bce"
        if self.version == 1:
            names = sorted(k for k in f["runs"] if k.startswith("run_"))
            self.runs = [Run(self, k, f["runs"][k]) for k in names]
        else:
            # the summary columns at the root: one read each
            cols = {k: f[re.sub(r"[/\x00-\x1f\x7f]", "_", k)][()] for k in self.swept
                    if re.sub(r"[/\x00-\x1f\x7f]", "_", k) in f}
            for k in self.swept:
                alt = "param_" + re.sub(r"[/\x00-\x1f\x7f]", "_", k)
                if k not in cols and alt in f:
                    cols[k] = f[alt][()]
            for m in METRICS + ("status",):
                cols[m] = f[m][()]
            self.runs = [Run2(self, k, cols) for k in range(len(f["index/stack"]))]
        if not self.runs:
            die(f"{path}: the results file holds no runs")
        self.numeric = {k: all(isinstance(r.params[k], (int, float)) for r in self.runs)
                        for k in self.swept}
        self._data = {}

    @staticmethod
    def param_value(attrs, key):
        name = re.sub(r"[/\x00-\x1f\x7f]", "_", key)
        for cand in ("param_" + name, name) if name in RESERVED else (name,):
            if cand in attrs:
                v = as_text(attrs[cand])
                if isinstance(v, (int, np.integer)):
                    return int(v)  # an integer swept value (model.hidden) is stored as one
                return float(v) if isinstance(v, float) else str(v)
        return "?"

    def root_data(self, which):
        if which not in self._data:
            g = self.f.get("dataset")
            self._data[which] = Data(g[which]) if g is not None and which in g else None
        return self._data[which]

    def order_key(self, keys):
        """Sort key for runs: numeric values by value, others in sweep order."""
        first_seen = {k: {} for k in keys}
        for r in self.runs:
            for k in keys:
                first_seen[k].setdefault(r.params[k], len(first_seen[k]))

        def key(r):
            return tuple(r.params[k] if self.numeric[k] else first_seen[k][r.params[k]]
                         for k in keys) + (r.index,)
        return key

    def values(self, key):
        """The distinct values of a swept key, in display order."""
        seen = []
        for r in sorted(self.runs, key=self.order_key([key])):
            if r.params[key] not in seen:
                seen.append(r.params[key])
        return seen

    def ordered_runs(self):
        return sorted(self.runs, key=self.order_key(self.swept))

    def groups(self, keys=None):
        """Runs grouped by their values of `keys` (repeats share a group)."""
        keys = self.swept if keys is None else keys
        out = {}
        for r in sorted(self.runs, key=self.order_key(keys)):
            out.setdefault(tuple(r.params[k] for k in keys), []).append(r)
        return out

    def title(self, what, fig):
        """name: what, then the description's first line, wrapped (never cut)
        to the figure's width (about 12 characters an inch at 9 points, with room
        for the axes' margins)."""
        width = max(30, int(fig.get_figwidth() * 12))
        lines = []
        for part in f"{self.name}: {what}".split("\n"):
            lines += textwrap.wrap(part, width=width) or [""]
        if self.description:
            lines += textwrap.wrap(self.description, width=width)
        return "\n".join(lines)

    def select(self, wanted):
        """Keep only the runs whose index is in wanted (a list, in any order)."""
        have = {r.index for r in self.runs}
        missing = [k for k in wanted if k not in have]
        if missing:
            die(f"{self.path}: no run {', '.join(map(str, missing))} (runs are "
                f"{self.runs[0].index} ... {self.runs[-1].index})")
        keep = set(wanted)
        self.runs = [r for r in self.runs if r.index in keep]

    def run(self, k):
        for r in self.runs:
            if r.index == k:
                return r
        die(f"{self.path}: no run {k} (runs are {self.runs[0].index} ... {self.runs[-1].index})")


# --------------------------------------------------------------------------- drawing helpers


def class_colors(k):
    if k <= 2:
        return ["#2166ac", "#b2182b"][:max(k, 1)] if k else ["#2166ac"]
    cmap = plt.get_cmap("tab10" if k <= 10 else "tab20")
    return [cmap(i % cmap.N) for i in range(k)]


def scatter_classes(ax, data, test=None, s=10, legend=True, alpha=0.9):
    k = max(data.classes, test.classes if test is not None else 0)
    cols = class_colors(k)
    for c in range(k):
        sel = data.y == c
        ax.scatter(data.x[sel, 0], data.x[sel, 1], s=s, color=cols[c], edgecolors="white",
                   linewidths=0.3, alpha=alpha, label=f"class {c} train" if legend else None,
                   zorder=3)
        if test is not None:
            sel = test.y == c
            ax.scatter(test.x[sel, 0], test.x[sel, 1], s=s, facecolors="none",
                       edgecolors=cols[c], linewidths=0.7, alpha=alpha,
                       label=f"class {c} test" if legend else None, zorder=3)


def data_extent(x, pad=0.1):
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return [lo[0] - pad * span[0], hi[0] + pad * span[0], lo[1] - pad * span[1], hi[1] + pad * span[1]]


def grid_shape(n, ratio=1.8):
    best = None
    for c in range(1, n + 1):
        r = math.ceil(n / c)
        score = (r * c - n) + 3 * abs(math.log(c / r / ratio))
        if best is None or score < best[0]:
            best = (score, r, c)
    return best[1], best[2]


def project_pca(x, k=2):
    xc = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(xc, full_matrices=False)
    return xc @ vt[:k].T


def save(fig, out_dir, name, fmt_, dpi):
    path = os.path.join(out_dir, f"{name}.{fmt_}")
    meta = {"png": {"Software": None}, "svg": {"Date": None},
            "pdf": {"CreationDate": None, "ModDate": None}}[fmt_]
    fig.savefig(path, dpi=dpi, metadata=meta)
    plt.close(fig)
    print(f"wrote {path}")
    return path


def title_top(fig, text, fontsize):
    """The top of the axes area (a figure fraction) that leaves room for a
    suptitle of text's lines at fontsize points; the figure grows by the
    lines beyond the two its size was chosen for, so the panels keep theirs."""
    lines = text.count("\n") + 1
    need = (lines * fontsize * 1.35 + 8) / 72.0
    if lines > 2:
        fig.set_figheight(fig.get_figheight() + (lines - 2) * fontsize * 1.35 / 72.0)
    return 1.0 - need / fig.get_figheight()


def run_title(run, extra=""):
    t = f"run {run.index}"
    if run.params:
        t += f" ({run.label()})"
    if run.diverged:
        t += " [diverged]"
    return t + extra


# --------------------------------------------------------------------------- figures


def fig_dataset(res, args):
    if res.f.get("dataset") is not None:
        sets = [(None, res.root_data("train"), res.root_data("test"))]
    else:
        dkeys = [k for k in res.swept if k.startswith("dataset")]
        sets = [(rs[0], rs[0].data("train"), rs[0].data("test"))
                for rs in res.groups(dkeys).values()]
        if len(sets) > MAX_PANELS:
            print(f"dataset: {len(sets)} datasets, drawing the first {MAX_PANELS}")
            sets = sets[:MAX_PANELS]
    sets = [s for s in sets if s[1] is not None]
    if not sets:
        return skip("dataset", "the file holds no dataset/train group")
    dim = sets[0][1].x.shape[1]
    shared = sets[0][0] is None
    if shared:
        panels = [("train", sets[0][1], None)] + ([("test", sets[0][2], None)] if sets[0][2] else [])
    else:
        dkeys = [k for k in res.swept if k.startswith("dataset")]
        panels = [(s[0].label(dkeys, "\n") or f"run {s[0].index}", s[1], s[2]) for s in sets]
    rows, cols = (1, len(panels)) if shared else grid_shape(len(panels))
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols, 3.3 * rows + 0.9), squeeze=False,
                             sharex=True, sharey=True)
    note = ""
    for ax, (name, train, test) in zip(axes.flat, panels):
        n_test = f", {len(test.y)} test (hollow)" if test is not None else ""
        if dim == 2:
            scatter_classes(ax, train, test, legend=False)
            ax.set_aspect("equal")
            ax.set_xlabel("x[0]")
            ax.set_ylabel("x[1]")
        elif dim == 1:
            rng = np.random.default_rng(0)
            for d, hollow in ((train, False), (test, True)):
                if d is None:
                    continue
                cols_ = class_colors(d.classes)
                for c in range(d.classes):
                    sel = d.y == c
                    jit = c + 0.25 * rng.uniform(-1, 1, sel.sum())
                    kw = dict(facecolors="none", edgecolors=cols_[c]) if hollow else dict(color=cols_[c])
                    ax.scatter(d.x[sel, 0], jit, s=8, **kw)
            ax.set_xlabel("x[0]")
            ax.set_ylabel("class (jittered)")
        else:
            both = train.x if test is None else np.vstack([train.x, test.x])
            p = project_pca(both)
            t2 = Data.__new__(Data)
            t2.x, t2.y, t2.classes = p[:len(train.y)], train.y, train.classes
            e2 = None
            if test is not None:
                e2 = Data.__new__(Data)
                e2.x, e2.y, e2.classes = p[len(train.y):], test.y, test.classes
            scatter_classes(ax, t2, e2, legend=False)
            ax.set_xlabel("PC 1")
            ax.set_ylabel("PC 2")
            note = f" (PCA projection of {dim} features)"
        ax.set_title(f"{name}: {len(train.y) if name != 'test' else len(test.y if test else train.y)} points"
                     if shared else f"{name}\n{len(train.y)} train{n_test}", fontsize=9)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    k = max(s[1].classes for s in sets)
    handles = [plt.Line2D([], [], ls="", marker="o", color=c, label=f"class {i}")
               for i, c in enumerate(class_colors(k))]
    fig.legend(handles=handles, loc="lower center", ncol=min(k, 10), frameon=False, fontsize=8)
    title = res.title("the data, by class" + note, fig)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, title_top(fig, title, 10)))
    return save(fig, args.out, "dataset", args.format, args.dpi)


def unit_line(w, b, ext):
    """Points of w[0] x + w[1] y + b = 0 across the extent, or None."""
    if abs(w[1]) >= abs(w[0]):
        if w[1] == 0:
            return None
        xs = np.array([ext[0], ext[1]])
        return xs, -(w[0] * xs + b) / w[1]
    ys = np.array([ext[2], ext[3]])
    return -(w[1] * ys + b) / w[0], ys


def fig_units(res, args):
    run = res.run(args.run)
    name = f"units_run{run.index}"
    train = run.data("train")
    layers = run.layers()
    if train is None or train.x.shape[1] != 2:
        return skip("units", f"the inputs are {train.x.shape[1] if train else 0}-D, lines need 2-D")
    if (run.widths is not None and len(run.widths) < 3) or (layers and len(layers) < 2):
        return skip("units", f"run {run.index} has no hidden layer")
    if layers is None:
        return skip("units", f"run {run.index} recorded no weights (record.weights)")
    W, b = layers[0]
    bd = run.boundary()
    ext = bd[3] if bd is not None else data_extent(train.x)
    fig, ax = plt.subplots(figsize=(6.2, 5.6))
    scatter_classes(ax, train, None, s=12, legend=False, alpha=0.55)
    if bd is not None and np.isfinite(bd[0]).any():
        if bd[0].ndim == 2:
            ax.contour(bd[1], bd[2], bd[0], levels=[0.5], colors="0.2", linewidths=1.2,
                       linestyles="dashed")
        else:  # one probability per class: the edges of the argmax map
            arg = np.argmax(np.nan_to_num(bd[0], nan=-1.0), axis=2)
            ax.contour(bd[1], bd[2], arg, levels=np.arange(bd[0].shape[2] - 1) + 0.5,
                       colors="0.2", linewidths=1.2, linestyles="dashed")
    n = W.shape[0]
    cmap = plt.get_cmap("tab10") if n <= 10 else plt.get_cmap("turbo")
    centre = np.array([(ext[0] + ext[1]) / 2, (ext[2] + ext[3]) / 2])
    span = min(ext[1] - ext[0], ext[3] - ext[2])
    for j in range(n):
        col = cmap(j % 10) if n <= 10 else cmap(j / max(n - 1, 1))
        w, bj = W[j], b[j]
        pts = unit_line(w, bj, ext) if np.all(np.isfinite(w)) and np.isfinite(bj) else None
        if pts is None:
            continue
        ax.plot(pts[0], pts[1], color=col, lw=2, label=f"unit {j}" if n <= 12 else None)
        nw = np.linalg.norm(w)
        if nw > 0:  # arrow from the line's point nearest the centre, towards w.x + b > 0
            p0 = centre - (w @ centre + bj) / nw ** 2 * w
            if ext[0] <= p0[0] <= ext[1] and ext[2] <= p0[1] <= ext[3]:
                d = 0.08 * span * w / nw
                ax.annotate("", xy=p0 + d, xytext=p0,
                            arrowprops=dict(arrowstyle="->", color=col, lw=1.5))
    ax.set_xlim(ext[0], ext[1])
    ax.set_ylim(ext[2], ext[3])
    ax.set_aspect("equal")
    ax.set_xlabel("x[0]")
    ax.set_ylabel("x[1]")
    handles, labels = ax.get_legend_handles_labels()
    handles.append(plt.Line2D([], [], color="0.2", ls="--"))
    labels.append("network's boundary")
    ax.legend(handles, labels, fontsize=8, loc="upper right", framealpha=0.85)
    ax.set_title(res.title(f"{run_title(run)}\nthe {n} first-layer units as lines "
                           "w·x + b = 0 (arrow: side where w·x + b > 0)", fig), fontsize=9)
    fig.tight_layout()
    return save(fig, args.out, name, args.format, args.dpi)


def plane_view(wn):
    """elev, azim that look at the plane with normal wn (box coordinates)
    nearly edge-on, so the two sides show apart."""
    elev = 18.0
    r = math.hypot(wn[0], wn[1])
    if r < 1e-12:
        return elev, -60.0
    phi = math.degrees(math.atan2(wn[1], wn[0]))
    c = -math.tan(math.radians(elev)) * wn[2] / r
    c = max(-1.0, min(1.0, c))
    return elev, phi + math.degrees(math.acos(c)) + VIEW_OFFSET


def fig_hidden(res, args):
    run = res.run(args.run)
    name = f"hidden_space_run{run.index}"
    hid = run.hidden()
    layers = run.layers()
    train = run.data("train")
    if hid is None:
        if (run.widths is not None and len(run.widths) < 3) or (layers and len(layers) < 2):
            return skip("hidden_space", f"run {run.index} has no hidden layer")
        return skip("hidden_space", f"run {run.index} recorded no hidden/ group (record.hidden)")
    if train is None or len(train.y) != hid[1].shape[0]:
        return skip("hidden_space", "the hidden outputs do not match dataset/train")
    l, h = hid
    y, k = train.y, train.classes
    H = h.shape[1]
    out = layers[-1] if layers is not None else None
    two_class = out is not None and out[0].shape[0] == 1
    cols = class_colors(k)
    t = run.threshold()
    sub = f"{run_title(run)}, training accuracy {run.metrics['train_accuracy']:.3f}\n"
    sub += f"the training points in hidden layer {l}'s coordinates (width {H})"
    plane_txt = f"w·h + b = {t:g}" if two_class else ""
    dist_txt = "w·h + b" if t == 0 else f"w·h + b − {t:g}"
    is3d = H == 3
    fig = plt.figure(figsize=(6.4, 5.8))
    ax = fig.add_subplot(projection="3d") if is3d else fig.add_subplot()
    finite = np.all(np.isfinite(h)) and (out is None or np.all(np.isfinite(out[0])))
    if H == 1:
        rng = np.random.default_rng(0)
        for c in range(k):
            sel = y == c
            ax.scatter(h[sel, 0], c + 0.25 * rng.uniform(-1, 1, sel.sum()), s=10, color=cols[c],
                       label=f"class {c}")
        if two_class and finite and out[0][0, 0] != 0:
            ax.axvline((t - out[1][0]) / out[0][0, 0], color="k", lw=1.5, label=plane_txt)
        ax.set_xlabel(f"h[0] (layer {l})")
        ax.set_ylabel("class (jittered)")
    elif H in (2, 3):
        for c in range(k):
            sel = y == c
            if is3d:
                ax.scatter(h[sel, 0], h[sel, 1], h[sel, 2], s=10, color=cols[c],
                           label=f"class {c}", depthshade=False)
            else:
                ax.scatter(h[sel, 0], h[sel, 1], s=10, color=cols[c], edgecolors="white",
                           linewidths=0.3, label=f"class {c}")
        lo, hi = h.min(axis=0), h.max(axis=0)
        pad = 0.05 * np.where(hi > lo, hi - lo, 1.0)
        lo, hi = lo - pad, hi + pad
        if two_class and finite:
            w, b0 = out[0][0], out[1][0]
            if H == 2:
                ext = [lo[0], hi[0], lo[1], hi[1]]
                pts = unit_line(w, b0 - t, ext)
                if pts is not None:
                    ax.plot(pts[0], pts[1], color="k", lw=1.5, label=plane_txt)
                ax.set_xlim(lo[0], hi[0])
                ax.set_ylim(lo[1], hi[1])
            else:
                c_ax = int(np.argmax(np.abs(w)))
                o = [i for i in range(3) if i != c_ax]
                if w[c_ax] != 0:
                    u, v = np.meshgrid(np.linspace(lo[o[0]], hi[o[0]], 30),
                                       np.linspace(lo[o[1]], hi[o[1]], 30))
                    z = (t - b0 - w[o[0]] * u - w[o[1]] * v) / w[c_ax]
                    z = np.where((z >= lo[c_ax]) & (z <= hi[c_ax]), z, np.nan)
                    grid = [None, None, None]
                    grid[o[0]], grid[o[1]], grid[c_ax] = u, v, z
                    ax.plot_surface(*grid, color="0.3", alpha=0.25, linewidth=0, shade=False)
                    ax.plot([], [], color="0.3", lw=6, alpha=0.4, label=plane_txt)
                ax.set_xlim(lo[0], hi[0])
                ax.set_ylim(lo[1], hi[1])
                ax.set_zlim(lo[2], hi[2])
                span = hi - lo
                ax.view_init(*plane_view(w * span))
        ax.set_xlabel("h[0]")
        ax.set_ylabel("h[1]")
        if is3d:
            ax.set_zlabel("h[2]")
    else:
        if two_class and finite and np.linalg.norm(out[0][0]) > 0:
            w, b0 = out[0][0], out[1][0]
            nw = np.linalg.norm(w)
            u = w / nw
            d = (h @ w + b0 - t) / nw
            rest = h - np.outer(h @ u, u)
            rest -= rest.mean(axis=0)
            _, _, vt = np.linalg.svd(rest, full_matrices=False)
            p2 = rest @ vt[0]
            xs, ys = d, p2
            ax.axvline(0, color="k", lw=1.5, label=f"{plane_txt} (distance 0)")
            ax.set_xlabel(f"signed distance to the output plane, ({dist_txt}) / ‖w‖")
            ax.set_ylabel("top principal component of the rest")
            sub += ", projected"
        else:
            p = project_pca(h)
            xs, ys = p[:, 0], p[:, 1]
            ax.set_xlabel("PC 1")
            ax.set_ylabel("PC 2")
            sub += ", PCA projection"
        for c in range(k):
            sel = y == c
            ax.scatter(xs[sel], ys[sel], s=10, color=cols[c], edgecolors="white", linewidths=0.3,
                       label=f"class {c}")
    ax.legend(fontsize=8, loc="best" if not is3d else "upper left", framealpha=0.85)
    ax.set_title(res.title(sub, fig), fontsize=9)
    fig.tight_layout()
    return save(fig, args.out, name, args.format, args.dpi)


CURVE_MIN_RANGE = 1e-6  # P must vary by more than this over the grid (rounding is ~1e-16)


def is_curve(prob, level=0.5):
    """Whether the level set of prob (gy, gx) is a line worth drawing: prob
    crosses the level, varies over the grid by more than rounding does, and
    between neighbouring grid points crosses the level no more often than a
    few lines across the grid would.  A network whose output sits at the
    level everywhere (an identity hidden layer on circles: P = 0.5 +- 1e-16)
    crosses it at random all over the grid: drawn, that is black speckle, not
    a boundary."""
    if not np.isfinite(prob).all() or not (prob.min() < level < prob.max()):
        return False
    if prob.max() - prob.min() <= CURVE_MIN_RANGE:
        return False
    side = prob > level
    crossings = np.count_nonzero(side[:, 1:] != side[:, :-1])
    crossings += np.count_nonzero(side[1:, :] != side[:-1, :])
    return crossings <= 8 * max(prob.shape)


def roundness(prob, gx, gy, level=0.5, n_angles=360):
    """How round the level-0.5 boundary is about the grid's centre: the
    standard deviation over the mean of its radius along n_angles rays from
    the centre (0 for a circle; about 0.2 for a sharp triangle), and the mean
    radius.  Along each ray, the first crossing of the level, linearly
    interpolated; (nan, nan) when a ray does not cross it inside the grid (the
    boundary does not enclose the centre) or the output is not a curve."""
    if prob.ndim != 2 or not is_curve(prob, level):
        return float("nan"), float("nan")
    cx, cy = 0.5 * (gx[0] + gx[-1]), 0.5 * (gy[0] + gy[-1])
    rmax = min(cx - gx[0], gx[-1] - cx, cy - gy[0], gy[-1] - cy)
    rs = np.linspace(0.0, rmax, 2 * max(prob.shape))
    ang = np.linspace(0.0, 2 * np.pi, n_angles, endpoint=False)
    px = cx + rs[None, :] * np.cos(ang)[:, None]
    py = cy + rs[None, :] * np.sin(ang)[:, None]
    fx = np.interp(px, gx, np.arange(gx.size))
    fy = np.interp(py, gy, np.arange(gy.size))
    ix = np.clip(np.floor(fx).astype(int), 0, gx.size - 2)
    iy = np.clip(np.floor(fy).astype(int), 0, gy.size - 2)
    tx, ty = fx - ix, fy - iy
    v = ((prob[iy, ix] * (1 - tx) + prob[iy, ix + 1] * tx) * (1 - ty)
         + (prob[iy + 1, ix] * (1 - tx) + prob[iy + 1, ix + 1] * tx) * ty) - level
    cross = np.signbit(v[:, :-1]) != np.signbit(v[:, 1:])
    if not cross.any(axis=1).all():
        return float("nan"), float("nan")
    k = np.argmax(cross, axis=1)
    a = np.arange(n_angles)
    t = v[a, k] / (v[a, k] - v[a, k + 1])
    r = rs[k] + t * (rs[k + 1] - rs[k])
    return float(r.std() / r.mean()), float(r.mean())


def shade(ax, bd):
    """Probability shading in ten bands of 0.1 (they read like contours and
    keep PNGs small) with the 0.5 contour when it is a curve (see is_curve);
    an argmax map with one probability per class."""
    prob, gx, gy, ext = bd
    if prob.ndim == 2:
        im = ax.imshow(prob, extent=ext, origin="lower", cmap=plt.get_cmap("RdBu_r", 10),
                       vmin=0, vmax=1, alpha=0.75, interpolation="nearest", aspect="auto")
        if is_curve(prob):
            ax.contour(gx, gy, prob, levels=[0.5], colors="k", linewidths=1.0)
        elif np.isfinite(prob).any() and np.nanmin(prob) < 0.5 < np.nanmax(prob):
            ax.text(0.5, 0.5, f"no 0.5 line: P = 0.5 ± {np.nanmax(np.abs(prob - 0.5)):.0e}\n"
                    "throughout", transform=ax.transAxes,
                    ha="center", va="center", fontsize=7,
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8))
        return im
    k = prob.shape[2]
    arg = np.argmax(np.nan_to_num(prob, nan=-1.0), axis=2)
    top = np.nanmax(prob, axis=2) if np.isfinite(prob).any() else np.zeros(arg.shape)
    conf = np.clip((top - 1.0 / k) / (1 - 1.0 / k), 0, 1)[..., None]
    rgb = np.array([mcolors.to_rgb(c) for c in class_colors(k)])[arg]
    ax.imshow(conf * 0.6 * rgb + (1 - conf * 0.6) * 1.0, extent=ext, origin="lower",
              interpolation="nearest", aspect="auto")
    if k > 1:
        ax.contour(gx, gy, arg, levels=np.arange(k - 1) + 0.5, colors="k", linewidths=0.8)
    return None


def fig_boundaries(res, args):
    runs = [r for r in res.ordered_runs() if r.has_boundary()]
    if not runs:
        return skip("boundaries", "no run recorded boundary/ (record.boundary)")
    keys = res.swept
    groups = res.groups()
    reps = max(len(v) for v in groups.values())
    if len(runs) > MAX_PANELS and reps > 1:
        print(f"boundaries: {len(runs)} runs; drawing the first repeat of each sweep point")
        runs = [g[0] for g in groups.values() if g[0].has_boundary()]
        reps = 1
    if len(runs) > MAX_PANELS:
        print(f"boundaries: {len(runs)} runs; drawing the first {MAX_PANELS}")
        runs = runs[:MAX_PANELS]
    # A full two-key grid is drawn as rows of key 0 by columns of key 1 (x repeats).
    layout = None
    if len(keys) == 2:
        v0, v1 = res.values(keys[0]), res.values(keys[1])
        if len(v0) * len(v1) * reps == len(runs):
            cells = {}
            for r in runs:
                key = (v0.index(r.params[keys[0]]), v1.index(r.params[keys[1]]))
                rep = sum(1 for c in cells if c[:2] == key)
                cells[key + (rep,)] = r
            layout = (len(v0), len(v1) * reps,
                      {(i, j * reps + rep): r for (i, j, rep), r in cells.items()})
    if layout is None:
        rows, cols = grid_shape(len(runs))
        layout = (rows, cols, {divmod(i, cols): r for i, r in enumerate(runs)})
    rows, cols, cells = layout
    size = 2.3
    fig, axes = plt.subplots(rows, cols, figsize=(max(size * cols + 0.9, 6.0), size * rows + 1.2),
                             squeeze=False, sharex=True, sharey=True)
    im = None
    multiclass = False
    spreads = []
    for (i, j), run in cells.items():
        ax = axes[i, j]
        bd = run.boundary()
        multiclass |= bd[0].ndim == 3
        im = shade(ax, bd) or im
        train = run.data("train")
        if train is not None and train.x.shape[1] == 2:
            scatter_classes(ax, train, None, s=4, legend=False, alpha=0.8)
        ax.set_xlim(bd[3][0], bd[3][1])
        ax.set_ylim(bd[3][2], bd[3][3])
        ax.set_aspect("equal")
        ax.tick_params(labelsize=7)
        title = run.label(sep="\n") if keys else f"run {run.index}"
        if reps > 1:
            title += f" #{[r.index for r in groups[tuple(run.params[k] for k in keys)]].index(run.index) + 1}"
        ax.set_title(title + (" (diverged)" if run.diverged else ""), fontsize=8,
                     color="#b2182b" if run.diverged else "black")
        acc = run.metrics["train_accuracy"]
        corner = f"acc {acc:.2f}"
        if np.isfinite(run.metrics["test_accuracy"]):
            corner += f", test {run.metrics['test_accuracy']:.2f}"
        spread, _ = roundness(*bd[:3]) if bd[0].ndim == 2 else (float("nan"), None)
        if np.isfinite(spread):
            corner += f"\nspread {spread:.3f}"
            spreads.append((run, spread))
        ax.text(0.03, 0.03, corner, transform=ax.transAxes, fontsize=7,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
    used = set(cells)
    for i in range(rows):
        for j in range(cols):
            if (i, j) not in used:
                axes[i, j].set_visible(False)
    what = "decision boundary of every run"
    what += " (argmax class)" if multiclass else " (shading: P(class 1); line: 0.5)"
    if spreads:
        what += "; spread: std/mean of the line's radius over angle (0 = a circle)"
    if keys:
        what += f", by {', '.join(keys)}"
    title = res.title(what, fig)
    fig.suptitle(title, fontsize=10)
    # the colour bar in a strip of its own at the right: 0.9 in for bar,
    # ticks and label, so the label is never cut off
    right = 1 - 0.9 / fig.get_figwidth() if im is not None else 1
    fig.tight_layout(rect=(0, 0, right, title_top(fig, title, 10)))
    if im is not None:
        cax = fig.add_axes([right + 0.1 / fig.get_figwidth(), 0.15, 0.15 / fig.get_figwidth(), 0.6])
        fig.colorbar(im, cax=cax).set_label("P(class 1)", fontsize=8)
        cax.tick_params(labelsize=7)
    if spreads:
        print("boundary roundness (spread: std/mean of the 0.5 line's radius over angle):")
        for run, spread in spreads:
            print(f"  run {run.index:4d}  {run.label() or '-':<30s}  spread {spread:.3f}  "
                  f"train acc {run.metrics['train_accuracy']:.3f}  "
                  f"test acc {run.metrics['test_accuracy']:.3f}")
    return save(fig, args.out, "boundaries", args.format, args.dpi)


def group_colors(res, groups, key):
    """A colour per group: a ramp when groups follow a numeric key, else a
    qualitative palette."""
    keys = list(groups)
    n = len(keys)
    if n == 1:
        return {keys[0]: "#2166ac"}
    if key is not None and res.numeric[key]:
        cmap = plt.get_cmap("viridis")
        return {g: cmap(0.9 * i / (n - 1)) for i, g in enumerate(keys)}
    cmap = plt.get_cmap("tab10" if n <= 10 else "tab20")
    return {g: cmap(i % cmap.N) for i, g in enumerate(keys)}


def fig_loss(res, args):
    groups = res.groups()
    colors = group_colors(res, groups, res.swept[0] if res.swept else None)
    fig, ax = plt.subplots(figsize=(7.4, 4.8))
    any_test = any_curve = False
    reps = max(len(v) for v in groups.values())
    for gkey, runs in groups.items():
        for n, run in enumerate(runs):
            it, loss, test_it, test = run.loss()
            if loss is None:
                continue
            any_curve = True
            label = None
            if n == 0:
                label = runs[0].label() if res.swept else f"run {run.index}"
                if not res.swept and len(runs) > 1:
                    label = "training loss"
            if run.diverged:
                label = (label or run.label() or f"run {run.index}") + " (diverged)"
            pos = np.where(loss > 0, loss, np.nan)
            ax.plot(it, pos, color=colors[gkey], lw=1.2, alpha=0.9 if reps == 1 else 0.6,
                    label=label)
            if test is not None and np.isfinite(test).any():
                any_test = True
                ax.plot(test_it, np.where(test > 0, test, np.nan), color=colors[gkey], lw=1.0,
                        ls="--", alpha=0.7)
            if run.diverged:
                ok = np.flatnonzero(np.isfinite(pos))
                if ok.size:
                    ax.plot(it[ok[-1]], pos[ok[-1]], marker="x", color="#b2182b", ms=8)
    if not any_curve:
        plt.close(fig)
        return skip("loss", "no run holds a loss curve")
    ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.grid(True, which="both", alpha=0.25)
    handles, labels = ax.get_legend_handles_labels()
    if any_test:
        handles += [plt.Line2D([], [], color="0.3", lw=1.2), plt.Line2D([], [], color="0.3", ls="--")]
        labels += ["training", "test"]
    if handles:
        ax.legend(handles, labels, fontsize=7, ncol=1 + len(labels) // 14,
                  loc="upper right", framealpha=0.85)
    what = "loss curves" + (f" by {', '.join(res.swept)}" if res.swept else "")
    if reps > 1:
        what += f" ({reps} repeats each)"
    ax.set_title(res.title(what, fig), fontsize=9)
    fig.tight_layout()
    return save(fig, args.out, "loss", args.format, args.dpi)


def fig_metrics(res, args):
    if not res.swept:
        return skip("metrics", "nothing is swept")
    metrics = [m for m in METRICS if any(np.isfinite(r.metrics[m]) for r in res.runs)
               or m == "first_iteration_at_100pct"]
    keys = res.swept
    if len(keys) == 1:  # one parameter: the metrics side by side, two a row
        cols = 2 if len(metrics) > 1 else 1
        rows = math.ceil(len(metrics) / cols)
        fig, grid = plt.subplots(rows, cols, figsize=(4.6 * cols, 2.9 * rows + 0.9), squeeze=False)
        axes = grid.reshape(-1, 1)
        for ax in grid.flat[len(metrics):]:
            ax.set_visible(False)
    else:  # a row per metric, a column per parameter
        rows, cols = len(metrics), len(keys)
        fig, axes = plt.subplots(rows, cols, figsize=(4.4 * cols, 2.5 * rows + 1.0), squeeze=False)
    for j, key in enumerate(keys):
        others = [k for k in keys if k != key]
        values = res.values(key)
        lines = res.groups(others)
        colors = group_colors(res, lines, others[0] if others else None)
        for i, m in enumerate(metrics):
            ax = axes[i, j]
            for gkey, runs in lines.items():
                xs, mean, std, counts = [], [], [], []
                for v in values:
                    vals = np.array([r.metrics[m] for r in runs if r.params[key] == v])
                    good = vals[np.isfinite(vals)]
                    if vals.size == 0:
                        continue
                    xs.append(v if res.numeric[key] else values.index(v))
                    mean.append(good.mean() if good.size else np.nan)
                    std.append(good.std() if good.size > 1 else 0.0)
                    counts.append(vals.size)
                label = ", ".join(f"{k}={fmt(g)}" for k, g in zip(others, gkey)) or None
                if not np.isfinite(mean).any():
                    continue
                if max(counts, default=1) > 1:
                    ax.errorbar(xs, mean, yerr=std, color=colors[gkey], marker="o", ms=3.5,
                                lw=1.2, capsize=3, label=label)
                else:
                    ax.plot(xs, mean, color=colors[gkey], marker="o", ms=3.5, lw=1.2, label=label)
            if res.numeric[key]:
                lo, hi = min(values), max(values)
                pad = 0.05 * (hi - lo) if hi > lo else 0.5 * (abs(lo) or 1.0)
                ax.set_xlim(lo - pad, hi + pad)
            else:
                ax.set_xlim(-0.3, len(values) - 0.7)
                ax.set_xticks(range(len(values)))
                ax.set_xticklabels([fmt(v) for v in values], rotation=30, fontsize=7)
            if m == "final_loss":
                finite = [r.metrics[m] for r in res.runs if np.isfinite(r.metrics[m])]
                if finite and min(finite) > 0 and max(finite) > 10 * min(finite):
                    ax.set_yscale("log")
            if m.endswith("accuracy"):
                ax.set_ylim(min(ax.get_ylim()[0], 0.45), 1.03)
            ylabel = METRIC_LABELS[m]
            if m == "first_iteration_at_100pct":
                never = sum(1 for r in res.runs if not np.isfinite(r.metrics[m]))
                if never:
                    ylabel += f"\n({never} run{'s' * (never > 1)} never)"
                if never == len(res.runs):
                    ax.text(0.5, 0.5, "no run classified every\ntraining point right",
                            transform=ax.transAxes, ha="center", va="center", fontsize=8,
                            color="0.4")
                    ax.set_yticks([])
            ax.set_ylabel(ylabel, fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(True, alpha=0.25)
            if i == len(metrics) - 1 or len(keys) == 1:
                ax.set_xlabel(key, fontsize=9)
            if i == 0 and others and len(lines) <= 16:
                ax.legend(fontsize=6.5, framealpha=0.85)
    reps = max(len(v) for v in res.groups().values())
    what = "metrics by swept parameter"
    what += f" (mean ± std over {reps} repeats)" if reps > 1 else ""
    title = res.title(what, fig)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, title_top(fig, title, 10)))
    return save(fig, args.out, "metrics", args.format, args.dpi)


DRAW = {"dataset": fig_dataset, "units": fig_units, "hidden_space": fig_hidden,
        "boundaries": fig_boundaries, "loss": fig_loss, "metrics": fig_metrics}


def default_out(path):
    base = os.path.basename(path)
    for suf in (".h5", ".hdf5"):
        if base.endswith(suf) and len(base) > len(suf):
            return os.path.join(os.path.dirname(path), base[: -len(suf)] + ".figures")
    return path + ".figures"


def parse(argv):
    p = argparse.ArgumentParser(
        prog="figures.py", description="Render the tutorial's figures from an mlplab results file.",
        epilog="figures: " + ", ".join(FIGURES))
    p.add_argument("results", metavar="RESULTS.h5")
    p.add_argument("--runs", metavar="LIST", default=None,
                   help="only these runs, in every figure: indices and ranges, e.g. 0,3,5-7 "
                        "(default: all; units and hidden_space: the first)")
    p.add_argument("--run", type=int, default=None, metavar="K",
                   help="the same as --runs K")
    p.add_argument("--format", choices=("png", "svg", "pdf"), default="png")
    p.add_argument("--out", metavar="DIR", help="output folder (default: RESULTS.figures/)")
    p.add_argument("--only", metavar="NAME,...", help="draw only these figures")
    p.add_argument("--dpi", type=int, default=100, help="resolution of PNGs (default 100)")
    args = p.parse_args(argv)
    if args.only:
        args.only = [s.strip() for s in args.only.split(",") if s.strip()]
        bad = [s for s in args.only if s not in FIGURES]
        if bad:
            p.error(f"--only: unknown figure {', '.join(bad)} (one of {', '.join(FIGURES)})")
    else:
        args.only = list(FIGURES)
    if args.dpi < 10 or args.dpi > 1200:
        p.error("--dpi must be within 10 ... 1200")
    if args.runs is not None and args.run is not None:
        p.error("give --runs or --run, not both")
    if args.run is not None:
        args.runs = str(args.run)
    if args.runs is not None:
        picked = []
        for part in args.runs.split(","):
            m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
            if not m or (m.group(2) is not None and int(m.group(2)) < int(m.group(1))):
                p.error(f"--runs: '{part}' is not a run index or a range A-B (e.g. 0,3,5-7)")
            lo = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) is not None else lo
            picked += [k for k in range(lo, hi + 1) if k not in picked]
        args.runs = picked
    return args


def main(argv):
    args = parse(argv)
    if not os.path.exists(args.results):
        die(f"{args.results}: no such file")
    res = Results(args.results)
    if args.runs is not None:
        res.select(args.runs)  # exits when a run is not in the file
    per_run = [r.index for r in res.runs] if args.runs is not None else [res.runs[0].index]
    args.out = args.out or default_out(args.results)
    os.makedirs(args.out, exist_ok=True)
    failed = 0
    for name in args.only:
        for k in per_run if name in ("units", "hidden_space") else [None]:
            args.run = k
            try:
                DRAW[name](res, args)
            except Exception as e:  # one bad figure does not stop the others
                failed += 1
                print(f"figures.py: {name}: failed: {type(e).__name__}: {e}", file=sys.stderr)
                plt.close("all")
    return 1 if failed else 0


def setup():
    """Import numpy, h5py and matplotlib (Agg) as this module's globals; a
    program that imports figures.py calls it before main."""
    global h5py, matplotlib, np, mcolors, plt
    try:
        import h5py
        import matplotlib
        import numpy as np
    except ImportError as e:
        die(f"{e.name} is missing (Debian: apt-get install python3-numpy python3-h5py "
            "python3-matplotlib)")
    matplotlib.use("Agg")
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt
    matplotlib.rcParams["svg.hashsalt"] = "mlplab"


if __name__ == "__main__":
    setup()
    sys.exit(main(sys.argv[1:]))
