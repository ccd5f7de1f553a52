#!/usr/bin/python3
"""Reference loss curves for test_train's golden comparison, computed with
numpy by a separate implementation of the same network.

Problem: 2 -> 5 (sigmoid) -> 1 logit, mean binary cross-entropy on logits,
20 points, 50 full-batch iterations of plain gradient descent (lr 0.5), and
the same with Adam (lr 0.05, PyTorch's update rule).  The points, labels and
initial parameters are drawn here (numpy's seeded generator) and written to
mlp_2_5_1.txt with the curves, so the C test reads everything it needs and
depends on no generator of its own.

Layout of the parameters in the file is mlplab's: W1 (5, 2) row-major, b1 (5),
W2 (1, 5), b2 (1).  loss[t] is the loss of iteration t's forward pass, before
its update.

Run: /usr/bin/python3 tests/golden/make_golden.py  (rewrites mlp_2_5_1.txt)
"""
import os

import numpy as np

N, D, H, T = 20, 2, 5, 50
HERE = os.path.dirname(os.path.abspath(__file__))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def loss_and_grads(params, x, y):
    w1, b1, w2, b2 = params
    z1 = x @ w1.T + b1                     # (N, H)
    a1 = sigmoid(z1)
    z2 = a1 @ w2.T + b2                    # (N, 1)
    z = z2[:, 0]
    loss = np.mean(np.logaddexp(0.0, z) - y * z)
    dz2 = ((sigmoid(z) - y) / len(y))[:, None]   # (N, 1)
    gw2 = dz2.T @ a1
    gb2 = dz2.sum(axis=0)
    da1 = dz2 @ w2
    dz1 = da1 * a1 * (1.0 - a1)
    gw1 = dz1.T @ x
    gb1 = dz1.sum(axis=0)
    return loss, [gw1, gb1, gw2, gb2]


def train_gd(params, x, y, lr):
    p = [q.copy() for q in params]
    curve = []
    for _ in range(T):
        loss, g = loss_and_grads(p, x, y)
        curve.append(loss)
        p = [q - lr * gq for q, gq in zip(p, g)]
    return curve


def train_adam(params, x, y, lr, b1=0.9, b2=0.999, eps=1e-8):
    p = [q.copy() for q in params]
    m = [np.zeros_like(q) for q in p]
    v = [np.zeros_like(q) for q in p]
    curve = []
    for t in range(1, T + 1):
        loss, g = loss_and_grads(p, x, y)
        curve.append(loss)
        for i in range(len(p)):
            m[i] = b1 * m[i] + (1 - b1) * g[i]
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
            mhat = m[i] / (1 - b1 ** t)
            vhat = v[i] / (1 - b2 ** t)
            p[i] = p[i] - lr * mhat / (np.sqrt(vhat) + eps)
    return curve


def main():
    rng = np.random.RandomState(20240607)
    x = rng.uniform(-1.5, 1.5, size=(N, D))
    y = (np.hypot(x[:, 0], x[:, 1]) < 0.9).astype(float)
    a = 1.0 / np.sqrt(D)
    w1 = rng.uniform(-a, a, size=(H, D))
    b1 = rng.uniform(-a, a, size=H)
    a = 1.0 / np.sqrt(H)
    w2 = rng.uniform(-a, a, size=(1, H))
    b2 = rng.uniform(-a, a, size=1)
    params = [w1, b1, w2, b2]
    flat = np.concatenate([q.ravel() for q in params])
    gd = train_gd(params, x, y, 0.5)
    adam = train_adam(params, x, y, 0.05)

    with open(os.path.join(HERE, "mlp_2_5_1.txt"), "w") as f:
        f.write("# written by make_golden.py: 2-5-1 sigmoid, mean BCE on logits\n")
        f.write(f"points {N}\n")
        for i in range(N):
            f.write(f"{x[i, 0]!r} {x[i, 1]!r} {y[i]!r}\n")
        f.write(f"params {len(flat)}\n")
        f.write(" ".join(repr(float(v)) for v in flat) + "\n")
        f.write(f"gd 0.5 {T}\n")
        f.write("\n".join(repr(float(v)) for v in gd) + "\n")
        f.write(f"adam 0.05 {T}\n")
        f.write("\n".join(repr(float(v)) for v in adam) + "\n")


if __name__ == "__main__":
    main()
