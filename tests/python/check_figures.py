#!/usr/bin/python3
"""check_figures.py [--readme README.md] FIGURES.py OUTDIR RESULTS.h5... --
analysis/figures.py draws every figure from each results file (files exist
and are not empty), honours --format, --only and --runs, and refuses a file
that is not an mlplab results file with exit status 2 and a message.

In-process checks (figures.py imported, its figures looked at before they
are saved): --runs selects the runs of every figure; no 0.5 contour where P
is 0.5 to rounding (black speckle); the colour bar's label inside the
figure; titles carry the whole description, wrapped, never cut with "...";
the boundary roundness measure; and every docs/img/*.png README shows is a
name figures.py writes.

Every file given must allow every figure: 2-D inputs, a hidden layer,
weights, hidden outputs and boundaries recorded, something swept."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys

import h5py
import numpy as np


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


def load(prog):
    spec = importlib.util.spec_from_file_location("mlplab_figures", prog)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.setup()
    return mod


def capture(fig_mod):
    """Replace fig_mod.save by one that records (name, facts about the figure)
    before saving; returns the list it appends to."""
    seen = []
    orig = fig_mod.save

    def save(fig, out_dir, name, fmt_, dpi):
        fig.canvas.draw()
        r = fig.canvas.get_renderer()
        fb = fig.bbox
        # titles, axis labels (the colour bar's among them) and notes; not tick
        # labels, of which matplotlib keeps some beyond the view, undrawn
        texts = list(fig.texts) + ([fig._suptitle] if fig._suptitle is not None else [])
        for a in fig.axes:
            if a.get_visible():
                texts += [a.title, a.xaxis.label, a.yaxis.label] + list(a.texts)
        texts = [t for t in texts if t.get_visible() and t.get_text()]
        outside = [t.get_text() for t in texts
                   if (lambda b: b.x0 < fb.x0 - 1 or b.x1 > fb.x1 + 1 or b.y0 < fb.y0 - 1
                       or b.y1 > fb.y1 + 1)(t.get_window_extent(r))]
        titles = [fig._suptitle.get_text()] if fig._suptitle is not None else []
        titles += [a.get_title() for a in fig.axes]
        panels = [a for a in fig.axes if a.get_visible() and a.images and a.get_title()]
        contours = sum(1 for a in panels for c in a.collections
                       if type(c).__name__ in ("QuadContourSet", "ContourSet")
                       or "Contour" in type(c).__name__)
        lines = sum(len(a.lines) for a in fig.axes)
        seen.append(dict(name=name, outside=outside, titles=titles, panels=len(panels),
                         contours=contours, lines=lines))
        return orig(fig, out_dir, name, fmt_, dpi)

    fig_mod.save = save
    return seen


def in_process(prog, outdir, path, readme):
    fm = load(prog)
    seen = capture(fm)
    with h5py.File(path, "r") as f:
        runs = sorted(int(k.split("_")[1]) for k in f["runs"])
    n = len(runs)
    if n < 3:
        fail(f"{path}: needs 3 runs or more for the --runs checks")
    out = os.path.join(outdir, "inproc")

    # every figure drawn, every text inside its figure (the colour-bar label)
    if fm.main([path, "--out", out]) != 0:
        fail("figures.py main failed")
    for s in seen:
        if s["outside"]:
            fail(f"{s['name']}: text outside the figure (cut off): {s['outside']}")
    bnd = [s for s in seen if s["name"] == "boundaries"][0]
    if bnd["panels"] != n:
        fail(f"boundaries: {bnd['panels']} panels, want {n}")

    # --runs: every figure takes the selection
    seen.clear()
    pick = [runs[0], runs[-1]]
    if fm.main([path, "--out", out, "--runs", f"{pick[0]},{pick[1]}"]) != 0:
        fail("figures.py --runs failed")
    names = [s["name"] for s in seen]
    for k in pick:
        for want in (f"units_run{k}", f"hidden_space_run{k}"):
            if want not in names:
                fail(f"--runs {pick}: {want} not drawn (drew {names})")
    bnd = [s for s in seen if s["name"] == "boundaries"][0]
    if bnd["panels"] != 2:
        fail(f"--runs {pick}: boundaries has {bnd['panels']} panels, want 2")
    loss = [s for s in seen if s["name"] == "loss"][0]
    seen.clear()
    fm.main([path, "--out", out, "--only", "loss"])
    if not loss["lines"] < seen[0]["lines"]:
        fail(f"--runs {pick}: loss drew {loss['lines']} lines, all runs {seen[0]['lines']}")
    seen.clear()
    if fm.main([path, "--out", out, "--runs", f"{runs[0]}-{runs[2]}", "--only", "boundaries"]) != 0:
        fail("figures.py --runs A-B failed")
    if seen[0]["panels"] != 3:
        fail(f"--runs {runs[0]}-{runs[2]}: {seen[0]['panels']} boundary panels, want 3")
    for bad in ("x", "3-1", "1,,2"):
        rc, so, se = draw(prog, path, "--out", out, "--runs", bad)
        if rc != 2 or "--runs" not in se:
            fail(f"--runs {bad}: expected exit 2 and a --runs message, got {rc}: {se.strip()}")
    rc, so, se = draw(prog, path, "--out", out, "--runs", "99999")
    if rc != 2 or "no run 99999" not in se:
        fail(f"--runs 99999: expected exit 2 and 'no run 99999', got {rc}: {se.strip()}")

    # a long description: wrapped whole into the titles, never cut with "..."
    long_path = os.path.join(outdir, "long_description.h5")
    shutil.copyfile(path, long_path)
    words = " ".join(f"word{i}" for i in range(60)) + " THE-END"
    with h5py.File(long_path, "a") as f:
        f.attrs["description"] = words
    seen.clear()
    if fm.main([long_path, "--out", out, "--only", "loss,boundaries,metrics,dataset"]) != 0:
        fail("figures.py on a long description failed")
    for s in seen:
        title = next((t for t in s["titles"] if "word0" in t), "")
        if " ".join(title.split()).find(words) < 0 or "..." in title or "…" in title:
            fail(f"{s['name']}: the description is not whole in the title: {title!r}")
        if s["outside"]:
            fail(f"{s['name']} with a long description: text outside the figure: {s['outside']}")

    # speckle: P = 0.5 to rounding is no curve, and no contour is drawn for it
    g = np.linspace(-1.5, 1.5, 101)
    rng = np.random.default_rng(1)
    flat = 0.5 + rng.choice([-2.2e-16, 0.0, 1.1e-16], size=(101, 101))
    xx, yy = np.meshgrid(g, g)
    circle = 1 / (1 + np.exp(20 * (np.hypot(xx, yy) - 0.75)))
    tri = 1 / (1 + np.exp(20 * (np.maximum.reduce([yy, -0.866 * xx - 0.5 * yy,
                                                     0.866 * xx - 0.5 * yy]) - 0.4)))
    if fm.is_curve(flat) or not fm.is_curve(circle) or not fm.is_curve(tri):
        fail("is_curve: P = 0.5 +- 1e-16 must not be a curve, a circle and a triangle must")
    fig, ax = fm.plt.subplots()
    fm.shade(ax, (flat, g, g, [-1.5, 1.5, -1.5, 1.5]))
    if any("Contour" in type(c).__name__ for c in ax.collections) or not ax.texts:
        fail("shade: drew a 0.5 contour over P = 0.5 +- 1e-16, or no note why not")
    fm.plt.close(fig)

    # roundness: 0 for a circle, larger for a triangle, nan for no boundary
    rc_, rad = fm.roundness(circle, g, g)
    rt, _ = fm.roundness(tri, g, g)
    if not (rc_ < 0.01 and abs(rad - 0.75) < 0.02 and rt > 0.1):
        fail(f"roundness: circle {rc_} (radius {rad}), triangle {rt}")
    if not np.isnan(fm.roundness(flat, g, g)[0]):
        fail("roundness of no boundary is not nan")

    # README's images have the names figures.py writes
    if readme:
        with open(readme) as fh:
            shown = re.findall(r"docs/img/([\w.-]+)\.png", fh.read())
        made = set(fm.FIGURES) | {f"{f}_run{k}" for f in ("units", "hidden_space") for k in runs}
        if not shown:
            fail(f"{readme} shows no docs/img/*.png")
        for name in shown:
            if name not in made:
                fail(f"{readme} shows docs/img/{name}.png, a name figures.py does not write")
    print("check_figures: --runs, speckle, colour bar, wrapped titles, roundness, README names ok")


def main(argv):
    readme = None
    if len(argv) > 2 and argv[1] == "--readme":
        readme = argv[2]
        argv = argv[:1] + argv[3:]
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
    in_process(prog, outdir, files[0], readme)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
