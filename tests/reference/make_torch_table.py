#!/usr/bin/python3
"""Writes torch_activations.h: PyTorch's float64 values and autograd
derivatives of every shipped activation at fixed points, and of the hinge and
huber losses on a fixed batch, for tests/test_catalog.c.

Run once, from anywhere, with Debian's python3-torch:
    /usr/bin/python3 tests/reference/make_torch_table.py
and commit the header; the tests do not need torch.

Where PyTorch gives no derivative or a single-precision one, the table says
how it was made (see NOTES below and the comments in the header).
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

POINTS = [-50.0, -6.0, -3.0, -1.5, -1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 1.5, 3.0, 6.0, 50.0]


def heaviside(t):
    return torch.heaviside(t.detach(), torch.zeros_like(t.detach()))


# (plugin, {param: value}, torch function of z, extra points)
CASES = [
    ("sigmoid", {}, torch.sigmoid, []),
    ("tanh", {}, torch.tanh, []),
    ("relu", {}, F.relu, []),
    ("identity", {}, lambda t: t * 1.0, []),
    ("leaky_relu", {"slope": 0.01}, lambda t: F.leaky_relu(t, 0.01), []),
    ("leaky_relu", {"slope": 0.3}, lambda t: F.leaky_relu(t, 0.3), []),
    ("softplus", {"beta": 1.0, "threshold": 20.0}, lambda t: F.softplus(t, 1.0, 20.0), [20.0, 25.0]),
    ("softplus", {"beta": 2.0, "threshold": 20.0}, lambda t: F.softplus(t, 2.0, 20.0), [10.0, 12.0]),
    ("softplus", {"beta": 0.5, "threshold": 3.0}, lambda t: F.softplus(t, 0.5, 3.0), [5.0, 7.0]),
    ("elu", {"alpha": 1.0}, lambda t: F.elu(t, 1.0), []),
    ("elu", {"alpha": 0.5}, lambda t: F.elu(t, 0.5), []),
    ("selu", {}, F.selu, []),
    ("celu", {"alpha": 1.0}, lambda t: F.celu(t, 1.0), []),
    ("celu", {"alpha": 2.0}, lambda t: F.celu(t, 2.0), []),
    ("gelu", {"approximate": 0}, lambda t: F.gelu(t, approximate="none"), []),
    ("gelu", {"approximate": 1}, lambda t: F.gelu(t, approximate="tanh"), []),
    ("silu", {}, F.silu, []),
    ("mish", {}, F.mish, []),
    ("softsign", {}, F.softsign, []),
    ("hardtanh", {"min_val": -1.0, "max_val": 1.0}, lambda t: F.hardtanh(t, -1.0, 1.0), []),
    ("hardtanh", {"min_val": -2.0, "max_val": 0.5}, lambda t: F.hardtanh(t, -2.0, 0.5), [-2.0]),
    ("hardsigmoid", {}, F.hardsigmoid, []),
    ("hardswish", {}, F.hardswish, []),
    ("relu6", {}, F.relu6, []),
    ("tanhshrink", {}, F.tanhshrink, []),
    ("logsigmoid", {}, F.logsigmoid, []),
    ("sin", {}, torch.sin, []),
    ("step", {}, heaviside, []),
]

NOTES = {
    "hardsigmoid": "df from autograd of relu6(z + 3) / 6, which has F.hardsigmoid's kinks (0 at "
                   "z = +-3); torch's own hardsigmoid backward multiplies by 1/6 rounded to "
                   "float32 (checked below to agree within 1e-7)",
    "step": "f = torch.heaviside(z, 0); torch defines no derivative, df = 0 by definition",
    "gelu": "approximate: 0 = none (erf), 1 = tanh",
}


def values(fn, zs):
    t = torch.tensor(zs, requires_grad=True)
    y = fn(t)
    if not y.requires_grad:  # heaviside: no autograd at all
        return y.tolist(), None
    y.backward(torch.ones_like(y))
    return y.detach().tolist(), t.grad.tolist()


def derivative(name, fn, zs):
    if name == "step":
        return [0.0] * len(zs)
    if name == "hardsigmoid":
        _, own = values(F.hardsigmoid, zs)
        _, df = values(lambda t: F.relu6(t + 3.0) / 6.0, zs)
        for a, b in zip(own, df):
            assert abs(a - b) <= 1e-7, (a, b)
        return df
    return values(fn, zs)[1]


def c(x):
    if math.isnan(x) or math.isinf(x):
        sys.exit("non-finite value in the table")
    return repr(float(x))


def act_rows():
    out = []
    for name, params, fn, extra in CASES:
        zs = sorted(set(POINTS + extra))
        f, _ = values(fn, zs)
        df = derivative(name, fn, zs)
        keys = list(params) + ["", ""]
        vals = [float(v) for v in params.values()] + [0.0, 0.0]
        for z, a, d in zip(zs, f, df):
            out.append('    {"%s", {"%s", "%s"}, {%s, %s}, %s, %s, %s},'
                       % (name, keys[0], keys[1], c(vals[0]), c(vals[1]), c(z), c(a), c(d)))
    return out


LOSS_Z = [-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 1.0, 1.7, 3.0]
LOSS_Y = [1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]


def hinge(z, y, reduction):
    per = F.relu(1.0 - (2.0 * y - 1.0) * z)  # 0 subgradient at the kink
    return per.mean() if reduction == "mean" else per.sum()


def loss_rows():
    out = []
    cases = [("hinge", r, 0.0, lambda z, y, r=r: hinge(z, y, r)) for r in ("mean", "sum")]
    for d in (1.0, 0.5):
        for r in ("mean", "sum"):
            cases.append(("huber", r, d, lambda z, y, r=r, d=d: F.huber_loss(z, y, reduction=r, delta=d)))
    for name, red, delta, fn in cases:
        z = torch.tensor(LOSS_Z, requires_grad=True)
        y = torch.tensor(LOSS_Y)
        l = fn(z, y)
        l.backward()
        out.append('    {"%s", %d, %s, %s, {%s}},' % (name, 0 if red == "mean" else 1, c(delta),
                                                    c(l.item()), ", ".join(c(g) for g in z.grad.tolist())))
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    lines = [
        "/* torch_activations.h -- generated by tests/reference/make_torch_table.py with",
        " * PyTorch %s, float64, derivatives by autograd.  Do not edit: rerun the script." % torch.__version__,
        " *",
    ]
    for k, v in NOTES.items():
        lines.append(" * %s: %s." % (k, v))
    lines += [
        " */",
        "#ifndef MLPLAB_TORCH_ACTIVATIONS_H",
        "#define MLPLAB_TORCH_ACTIVATIONS_H",
        "",
        "/* One activation at one point: plugin, parameters (\"\" for none), z, f(z), f'(z). */",
        "typedef struct torch_act_row {",
        "    const char *name;",
        "    const char *key[2];",
        "    double val[2];",
        "    double z, f, df;",
        "} torch_act_row;",
        "",
        "static const torch_act_row torch_activations[] = {",
    ]
    lines += act_rows()
    lines += [
        "};",
        "",
        "/* A loss on the batch below: plugin, reduction (0 mean, 1 sum), delta (huber),",
        " * the loss and d loss / d z.  hinge is torch.relu(1 - t z) with t = 2 y - 1. */",
        "#define TORCH_LOSS_N %d" % len(LOSS_Z),
        "static const double torch_loss_z[TORCH_LOSS_N] = {%s};" % ", ".join(c(v) for v in LOSS_Z),
        "static const double torch_loss_y[TORCH_LOSS_N] = {%s};" % ", ".join(c(v) for v in LOSS_Y),
        "",
        "typedef struct torch_loss_row {",
        "    const char *name;",
        "    int reduction;",
        "    double delta;",
        "    double loss;",
        "    double dz[TORCH_LOSS_N];",
        "} torch_loss_row;",
        "",
        "static const torch_loss_row torch_losses[] = {",
    ]
    lines += loss_rows()
    lines += ["};", "", "#endif", ""]
    with open(os.path.join(here, "torch_activations.h"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
