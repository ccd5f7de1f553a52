#!/usr/bin/python3
"""Shards, merge and locks through the runner (issue 12), on this machine:

  shards.py RUNNER SOURCE_DIR WORK_DIR

- a 200-run sweep and the tutorial sweep, each (a) on one machine and (d) as
  three shards run by hand, one of them killed with SIGKILL and then rerun
  with --resume, then merged: the files must hold the same numbers
  (tests/python/compare_numbers.py: every dataset and attribute, timings aside),
  both in format 2, the default;
- merge of an incomplete folder lists the missing runs and the command that
  computes only those, and exits 1;
- merge refuses a part file of another sweep (exit 2, naming it);
- merge again after it built the file is a no-op (exit 0);
- two runners on one output: the second (--force) exits 2 naming the
  holder's pid, the first finishes with every run.
"""
import glob
import os
import shutil
import signal
import subprocess
import sys
import time

RUNNER, SRC, WORK = sys.argv[1:4]
COMPARE = os.path.join(SRC, "tests", "python", "compare_numbers.py")
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


def run(*args, **kw):
    return subprocess.run([RUNNER, *args], capture_output=True, text=True, **kw)


def same(a, b):
    r = subprocess.run(["/usr/bin/python3", COMPARE, a, b], capture_output=True, text=True)
    print("     " + r.stdout.strip().splitlines()[-1])
    return r.returncode == 0


def formats(*paths):
    """The format_version of each file (None: no such file)."""
    r = subprocess.run(["/usr/bin/python3", "-c", "import h5py,sys\nfor p in sys.argv[1:]:\n"
                        " print(int(h5py.File(p).attrs['format_version']))", *paths],
                       capture_output=True, text=True)
    got = r.stdout.split()
    return [int(v) for v in got] if len(got) == len(paths) else [None] * len(paths)


def sharded(spec, out, n, kill_shard):
    """n shards by hand; kill_shard is killed with SIGKILL once it has written
    a part file (or when it ends first), then resumed; returns merge's output
    between the kill and the resume."""
    for i in range(n):
        if i == kill_shard:
            continue
        r = run(spec, "-q", "-j1", "-o", out, "--shard", f"{i}/{n}")
        check(r.returncode == 0, f"shard {i}/{n} of {os.path.basename(spec)} runs: {r.stderr.strip()}")
    runs = out[:-3] + ".runs"
    p = subprocess.Popen([RUNNER, spec, "-q", "-j1", "-o", out, "--shard", f"{kill_shard}/{n}"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None and \
            not glob.glob(f"{runs}/part_*.s{kill_shard}of{n}.bin"):
        time.sleep(0.02)
    p.send_signal(signal.SIGKILL)
    killed = p.wait() == -signal.SIGKILL
    print(f"     shard {kill_shard}/{n} " + ("killed mid-way" if killed else "ended before the kill"))
    if not killed:
        return None
    merged = run("merge", runs, "-o", out)
    if merged.returncode == 0:  # killed after its last part file: nothing was lost
        print("     every run of the killed shard was in its part files: merged at once")
        return None
    check(merged.returncode == 1 and "runs are missing" in merged.stderr and
          f"--shard {kill_shard}/{n} --resume" in merged.stderr,
          f"merge with shard {kill_shard}/{n} killed lists the missing runs and the command "
          f"(exit {merged.returncode}): {merged.stderr.strip()[:400]}")
    r = run(spec, "-q", "-j2", "-o", out, "--shard", f"{kill_shard}/{n}", "--resume")
    check(r.returncode == 0, f"killed shard {kill_shard}/{n} resumes: {r.stderr.strip()}")
    return merged


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    os.chdir(WORK)
    with open("tiny200.yaml", "w") as f:
        f.write(TINY)
    tutorial = os.path.join(SRC, "configs", "circles_width_sweep.yaml")
    for spec in ("tiny200.yaml", tutorial):
        name = os.path.basename(spec)[:-5]
        one, sh = f"{name}_one.h5", f"{name}_shards.h5"
        r = run(spec, "-q", "-j2", "-o", one)
        check(r.returncode == 0, f"{name} on one machine: {r.stderr.strip()}")
        merged = sharded(spec, sh, 3, 1)
        if name == "tiny200":  # slow enough that the kill lands mid-way
            check(merged is not None, "the kill -9 landed while shard 1/3 ran")
        if name == "tiny200":
            # a part of another sweep is refused before anything is built
            r = run(spec, "-q", "-j1", "-o", "other.h5", "--shard", "0/7", "--set",
                    "train.iterations=7")
            foreign = sorted(glob.glob("other.runs/part_*.bin"))[0]
            shutil.copy(foreign, f"{name}_shards.runs/")
            r = run("merge", f"{name}_shards.runs")
            check(r.returncode == 2 and "of a different sweep" in r.stderr and
                  os.path.basename(foreign) in r.stderr and not os.path.exists(sh),
                  f"merge refuses a part of another sweep: {r.stderr.strip()[:300]}")
            os.remove(os.path.join(f"{name}_shards.runs", os.path.basename(foreign)))
            # -o naming another sweep file would read that file's run folder,
            # not the one given: refused, naming both, before anything is read
            r = run("merge", f"{name}_shards.runs", "-o", "elsewhere.h5")
            check(r.returncode == 2 and "reads the part files of elsewhere.runs, not those of "
                  f"{name}_shards.runs" in r.stderr and not os.path.exists("elsewhere.h5"),
                  f"merge -o of another name is refused: {r.stderr.strip()[:300]}")
        r = run("merge", f"{name}_shards.runs", "-o", sh)
        check(r.returncode == 0 and os.path.exists(sh), f"{name}: merge builds {sh}: "
              f"{r.stdout.strip()} {r.stderr.strip()}")
        check(same(one, sh), f"{name}: 3 shards (one killed and resumed) + merge give the "
              f"numbers of one machine")
        check(formats(one, sh) == [2, 2], f"{name}: both files are format 2 (the default): "
              f"{formats(one, sh)}")
        r = run("merge", f"{name}_shards.runs")
        check(r.returncode == 0 and "nothing to do" in r.stdout, "merge again is a no-op")

    # two runners on one output
    p = subprocess.Popen([RUNNER, tutorial, "-q", "-j1", "-o", "two.h5", "--set",
                          "train.iterations=20000"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 30
    while time.time() < deadline and not os.path.exists("two.runs/sweep.lock"):
        time.sleep(0.02)
    r = run(tutorial, "-q", "-j1", "-o", "two.h5", "--force")
    out, err = p.communicate(timeout=600)
    check(r.returncode == 2 and f"pid {p.pid}" in r.stderr and "is writing these runs" in r.stderr,
          f"a second runner on the same output exits 2 naming the holder: {r.stderr.strip()}")
    check(p.returncode == 0 and "11 runs (11 ok" in out,
          f"the first runner finishes with every run: {out.strip()} {err.strip()}")
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
