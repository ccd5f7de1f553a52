#!/usr/bin/python3
"""Sweeps under Open MPI (issue 12), with the real mpirun on this machine:

  mpi_sweep.py RUNNER SOURCE_DIR WORK_DIR MPI_IN_BUILD(0|1)

- the 200-run sweep and the tutorial sweep on one machine and under
  `mpirun -np 3` (and the 200-run sweep under `mpirun -np 1`): the files must
  hold the same numbers (tests/python/compare_numbers.py, timings and hosts
  aside), and the root attribute shards has one line per rank;
- a rank killed with SIGKILL mid-sweep: the job ends, the finished runs stay
  in the run folder, and --resume (under mpirun with another rank count, and
  alone) finishes the sweep with the numbers of one machine;
- Ctrl-C (SIGINT to mpirun): the ranks stop, the runs kept, --resume finishes;
- a spec error is printed once (not once per rank); --shard under mpirun and
  ranks that see different sweeps are refused; a second writer is refused.
Exit 77 (skipped) only when this build has no MPI or mpirun is missing.
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import time

RUNNER, SRC, WORK, HAVE_MPI = sys.argv[1:5]
COMPARE = os.path.join(SRC, "tests", "python", "compare_numbers.py")
MPIRUN = shutil.which("mpirun")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
failures = []

TINY = """name: tiny200
seed: 11
dataset: {plugin: circles, train: 60, test: 20, factor: 0.5, noise: 0.1}
model: {hidden: 4, activation: tanh}
loss: bce
train: {optimizer: adam, learning_rate: 0.02, iterations: 2000}
repeats: 5
sweep:
  model.hidden: [2, 4, 8, 16]
  train.learning_rate: [0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 2.0, 3.0, 5.0, 8.0]
record:
  boundary: {resolution: 12, extent: [-1.5, 1.5, -1.5, 1.5]}
"""


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(*args):
    return subprocess.run([RUNNER, *args], capture_output=True, text=True, env=ENV)


def mpirun(np, *args, **kw):
    cmd = [MPIRUN, "-np", str(np), "--oversubscribe", "--bind-to", "none", RUNNER, *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, **kw)


def start_mpirun(np, *args):
    cmd = [MPIRUN, "-np", str(np), "--oversubscribe", "--bind-to", "none", RUNNER, *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=ENV)


def same(a, b):
    r = subprocess.run(["/usr/bin/python3", COMPARE, a, b], capture_output=True, text=True)
    print("     " + (r.stdout.strip().splitlines() or ["(no output)"])[-1])
    return r.returncode == 0


def shards_attr(path):
    r = subprocess.run(["/usr/bin/python3", "-c", "import h5py,sys; f=h5py.File(sys.argv[1]);"
                        "v=f.attrs.get('shards', b''); print(v.decode() if isinstance(v, bytes)"
                        " else v)", path], capture_output=True, text=True)
    return r.stdout


def ranks_of(p):
    """The runner processes mpirun p started (its children)."""
    r = subprocess.run(["ps", "-o", "pid=", "--ppid", str(p.pid)], capture_output=True,
                       text=True)
    return [int(x) for x in r.stdout.split()]


def wait_gone(pids, seconds=30):
    """mpirun may return while its other ranks are still ending (a rank's
    lock is free only once it has): wait until none of pids is alive."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        alive = []
        for pid in pids:
            try:
                os.kill(pid, 0)
                alive.append(pid)
            except ProcessLookupError:
                pass
        if not alive:
            return True
        time.sleep(0.05)
    return False


def wait_for(pattern, p, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline and p.poll() is None and not glob.glob(pattern):
        time.sleep(0.02)
    return bool(glob.glob(pattern)) and p.poll() is None


def same_sweeps():
    tutorial = os.path.join(SRC, "configs", "circles_width_sweep.yaml")
    for spec in ("tiny200.yaml", tutorial):
        name = os.path.basename(spec)[:-5]
        one, par = f"{name}_one.h5", f"{name}_mpi3.h5"
        r = run(spec, "-q", "-j2", "-o", one)
        check(r.returncode == 0, f"{name} on one machine: {r.stderr.strip()}")
        r = mpirun(3, spec, "-q", "-j1", "-o", par)
        check(r.returncode == 0 and f"wrote {par}" in r.stdout,
              f"{name} under mpirun -np 3: {r.stdout.strip()} {r.stderr.strip()[-300:]}")
        check(same(one, par), f"{name}: mpirun -np 3 gives the numbers of one machine")
        lines = [ln for ln in shards_attr(par).splitlines() if ln.startswith("rank ")]
        check(len(lines) == 3 and all(f"rank {i}/3 host=" in lines[i] for i in range(3)),
              f"{name}: the attribute shards has one line per rank: {lines}")
    r = mpirun(1, "tiny200.yaml", "-q", "-o", "tiny200_mpi1.h5")
    check(r.returncode == 0, f"mpirun -np 1: {r.stderr.strip()[-300:]}")
    check(same("tiny200_one.h5", "tiny200_mpi1.h5"), "mpirun -np 1 gives the numbers of one "
          "machine")


def killed_rank():
    """A rank killed with SIGKILL; then --resume under mpirun -np 2, and alone."""
    with open("slow200.yaml", "w") as f:
        f.write(TINY.replace("iterations: 2000", "iterations: 8000").replace("tiny200", "slow200"))
    r = run("slow200.yaml", "-q", "-j2", "-o", "slow_one.h5")
    check(r.returncode == 0, f"slow200 on one machine: {r.stderr.strip()}")
    for how in ("mpirun -np 2", "alone"):
        out = "slow_kill_" + how.split()[-1] + ".h5"
        runs = out[:-3] + ".runs"
        p = start_mpirun(3, "slow200.yaml", "-q", "-j1", "-o", out)
        landed = wait_for(f"{runs}/part_*.r2of3.bin", p)
        kids = ranks_of(p)
        victim = kids[-1] if kids else None
        if victim:
            os.kill(victim, signal.SIGKILL)
        p.communicate(timeout=120)
        gone = wait_gone(kids)
        check(landed and victim and gone and p.returncode != 0 and not os.path.exists(out),
              f"{how}: a rank killed mid-sweep ends the job (mpirun exit {p.returncode}), no "
              "sweep file")
        kept = glob.glob(f"{runs}/part_*.bin")
        check(len(kept) > 0 and any(".r2of3." in k for k in kept),
              f"{how}: the finished runs stay in the run folder, the killed rank's too "
              f"({len(kept)} part files)")
        if how == "alone":
            r = run("slow200.yaml", "-q", "-j2", "-o", out, "--resume")
        else:
            r = mpirun(2, "slow200.yaml", "-q", "-j1", "-o", out, "--resume")
        check(r.returncode == 0 and "resumed from earlier part files" in r.stdout,
              f"--resume {how} finishes the sweep: {r.stdout.strip()} {r.stderr.strip()[-300:]}")
        check(same("slow_one.h5", out), f"killed rank + --resume {how}: the numbers of one "
              "machine")


def interrupted():
    p = start_mpirun(3, "slow200.yaml", "-q", "-j1", "-o", "int.h5")
    wait_for("int.runs/part_*.bin", p)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    check("interrupted:" in err and "--resume" in err and err.count("interrupted:") == 1,
          f"Ctrl-C under mpirun: the ranks stop, told once how to resume: {err.strip()[-400:]}")
    check(glob.glob("int.runs/part_*.bin") and not os.path.exists("int.h5"),
          "Ctrl-C under mpirun: the runs kept, no sweep file")
    r = run("slow200.yaml", "-q", "-j2", "-o", "int.h5", "--resume")
    check(r.returncode == 0 and same("slow_one.h5", "int.h5"),
          f"after Ctrl-C, --resume alone gives the numbers of one machine: {r.stderr.strip()}")


def refusals():
    with open("typo.yaml", "w") as f:
        f.write(TINY.replace("hidden: 4,", "hiden: 4,"))
    r = mpirun(3, "typo.yaml", "-o", "typo.h5")
    msg = "typo.yaml:4:9: error: unknown key 'hiden' in 'model' (did you mean 'hidden'?)"
    check(r.returncode == 2 and r.stderr.count(msg) == 1,
          f"a spec error under mpirun -np 3 is told once, exit 2: {r.stderr.strip()[:300]}")
    r = mpirun(2, "tiny200.yaml", "-o", "sh.h5", "--shard", "0/2")
    check(r.returncode == 2 and r.stderr.count("under mpirun the ranks share the whole sweep") == 1,
          f"--shard under mpirun is refused: {r.stderr.strip()[:300]}")
    # ranks that see different sweeps (MPMD: rank 1 with another --set)
    cmd = [MPIRUN, "--oversubscribe", "--bind-to", "none", "-np", "1", RUNNER, "tiny200.yaml",
           "-q", "-o", "mix.h5", ":", "-np", "1", RUNNER, "tiny200.yaml", "-q", "-o", "mix.h5",
           "--set", "train.iterations=7"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV)
    check(r.returncode == 2 and "rank 1 of 2" in r.stderr and "rank 0's is" in r.stderr and
          not os.path.exists("mix.runs"),
          f"ranks with different sweeps are refused before anything runs: {r.stderr.strip()[:400]}")
    # a second writer: an mpirun job on an output a runner is writing
    alone = subprocess.Popen([RUNNER, "slow200.yaml", "-q", "-j1", "-o", "busy.h5"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline and not os.path.exists("busy.runs/sweep.lock"):
        time.sleep(0.02)
    r = mpirun(2, "slow200.yaml", "-q", "-o", "busy.h5", "--force")
    alone.send_signal(signal.SIGINT)
    alone.communicate(timeout=120)
    check(r.returncode == 2 and f"pid {alone.pid}" in r.stderr,
          f"mpirun on an output another runner writes is refused, naming it: "
          f"{r.stderr.strip()[:300]}")


def main():
    if HAVE_MPI != "1" or not MPIRUN:
        print("skipped: this build has no MPI (libopenmpi-dev) or mpirun is missing")
        return 77
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    os.chdir(WORK)
    with open("tiny200.yaml", "w") as f:
        f.write(TINY)
    same_sweeps()
    killed_rank()
    interrupted()
    refusals()
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
