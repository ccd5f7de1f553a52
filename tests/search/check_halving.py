#!/usr/bin/python3
"""Successive halving, checked from the outside: the same numbers for -j1,
-j2 and a sweep stopped after each number of recorded runs and resumed; each
rung's promotions recomputed from what the runs recorded (the metric at the
rung's budget, the best floor(n/eta) by metric then run index); every run's
numbers equal to the same run trained without halving, for the iterations
it ran (a promoted run continued exactly where it stopped); and the
iterations trained are those of runs continued, not restarted.  The
files are format 2 (the default); a format-1 sweep (--format 1) holds the
same numbers and passes the same checks, and /cube carries halving_bracket
and halving_rungs (over the grid's keys, or over run for a search).

usage: check_halving.py RUNNER WORKDIR SPEC
"""
import os
import re
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import compare_numbers  # noqa: E402
from runs import Run, check_cube, n_runs, stored_runs, text  # noqa: E402


def run(runner, spec, *args, code=0):
    p = subprocess.run([runner, spec, *args], capture_output=True, text=True)
    if p.returncode != code:
        sys.exit(f"FAIL: runner {spec} {' '.join(args)}: exit {p.returncode}\n{p.stderr}")
    return p.stdout


def same(a, b):
    sys.argv = ["compare_numbers.py", a, b]
    if compare_numbers.main() != 0:
        sys.exit(f"FAIL: {a} and {b} differ")


def fail(msg):
    sys.exit("FAIL: " + msg)


def attr_str(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def hyperband_brackets(eta, n_rungs, brackets, n):
    """The bracket of each of runs 0 .. n-1, computed here from the spec's
    words (docs/spec.md, "Brackets"): bracket b weighs Hyperband's
    n_s = ceil((S+1)/(s+1) eta^s), S = n_rungs-1, s = S-b; runs go one by one
    to the bracket with the largest credit (the smaller on a tie) after every
    bracket gained its weight, which then gives back the sum of the weights.
    Returns (weights, brackets of the runs)."""
    S = n_rungs - 1
    weights = []
    for b in range(brackets):
        s = S - b
        pw = min(eta ** s, 2 ** 30)
        weights.append(-(-(S + 1) * pw // (s + 1)))
    credit, out = [0] * brackets, []
    for _ in range(n):
        credit = [c + w for c, w in zip(credit, weights)]
        pick = max(range(brackets), key=lambda b: (credit[b], -b))
        credit[pick] -= sum(weights)
        out.append(pick)
    return weights, out


def check_promotions(path, plain):
    """Recompute every decision: the metric of run k at a rung's budget is
    the evaluation curve of run k trained without halving (plain) at that
    iteration.  Returns the iterations an executor that continues promoted
    runs trains."""
    with h5py.File(path, "r") as f, h5py.File(plain, "r") as p:
        table = attr_str(f.attrs["halving"])
        m = re.match(r"successive halving: eta (\d+), metric (\w+), (\d+) brackets?, "
                     r"rungs at ([\d ]+) iterations", table)
        eta, metric, brackets = int(m.group(1)), m.group(2), int(m.group(3))
        budgets = [int(b) for b in m.group(4).split()]
        curve = {"test_accuracy": "test_accuracy_curve", "test_loss": "test_loss"}[metric]
        if stored_runs(f) != n_runs(f) or stored_runs(p) != n_runs(f):
            fail(f"{path} or {plain} does not hold its {n_runs(f)} runs")
        runs = {k: Run(f, k) for k in range(n_runs(f))}
        full = {k: Run(p, k) for k in range(n_runs(p))}
        weights, bracket_of = hyperband_brackets(eta, len(budgets), brackets, len(runs))
        if brackets > 1:
            deal = "runs dealt to the brackets in proportion " + ":".join(map(str, weights))
            if deal not in table:
                fail(f"the bracket table does not say '{deal}':\n{table}")
            if len(set(bracket_of)) != brackets:
                fail(f"a bracket has no run (brackets {bracket_of}): a weak test")

        def at(k, budget):
            g = full[k]
            j = np.nonzero(g.array("eval_iteration") == budget)[0]
            if len(j) != 1:
                fail(f"run {k}: no evaluation at iteration {budget} to check against")
            return float(g.array(curve)[j[0]])

        trained = 0
        for b in range(brackets):
            entrants = [k for k in sorted(runs) if bracket_of[k] == b]
            for r in range(b, len(budgets)):
                budget, prev = budgets[r], budgets[r - 1] if r > b else 0
                last = r == len(budgets) - 1
                reached = []
                for k in entrants:
                    g = runs[k]
                    ran, why = int(g.attr("iterations_run")), attr_str(g.attr("stop_reason"))
                    if int(g.attr("halving_bracket")) != b:
                        fail(f"run {k}: bracket {g.attr('halving_bracket')}, want {b}")
                    trained += min(ran, budget) - prev
                    rungs = r - b + (1 if ran >= budget else 0)
                    ended = ran < budget or last or (ran == budget and why != "halving")
                    if ended and int(g.attr("halving_rungs")) != rungs:
                        fail(f"run {k}: {g.attr('halving_rungs')} rungs, want {rungs}")
                    if ended and why == "halving":
                        fail(f"run {k} stopped by halving before its rung or at the last")
                    if not ended:
                        reached.append(k)
                if last:
                    break
                keep = min(max(1, len(entrants) // eta), len(reached))
                bigger = metric.endswith("accuracy")
                order = sorted(reached, key=lambda k: ((-at(k, budget) if bigger else at(k, budget)), k))
                promoted = sorted(order[:keep])
                for k in reached:
                    g = runs[k]
                    ran, why = int(g.attr("iterations_run")), attr_str(g.attr("stop_reason"))
                    if k in promoted and ran == budget:
                        fail(f"bracket {b} rung {r}: run {k} should have been promoted "
                             f"(ranking {order}, keep {keep})")
                    if k not in promoted and (ran != budget or why != "halving" or
                                              int(g.attr("halving_rungs")) != r - b + 1):
                        fail(f"bracket {b} rung {r}: run {k} should have stopped by halving "
                             f"at {budget} (ranking {order}, keep {keep})")
                entrants = promoted
        return trained


def main():
    runner, work, spec = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    os.chdir(work)
    out = run(runner, spec, "-j1", "-o", "j1.h5", "--force")
    run(runner, spec, "-q", "-j2", "-o", "j2.h5", "--force")
    same("j1.h5", "j2.h5")
    with h5py.File("j1.h5", "r") as f:
        n = n_runs(f)
    for stop in range(1, n):
        for name in ("stopped.h5",):
            if os.path.exists(name):
                os.remove(name)
        run(runner, spec, "-q", "-j2", "-o", "stopped.h5", "--force", "--stop-after", str(stop), code=130)
        run(runner, spec, "-q", "-j1", "-o", "stopped.h5", "--resume")
        same("j1.h5", "stopped.h5")
    # without halving, every run trains its full budget; a halving run is that
    # run stopped early: the same numbers for the iterations it ran
    run(runner, spec, "-q", "-j2", "-o", "plain.h5", "--force", "--set", "sweep.halving=")
    with h5py.File("j1.h5", "r") as a, h5py.File("plain.h5", "r") as p:
        for k in range(n):
            g, h = Run(a, k), Run(p, k)
            ran = int(g.attr("iterations_run"))
            upto = g.array("iteration") < ran
            for curve in ("loss", "grad_norm_W"):
                x, y = g.array(curve), h.array(curve)
                if not np.array_equal(x[upto], y[upto]):
                    fail(f"run {k} {curve} differs from the run without halving")
                if ran < int(h.attr("iterations_run")) and not np.all(np.isnan(x[~upto])):
                    fail(f"run {k} {curve} has values past iteration {ran}")
    # a finished sweep leaves no run folder (its decisions go with it); an
    # interrupted one started again with --force decides afresh
    if os.path.exists("j1.runs"):
        fail("j1.runs is left after the sweep file was built")
    run(runner, spec, "-q", "-j2", "-o", "forced.h5", "--force", "--stop-after", "1", code=130)
    run(runner, spec, "-q", "-j2", "-o", "forced.h5", "--force")
    same("j1.h5", "forced.h5")
    # more samples change every rung's ranking: under halving a grown search
    # is another sweep, which --resume refuses to mix with the runs kept
    header = run(runner, spec, "--dry-run").splitlines()[1]
    if "search" in header:
        n_samples = int(header.split(": ")[1].split()[0])
        run(runner, spec, "-q", "-j2", "-o", "grow.h5", "--force", "--stop-after", "2", code=130)
        p = subprocess.run([runner, spec, "-q", "-o", "grow.h5", "--resume", "--set",
                            f"sweep.samples={2 * n_samples}"], capture_output=True, text=True)
        if p.returncode != 2 or "different sweep" not in p.stderr:
            fail(f"--resume with more samples under halving: exit {p.returncode}: {p.stderr}")
    trained = check_promotions("j1.h5", "plain.h5")
    m = re.search(r"trained (\d+) iterations here", out)
    if not m or int(m.group(1)) != trained:
        fail(f"the sweep says {m and m.group(1)} iterations trained; continued runs make {trained}")
    # format 1: the same numbers (the halving attributes of each run group,
    # the bracket table) as format 2's columns, converted either way
    run(runner, spec, "-q", "-j2", "-o", "f1.h5", "--force", "--format", "1")
    run(runner, "convert", "j1.h5", "to1.h5", "--force")
    run(runner, "convert", "f1.h5", "to2.h5", "--force")
    same("f1.h5", "to1.h5")
    same("j1.h5", "to2.h5")
    if check_promotions("f1.h5", "plain.h5") != trained:
        fail("format 1 records other promotions")
    with h5py.File("f1.h5", "r") as f:
        if int(f.attrs["format_version"]) != 1 or "halving_rungs" not in f["runs/run_0000"].attrs:
            fail("f1.h5 is not format 1 with the halving attributes")
    # /cube: a grid's keys and repeat, or run for a search
    with h5py.File("j1.h5", "r") as f:
        keys = [text(k) for k in f.attrs["swept_parameters"]]
        if "halving_rungs" not in f or "halving_rungs" not in f["cube"]:
            fail("j1.h5 has no halving_rungs column or cube variable")
    print(check_cube("j1.h5", None if "search" in header else keys + ["repeat"]))
    # the bracket table, in the file and after runner info's table
    info = subprocess.run([runner, "info", "j1.h5"], capture_output=True, text=True).stdout
    with h5py.File("j1.h5", "r") as f:
        if attr_str(f.attrs["halving"]) not in info or "bracket  rung" not in info:
            fail("runner info does not show the bracket table")
    print(f"ok: {n} runs, {trained} iterations trained")


if __name__ == "__main__":
    main()
