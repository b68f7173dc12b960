"""Vanilla LSTM forward + backward (lrnn.lstm, lrnn.lstm_bptt): readable code vs its matmul floor vs PyTorch.

Three timings of one forward and one backward pass (float64, time-major, a batch):

- **lrnn**: :func:`lrnn.lstm_forward` then :func:`lrnn.lstm_backward`, the paper's cell
  with its full "pinhole" matrices (Sherstinsky Eqs. 126-172);
- **floor**: the very matrix products that code performs (same shapes, same count, outputs
  preallocated), back to back with nothing else: what BLAS alone needs;
- **torch**: ``torch.nn.LSTM`` in float64, forward and ``backward()``, on the same machine
  in the same run, if torch is installed (it is never a dependency; without it the column
  is skipped). PyTorch's cell has no pinholes, so it does 12 d_s^2 multiply-adds per step
  and sequence where the paper's cell does 21 (see ``flops``);
- **autograd**: the paper's cell itself (pinholes and all, Eqs. 126-136) written in PyTorch
  line for line as :func:`lrnn.lstm.lstm_step`, input products for the whole sequence first,
  and differentiated by ``backward()``: what a practitioner who does not derive the backward
  pass by hand would write (skipped without torch).

Rounds alternate between the contenders (lrnn, floor, torch, lrnn, ...) so that machine noise
hits all alike; in each round a contender runs a few times in a row and keeps its best time,
and the median over rounds is reported. ``--threads k`` gives numpy's BLAS and torch ``k`` threads each;
otherwise BLAS uses the environment's setting and torch its own default. On a machine shared
with other work, ``--threads 1 --cpu`` times by process CPU time, which other processes
disturb much less than the wall clock. ``--small`` adds
a table for the sizes the training chapters use, with the time per step spent outside the
matrix products (Python and element-wise numpy), ``(lrnn - floor) / N``.

    .venv/bin/python benchmarks/bench_lstm.py                 # B=64, d_x=64, d_s=256, N=100
    .venv/bin/python benchmarks/bench_lstm.py --small          # and the small sizes
    .venv/bin/python benchmarks/bench_lstm.py --repeat 21 --N 50 --threads 1
    .venv/bin/python benchmarks/bench_lstm.py --smoke          # tiny sizes, one round: does it still work?
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

if "--threads" in sys.argv:  # BLAS reads its thread count when numpy loads: set it first
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = sys.argv[sys.argv.index("--threads") + 1]

import numpy as np  # noqa: E402

from lrnn.lstm import LSTMParams, lstm_forward  # noqa: E402
from lrnn.lstm_bptt import lstm_backward  # noqa: E402

SMALL = [(16, 36), (32, 36), (64, 36), (16, 64), (32, 64), (64, 64), (16, 100), (32, 100), (64, 100)]  # (B, d_s)


def products(N: int, B: int, d_x: int, d: int):
    """The matrix products of one forward + backward pass of lrnn: ``(per_step, once)``, lists of shape pairs.

    Once, forward (:func:`lrnn.lstm.lstm_inputs`): four ``x W_x^T`` over all ``N B`` rows. Per
    step, forward (:func:`lrnn.lstm.lstm_step`): two ``s[n-1] W_s^T``, four ``v[n-1] W_v^T``, one
    ``s[n] W_s_cr^T``; backward (:func:`lrnn.lstm_bptt.lstm_bptt_signals`): ``alpha_cr W_s_cr``
    (Eq. 150), four ``alpha W_v`` (Eq. 154), two ``alpha W_s`` (Eq. 155). Once, backward
    (:func:`lrnn.lstm_bptt.lstm_backward`): four ``alpha^T x`` and seven ``alpha^T s`` or
    ``alpha^T v`` over all ``N B`` rows. Every product has its own weight matrix, as in the code,
    so that the floor pays for reading 14 matrices per step, not one kept in cache.
    """
    NB = N * B
    per_step = [((B, d), (d, d))] * 14
    once = [((NB, d_x), (d_x, d))] * 4 + [((d, NB), (NB, d_x))] * 4 + [((d, NB), (NB, d))] * 7
    return per_step, once


def flops(N, B, d_x, d, torch_cell: bool = False) -> float:
    """Floating-point operations of the products: lrnn's, or those of PyTorch's cell (no pinholes)."""
    per_row = (12 if torch_cell else 21) * d * d + 8 * d * d_x  # multiply-adds per step and sequence
    return 2.0 * N * B * per_row


def floor_runner(rng, N, B, d_x, d):
    """A function doing exactly the products of :func:`products`, operands and outputs preallocated."""
    per_step, once = products(N, B, d_x, d)
    step_jobs = [(rng.standard_normal(a), rng.standard_normal(b), np.empty((a[0], b[1]))) for a, b in per_step]
    once_jobs = [(rng.standard_normal(a), rng.standard_normal(b), np.empty((a[0], b[1]))) for a, b in once]

    def run():
        for _ in range(N):
            for a, b, out in step_jobs:
                np.matmul(a, b, out=out)
        for a, b, out in once_jobs:
            np.matmul(a, b, out=out)

    return run


def lrnn_runner(rng, N, B, d_x, d):
    """One forward and one backward pass of lrnn on random data, with the pinholes of the paper."""
    params = LSTMParams.init(rng, d_x, d)
    x, dE_dv = rng.standard_normal((N, B, d_x)), rng.standard_normal((N, B, d))
    return lambda: lstm_backward(params, lstm_forward(params, x), dE_dv)


def torch_runner(N, B, d_x, d):
    """One forward and one ``backward()`` of ``torch.nn.LSTM`` in float64, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    if os.environ.get("OPENBLAS_NUM_THREADS"):
        torch.set_num_threads(int(os.environ["OPENBLAS_NUM_THREADS"]))  # as many threads as numpy's BLAS
    torch.manual_seed(0)
    net = torch.nn.LSTM(d_x, d).double()
    x, grad = torch.randn(N, B, d_x, dtype=torch.float64), torch.randn(N, B, d, dtype=torch.float64)

    def run():
        net.zero_grad(set_to_none=True)
        h, _ = net(x)
        h.backward(grad)

    run.threads = torch.get_num_threads()
    run.version = torch.__version__
    return run


def torch_pinhole_runner(N, B, d_x, d):
    """The paper's pinhole cell in PyTorch, forward then autograd's ``backward()``, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    if os.environ.get("OPENBLAS_NUM_THREADS"):
        torch.set_num_threads(int(os.environ["OPENBLAS_NUM_THREADS"]))
    p = LSTMParams.init(np.random.default_rng(0), d_x, d)
    W = {k: torch.tensor(getattr(p, k), requires_grad=True) for k in vars(p)}
    x, grad = torch.randn(N, B, d_x, dtype=torch.float64), torch.randn(N, B, d, dtype=torch.float64)
    G_c, G_d = torch.sigmoid, torch.tanh

    def run():
        for w in W.values():
            w.grad = None
        xi = {k: x @ W[f"W_x_{k}"].T for k in ("cu", "cs", "cr", "du")}  # Eqs. 126-129, input terms, all n
        s = v = torch.zeros(B, d, dtype=torch.float64)
        vs = []
        for n in range(N):
            a_cu = xi["cu"][n] + s @ W["W_s_cu"].T + v @ W["W_v_cu"].T + W["b_cu"]  # Eq. 126
            a_cs = xi["cs"][n] + s @ W["W_s_cs"].T + v @ W["W_v_cs"].T + W["b_cs"]  # Eq. 127
            a_du = xi["du"][n] + v @ W["W_v_du"].T + W["b_du"]  # Eq. 129
            s = G_c(a_cs) * s + G_c(a_cu) * G_d(a_du)  # Eqs. 130-132, 134
            a_cr = xi["cr"][n] + s @ W["W_s_cr"].T + v @ W["W_v_cr"].T + W["b_cr"]  # Eq. 128
            v = G_c(a_cr) * G_d(s)  # Eqs. 133, 135-136
            vs.append(v)
        torch.stack(vs).backward(grad)

    return run


def _seconds(f, clock=time.perf_counter) -> float:
    t0 = clock()
    f()
    return clock() - t0


def measure(N, B, d_x, d, repeat, seed=0, clock=time.perf_counter, block=3) -> dict:
    """Seconds of lrnn, floor and torch (None without torch): median over ``repeat`` rounds of the best of a block.

    Each round runs every contender ``block`` times in a row and keeps its fastest run, so that each
    is timed in its own steady state (allocator and caches as its previous call left them, as in a
    training loop); rounds alternate between the contenders so that machine noise hits all alike.
    """
    rng = np.random.default_rng(seed)
    runners = {"lrnn": lrnn_runner(rng, N, B, d_x, d), "floor": floor_runner(rng, N, B, d_x, d)}
    torch_run = torch_runner(N, B, d_x, d)
    if torch_run is not None:
        runners["torch"] = torch_run
        runners["autograd"] = torch_pinhole_runner(N, B, d_x, d)
    best = {k: [] for k in runners}
    for _ in range(repeat + 1):  # the first round warms up (page faults, thread pools)
        for k, run in runners.items():
            best[k].append(min(_seconds(run, clock) for _ in range(block)))
    out = {k: statistics.median(v[1:]) for k, v in best.items()}
    out.setdefault("torch", None)
    out.setdefault("autograd", None)
    return out


def _ms(t) -> str:
    return f"{1e3 * t:9.1f}" if t is not None else f"{'-':>9}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--B", type=int, default=64)
    ap.add_argument("--d_x", type=int, default=64)
    ap.add_argument("--d_s", type=int, default=256)
    ap.add_argument("--N", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--small", action="store_true", help="also the sizes of the training chapters")
    ap.add_argument("--small-d_x", type=int, default=8)
    ap.add_argument("--threads", type=int, help="BLAS and torch threads (default: the environment's)")
    ap.add_argument("--cpu", action="store_true", help="time by process CPU time (with --threads 1)")
    ap.add_argument("--smoke", action="store_true", help="tiny sizes and one round (a check, not a timing)")
    a = ap.parse_args(argv)
    if a.smoke:
        a.B, a.d_x, a.d_s, a.N, a.repeat, a.small = 4, 3, 8, 5, 1, False
    if a.cpu and a.threads != 1:
        ap.error("--cpu measures the CPU time of all threads together: use it with --threads 1")
    clock = time.process_time if a.cpu else time.perf_counter
    torch_run = torch_runner(1, 1, 1, 1)
    torch_info = f"torch {torch_run.version} ({torch_run.threads} threads)" if torch_run else "torch not installed"
    print(f"numpy {np.__version__}, {torch_info}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
    what = "CPU time" if a.cpu else "wall-clock time"
    print(f"float64, {what}, median of {a.repeat} rounds; lrnn with the paper's pinholes, torch without\n")

    t = measure(a.N, a.B, a.d_x, a.d_s, a.repeat, clock=clock)
    print(f"Vanilla LSTM forward + backward, N = {a.N}, B = {a.B}, d_x = {a.d_x}, d_s = {a.d_s}")
    print(f"{'':24}{'ms':>9}{'GFLOP':>8}{'GFLOP/s':>9}{'/ floor':>9}{'/ torch':>9}")
    rows = [("lrnn (readable)", t["lrnn"], flops(a.N, a.B, a.d_x, a.d_s)),
            ("matmul floor", t["floor"], flops(a.N, a.B, a.d_x, a.d_s)),
            ("torch.nn.LSTM", t["torch"], flops(a.N, a.B, a.d_x, a.d_s, torch_cell=True)),
            ("pinhole cell, autograd", t["autograd"], flops(a.N, a.B, a.d_x, a.d_s))]  # fmt: skip
    for name, sec, fl in rows:
        if sec is None:
            print(f"{name:24}{_ms(sec)}  (skipped)")
            continue
        vs_torch = f"{sec / t['torch']:9.2f}" if t["torch"] else f"{'-':>9}"
        print(f"{name:24}{_ms(sec)}{fl / 1e9:8.2f}{fl / 1e9 / sec:9.1f}{sec / t['floor']:9.2f}{vs_torch}")
    if t["autograd"]:
        print(f"the same pinhole cell: PyTorch's autograd takes {t['autograd'] / t['lrnn']:.2f}x lrnn's time")

    if a.small:
        print(f"\nSmall sizes, N = {a.N}, d_x = {a.small_d_x}: fwd + bwd [ms]; time outside the products per step [us]")
        print(f"{'B':>4}{'d_s':>5}{'lrnn':>9}{'floor':>9}{'torch':>9}{'rest/step':>11}{'lrnn/torch':>12}")
        for B, d in SMALL:
            t = measure(a.N, B, a.small_d_x, d, a.repeat, clock=clock)
            ratio = f"{t['lrnn'] / t['torch']:12.2f}" if t["torch"] else f"{'-':>12}"
            over = 1e6 * (t["lrnn"] - t["floor"]) / a.N
            print(f"{B:4d}{d:5d}{_ms(t['lrnn'])}{_ms(t['floor'])}{_ms(t['torch'])}{over:11.0f}{ratio}")


if __name__ == "__main__":
    main()
