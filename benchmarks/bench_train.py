"""Time of one training step of lrnn.train, split into its parts, for the sizes the training chapters use.

One step of ``fit_sequences`` = the cell's forward pass, the readout and loss, the cell's
backward pass, the global norm and clipping, and the optimiser's update. This script times
each part on its own and a whole step through ``fit_sequences`` (progress bar off), so the
loop's own overhead (everything that is not forward/backward) can be read off.

    .venv/bin/python benchmarks/bench_train.py                 # RNN, d_s=100, B=32, N=100
    .venv/bin/python benchmarks/bench_train.py --cell lstm --d_s 64 --repeat 21
    .venv/bin/python benchmarks/bench_train.py --smoke         # tiny sizes, one run: does it still work?

Medians over ``--repeat`` runs; the BLAS thread count is whatever the environment sets. On a
busy 2-core machine a multi-threaded BLAS can stall on the gradient sums (one large product per
backward pass); ``OPENBLAS_NUM_THREADS=1`` gives steadier numbers there, and is the setting to
use when several training runs share the machine.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

from lrnn.losses import Readout, mean_squared_error
from lrnn.lstm import LSTMParams
from lrnn.optim import Adam, clip_by_global_norm, global_norm
from lrnn.rnn import RNNParams
from lrnn.train import fit_sequences


def median_ms(fn, repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cell", choices=["rnn", "lstm"], default="rnn")
    ap.add_argument("--d_x", type=int, default=2)
    ap.add_argument("--d_s", type=int, default=100)
    ap.add_argument("--B", type=int, default=32)
    ap.add_argument("--N", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=11)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes and one run of each part (a check, not a timing)")
    a = ap.parse_args(argv)
    if a.smoke:
        a.d_s, a.B, a.N, a.repeat = 8, 4, 10, 1
    rng = np.random.default_rng(0)
    cls = RNNParams if a.cell == "rnn" else LSTMParams
    cell = cls.init(rng, a.d_x, a.d_s)
    readout = Readout(W_y=rng.standard_normal((1, a.d_s)) / np.sqrt(a.d_s), b_y=np.zeros(1))
    model = (cell, readout)
    x, y = rng.standard_normal((a.N, a.B, a.d_x)), rng.standard_normal((a.N, a.B, 1))
    trace = cell.forward(x)
    _, dE_dy = mean_squared_error(readout(trace.output), y)
    dE_dv = dE_dy @ readout.W_y
    grads = (cell.backward(trace, dE_dv), readout)
    opt = Adam(lr=1e-3)
    state = opt.init_state(model)
    steps = 2 if a.smoke else 20
    parts = {
        "forward": lambda: cell.forward(x),
        "readout + loss": lambda: mean_squared_error(readout(trace.output), y),
        "backward": lambda: cell.backward(trace, dE_dv),
        "global norm + clip": lambda: clip_by_global_norm(grads, 1e-3 * global_norm(grads)),
        "Adam update": lambda: opt.step(model, grads, state),
    }
    print(f"{platform.processor() or platform.machine()}, numpy {np.__version__}, Python {platform.python_version()}")
    print(f"{a.cell}: d_x={a.d_x}, d_s={a.d_s}, B={a.B}, N={a.N}, {cell.n_params} parameters; medians of {a.repeat}")
    total = 0.0
    for name, fn in parts.items():
        ms = median_ms(fn, a.repeat)
        total += ms
        print(f"  {name:<20} {ms:8.2f} ms")
    print(f"  {'sum of the parts':<20} {total:8.2f} ms")

    def run():
        fit_sequences(model, lambda r: (x, y), rng, steps=steps, optimizer=opt, clip_norm=1.0, progress=False)

    step = median_ms(run, max(3, a.repeat // 3)) / steps
    print(f"  {'one fit_sequences step':<20} {step:8.2f} ms  (loop overhead {step - total:+.2f} ms)")
    if a.cell == "rnn":  # the RNN's matrix products alone: N steps forward, N back, the gradient sums
        h, W = rng.standard_normal((a.B, a.d_s)), cell.W_r
        S = rng.standard_normal((a.N, a.B, a.d_s))

        def products():
            for _ in range(2 * a.N):
                h @ W.T
            np.tensordot(S, S, axes=([0, 1], [0, 1]))
            np.tensordot(S, x, axes=([0, 1], [0, 1]))
            x @ cell.W_x.T

        floor = median_ms(products, a.repeat)
        print(f"  {'matmul floor':<20} {floor:8.2f} ms  ({floor / step:.0%} of a step)")


if __name__ == "__main__":
    main()
