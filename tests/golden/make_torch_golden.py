#!/usr/bin/python3
"""Reference loss curves for test_train's schedule / optimizer / penalty
comparison, computed with PyTorch (float64, autograd) on the network of
mlp_2_5_1.txt: 2 -> 5 (sigmoid) -> 1 logit, mean binary cross-entropy on
logits, 20 points, full batch.  The points and the initial parameters are
read from mlp_2_5_1.txt, so both tests share them.

Each run: torch.optim.SGD (momentum, nesterov) or torch.optim.Adam with a
learning-rate scheduler stepped once per iteration (StepLR, CosineAnnealingLR
with T_max = iterations), and penalties on the weights only:
  l2     through the optimizer's weight_decay on a weights-only param group,
         and l2/2 * sum W^2 added to the recorded loss;
  alpha  scikit-learn's alpha/(2 n) * sum W^2 added to the loss (autograd);
  l1     l1 * sum |W| added to the loss (autograd: sign(W), 0 at 0).
loss[t] is the loss of iteration t's forward pass, before its update.

Run: /usr/bin/python3 tests/golden/make_torch_golden.py  (rewrites torch_2_5_1.txt)
"""
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.set_default_dtype(torch.float64)

# name optimizer lr momentum nesterov schedule step_size gamma eta_min l2 alpha l1 T
RUNS = [
    ("sgd_cosine_l2", "gd", 0.5, 0.0, 0, "cosine", 0, 0.1, 0.05, 0.01, 0.0, 0.0, 60),
    ("nesterov_step_l1", "momentum", 0.2, 0.9, 1, "step", 7, 0.5, 0.0, 0.0, 0.0, 0.003, 60),
    ("momentum_cosine_alpha", "momentum", 0.1, 0.8, 0, "cosine", 0, 0.1, 0.0, 0.0, 0.3, 0.0,
     60),
    ("adam_step_l2", "adam", 0.05, 0.0, 0, "step", 10, 0.3, 0.0, 0.02, 0.0, 0.0, 60),
    ("adam_cosine_all", "adam", 0.03, 0.0, 0, "cosine", 0, 0.1, 0.001, 0.01, 0.1, 0.002, 60),
]


def read_shared():
    with open(os.path.join(HERE, "mlp_2_5_1.txt")) as f:
        tok = f.read().split("\n", 1)[1].split()
    n = int(tok[1])
    vals = [float(v) for v in tok[2:2 + 3 * n]]
    x = torch.tensor(vals).reshape(n, 3)
    p = int(tok[2 + 3 * n + 1])
    params = [float(v) for v in tok[4 + 3 * n:4 + 3 * n + p]]
    return x[:, :2].clone(), x[:, 2].clone(), params


def run(x, y, p0, spec):
    _, opt, lr, mom, nest, sched, step, gamma, eta_min, l2, alpha, l1, T = spec
    net = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Sigmoid(), torch.nn.Linear(5, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(p0[0:10]).reshape(5, 2))
        net[0].bias.copy_(torch.tensor(p0[10:15]))
        net[2].weight.copy_(torch.tensor(p0[15:20]).reshape(1, 5))
        net[2].bias.copy_(torch.tensor(p0[20:21]))
    weights = [net[0].weight, net[2].weight]
    groups = [{"params": weights, "weight_decay": l2},
              {"params": [net[0].bias, net[2].bias], "weight_decay": 0.0}]
    if opt == "adam":
        o = torch.optim.Adam(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    else:
        o = torch.optim.SGD(groups, lr=lr, momentum=mom, nesterov=bool(nest))
    if sched == "step":
        s = torch.optim.lr_scheduler.StepLR(o, step_size=step, gamma=gamma)
    else:
        s = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=T, eta_min=eta_min)
    bce = torch.nn.BCEWithLogitsLoss()
    curve = []
    n = x.shape[0]
    for _ in range(T):
        o.zero_grad()
        loss = bce(net(x)[:, 0], y)
        sq = sum((w * w).sum() for w in weights)
        if alpha:
            loss = loss + 0.5 * alpha * sq / n
        if l1:
            loss = loss + l1 * sum(w.abs().sum() for w in weights)
        loss.backward()
        curve.append(loss.item() + 0.5 * l2 * sq.item())
        o.step()
        s.step()
    return curve


def main():
    x, y, p0 = read_shared()
    out = ["# written by make_torch_golden.py (PyTorch %s, float64): data and initial "
           "parameters of mlp_2_5_1.txt" % torch.__version__]
    for spec in RUNS:
        out.append("run " + " ".join(str(v) for v in spec))
        out.append(" ".join("%.17g" % v for v in run(x, y, p0, spec)))
    with open(os.path.join(HERE, "torch_2_5_1.txt"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
