"""lrnn.torch's modules against torch.nn.LSTM and the numpy cells: one forward + backward pass.

Contenders, at the sizes of ``bench_lstm.py`` (N = 100, B = 64, d_x = 64, d_s = 256), on the CPU:

- ``numpy, book BPTT``: :func:`lrnn.lstm_forward` + :func:`lrnn.lstm_backward`, the paper's cell
  with full pinholes and the hand-derived backward pass (float64 only);
- ``lrnn.torch.VanillaLSTM``: the same cell written in torch, differentiated by autograd, with and
  without pinholes (without, it is the computation of ``nn.LSTM``), and with ``backward="book"``:
  the numpy cell and its hand-derived backward pass inside a ``torch.autograd.Function``;
- ``lrnn.torch.AugmentedLSTM``: ``L = 1`` and ``L = 3``, projection to ``d_v = d_s / 2``;
- ``torch.nn.LSTM``: PyTorch's fused cell (no pinholes).

The pinhole products cost 3 d_s^2 multiply-adds per step forward (``W_s_cu s``, ``W_s_cs s``,
``W_s_cr s``) on top of the 4 d_s^2 of the recurrent products ``W_v_* v``; the backward pass
doubles both. Timed by process CPU time with one thread (``--threads``), in alternating rounds,
the median of each contender's best-of-3 per round. ``--save`` writes
``experiments/jsb_torch/bench_cells.json``, which the PyTorch page shows.

    .venv/bin/python benchmarks/bench_torch_cells.py            # the table
    .venv/bin/python benchmarks/bench_torch_cells.py --save     # and the committed JSON
    .venv/bin/python benchmarks/bench_torch_cells.py --smoke    # a few seconds, tiny sizes
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

THREADS = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = THREADS  # BLAS reads it when numpy loads

import numpy as np  # noqa: E402

import lrnn  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "experiments" / "jsb_torch" / "bench_cells.json"


def contenders(N: int, B: int, d_x: int, d_s: int, dtype: str) -> dict:
    """name -> a function running one forward + backward pass (inputs made once, outside the timing)."""
    import torch

    import lrnn.torch as lt

    rng = np.random.default_rng(0)
    g = torch.Generator().manual_seed(0)
    tdtype = getattr(torch, dtype)
    x = torch.randn(N, B, d_x, generator=g, dtype=tdtype)
    out = {}
    if dtype == "float64":
        p = lrnn.LSTMParams.init(rng, d_x, d_s)
        xn, w = x.numpy(), rng.standard_normal((N, B, d_s))

        def numpy_pass():
            lrnn.lstm_backward(p, lrnn.lstm_forward(p, xn), w)

        out["numpy, book BPTT (pinholes)"] = numpy_pass

    def autograd(module):
        def run():
            module.zero_grad(set_to_none=True)
            module(x)[0].sum().backward()

        return run

    kw = {"generator": g, "dtype": tdtype}
    out["lrnn.torch.VanillaLSTM (pinholes)"] = autograd(lt.VanillaLSTM(d_x, d_s, **kw))
    if dtype == "float64":
        book = lt.VanillaLSTM(d_x, d_s, backward="book", **kw)
        out["lrnn.torch.VanillaLSTM (pinholes, backward='book')"] = autograd(book)
    out["lrnn.torch.VanillaLSTM (no pinholes)"] = autograd(lt.VanillaLSTM(d_x, d_s, pinholes=False, **kw))
    out["lrnn.torch.AugmentedLSTM (L = 1, d_v = d_s/2)"] = autograd(lt.AugmentedLSTM(d_x, d_s, d_s // 2, L=1, **kw))
    out["lrnn.torch.AugmentedLSTM (L = 3, d_v = d_s/2)"] = autograd(lt.AugmentedLSTM(d_x, d_s, d_s // 2, L=3, **kw))
    out["torch.nn.LSTM"] = autograd(torch.nn.LSTM(d_x, d_s, dtype=tdtype))
    return out


def measure(runs: dict, rounds: int) -> dict:
    """Median over rounds of each contender's best-of-3 process CPU time, in ms."""
    times = {name: [] for name in runs}
    for fn in runs.values():
        fn()  # warm up
    for _ in range(rounds):
        for name, fn in runs.items():
            best = float("inf")
            for _ in range(3):
                t0 = time.process_time()
                fn()
                best = min(best, time.process_time() - t0)
            times[name].append(best)
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--save", action="store_true", help=f"write {OUT.relative_to(OUT.parents[2])}")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one round: checks that it runs")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("torch is not installed (pip install 'lrnn[torch]'): nothing to compare; skipped.")
        return
    torch.set_num_threads(int(args.threads))
    sizes = dict(N=5, B=2, d_x=3, d_s=4) if args.smoke else dict(N=100, B=64, d_x=64, d_s=256)
    table = {}
    for dtype in ("float64", "float32"):
        table[dtype] = measure(contenders(**sizes, dtype=dtype), 1 if args.smoke else args.rounds)
        ref = table[dtype]["torch.nn.LSTM"]
        print(f"\n{dtype}, N={sizes['N']} B={sizes['B']} d_x={sizes['d_x']} d_s={sizes['d_s']}, "
              f"{args.threads} thread(s), process CPU ms per forward + backward")  # fmt: skip
        for name, ms in table[dtype].items():
            print(f"  {name:56s} {ms:9.1f}   {ms / ref:5.2f} x nn.LSTM")
    if args.save and not args.smoke:
        OUT.write_text(json.dumps({"sizes": sizes, "threads": int(args.threads), "ms": table,
                                   "torch": torch.__version__, "numpy": np.__version__,
                                   "machine": platform.machine(), "cpus": os.cpu_count()}, indent=1))  # fmt: skip
        print(f"\nwrote {OUT}")


if __name__ == "__main__":
    main()
