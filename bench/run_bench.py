#!/usr/bin/python3
"""mlplab `runner` against the peers of ../shared/peers on the circles width sweep.

One invocation runs every configuration of every requested size, repetition by
repetition, rotating the order each time so the noise of a shared machine falls
on all of them alike.  Each process is timed from fork to exit (wall) and by the
user and system CPU time of its children (getrusage).  The peers are driven by
the peers' own bench.py (imported from --peers, not copied): its command lines
and its per-process measurement; this script adds the runner configurations,
the user/system split, the JSON lines and the table.

    /usr/bin/python3 bench/run_bench.py                         # small x5, large x2
    /usr/bin/python3 bench/run_bench.py --sizes small --reps-small 3
    /usr/bin/python3 bench/run_bench.py --summary /tmp/mlplab_bench.jsonl   # table only

Prerequisites (see bench/README.md): a copy of the peers in /tmp/peers with
build/sweep_ref and build/sweep_ref_fm built; python3-numpy, -torch, -sklearn.
Optional, repeatable: --fm-plugin-dir DIR (e.g. a -ffast-math build of the
sigmoid plugin as DIR/activations/sigmoid.so) adds runner -j1/-j2 rows that
load plugins from DIR first; rows are named after DIR's last component.
"""
import argparse
import datetime
import hashlib
import importlib.util
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SIZE_SETS = {  # --set overrides of bench/circles_bench.yaml (which is the small size)
    "small": [],
    "large": ["dataset.train=10000", "train.iterations=2000"],
}
# Peer rows kept from the peers' bench.py (ids as it names them).
PEER_IDS = ["c1", "c2", "cfm1", "cfm2", "np1", "np2p", "to1", "to2p", "sk1", "sk2j"]
ORDER = {"mlplab": 0, "c": 1, "c-fastmath": 2, "numpy": 3, "torch": 4, "sklearn": 5}


def load_peers_bench(peers_dir):
    path = os.path.join(peers_dir, "bench.py")
    spec = importlib.util.spec_from_file_location("peers_bench", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def runner_configs(size, a):
    """Runner rows for one size: -j1 and -j2 with the default recording, plus extras."""
    pb_sizes = {"small": (200, 1000, 0.5), "large": (10000, 2000, 0.5)}
    N, T, lr = pb_sizes[size]
    sets = "".join(f" --set {s}" for s in SIZE_SETS[size])
    base = f"{a.runner} {a.spec}{sets} --force -q"
    plug = f" --plugin-path {a.snap_plugins}" if a.snap_plugins else ""
    rows = []

    def add(rid, threads, variant, extra=""):
        out = os.path.join(a.workdir, f"{size}_{rid}.h5")
        rows.append(dict(id=rid, peer="mlplab", threads=threads, variant=variant,
                         cmd=f"{base} -j{threads} -o {out}{extra}{plug}",
                         size=size, N=N, T=T, lr=lr))

    add("ml1", 1, "runner -j1")
    add("ml2", 2, "runner -j2")
    if size in a.nohidden_sizes:
        add("ml1nh", 1, "runner -j1 record.hidden=false", " --set record.hidden=false")
    for d in a.fm_plugin_dir:
        tag = os.path.basename(os.path.normpath(d))
        for t in (1, 2):
            add(f"ml{t}fm-{tag}", t, f"runner -j{t} plugins from {tag}/", f" --plugin-path {d}")
    return rows


def snapshot(a):
    """Copy runner and its build-tree plugins to the workdir, so that a rebuild of
    the tree by someone else during the benchmark changes nothing in it.  The
    copied plugins are passed with --plugin-path (searched before the build tree)."""
    snap = os.path.join(a.workdir, "snapshot")
    shutil.rmtree(snap, ignore_errors=True)
    os.makedirs(snap)
    shutil.copy2(a.runner, os.path.join(snap, "runner"))
    shutil.copytree(os.path.join(os.path.dirname(a.runner), "plugins"),
                    os.path.join(snap, "plugins"),
                    ignore=lambda d, names: [n for n in names if n.startswith(("CMake", "Makefile",
                                                                           "cmake_"))])
    with open(a.runner, "rb") as f:
        a.runner_sha256 = hashlib.sha256(f.read()).hexdigest()
    a.runner = os.path.join(snap, "runner")
    a.snap_plugins = os.path.join(snap, "plugins")
    check = subprocess.run([a.runner, "plugins", "--plugin-path", a.snap_plugins],
                           capture_output=True, text=True)
    if check.returncode != 0:
        sys.exit(f"snapshot runner cannot list its plugins:\n{check.stderr}")


def measure(pb, cfg):
    """The peers' run_once, bracketed by getrusage for the user/system split."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = pb.run_once(cfg)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    r["user"] = r1.ru_utime - r0.ru_utime
    r["sys"] = r1.ru_stime - r0.ru_stime
    return r


def run(a, pb):
    os.makedirs(a.workdir, exist_ok=True)
    a.snap_plugins, a.runner_sha256 = "", ""
    if not a.no_snapshot:
        snapshot(a)
    meta = dict(kind="meta", date=datetime.datetime.now().isoformat(timespec="seconds"),
                nproc=os.cpu_count(), cpu=cpu_model(), kernel=platform.release(),
                runner=a.runner, runner_sha256=a.runner_sha256, spec=a.spec, peers=a.peers,
                git=git_describe())
    with open(a.out, "a") as f:
        f.write(json.dumps(meta) + "\n")
        for size in a.sizes:
            peers = [c for c in pb.configs(size) if c["id"] in PEER_IDS]
            cfgs = runner_configs(size, a) + peers
            if a.only:
                keep = set(a.only.split(","))
                cfgs = [c for c in cfgs if c["id"] in keep]
            reps = a.reps_small if size == "small" else a.reps_large
            for rep in range(reps):
                k = (rep * 3) % len(cfgs)
                for cfg in cfgs[k:] + cfgs[:k]:
                    r = measure(pb, cfg)
                    r.update(kind="run", rep=rep)
                    f.write(json.dumps(r) + "\n")
                    f.flush()
                    print(f"{size} rep={rep} {cfg['peer']:<10} t={cfg['threads']} "
                          f"{cfg['variant']:<32} wall={r['wall']:8.3f} user={r['user']:8.3f} "
                          f"foreign_cpu={r['foreign_cpu']:.2f} rc={r['rc']}",
                          file=sys.stderr, flush=True)
    return [a.out]


def git_describe():
    p = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"],
                       capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def summary(files):
    rows, metas = [], []
    for fn in files:
        for line in open(fn):
            r = json.loads(line)
            (metas if r.get("kind") == "meta" else rows).append(r)
    groups = {}
    for r in rows:
        if r["rc"] != 0:
            print(f"# FAILED: {r['cmd']}: {r.get('stderr', '')}", file=sys.stderr)
            continue
        groups.setdefault((r["size"], r["peer"], r["threads"], r["variant"]), []).append(r)
    ref = {(k[0], k[2]): statistics.median(x["wall"] for x in v)
           for k, v in groups.items() if k[1] == "c"}
    if metas:
        m = metas[-1]
        print(f"{m['date']}, nproc={m['nproc']}, CPU: {m['cpu']}, Linux {m['kernel']}, "
              f"mlplab {m.get('git', '?')}, runner sha256 {m.get('runner_sha256', '')[:12]}\n")
    print("| size | peer | threads | variant | n | median wall s | min-max wall s "
          "| median user s | median sys s | wall / sweep_ref (same threads) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(groups, key=lambda k: (k[0] != "small", k[2], ORDER.get(k[1], 9), k[3])):
        size, peer, t, v = key
        rs = groups[key]
        w = sorted(x["wall"] for x in rs)
        med = statistics.median(w)
        usr = statistics.median(x["user"] for x in rs)
        sy = statistics.median(x["sys"] for x in rs)
        ratio = f"{med / ref[(size, t)]:.2f}" if (size, t) in ref else "n/a"
        print(f"| {size} | {peer} | {t} | {v} | {len(rs)} | {med:.3f} | {w[0]:.3f}-{w[-1]:.3f} "
              f"| {usr:.3f} | {sy:.3f} | {ratio} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--peers", default="/tmp/peers", help="writable copy of ../shared/peers")
    ap.add_argument("--runner", default=os.path.join(REPO, "build", "runner"))
    ap.add_argument("--spec", default=os.path.join(HERE, "circles_bench.yaml"))
    ap.add_argument("--sizes", default="small,large")
    ap.add_argument("--reps-small", type=int, default=5)
    ap.add_argument("--reps-large", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated ids (ml1, ml2, c1, np1, ...)")
    ap.add_argument("--fm-plugin-dir", action="append", default=[],
                    help="extra runner rows with this --plugin-path (repeatable)")
    ap.add_argument("--nohidden-sizes", default="small",
                    help="sizes that get a runner -j1 row with record.hidden=false")
    ap.add_argument("--no-snapshot", action="store_true",
                    help="run build/runner in place (default: a private copy, see snapshot())")
    ap.add_argument("--workdir", default="/tmp/mlplab_bench", help="where runner writes")
    ap.add_argument("--out", default="/tmp/mlplab_bench.jsonl", help="JSON lines (appended)")
    ap.add_argument("--summary", nargs="+", metavar="JSONL", help="only print the table")
    a = ap.parse_args()
    if a.summary:
        summary(a.summary)
        return
    a.sizes = [s for s in a.sizes.split(",") if s]
    a.nohidden_sizes = set(s for s in a.nohidden_sizes.split(",") if s)
    for s in a.sizes:
        if s not in SIZE_SETS:
            ap.error(f"unknown size {s!r}")
    for p in (a.runner, a.spec, os.path.join(a.peers, "build", "sweep_ref"),
              os.path.join(a.peers, "build", "sweep_ref_fm")):
        if not os.path.exists(p):
            ap.error(f"missing {p} (see bench/README.md)")
    if " " in a.runner + a.spec + a.workdir + "".join(a.fm_plugin_dir):
        ap.error("paths with spaces are not supported (commands are split on spaces)")
    summary(run(a, load_peers_bench(a.peers)))


if __name__ == "__main__":
    main()
