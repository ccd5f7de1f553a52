#!/usr/bin/python3
"""Proof against PyTorch: replay every run of an mlplab results file in
PyTorch float64 and require the same loss curve.

For each run the script reads the training data, the initial parameters
(weight snapshot 0, taken before iteration 0's update) and the run's
hyperparameters (the resolved spec with the run's swept values applied),
builds the same network from nn.Linear layers and PyTorch's activation
modules, trains it with torch.optim.SGD / torch.optim.Adam on the full batch
and records the loss of every iteration's forward pass before its update.
mlplab's recorded loss includes the L2 penalty l2/2 * sum W^2 (weights, not
biases); PyTorch's weight_decay adds l2 * W to the gradient only, so the
penalty is added on the PyTorch side when comparing.

    check_trajectories.py --runner RUNNER --spec SPEC --workdir DIR   run the sweep, then check
    check_trajectories.py RESULTS.h5                                   check an existing file

Exit status 0 when every run matches within --tol (relative, default 1e-9)
at every recorded iteration, 1 otherwise (naming the run and the first
iteration beyond the tolerance), 2 for a usage error.
"""
import argparse
import math
import os
import subprocess
import sys
import time

INSTALL_HINT = ("install them with 'apt-get install -y python3-torch python3-h5py python3-numpy' "
                "(python3-yaml comes with python3-torch; CI installs them); this test fails "
                "rather than skips without them")

try:
    import torch
except ImportError:
    sys.exit(f"torch_trajectories: FAIL: PyTorch (module 'torch', Debian package python3-torch) "
             f"is not installed for {sys.executable}: {INSTALL_HINT}")
try:
    import numpy as np
    import h5py
    import yaml
except ImportError as e:
    sys.exit(f"torch_trajectories: FAIL: module '{e.name}' (Debian package "
             f"python3-{'yaml' if e.name == 'yaml' else e.name}) is missing for "
             f"{sys.executable}: {INSTALL_HINT}")

# mlplab's defaults of the train keys this test reads (docs/spec.md, `train`).
TRAIN_DEFAULTS = {
    "optimizer": "gd", "learning_rate": 0.1, "momentum": 0.9, "nesterov": False,
    "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "iterations": 1000, "batch_size": 0,
    "l2": 0.0,
}
# Train keys that must stay off: the replay below does not model them.
TRAIN_MUST_BE_OFF = {
    "schedule": ("constant", None), "alpha": (0, 0.0, None), "l1": (0, 0.0, None),
    "target_accuracy": (None,), "tol": (None,), "validation_fraction": (0, 0.0, None),
    "max_seconds": (None,),
}


class Unsupported(Exception):
    """A run uses a setting this replay does not implement."""


def as_real(v, what):
    # PyYAML reads YAML 1.1: '1e-8' (no dot) stays a string; mlplab reads YAML 1.2.
    if isinstance(v, bool):
        raise Unsupported(f"{what}: expected a number, got {v!r}")
    try:
        return float(v)
    except (TypeError, ValueError):
        raise Unsupported(f"{what}: expected a number, got {v!r}") from None


def as_bool(v, what):
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return v.lower() == "true"
    raise Unsupported(f"{what}: expected a boolean, got {v!r}")


def attr_str(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    return v


def set_path(tree, dotted, value):
    """Set tree[a][b]... = value for 'a.b...', creating mappings on the way
    and promoting a plugin name to {plugin: name}, as mlplab's sweep does."""
    parts = dotted.split(".")
    node = tree
    for p in parts[:-1]:
        nxt = node.get(p)
        if nxt is None:
            nxt = {}
        elif isinstance(nxt, str):
            nxt = {"plugin": nxt}
        node[p] = nxt
        node = nxt
    node[parts[-1]] = value


def run_spec(root_attrs, run_attrs):
    """The run's effective spec: the resolved spec with its swept values."""
    spec = yaml.safe_load(attr_str(root_attrs["spec_resolved"]))
    spec.pop("sweep", None)
    swept = [attr_str(s) for s in root_attrs.get("swept_parameters", [])]
    for key in swept:
        name = key.replace("/", "_")
        if name in run_attrs:
            raw = run_attrs[name]
        elif "param_" + name in run_attrs:
            raw = run_attrs["param_" + name]
        else:
            raise Unsupported(f"swept key '{key}' is not among the run's attributes")
        raw = attr_str(raw)
        if isinstance(raw, str):
            value = yaml.safe_load(raw)
        else:
            value = float(np.asarray(raw))
            if value.is_integer():
                value = int(value)
        set_path(spec, key, value)
    return spec


def plugin_of(ref, what):
    """(name, params) of a plugin reference (a name or {plugin: name, ...})."""
    if isinstance(ref, str):
        return ref, {}
    if isinstance(ref, dict) and isinstance(ref.get("plugin"), str):
        return ref["plugin"], {k: v for k, v in ref.items() if k != "plugin"}
    raise Unsupported(f"{what}: cannot read plugin reference {ref!r}")


def activation_module(ref):
    name, p = plugin_of(ref, "model.activation")
    nn = torch.nn
    if name == "sigmoid":
        return nn.Sigmoid(), name
    if name == "tanh":
        return nn.Tanh(), name
    if name == "relu":
        return nn.ReLU(), name
    if name == "identity":
        return nn.Identity(), name
    if name == "leaky_relu":
        slope = as_real(p.get("slope", 0.01) if p.get("slope") is not None else 0.01, "slope")
        return nn.LeakyReLU(slope), f"leaky_relu({slope:g})"
    raise Unsupported(f"activation '{name}' is not replayed by this test")


def loss_function(ref, k):
    """(loss(logits, y_int64) -> scalar tensor, short name) as PyTorch computes it."""
    name, p = plugin_of(ref, "loss")
    red = p.get("reduction") or "mean"
    if red not in ("mean", "sum"):
        raise Unsupported(f"loss reduction '{red}'")
    if name == "bce":
        f = torch.nn.BCEWithLogitsLoss(reduction=red)
        # mlplab uses each sample's label for all k outputs
        return (lambda z, y: f(z, y.to(torch.float64).unsqueeze(1).expand(-1, k))), name
    if name == "mse":
        f = torch.nn.MSELoss(reduction=red)
        return (lambda z, y: f(z, y.to(torch.float64).unsqueeze(1).expand(-1, k))), name
    if name == "softmax_ce":
        ls = p.get("label_smoothing")
        ls = 0.0 if ls is None else as_real(ls, "label_smoothing")
        f = torch.nn.CrossEntropyLoss(reduction=red, label_smoothing=ls)
        return (lambda z, y: f(z, y)), name
    raise Unsupported(f"loss '{name}' is not replayed by this test")


def train_options(spec):
    tr = dict(TRAIN_DEFAULTS)
    given = spec.get("train") or {}
    for key, value in given.items():
        if value is None:
            continue
        if key in TRAIN_MUST_BE_OFF:
            if value not in TRAIN_MUST_BE_OFF[key]:
                raise Unsupported(f"train.{key} = {value!r} is not replayed by this test")
            continue
        tr[key] = value
    o = {
        "optimizer": tr["optimizer"],
        "lr": as_real(tr["learning_rate"], "learning_rate"),
        "momentum": as_real(tr["momentum"], "momentum"),
        "nesterov": as_bool(tr["nesterov"], "nesterov"),
        "beta1": as_real(tr["beta1"], "beta1"),
        "beta2": as_real(tr["beta2"], "beta2"),
        "eps": as_real(tr["eps"], "eps"),
        "l2": as_real(tr["l2"], "l2"),
        "iterations": int(tr["iterations"]),
        "batch_size": int(tr["batch_size"]),
    }
    if o["optimizer"] not in ("gd", "sgd", "momentum", "adam"):
        raise Unsupported(f"optimizer '{o['optimizer']}'")
    return o


def make_optimizer(o, weights, biases):
    groups = [{"params": weights, "weight_decay": o["l2"]},
              {"params": biases, "weight_decay": 0.0}]
    if o["optimizer"] in ("gd", "sgd"):
        return torch.optim.SGD(groups, lr=o["lr"], momentum=0.0)
    if o["optimizer"] == "momentum":
        return torch.optim.SGD(groups, lr=o["lr"], momentum=o["momentum"], dampening=0.0,
                               nesterov=o["nesterov"])
    return torch.optim.Adam(groups, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"],
                            amsgrad=False)


def read_data(f, run):
    g = run["dataset/train"] if "dataset" in run else f["dataset/train"]
    return np.asarray(g["x"][...], dtype=np.float64), np.asarray(g["y"][...], dtype=np.int64)


def replay(f, run, perturb=None, jitter=False):
    """Train the run in PyTorch; returns a dict of what was compared.
    jitter: move every initial parameter by one unit in the last place
    (to measure how much the trajectory itself amplifies rounding)."""
    a = run.attrs
    spec = run_spec(f.attrs, a)
    o = train_options(spec)
    opt_label = ("adam" if (o["beta1"], o["beta2"], o["eps"]) == (
        TRAIN_DEFAULTS["beta1"], TRAIN_DEFAULTS["beta2"], TRAIN_DEFAULTS["eps"]) else "adam*") \
        if o["optimizer"] == "adam" else \
        ("nesterov" if o["nesterov"] else "momentum") if o["optimizer"] == "momentum" else \
        o["optimizer"]
    if o["l2"] > 0:
        opt_label += "+l2"
    if perturb:
        key, scale, value = perturb
        used = {"lr": True, "momentum": o["optimizer"] == "momentum",
                "beta1": o["optimizer"] == "adam", "beta2": o["optimizer"] == "adam",
                "eps": o["optimizer"] == "adam", "l2": o["l2"] > 0}[key]
        if used:
            o[key] = o[key] * value if scale else value
    if o["batch_size"] != 0:
        raise Unsupported(f"batch_size {o['batch_size']}: this test replays full batches only")
    if attr_str(a["status"]) != "ok":
        raise Unsupported(f"run status is '{attr_str(a['status'])}'")
    if "stop_reason" in a and attr_str(a["stop_reason"]) != "iterations":
        raise Unsupported(f"run stopped early ({attr_str(a['stop_reason'])})")
    T = int(a["iterations"])
    if T != o["iterations"] or int(a["iterations_run"]) != T:
        raise Unsupported(f"iterations {T}, iterations_run {int(a['iterations_run'])}, "
                          f"spec says {o['iterations']}")

    widths = [int(w) for w in a["widths"]]
    L = len(widths) - 1
    acts = spec["model"].get("activation", "sigmoid")
    acts = acts if isinstance(acts, list) else [acts] * (L - 1)
    if len(acts) != L - 1:
        raise Unsupported(f"{len(acts)} activations for {L - 1} hidden layers")
    k = widths[-1]
    loss_fn, loss_name = loss_function(spec.get("loss", "bce"), k)

    if "snapshots" not in run:
        raise Unsupported("no weight snapshots: the spec needs record.weights_every")
    snap = run["snapshots"]
    if int(snap["snapshot_iteration"][0]) != 0:
        raise Unsupported("snapshot 0 is not the initial weights")

    layers, weights, biases, act_names = [], [], [], []
    for l in range(L):
        lin = torch.nn.Linear(widths[l], widths[l + 1], dtype=torch.float64)
        w0 = np.asarray(snap[f"layer{l}/W"][0], np.float64)
        b0 = np.asarray(snap[f"layer{l}/b"][0], np.float64)
        if jitter:
            w0, b0 = np.nextafter(w0, np.inf), np.nextafter(b0, np.inf)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w0))
            lin.bias.copy_(torch.from_numpy(b0))
        layers.append(lin)
        weights.append(lin.weight)
        biases.append(lin.bias)
        if l < L - 1:
            mod, nm = activation_module(acts[l])
            layers.append(mod)
            act_names.append(nm)
    net = torch.nn.Sequential(*layers)
    opt = make_optimizer(o, weights, biases)

    xn, yn = read_data(f, run)
    x, y = torch.from_numpy(xn), torch.from_numpy(yn)
    if x.shape[1] != widths[0]:
        raise Unsupported(f"data have {x.shape[1]} features, the model {widths[0]} inputs")

    every = int(a["loss_every"])
    want = np.asarray(run["loss"][...], np.float64)
    got = np.empty(T)
    l2 = o["l2"]
    for t in range(T):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        value = loss.item()
        if l2 > 0:
            with torch.no_grad():
                value += 0.5 * l2 * sum(float((w * w).sum()) for w in weights)
        got[t] = value
        loss.backward()
        opt.step()
    got = got[::every]

    rel = np.abs(want - got) / np.maximum(np.abs(got), 1e-300)
    rel[~np.isfinite(want) | ~np.isfinite(got)] = np.inf
    wrel = 0.0
    if "weights" in run:
        scale = max(max(float(p.detach().abs().max()) for p in weights + biases), 1e-300)
        for l in range(L):
            for nm, p in (("W", weights[l]), ("b", biases[l])):
                d = np.abs(np.asarray(run[f"weights/layer{l}/{nm}"][...]) - p.detach().numpy())
                wrel = max(wrel, float(d.max()) / scale)
    acts_label = "/".join(act_names) if len(set(act_names)) > 1 else (act_names[0] if act_names else "-")
    return {"rel": rel, "want": want, "got": got, "every": every, "act": acts_label,
            "loss": loss_name, "opt": opt_label,
            "final": float(got[-1]), "first": float(got[0]), "final_mlplab": float(want[-1]),
            "wrel": wrel}


def run_sweep(args):
    os.makedirs(args.workdir, exist_ok=True)
    out = os.path.join(args.workdir, "torch_trajectories.h5")
    cmd = [args.runner, args.spec, "-q", "--force", "-o", out, "--format", "1"]  # reads runs/run_<k>
    if args.threads:
        cmd += ["-j", str(args.threads)]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stdout.write(p.stdout)
        sys.stderr.write(p.stderr)
        print(f"torch_trajectories: FAIL: the runner exited with {p.returncode}: {' '.join(cmd)}")
        sys.exit(1)
    print(f"mlplab: {' '.join(cmd)}  ({time.monotonic() - t0:.1f} s)")
    return out


def self_sensitivity(f, run, r, perturb=None):
    """PyTorch against itself with every initial parameter moved by one ulp:
    the largest relative loss difference (how much the trajectory amplifies
    rounding; near 1e-16 .. 1e-12 for a well-conditioned run)."""
    j = replay(f, run, perturb, jitter=True)
    return float((np.abs(r["got"] - j["got"]) / np.maximum(np.abs(r["got"]), 1e-300)).max())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="?", help="an existing results file (skips the runner)")
    ap.add_argument("--runner", help="the runner to run --spec with")
    ap.add_argument("--spec", help="the sweep to run")
    ap.add_argument("--workdir", default=".", help="where the results file goes")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tol", type=float, default=1e-9, help="relative tolerance (default 1e-9)")
    ap.add_argument("--self-check", action="store_true",
                    help="also replay every run in PyTorch from initial weights moved by one "
                         "ulp and print how far PyTorch drifts from itself (conditioning)")
    ap.add_argument("--perturb", metavar="KEY=VALUE",
                    help="change one optimizer setting on the PyTorch side only, in the runs "
                         "that use it (KEY=VALUE sets it, KEY*=F scales it; KEY is lr, "
                         "momentum, beta1, beta2, eps or l2; l2 only where it is > 0), to "
                         "show the tolerance bites: the check must then fail")
    args = ap.parse_args()
    if bool(args.results) == bool(args.runner and args.spec):
        ap.error("give RESULTS.h5, or --runner and --spec")
    perturb = None
    if args.perturb:
        key, _, value = args.perturb.partition("=")
        scale = key.endswith("*")
        key = key.rstrip("*")
        if key not in ("lr", "momentum", "beta1", "beta2", "eps", "l2"):
            ap.error("--perturb takes lr, momentum, beta1, beta2, eps or l2")
        try:
            perturb = (key, scale, float(value))
        except ValueError:
            ap.error(f"--perturb: '{value}' is not a number")

    torch.set_num_threads(1)
    path = args.results or run_sweep(args)
    t0 = time.monotonic()
    failures, rows, worst, worst_w = [], [], {}, {}
    with h5py.File(path, "r") as f:
        names = sorted(f["runs"].keys())
        if not names:
            print("torch_trajectories: FAIL: the results file holds no runs")
            return 1
        for name in names:
            run = f["runs"][name]
            try:
                r = replay(f, run, perturb)
            except Unsupported as e:
                failures.append(f"{name}: cannot replay: {e}")
                rows.append((name, "?", "?", "?", math.inf, math.nan, math.inf, None))
                continue
            rel = r["rel"]
            worst_rel = float(rel.max())
            label = f"{name} ({r['act']}, {r['loss']}, {r['opt']})"
            bad = np.nonzero(~(rel <= args.tol))[0]
            bad_w = not (r["wrel"] <= args.tol)
            sens = self_sensitivity(f, run, r, perturb) if args.self_check or bad.size or bad_w else None
            rows.append((name, r["act"], r["loss"], r["opt"], worst_rel, r["final"], r["wrel"],
                         sens))
            worst[r["opt"]] = max(worst.get(r["opt"], 0.0), worst_rel)
            worst_w[r["opt"]] = max(worst_w.get(r["opt"], 0.0), r["wrel"])
            why = ""
            if sens is not None and (bad.size or bad_w):
                why = (f"; PyTorch against itself from initial weights moved by one ulp: "
                       f"{sens:.1e}" +
                       (" (ill-conditioned: the run amplifies rounding, choose gentler "
                        "settings)" if sens > args.tol / 100 else
                        " (well conditioned: mlplab computes something else)"))
            if bad.size:
                j = int(bad[0])
                failures.append(
                    f"{label}: diverges from PyTorch at iteration {j * r['every']}: mlplab "
                    f"{r['want'][j]:.17g}, torch {r['got'][j]:.17g}, relative error "
                    f"{rel[j]:.3e} > {args.tol:g} (worst {worst_rel:.3e}){why}")
            elif bad_w:
                failures.append(
                    f"{label}: loss curves match but the final weights differ by "
                    f"{r['wrel']:.3e} (of the largest parameter) > {args.tol:g}{why}")
    head = (f"{'run':<9} {'activation':<10} {'loss':<10} {'optimizer':<12} {'max rel err':>11} "
            f"{'final loss':>11} {'final W err':>11}")
    if args.self_check:
        head += f" {'torch-self':>10}"
    print(head)
    print("-" * len(head))
    for name, act, loss, opt, rel, final, wrel, sens in rows:
        line = (f"{name:<9} {act:<10} {loss:<10} {opt:<12} {rel:11.2e} {final:11.5g} "
                f"{wrel:11.2e}")
        if args.self_check:
            line += f" {sens:10.1e}" if sens is not None else f" {'-':>10}"
        print(line)
    print()
    print("max rel err: max over iterations t of |loss_mlplab(t) - loss_torch(t)| / |loss_torch(t)|;"
          " final W err: max |param_mlplab - param_torch| / max |param_torch| after the last update")
    print("adam*: Adam with beta1, beta2 or eps other than 0.9, 0.999, 1e-8; +l2: weight decay "
          "on the weights only, its penalty l2/2 sum W^2 added to PyTorch's recorded loss")
    print("worst per optimizer (loss, final weights):")
    for k in sorted(worst):
        print(f"  {k:<12} {worst[k]:.2e}  {worst_w[k]:.2e}")
    print(f"{len(rows)} runs replayed in PyTorch {torch.__version__} in "
          f"{time.monotonic() - t0:.1f} s; tolerance {args.tol:g} relative at every iteration")
    if perturb:
        print(f"(PyTorch side perturbed on purpose: {perturb[0]} {'*' if perturb[1] else ''}= "
              f"{perturb[2]!r} where it is used)")
    if failures:
        print()
        for msg in failures:
            print("FAIL: " + msg)
        print(f"torch_trajectories: FAIL: {len(failures)} of {len(rows)} runs do not match PyTorch")
        return 1
    print("torch_trajectories: all runs match PyTorch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
