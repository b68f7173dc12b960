"""The associative scan against the step-by-step loop: h[n] = a[n] h[n-1] + b[n] for N = 10^2 .. 10^5.

For each length ``N`` and width ``d`` (the trailing size of one step: a batch times a state),
times :func:`lrnn.scan.linear_scan` and :func:`lrnn.scan.linear_scan_loop` on random complex
coefficients inside the unit circle, checks that they agree to 1e-12 (relative to the largest
``|h|``), and prints a table and, with ``--json``, the numbers as JSON.

    .venv/bin/python benchmarks/bench_scan.py                    # d = 1 and 64, N = 1e2 .. 1e5
    OPENBLAS_NUM_THREADS=1 nice .venv/bin/python benchmarks/bench_scan.py --repeat 5 --json out.json

Medians over ``--repeat`` runs (CPU time of this process, so that other jobs on a shared
machine distort it less than wall time). The loop costs one Python-level step per ``n``; the
scan costs ``ceil(log2 N)`` levels of whole-array operations, ``O(N d)`` work in all. Where
``d`` is small the loop's per-step overhead dominates and the scan wins by a wide margin; where
``d`` is large both are limited by memory traffic, and the scan, which touches each element a
few times more, can be slower on one core. Its advantage there is its depth, which only
parallel hardware turns into speed.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import numpy as np

from lrnn.scan import linear_scan, linear_scan_loop


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--widths", type=int, nargs="+", default=[1, 64])
    ap.add_argument("--lengths", type=int, nargs="+", default=[100, 1_000, 10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    a = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    rows = []
    print(f"{'N':>8} {'d':>4} {'scan ms':>10} {'loop ms':>10} {'loop/scan':>10} {'rel. diff':>10}")
    for d in a.widths:
        for N in a.lengths:
            lam = np.sqrt(rng.uniform(0.8, 0.99, (N, d))) * np.exp(1j * rng.uniform(0, np.pi / 10, (N, d)))
            b = rng.standard_normal((N, d)) + 1j * rng.standard_normal((N, d))
            h_scan, h_loop = linear_scan(lam, b), linear_scan_loop(lam, b)
            diff = float(np.max(np.abs(h_scan - h_loop)) / np.max(np.abs(h_loop)))
            assert diff < 1e-12, (N, d, diff)
            t_scan = median_seconds(lambda lam=lam, b=b: linear_scan(lam, b), a.repeat)
            t_loop = median_seconds(lambda lam=lam, b=b: linear_scan_loop(lam, b), a.repeat)
            rows.append(dict(N=N, d=d, scan_seconds=t_scan, loop_seconds=t_loop, rel_diff=diff))
            ratio = t_loop / t_scan if t_scan > 0 else float("inf")
            print(f"{N:>8} {d:>4} {1e3 * t_scan:>10.2f} {1e3 * t_loop:>10.2f} {ratio:>10.1f} {diff:>10.1e}")
    if a.json:
        meta = dict(python=platform.python_version(), numpy=np.__version__, machine=platform.machine())
        with open(a.json, "w") as fh:
            json.dump(dict(meta=meta, rows=rows), fh, indent=1)


if __name__ == "__main__":
    main()
