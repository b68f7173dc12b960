"""Time the compute behind the vanishing/exploding-gradient explorer (not a test).

At N = 200, d_s = 64 the gradient-norm profile must take well under 50 ms, so that
a widget callback (matrix + forward pass + profile + bound) stays under 100 ms.
Run: python benchmarks/bench_explorer.py
"""

import time

import numpy as np

from lrnn.analysis import gradient_norm_profile, make_recurrent_matrix, schematic_bound
from lrnn.rnn import RNNParams, rnn_forward

N, D_S, D_X, REPEATS = 200, 64, 8, 30


def setup(rng, normal):
    W_r = make_recurrent_matrix(rng, D_S, 0.9, normal=normal)
    params = RNNParams(W_r=W_r, W_x=rng.standard_normal((D_S, D_X)) / np.sqrt(D_X), theta_s=np.zeros(D_S))
    return params, rnn_forward(params, rng.standard_normal((N, D_X)))


def callback(rng, ord, normal):
    params, trace = setup(rng, normal)
    return gradient_norm_profile(params, trace, ord=ord), schematic_bound(params, N, trace=trace)


def median_ms(f, *args, **kwargs):
    f(*args, **kwargs)  # warm-up
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        f(*args, **kwargs)
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times)), 1e3 * max(times)


def main():
    rng = np.random.default_rng(0)
    for ord in ("fro", 2):
        for normal in (True, False):
            params, trace = setup(rng, normal)
            prof = median_ms(gradient_norm_profile, params, trace, ord=ord)
            full = median_ms(callback, rng, ord, normal)
            print(
                f"N={N} d_s={D_S} ord={ord!s:>3} normal={normal!s:<5}  "
                f"profile median {prof[0]:6.2f} ms (max {prof[1]:6.2f})  "
                f"whole callback median {full[0]:6.2f} ms (max {full[1]:6.2f})"
            )


if __name__ == "__main__":
    main()
