#!/usr/bin/python3
"""Runs the MATLAB snippets of docs/analysis.md in GNU Octave and checks
every value they read against h5py.

usage: octave_snippets.py OCTAVE DOC DIR F1 F2

OCTAVE is octave-cli ("" or a missing program: skipped), DOC
docs/analysis.md, DIR a scratch folder, F1 a format-1 file and F2 a format-2
file of a sweep with at least 4 runs.  The ```matlab blocks of DOC are taken
as they are, with the file they name replaced by F1 or F2 (the one that
reads results/old_sweep.h5 gets F1), and run with `pkg load netcdf` first;
the format-2 block also with k set to the last run (another stack, when
the sweep varies a shape).  Each then writes the variables it read, which
must equal h5py's values bit for bit (printed with 17 significant digits,
which round-trips a double).

Exit 0 when every snippet ran and read what h5py reads, 1 when not, 77
(CTest's SKIP_RETURN_CODE) when there is no Octave or no netCDF package for
it (Debian: octave-cli and octave-netcdf).
"""
import os
import re
import shutil
import subprocess
import sys

import h5py
import numpy as np

SKIP = 77


def expected(path, k):
    """The variables each snippet leaves, as h5py reads them: (name, array)
    with the array in C order, which is the column-major order the snippet's
    array has after the axes are reversed (so x(:) in Octave is its ravel)."""
    with h5py.File(path, "r") as f:
        if int(f.attrs["format_version"]) == 1:
            return [("loss", f["runs/run_0000/loss"][()]),
                    ("acc", np.array([f["runs/run_0003"].attrs["train_accuracy"]])),
                    ("A", f["summary/train_accuracy"][()])]
        s, r = int(f["index/stack"][k]), int(f["index/row"][k])
        g = f[f"stacks/s{s}"]
        return [("st", f["index/stack"][()]), ("rw", f["index/row"][()]),
                ("loss", g["loss"][r]), ("W", g["W_layer0"][r]),
                ("acc", f["train_accuracy"][()]), ("C", f["cube/final_loss"][()]),
                ("h", f["cube/model.hidden"][()])]


def snippets(doc):
    text = open(doc, encoding="utf-8").read()
    return re.findall(r"```matlab\n(.*?)```", text, re.S)


def main():
    octave, doc, work = sys.argv[1:4]
    f1, f2 = (os.path.abspath(p) for p in sys.argv[4:6])
    if not octave or shutil.which(octave) is None:
        print(f"SKIP: no Octave ('{octave}' not found; Debian: octave-cli)")
        return SKIP
    base = [octave, "--no-gui", "--norc", "--quiet", "--no-window-system"]
    p = subprocess.run(base + ["--eval", "pkg load netcdf"], capture_output=True, text=True)
    if p.returncode != 0:
        print(f"SKIP: Octave has no netCDF package (Debian: octave-netcdf): {p.stderr.strip()}")
        return SKIP
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    blocks = snippets(doc)
    failures = []
    if len(blocks) != 2:
        failures.append(f"{doc}: {len(blocks)} matlab blocks, wanted 2 (format 2, format 1)")
    jobs = []
    for block in blocks:
        old = "results/old_sweep.h5" in block
        if old:
            jobs.append((True, f1, block.replace("results/old_sweep.h5", f1), 3))
            continue
        # run 3 as written, and the last run: another stack, another row
        with h5py.File(f2, "r") as f:
            last = int(f.attrs["n_runs"]) - 1
        block = block.replace("results/circles_width_sweep.h5", f2)
        if "k = 3;" not in block:
            failures.append(f"{doc}: the format-2 block does not say 'k = 3;'")
        for k in (3, last):
            jobs.append((False, f2, block.replace("k = 3;", f"k = {k};"), k))
    for i, (old, path, block, k) in enumerate(jobs):
        want = expected(path, k)
        out = os.path.join(work, f"snippet{i}.txt")
        dump = "".join(
            f"fprintf(fid__, '{name} %d\\n', numel({name})); "
            f"fprintf(fid__, '%.17g\\n', double({name}(:)));\n" for name, _ in want)
        script = os.path.join(work, f"snippet{i}.m")
        with open(script, "w") as f:
            f.write("pkg load netcdf\n" + block +
                    f"fid__ = fopen('{out}', 'w');\n" + dump + "fclose(fid__);\n")
        p = subprocess.run(base + [script], capture_output=True, text=True, cwd=work)
        if p.returncode != 0 or not os.path.exists(out):
            failures.append(f"snippet {i} ({'format 1' if old else 'format 2'}) on {path}: "
                            f"exit {p.returncode}\n{p.stdout}{p.stderr}")
            continue
        lines = open(out).read().split("\n")
        got, at = {}, 0
        while at < len(lines) and lines[at]:
            name, n = lines[at].split()
            got[name] = np.array([float(x) for x in lines[at + 1:at + 1 + int(n)]])
            at += 1 + int(n)
        for name, w in want:
            w = np.asarray(w).ravel()
            g = got.get(name)
            # integers compare as the doubles Octave prints; a double's 17
            # digits give back its bits (NaN aside, which equal_nan takes)
            same = g is not None and g.shape == w.shape and (
                np.array_equal(g, w.astype(np.float64), equal_nan=True) and
                (w.dtype.kind != "f" or
                 np.array_equal(g.view(np.uint64)[~np.isnan(g)],
                                w.astype(np.float64).view(np.uint64)[~np.isnan(w)])))
            if not same:
                failures.append(f"snippet {i} on {path}: {name} is "
                                f"{None if g is None else g[:6]}, h5py reads {w[:6]}")
        print(f"snippet {i} ({'format 1' if old else f'format 2, run {k}'}) on "
              f"{os.path.basename(path)}: "
              f"{', '.join(n for n, _ in want)} as h5py reads them")
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
