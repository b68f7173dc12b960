"""Epoch time of the JSB models in lrnn and in PyTorch (float64, one thread, the same batches).

    python experiments/jsb/bench_torch.py [--epochs 3]

For each of tanh (100), GRU (46) and LSTM (36): the same initial parameters (converted with
:mod:`lrnn.interop`), the same epochs of mini-batches (8 pieces, padded and masked, full BPTT),
Adam and clipping in both, no evaluation. Reports the processor time per epoch (the fair clock
on a shared machine) and the wall time, and the loss of the last update in both: they agree to
rounding until clipping first acts, then drift apart slowly (torch's clipping divides by
``norm + 1e-6``, lrnn's by ``norm``). torch is optional:
without it only lrnn is timed. PyTorch has two bias vectors per node (``bias_ih``, ``bias_hh``)
where lrnn has one; trained separately, their sum would move up to twice as far per Adam step,
so here ``bias_hh`` is held at zero (except ``nn.GRU``'s n-block, which is a bias of its own).
Writes ``bench_torch.json`` beside this file.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from lrnn.interop import gru_params_to_torch, lstm_params_to_torch, rnn_params_to_torch  # noqa: E402
from lrnn.losses import sigmoid_bernoulli_nll  # noqa: E402
from lrnn.music import load_jsb_chorales, next_frame_batch  # noqa: E402
from lrnn.music_models import PINHOLES, init_model  # noqa: E402
from lrnn.optim import Adam, clip_by_global_norm  # noqa: E402
from lrnn.train import sequence_loss_and_grads  # noqa: E402

HERE = Path(__file__).resolve().parent
TO_TORCH = {"tanh": rnn_params_to_torch, "gru": gru_params_to_torch, "lstm": lstm_params_to_torch}


def time_lrnn(kind, data, epochs):
    """The training work of one epoch of :func:`lrnn.music_models.fit_pieces`, without its evaluations."""
    model = init_model(kind, np.random.default_rng(0), data["train"])
    opt = Adam(lr=0.003)
    state, rng, n, first, losses = opt.init_state(model), np.random.default_rng(0), len(data["train"]), None, []
    c0, w0 = time.process_time(), time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(n)
        for i in range(0, n, 8):
            batch = next_frame_batch([data["train"][j] for j in order[i : i + 8]])
            loss, (g_cell, g_out) = sequence_loss_and_grads(model, batch, loss=sigmoid_bernoulli_nll)
            if kind == "lstm":  # nn.LSTM has no pinholes: as in fit_pieces, they stay at zero
                g_cell = dataclasses.replace(g_cell, **{k: 0 * getattr(g_cell, k) for k in PINHOLES})
            grads = (g_cell, g_out)
            losses.append(loss)
            first, last = (loss if first is None else first), loss
            grads, _ = clip_by_global_norm(grads, 1.0)
            model, state = opt.step(model, grads, state)
    return {"cpu_per_epoch": (time.process_time() - c0) / epochs, "wall_per_epoch": (time.perf_counter() - w0) / epochs,
            "first_loss": first, "last_loss": last, "losses": losses}  # fmt: skip


def time_torch(kind, data, epochs):
    import torch

    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    cell, readout = init_model(kind, np.random.default_rng(0), data["train"])
    mod = {"tanh": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[kind](88, cell.d_s)
    mod.load_state_dict({k: torch.tensor(v) for k, v in TO_TORCH[kind](cell).items()})
    out = torch.nn.Linear(cell.d_s, 88)
    out.load_state_dict({"weight": torch.tensor(readout.W_y), "bias": torch.tensor(readout.b_y)})
    params = list(mod.parameters()) + list(out.parameters())
    opt = torch.optim.Adam(params, lr=0.003)
    dup = 2 * cell.d_s if kind == "gru" else None  # nn.GRU's bias_hh n-block is a parameter of its own, b_s_u
    rng, n, first, losses = np.random.default_rng(0), len(data["train"]), None, []
    c0 = time.process_time()
    w0 = time.perf_counter()
    for _ in range(epochs):
        order = rng.permutation(n)
        for i in range(0, n, 8):
            x, t, m = (torch.tensor(a) for a in next_frame_batch([data["train"][j] for j in order[i : i + 8]]))
            h, _ = mod(x)
            nll = torch.nn.functional.binary_cross_entropy_with_logits(out(h), t, reduction="none").sum(-1)
            loss = (nll * m).sum() / m.sum()
            first, last = (loss.item() if first is None else first), loss.item()
            losses.append(last)
            opt.zero_grad()
            loss.backward()
            mod.bias_hh_l0.grad[:dup].zero_()  # one bias per node, as in lrnn (see the module docstring)
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
    return {"cpu_per_epoch": (time.process_time() - c0) / epochs, "wall_per_epoch": (time.perf_counter() - w0) / epochs,
            "first_loss": first, "last_loss": last, "losses": losses, "version": torch.__version__}  # fmt: skip


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args(argv)
    data = load_jsb_chorales()
    out = {"epochs": args.epochs, "load_average_before": list(os.getloadavg()), "cpu_count": os.cpu_count(),
           "machine": platform.machine(), "numpy": np.__version__}  # fmt: skip
    for kind in TO_TORCH:
        out[kind] = {"lrnn": time_lrnn(kind, data, args.epochs)}
        try:
            out[kind]["torch"] = time_torch(kind, data, args.epochs)
        except ImportError:
            out[kind]["torch"] = None
        t = out[kind]["torch"]
        line = f"{kind:5s} lrnn {out[kind]['lrnn']['cpu_per_epoch']:.2f} s CPU/epoch"
        if t:
            line += f", torch {t['cpu_per_epoch']:.2f} s CPU/epoch (loss of the last update: torch "
            line += f"{t['last_loss']:.8f}, lrnn {out[kind]['lrnn']['last_loss']:.8f})"
        print(line, flush=True)
    out["load_average_after"] = list(os.getloadavg())
    (HERE / "bench_torch.json").write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
