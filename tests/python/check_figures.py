#!/usr/bin/python3
"""check_figures.py FIGURES.py OUTDIR RESULTS.h5... -- analysis/figures.py
draws every figure from each results file (files exist and are not empty),
honours --format and --only, and refuses a file that is not an mlplab
results file with exit status 2 and a message.

Every file given must allow every figure: 2-D inputs, a hidden layer,
weights, hidden outputs and boundaries recorded, something swept."""

import os
import subprocess
import sys

import h5py


def fail(msg):
    print(f"check_figures: {msg}", file=sys.stderr)
    sys.exit(1)


def draw(prog, *args):
    p = subprocess.run([sys.executable, prog, *args], capture_output=True, text=True,
                       timeout=600)
    return p.returncode, p.stdout, p.stderr


def expect_files(out, names):
    for name in names:
        path = os.path.join(out, name)
        if not os.path.isfile(path):
            fail(f"{path} was not written")
        if os.path.getsize(path) == 0:
            fail(f"{path} is empty")


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    prog, outdir, files = argv[1], argv[2], argv[3:]
    os.makedirs(outdir, exist_ok=True)
    for i, path in enumerate(files):
        with h5py.File(path, "r") as f:
            runs = sorted(f["runs"])
        last = int(runs[-1].split("_")[1])
        out = os.path.join(outdir, f"file{i}")
        rc, so, se = draw(prog, path, "--out", out, "--run", str(last))
        if rc != 0:
            fail(f"figures.py {path} exited {rc}:\n{so}{se}")
        if "skipped" in so:
            fail(f"figures.py {path} skipped a figure:\n{so}")
        expect_files(out, ["dataset.png", f"units_run{last}.png", f"hidden_space_run{last}.png",
                           "boundaries.png", "loss.png", "metrics.png"])
        with open(os.path.join(out, "loss.png"), "rb") as fh:
            if fh.read(8) != b"\x89PNG\r\n\x1a\n":
                fail(f"{out}/loss.png is not a PNG")
        print(f"check_figures: {path}: 6 figures in {out}")

    # --format and --only, and the default folder beside the results file
    out = os.path.join(outdir, "formats")
    for fmt, magic in (("svg", b"<?xml"), ("pdf", b"%PDF")):
        rc, so, se = draw(prog, files[0], "--out", out, "--format", fmt, "--only", "boundaries,units")
        if rc != 0:
            fail(f"figures.py --format {fmt} exited {rc}: {se}")
        expect_files(out, [f"boundaries.{fmt}", f"units_run0.{fmt}"])
        with open(os.path.join(out, f"boundaries.{fmt}"), "rb") as fh:
            if not fh.read(16).startswith(magic):
                fail(f"boundaries.{fmt} does not start with {magic!r}")
        if os.path.exists(os.path.join(out, f"loss.{fmt}")):
            fail("--only boundaries,units also drew loss")

    # not a results file: an HDF5 file without the format attribute, and a text file
    bogus = os.path.join(outdir, "not_results.h5")
    with h5py.File(bogus, "w") as f:
        f["x"] = [1.0, 2.0]
    text = os.path.join(outdir, "not_hdf5.h5")
    with open(text, "w") as fh:
        fh.write("hello\n")
    for path in (bogus, text):
        rc, so, se = draw(prog, path, "--out", os.path.join(outdir, "bogus"))
        if rc != 2 or "not an mlplab results file" not in se:
            fail(f"figures.py {path}: expected exit 2 and 'not an mlplab results file', "
                 f"got {rc}: {se.strip()}")
    rc, so, se = draw(prog, files[0], "--only", "nonsense", "--out", out)
    if rc != 2:
        fail(f"figures.py --only nonsense: expected exit 2, got {rc}")
    print("check_figures: formats, --only and refusals ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
