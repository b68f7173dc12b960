"""One training update of Chapter 9's character models: lrnn against PyTorch, and where lrnn's time goes.

An update is what the sweep (``experiments/charlm/train.py``) does per TBPTT window: the forward
pass over a window of ``k`` characters of ``B`` streams from a carried state, the softmax
cross-entropy, the backward pass, clipping to global norm 1, and one Adam step. Sizes are the
sweep's (GRU 298 units, LSTM 256, B = 32, k = 64, 65 characters), float64, one thread.

- **lrnn**: :func:`lrnn.train.sequence_loss_and_grads` on a :class:`lrnn.onehot.OneHot` window,
  :func:`lrnn.optim.clip_by_global_norm`, :class:`lrnn.optim.Adam`;
- **parts of lrnn's update**: the input lookup ``x @ W_x.T`` and its gradient ``alpha.T @ x``
  (the scatter-add into columns), the readout and its softmax cross-entropy with their gradients,
  and the same two products done densely (one-hot matrix times weights), for comparison;
- **torch**: ``nn.GRU`` / ``nn.LSTM`` (float64) on ``F.one_hot`` input, ``nn.Linear`` readout,
  ``F.cross_entropy``, ``backward()``, ``clip_grad_norm_``, ``torch.optim.Adam``; skipped where
  torch is not installed (it is never a dependency).

Times are process CPU seconds (``time.process_time``), the median over rounds that alternate
between the contenders, so that other work on a shared machine disturbs them little.

    .venv/bin/python benchmarks/bench_charlm.py             # both cells, 7 rounds
    .venv/bin/python benchmarks/bench_charlm.py --rounds 3 --kinds gru
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from lrnn.charlm import SIZES, init_model  # noqa: E402
from lrnn.losses import readout_loss, softmax_cross_entropy  # noqa: E402
from lrnn.onehot import OneHot  # noqa: E402
from lrnn.optim import Adam, clip_by_global_norm  # noqa: E402
from lrnn.train import sequence_loss_and_grads  # noqa: E402

V, B, K = 65, 32, 64


def _cpu(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def lrnn_update(kind, rng):
    model = init_model(kind, rng, rng.integers(0, V, 1000))
    codes = rng.integers(0, V, (K + 1, B))
    x, t = OneHot(codes[:-1], V), codes[1:]
    opt = Adam(lr=0.003)
    state = (getattr(opt, "init_state", None) or opt.init)(model)

    def step():
        E, grads = sequence_loss_and_grads(model, (x, t), loss=softmax_cross_entropy)
        grads, _ = clip_by_global_norm(grads, 1.0)
        opt.step(model, grads, state)

    cell, readout = model
    W = np.concatenate([getattr(cell, f) for f in vars(cell) if f.startswith("W_x")])  # (gates d_s, V)
    flat = x.reshape(-1, V)
    alpha = rng.standard_normal((K * B, W.shape[0]))
    dense = np.asarray(flat)
    v = cell.forward(x).output
    parts = {
        "lookup x @ W_x.T and alpha.T @ x": lambda: (flat @ W.T, alpha.T @ flat),
        "the same, dense one-hot products": lambda: (dense @ W.T, alpha.T @ dense),
        "readout, softmax cross-entropy, gradients": lambda: readout_loss(readout, v, t, softmax_cross_entropy),
    }
    return step, parts


def torch_update(kind, rng):
    import torch

    torch.set_num_threads(1)
    H = SIZES[kind]
    net = (torch.nn.GRU if kind == "gru" else torch.nn.LSTM)(V, H).double()
    head = torch.nn.Linear(H, V).double()
    params = list(net.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=0.003)
    codes = torch.tensor(rng.integers(0, V, (K + 1, B)))
    x = torch.nn.functional.one_hot(codes[:-1], V).double()

    def step():
        opt.zero_grad()
        y = head(net(x)[0])
        loss = torch.nn.functional.cross_entropy(y.reshape(-1, V), codes[1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    return step


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kinds", nargs="+", default=["gru", "lstm"], choices=["gru", "lstm"])
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args(argv)
    try:
        import torch  # noqa: F401

        has_torch = True
    except ImportError:
        has_torch = False
    rng = np.random.default_rng(0)
    print(f"one update: B = {B} streams, k = {K} characters, V = {V}, float64, one thread, CPU seconds (median)")
    for kind in args.kinds:
        step, parts = lrnn_update(kind, rng)
        contenders = {"lrnn": step, **parts}
        if has_torch:
            contenders["torch"] = torch_update(kind, rng)
        times = {name: [] for name in contenders}
        for _ in range(args.rounds):
            for name, fn in contenders.items():
                times[name].append(_cpu(fn))
        med = {name: statistics.median(t) for name, t in times.items()}
        print(f"\n{kind} ({SIZES[kind]} units)")
        for name, t in med.items():
            share = f"  ({t / med['lrnn']:.0%} of lrnn's update)" if name in parts else ""
            print(f"  {name:44s} {1000 * t:8.1f} ms{share}")
        if not has_torch:
            print("  torch                                        (not installed: skipped)")


if __name__ == "__main__":
    main()
