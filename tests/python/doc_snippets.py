#!/usr/bin/python3
"""Runs the Python snippets of docs/analysis.md as a reader would paste them.

usage: doc_snippets.py RUNNER DOC SPEC DIR [SECTION]

Runs SPEC (the tutorial's sweep, which the page's examples use) into
DIR/results/circles_width_sweep.h5 (format 2, the default) and converts it to
DIR/results/old_sweep.h5 (format 1, the name the page's format-1 examples
read).  Then, from DIR, the ```python blocks of each section of DOC (a
`###` or `##` heading starts one) are run together as one program, since a
section's blocks build on each other, with matplotlib's Agg backend and
every warning an error: the page says these readers need no options and
print no warnings.  With SECTION, only the section of that title (a page
whose other sections hold fragments).  Exit 0 when every section ran, 1 when one did not.
"""
import os
import re
import shutil
import subprocess
import sys


def main():
    runner, doc, spec, work = sys.argv[1:5]
    only = sys.argv[5] if len(sys.argv) > 5 else None
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "results"))
    new = os.path.join(work, "results", "circles_width_sweep.h5")
    old = os.path.join(work, "results", "old_sweep.h5")
    for cmd in ([runner, spec, "-q", "-o", new], [runner, "convert", new, old]):
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            print(f"FAILED: {' '.join(cmd)}: exit {p.returncode}\n{p.stderr}")
            return 1
    text = open(doc, encoding="utf-8").read()
    sections = re.split(r"^#{2,3} ", text, flags=re.M)
    env = dict(os.environ, MPLBACKEND="Agg")
    failures, ran = [], 0
    for sec in sections:
        blocks = re.findall(r"```python\n(.*?)```", sec, re.S)
        if not blocks:
            continue
        title = sec.splitlines()[0]
        if only is not None and title != only:
            continue
        p = subprocess.run([sys.executable, "-W", "error", "-c", "".join(blocks)],
                           capture_output=True, text=True, cwd=work, env=env)
        ran += 1
        if p.returncode != 0:
            failures.append(f"section '{title}': exit {p.returncode}\n{p.stderr[-2000:]}")
        else:
            print(f"section '{title}': {len(blocks)} block(s) ran, no warning")
    if ran < (1 if only else 3):
        failures.append(f"{doc}: only {ran} sections with Python blocks")
    for f in failures:
        print("FAILED:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
