#!/usr/bin/python3
"""mlplab against scikit-learn's MLPClassifier, same hyperparameters.

For each dataset (circles, moons, breast cancer) and each seed S = 0 .. N-1:

  1. runner DATASET.yaml --set seed=S -o WORK/DATASET_S.h5 -j1
     (the seed draws the points or the train/test split, the initial weights
     and the batch order);
  2. MLPClassifier(random_state=S, same hyperparameters) fitted on exactly the
     points mlplab trained on, read back from the results file
     (/dataset/train, /dataset/test), and scored on the same test points;
  3. MLPClassifier again on data of scikit-learn's own making (make_circles,
     make_moons, train_test_split), drawn from RandomState(S): the check that
     mlplab's generators and split give data of the same difficulty.

Then it prints a markdown table of mean +- std over the seeds.  The
breast-cancer CSV is exported on the first run (or with --export):
load_breast_cancer, every feature standardized with the mean and the
population standard deviation of all 569 rows, label last.

    /usr/bin/python3 bench/sklearn_parity/run_parity.py                    # ~1 min
    /usr/bin/python3 bench/sklearn_parity/run_parity.py --runner build-skl/runner
    /usr/bin/python3 bench/sklearn_parity/run_parity.py --set train.tol= --skl n_iter_no_change=1000

--set is passed to every runner call; --skl KEY=VALUE overrides one
MLPClassifier argument (a Python literal) for both scikit-learn columns.
Both tools run on one thread (BLAS threads are pinned to 1 before numpy is
imported; runner -j1), one seed after the other.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import ast
import datetime
import json
import math
import platform
import subprocess
import sys
import time
import warnings

import h5py
import numpy as np
import sklearn
from sklearn.datasets import load_breast_cancer, make_circles, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.neural_network import _multilayer_perceptron as skl_mlp
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CSV = os.path.join(HERE, "breast_cancer.csv")

# What the specs say; checked against every results file.
BATCH = 200          # MLPClassifier's batch_size='auto' = min(200, n)
MAX_ITER = 200       # MLPClassifier's max_iter, in epochs

# MLPClassifier's defaults, spelled out (the specs mirror these).
SKL_PARAMS = dict(
    hidden_layer_sizes=(100,), activation="relu", solver="adam", alpha=1e-4,
    batch_size="auto", learning_rate_init=1e-3, max_iter=MAX_ITER, shuffle=True,
    tol=1e-4, n_iter_no_change=10, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
    early_stopping=False,
)


def own_circles(rs, n_train, n_test):
    xa, ya = make_circles(n_train, noise=0.1, factor=0.5, random_state=rs)
    xb, yb = make_circles(n_test, noise=0.1, factor=0.5, random_state=rs)
    return xa, ya, xb, yb


def own_moons(rs, n_train, n_test):
    xa, ya = make_moons(n_train, noise=0.2, random_state=rs)
    xb, yb = make_moons(n_test, noise=0.2, random_state=rs)
    return xa, ya, xb, yb


def own_breast_cancer(rs, n_train, n_test):
    x, y = read_csv()
    xa, xb, ya, yb = train_test_split(x, y, train_size=n_train, test_size=n_test,
                                      random_state=rs)
    return xa, ya, xb, yb


DATASETS = {
    # name: (spec, n_train, n_test, own-data maker)
    "circles": ("circles.yaml", 400, 200, own_circles),
    "moons": ("moons.yaml", 400, 200, own_moons),
    "breast_cancer": ("breast_cancer.yaml", 427, 142, own_breast_cancer),
}


def export_csv(path=CSV):
    """load_breast_cancer, standardized over all rows (ddof 0), label last."""
    d = load_breast_cancer()
    x = d.data.astype(np.float64)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    names = [n.replace(" ", "_") for n in d.feature_names] + ["label"]
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for row, label in zip(x, d.target):
            f.write(",".join(repr(float(v)) for v in row) + ",%d\n" % label)


def read_csv(path=CSV):
    a = np.loadtxt(path, delimiter=",", skiprows=1)
    return a[:, :-1], a[:, -1].astype(np.int64)


def epochs_of(updates, n):
    return updates / math.ceil(n / min(BATCH, n))


def run_mlplab(runner, spec, seed, work, sets):
    out = os.path.join(work, "%s_%d.h5" % (os.path.splitext(os.path.basename(spec))[0], seed))
    cmd = [runner, spec, "--set", "seed=%d" % seed, "-o", out, "-j1", "-q", "--force"]
    for s in sets:
        cmd += ["--set", s]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit("runner failed (%d): %s\n%s%s" % (p.returncode, " ".join(cmd), p.stdout,
                                                   p.stderr))
    with h5py.File(out, "r") as f:
        r = f["runs/run_0000"].attrs
        stop = r.get("stop_reason", "?")
        res = dict(
            test=float(r["test_accuracy"]), train=float(r["train_accuracy"]),
            updates=int(r["iterations_run"]), asked=int(r["iterations"]),
            stop=stop.decode() if isinstance(stop, bytes) else str(stop),
            run_wall=float(r["wall_seconds"]), wall=wall,
            data=tuple(f["dataset/%s/%s" % (s, v)][:] for s in ("train", "test")
                       for v in ("x", "y")),
        )
    return res


class TorchEpsAdam(AdamOptimizer):
    """scikit-learn's Adam with eps where PyTorch (and mlplab) put it.

    scikit-learn steps lr*sqrt(bc2)/bc1 * m / (sqrt(v) + eps); PyTorch steps
    lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps), which is scikit-learn's step with
    eps*sqrt(bc2) in place of eps (bc1, bc2 = 1 - beta^t of this step)."""

    def _get_updates(self, grads):
        saved = self.epsilon
        self.epsilon = saved * math.sqrt(1.0 - self.beta_2 ** (self.t + 1))
        try:
            return super()._get_updates(grads)
        finally:
            self.epsilon = saved


def run_sklearn(xa, ya, xb, yb, seed, extra, eps_torch=False):
    params = dict(SKL_PARAMS, random_state=seed)
    params.update(extra)
    clf = MLPClassifier(**params)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        stock = skl_mlp.AdamOptimizer
        if eps_torch:
            skl_mlp.AdamOptimizer = TorchEpsAdam
        try:
            clf.fit(xa, ya)
        finally:
            skl_mlp.AdamOptimizer = stock
    test = clf.score(xb, yb)
    wall = time.perf_counter() - t0
    n = len(ya)
    bs = min(BATCH, n) if params["batch_size"] == "auto" else min(params["batch_size"], n)
    return dict(test=test, train=clf.score(xa, ya), epochs=clf.n_iter_, pred=clf.predict(xb),
                updates=clf.n_iter_ * math.ceil(n / bs), stop="tol"
                if clf.n_iter_ < params["max_iter"] else "iterations", wall=wall)


def ms(v, scale=100.0, fmt="%.2f"):
    v = np.asarray(v, dtype=float) * scale
    return (fmt + " ± " + fmt) % (v.mean(), v.std(ddof=1) if len(v) > 1 else 0.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runner", default=os.path.join(REPO, "build", "runner"))
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--datasets", default="circles,moons,breast_cancer")
    ap.add_argument("--work", default="/tmp/sklearn_parity", help="results files go here")
    ap.add_argument("--export", action="store_true", help="rewrite breast_cancer.csv")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="passed to runner --set (repeatable)")
    ap.add_argument("--skl", action="append", default=[], metavar="KEY=VALUE",
                    help="MLPClassifier argument, a Python literal (repeatable)")
    ap.add_argument("--max-iter", type=int, default=MAX_ITER,
                    help="epochs for both tools (mlplab: train.iterations = epochs x updates "
                    "per epoch); a large value lets the tol rule end training")
    ap.add_argument("--eps-torch", action="store_true",
                    help="diagnostic: patch scikit-learn's Adam to put eps where PyTorch and "
                    "mlplab put it, and report how many test predictions change")
    ap.add_argument("--scaler-check", action="store_true",
                    help="diagnostic: also fit scikit-learn on the breast-cancer split "
                    "standardized with the training rows only, and not standardized at all")
    ap.add_argument("--json", help="write every per-seed number here")
    a = ap.parse_args()

    extra = {} if a.max_iter == MAX_ITER else {"max_iter": a.max_iter}
    for kv in a.skl:
        k, _, v = kv.partition("=")
        extra[k] = ast.literal_eval(v)
    if a.export or not os.path.exists(CSV):
        export_csv()
        print("wrote", CSV, file=sys.stderr)
    os.makedirs(a.work, exist_ok=True)
    runner = os.path.abspath(a.runner)
    version = subprocess.run([runner, "--version"], capture_output=True, text=True).stdout
    rows, per_seed = [], {}

    for name in a.datasets.split(","):
        spec, n_train, n_test, own = DATASETS[name]
        spec = os.path.join(HERE, spec)
        ml, sk, so = [], [], []
        for seed in range(a.seeds):
            upe = math.ceil(n_train / min(BATCH, n_train))
            sets = ([] if a.max_iter == MAX_ITER else
                    ["train.iterations=%d" % (a.max_iter * upe)]) + a.set
            r = run_mlplab(runner, spec, seed, a.work, sets)
            xa, ya, xb, yb = r.pop("data")
            if xa.shape[0] != n_train or xb.shape[0] != n_test:
                sys.exit("%s: the results file has %d/%d points, expected %d/%d" %
                         (name, xa.shape[0], xb.shape[0], n_train, n_test))
            if not a.set and r["asked"] != a.max_iter * upe:
                sys.exit("%s: the spec asks %d iterations, not max_iter x updates per epoch" %
                         (name, r["asked"]))
            r["epochs"] = epochs_of(r["updates"], n_train)
            ml.append(r)
            sk.append(run_sklearn(xa, ya.astype(np.int64), xb, yb.astype(np.int64), seed,
                                  extra))
            rs = np.random.RandomState(seed)
            so.append(run_sklearn(*own(rs, n_train, n_test), seed, extra))
            if a.eps_torch:
                e = run_sklearn(xa, ya.astype(np.int64), xb, yb.astype(np.int64), seed, extra,
                                eps_torch=True)
                sk[-1]["eps_torch_test"] = e["test"]
                sk[-1]["eps_torch_changed"] = int((e["pred"] != sk[-1]["pred"]).sum())
                sk[-1]["eps_torch_epochs"] = e["epochs"]
            if a.scaler_check and name == "breast_cancer":
                raw = load_breast_cancer().data
                mu, sd = raw.mean(axis=0), raw.std(axis=0)
                # standardizing is affine, so the training rows' own
                # standardization of the exported values is theirs of the raw ones
                m, v = xa.mean(axis=0), xa.std(axis=0)
                yai, ybi = ya.astype(np.int64), yb.astype(np.int64)
                sk[-1]["train_only_test"] = run_sklearn((xa - m) / v, yai, (xb - m) / v, ybi,
                                                        seed, extra)["test"]
                sk[-1]["raw_test"] = run_sklearn(xa * sd + mu, yai, xb * sd + mu, ybi, seed,
                                                 extra)["test"]
            for d in (sk[-1], so[-1]):
                d["pred"] = d["pred"].tolist()
            print("%s seed %d: mlplab %.4f (%d upd, %s)  sklearn %.4f (%d ep)  sklearn-own %.4f"
                  % (name, seed, r["test"], r["updates"], r["stop"], sk[-1]["test"],
                     sk[-1]["epochs"], so[-1]["test"]), file=sys.stderr)
        per_seed[name] = dict(mlplab=ml, sklearn=sk, sklearn_own=so)
        diff = np.array([m["test"] - s["test"] for m, s in zip(ml, sk)]) * 100
        rows.append(dict(name=name, n="%d/%d" % (n_train, n_test), ml=ml, sk=sk, so=so,
                         diff=diff))

    out = []
    out.append("%s, nproc=%d, %s, runner %s, scikit-learn %s, numpy %s, %d seeds" % (
        datetime.datetime.now().isoformat(timespec="seconds"), os.cpu_count(),
        platform.platform(), version.strip(), sklearn.__version__, np.__version__, a.seeds))
    if a.set or extra:
        out.append("")
        out.append("overrides: runner %s; MLPClassifier %s" % (a.set, extra))
    out.append("")
    out.append("| dataset | n train/test | sklearn test acc % | mlplab test acc % | "
               "mlplab − sklearn, points (± s.e.) | sklearn train acc % | mlplab train acc % | "
               "sklearn epochs (stopped by tol) | mlplab epochs = updates/epoch "
               "(stopped by tol) | sklearn wall s | mlplab wall s (in runs) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ml, sk, d = r["ml"], r["sk"], r["diff"]
        se = d.std(ddof=1) / math.sqrt(len(d)) if len(d) > 1 else 0.0
        out.append("| %s | %s | %s | %s | %+.2f ± %.2f | %s | %s | %s (%d) | %s (%d) | %.2f | "
                   "%.2f (%.2f) |" % (
                       r["name"], r["n"], ms([s["test"] for s in sk]),
                       ms([m["test"] for m in ml]), d.mean(), se,
                       ms([s["train"] for s in sk]), ms([m["train"] for m in ml]),
                       ms([s["epochs"] for s in sk], 1, "%.1f"),
                       sum(s["stop"] == "tol" for s in sk),
                       ms([m["epochs"] for m in ml], 1, "%.1f"),
                       sum(m["stop"] == "tol" for m in ml),
                       sum(s["wall"] for s in sk), sum(m["wall"] for m in ml),
                       sum(m["run_wall"] for m in ml)))
    out.append("")
    out.append("scikit-learn on data of its own making (make_circles / make_moons / "
               "train_test_split from RandomState(seed)), same sizes:")
    out.append("")
    out.append("| dataset | sklearn-own test acc % | sklearn-own train acc % | epochs | "
               "mlplab − sklearn-own, points |")
    out.append("|---|---|---|---|---|")
    for r in rows:
        so, ml = r["so"], r["ml"]
        dm = np.mean([m["test"] for m in ml]) - np.mean([s["test"] for s in so])
        out.append("| %s | %s | %s | %s | %+.2f |" % (
            r["name"], ms([s["test"] for s in so]), ms([s["train"] for s in so]),
            ms([s["epochs"] for s in so], 1, "%.1f"), 100 * dm))
    if a.eps_torch:
        out.append("")
        out.append("scikit-learn with eps placed as PyTorch / mlplab (same data, same seeds):")
        out.append("")
        out.append("| dataset | stock sklearn test acc % | eps-torch sklearn test acc % | "
                   "test predictions changed (of all seeds' test points) | epochs changed |")
        out.append("|---|---|---|---|---|")
        for r in rows:
            sk = r["sk"]
            out.append("| %s | %s | %s | %d of %d | %d of %d |" % (
                r["name"], ms([s["test"] for s in sk]), ms([s["eps_torch_test"] for s in sk]),
                sum(s["eps_torch_changed"] for s in sk), sum(len(s["pred"]) for s in sk),
                sum(s["eps_torch_epochs"] != s["epochs"] for s in sk), len(sk)))
    for r in rows:
        if a.scaler_check and r["name"] == "breast_cancer":
            sk = r["sk"]
            out.append("")
            out.append("breast cancer, scikit-learn on the same splits, test acc %%: features "
                       "standardized over all 569 rows (the CSV) %s; over the training rows "
                       "only %s; not standardized %s" % (
                           ms([s["test"] for s in sk]), ms([s["train_only_test"] for s in sk]),
                           ms([s["raw_test"] for s in sk])))
    print("\n".join(out))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(table="\n".join(out), per_seed=per_seed), f, indent=1)


if __name__ == "__main__":
    main()
