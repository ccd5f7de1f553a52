#!/usr/bin/python3
"""Compare two mlplab results files number for number.

Every dataset and every attribute must be identical, byte for byte, except
what records wall-clock time or the command line: wall_seconds, created,
command.  Used to show that -j1 and -j2 give the same results.

usage: compare_numbers.py A.h5 B.h5
"""
import sys

import h5py
import numpy as np

SKIP_ATTRS = {"wall_seconds", "created", "command"}


def same(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.names:  # compound: compare the fields that are not timings
        return all(same(a[n], b[n]) for n in a.dtype.names if n not in SKIP_ATTRS)
    if a.dtype == object:  # variable-length strings: compare the values, not pointers
        return a.tolist() == b.tolist()
    return a.tobytes() == b.tobytes()


def main():
    fa, fb = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
    names_a, names_b = [], []
    fa.visit(names_a.append)
    fb.visit(names_b.append)
    problems = []
    if sorted(names_a) != sorted(names_b):
        problems.append(f"different objects: {sorted(set(names_a) ^ set(names_b))[:10]}")
    compared = 0
    for name in ["/"] + names_a:
        if name not in fb and name != "/":
            continue
        oa, ob = fa[name], fb[name]
        for k in oa.attrs:
            if k in SKIP_ATTRS or k in ("DIMENSION_LIST", "REFERENCE_LIST"):
                continue
            if k not in ob.attrs or not same(oa.attrs[k], ob.attrs[k]):
                problems.append(f"{name} attribute {k} differs")
        if isinstance(oa, h5py.Dataset) and name.rsplit("/", 1)[-1] not in SKIP_ATTRS:
            compared += 1
            if not same(oa[()], ob[()]):
                problems.append(f"{name} differs")
    for p in problems[:20]:
        print("DIFF", p)
    print(f"compared {compared} datasets: {len(problems)} differences")
    return 1 if problems or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
