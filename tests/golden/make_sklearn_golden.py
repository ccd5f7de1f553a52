#!/usr/bin/python3
"""Reference loss curves for test_train's scikit-learn comparison: MLPClassifier
(solver 'sgd', momentum 0, so its update is p -= lr * g) on the network and
data of mlp_2_5_1.txt (2 -> 5 logistic -> 1, binary log loss), full batch,
with learning_rate 'invscaling' (lr0 / (t+1)^power_t, t = samples seen,
updated at the end of each epoch), the L2 penalty `alpha` (alpha/(2 n) *
sum W^2), and its tol / n_iter_no_change stopping rule.  The initial
parameters are set after a throw-away fit, with every counter reset.

Each run writes: its settings, n_iter_ (the epochs run before stopping) and
loss_curve_.

Run: /usr/bin/python3 tests/golden/make_sklearn_golden.py  (rewrites sklearn_2_5_1.txt)
"""
import os
import warnings

import numpy as np
import sklearn
from sklearn.neural_network import MLPClassifier

HERE = os.path.dirname(os.path.abspath(__file__))

# name lr power_t alpha tol n_iter_no_change max_iter
RUNS = [
    ("invscaling_alpha_tol", 2.0, 0.25, 0.01, 1e-3, 4, 400),
    ("invscaling_noalpha_tol", 4.0, 0.5, 0.0, 1e-4, 2, 400),
    ("constant_alpha_tol0", 1.0, 0.5, 0.5, 0.0, 3, 400),
]


def read_shared():
    with open(os.path.join(HERE, "mlp_2_5_1.txt")) as f:
        tok = f.read().split("\n", 1)[1].split()
    n = int(tok[1])
    xy = np.array([float(v) for v in tok[2:2 + 3 * n]]).reshape(n, 3)
    p = int(tok[2 + 3 * n + 1])
    params = np.array([float(v) for v in tok[4 + 3 * n:4 + 3 * n + p]])
    return xy[:, :2].copy(), xy[:, 2].astype(int), params


def run(x, y, p0, spec):
    name, lr, power_t, alpha, tol, nic, max_iter = spec
    sched = "constant" if name.startswith("constant") else "invscaling"
    clf = MLPClassifier(hidden_layer_sizes=(5,), activation="logistic", solver="sgd",
                        alpha=alpha, batch_size=len(y), learning_rate=sched,
                        learning_rate_init=lr, power_t=power_t, max_iter=max_iter,
                        shuffle=False, tol=tol, momentum=0.0, nesterovs_momentum=False,
                        n_iter_no_change=nic, warm_start=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.set_params(max_iter=1)
        clf.fit(x, y)
        clf.set_params(max_iter=max_iter)
        # mlplab's layout: W1 (5, 2) row-major, b1, W2 (1, 5), b2; sklearn's coefs are (in, out)
        clf.coefs_ = [p0[0:10].reshape(5, 2).T.copy(), p0[15:20].reshape(1, 5).T.copy()]
        clf.intercepts_ = [p0[10:15].copy(), p0[20:21].copy()]
        clf.n_iter_, clf.t_, clf.loss_curve_ = 0, 0, []
        clf.best_loss_, clf._no_improvement_count = np.inf, 0
        clf.fit(x, y)
    return clf.n_iter_, clf.loss_curve_


def main():
    x, y, p0 = read_shared()
    out = ["# written by make_sklearn_golden.py (scikit-learn %s): data and initial "
           "parameters of mlp_2_5_1.txt" % sklearn.__version__]
    for spec in RUNS:
        n_iter, curve = run(x, y, p0, spec)
        out.append("run " + " ".join(str(v) for v in spec) + " %d" % n_iter)
        out.append(" ".join("%.17g" % v for v in curve))
    with open(os.path.join(HERE, "sklearn_2_5_1.txt"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
