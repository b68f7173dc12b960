"""Vanilla LSTM forward + backward (lrnn.lstm, lrnn.lstm_bptt) against its own BLAS roofline.

The "roofline" is the time of the very matrix products that one forward and one
backward pass perform (same shapes, same memory layouts, same count), run back
to back with numpy and nothing else. ``roofline / (forward + backward)`` is the
fraction of the time spent in BLAS; the rest is Python and element-wise numpy.

    .venv/bin/python benchmarks/bench_lstm.py            # B=64, d_x=64, d_s=256, N=100
    .venv/bin/python benchmarks/bench_lstm.py --repeat 21 --N 50

Runs interleave (LSTM, roofline, LSTM, ...) so that machine noise hits both alike;
medians are reported. The BLAS thread count is whatever the environment sets.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np

from lrnn.lstm import LSTMParams, lstm_forward
from lrnn.lstm_bptt import lstm_backward


def products(N: int, B: int, d_x: int, d: int):
    """The matrix products of one forward + backward pass: (phase, left operand, right operand, count).

    Each operand is ``(shape, layout)`` with layout ``"C"`` (contiguous), ``"S<k>"`` (a
    column slice of a contiguous array k times wider) or ``"T"`` + layout (the transpose
    of such an array), as in the code of ``lstm_forward`` / ``lstm_backward``.
    """
    NB = N * B
    return [
        ("forward", ((NB, d_x), "C"), ((d_x, 4 * d), "T"), 1),  # W_x_* x[n], all n
        ("forward", ((B, d), "C"), ((d, 4 * d), "T"), N),  # W_v_* v[n-1]
        ("forward", ((B, d), "C"), ((d, 2 * d), "T"), N),  # W_s_cu, W_s_cs s[n-1]
        ("forward", ((B, d), "C"), ((d, d), "T"), N),  # W_s_cr s[n]
        ("backward", ((B, 4 * d), "C"), ((4 * d, d), "C"), N),  # f_chi, Eq. 154
        ("backward", ((B, 2 * d), "S2"), ((2 * d, d), "C"), N),  # f_psi, Eq. 155
        ("backward", ((B, d), "S4"), ((d, d), "C"), N),  # W_s_cr^T alpha_cr, Eq. 150 (P3)
        ("backward", ((4 * d, NB), "T"), ((NB, d_x), "C"), 1),  # dE/dW_x_*
        ("backward", ((4 * d, NB), "T"), ((NB, d), "C"), 1),  # dE/dW_v_*
        ("backward", ((2 * d, NB), "TS2"), ((NB, d), "C"), 1),  # dE/dW_s_cu, dE/dW_s_cs (slice of alpha)
        ("backward", ((d, NB), "TS4"), ((NB, d), "C"), 1),  # dE/dW_s_cr (slice of alpha)
    ]


def _operand(rng, shape, layout):
    if layout == "C":
        return rng.standard_normal(shape)
    if layout.startswith("T"):
        return _operand(rng, shape[::-1], layout[1:] or "C").T
    k = int(layout[1:])  # column slice of a k-times wider array, like alpha[n, :, :2 d_s]
    return rng.standard_normal((shape[0], k * shape[1]))[:, : shape[1]]


def roofline_runner(rng, N, B, d_x, d, phase=None):
    """A function doing exactly the products of :func:`products` (one ``phase`` or all), outputs preallocated."""
    jobs = []
    for ph, (sa, la), (sb, lb), count in products(N, B, d_x, d):
        if phase in (None, ph):
            a, b = _operand(rng, sa, la), _operand(rng, sb, lb)
            jobs.append((a, b, np.empty((sa[0], sb[1])), count))

    def run():
        for a, b, out, count in jobs:
            for _ in range(count):
                np.matmul(a, b, out=out)

    return run


def flops(N, B, d_x, d, phase=None) -> float:
    """Floating-point operations of the products of one phase (or both)."""
    return sum(
        2.0 * sa[0] * sa[1] * sb[1] * c for ph, (sa, _), (sb, _), c in products(N, B, d_x, d) if phase in (None, ph)
    )


def _time(f):
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--B", type=int, default=64)
    ap.add_argument("--d_x", type=int, default=64)
    ap.add_argument("--d_s", type=int, default=256)
    ap.add_argument("--N", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    rng = np.random.default_rng(a.seed)
    params = LSTMParams.random(rng, a.d_x, a.d_s)  # with "pinhole" connections: the paper's Vanilla LSTM
    x = rng.standard_normal((a.N, a.B, a.d_x))
    dE_dv = rng.standard_normal((a.N, a.B, a.d_s))
    roof_f = roofline_runner(rng, a.N, a.B, a.d_x, a.d_s, "forward")
    roof_b = roofline_runner(rng, a.N, a.B, a.d_x, a.d_s, "backward")

    times = {"fwd": [], "bwd": [], "roof_f": [], "roof_b": []}
    for i in range(a.repeat + 2):  # the first two rounds warm up (page faults, BLAS threads)
        t_fwd, trace = _time(lambda: lstm_forward(params, x))
        t_bwd, _ = _time(lambda trace=trace: lstm_backward(params, trace, dE_dv))
        del trace
        t_rf, _ = _time(roof_f)
        t_rb, _ = _time(roof_b)
        if i >= 2:
            for k, v in zip(times, (t_fwd, t_bwd, t_rf, t_rb), strict=True):
                times[k].append(v)

    med = statistics.median
    tot = med([f + b for f, b in zip(times["fwd"], times["bwd"], strict=True)])
    roof = med([f + b for f, b in zip(times["roof_f"], times["roof_b"], strict=True)])
    fl = {ph: flops(a.N, a.B, a.d_x, a.d_s, ph) / 1e9 for ph in ("forward", "backward", None)}
    print(f"Vanilla LSTM, B = {a.B}, d_x = {a.d_x}, d_s = {a.d_s}, N = {a.N}, float64, with pinholes")
    print(f"numpy {np.__version__}, Python {platform.python_version()}, median of {a.repeat} interleaved runs\n")
    print(f"{'':26}{'lrnn [ms]':>10}{'products alone [ms]':>21}{'fraction':>10}{'GFLOP':>8}{'GFLOP/s':>9}")
    rows = [("forward (Eqs. 126-136)", med(times["fwd"]), med(times["roof_f"]), fl["forward"]),
            ("backward (Eqs. 137-172)", med(times["bwd"]), med(times["roof_b"]), fl["backward"]),
            ("forward + backward", tot, roof, fl[None])]  # fmt: skip
    for name, t, r, g in rows:
        print(f"{name:26}{1e3 * t:10.1f}{1e3 * r:21.1f}{100 * r / t:9.0f}%{g:8.2f}{g / t:9.1f}")
    frac = roof / tot
    n_prod = sum(c for *_, c in products(a.N, a.B, a.d_x, a.d_s))
    print(
        f"\nroofline fraction (BLAS time of the same {n_prod} products / lrnn time): {100 * frac:.0f} % (target 50 %)"
    )
    return frac


if __name__ == "__main__":
    main()
