"""Time the compute behind the vanishing/exploding-gradient explorer (not a test).

At N = 200, d_s = 64 the gradient-norm profile must take well under 50 ms, so that
a widget callback (matrix + forward pass + profile + bound) stays under 100 ms. The last
block times the explorer's own compute, ``lrnn.widgets.vanishing_gradient_view`` (Ch. 3),
at N = 200 for every gain of its live grid and every setting of the other controls, and then
Ch. 1's ``lrnn.widgets.discretization_view`` at every step size of its live slider (typically 30 ms)
and Ch. 5's ``lrnn.widgets.gate_dynamics_view`` at every setting of its live slider (typically 4 ms).
Run: python benchmarks/bench_explorer.py (``--smoke``: one call of each, a check rather than a timing)
"""

import argparse
import time

import numpy as np

from lrnn.rnn import RNNParams, rnn_forward
from lrnn.rnn_gradients import gradient_norm_profile, make_recurrent_matrix, schematic_bound
from lrnn.widgets import (
    discretization_explorer,
    discretization_view,
    gate_dynamics_explorer,
    gate_dynamics_view,
    vanishing_gradient_explorer,
    vanishing_gradient_view,
)

N, D_S, D_X, REPEATS = 200, 64, 8, 30


def setup(rng, normal):
    W_r = make_recurrent_matrix(rng, D_S, 0.9, normal=normal)
    params = RNNParams(W_r=W_r, W_x=rng.standard_normal((D_S, D_X)) / np.sqrt(D_X), theta_s=np.zeros(D_S))
    return params, rnn_forward(params, rng.standard_normal((N, D_X)))


def callback(rng, ord, normal):
    params, trace = setup(rng, normal)
    return gradient_norm_profile(params, trace, ord=ord), schematic_bound(params, N, trace=trace)


def median_ms(f, *args, repeats=REPEATS, **kwargs):
    f(*args, **kwargs)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f(*args, **kwargs)
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times)), 1e3 * max(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--smoke", action="store_true", help="one call of each, one gain of the live grid")
    smoke = ap.parse_args(argv).smoke
    repeats = 1 if smoke else REPEATS
    rng = np.random.default_rng(0)
    for ord in ("fro", 2):
        for normal in (True, False):
            params, trace = setup(rng, normal)
            prof = median_ms(gradient_norm_profile, params, trace, ord=ord, repeats=repeats)
            full = median_ms(callback, rng, ord, normal, repeats=repeats)
            print(
                f"N={N} d_s={D_S} ord={ord!s:>3} normal={normal!s:<5}  "
                f"profile median {prof[0]:6.2f} ms (max {prof[1]:6.2f})  "
                f"whole callback median {full[0]:6.2f} ms (max {full[1]:6.2f})"
            )

    view_ms = []
    controls = {c.name: c for c in vanishing_gradient_explorer().controls}
    for gain in controls["gain"].live_values[:1] if smoke else controls["gain"].live_values:
        for scale in (1e-3, 0.3, 3.0):
            for family in controls["family"].values:
                kw = dict(gain=gain, N=N, input_scale=scale, family=family)
                view_ms.append(median_ms(vanishing_gradient_view, repeats=1 if smoke else 5, **kw))
    medians = [m for m, _ in view_ms]
    print(
        f"vanishing_gradient_view N={N} d_s={D_S}, {len(view_ms)} settings x {1 if smoke else 5} calls: "
        f"median {np.median(medians):6.2f} ms, slowest setting (median) {max(medians):6.2f} ms, "
        f"worst single call {max(w for _, w in view_ms):6.2f} ms"
    )

    # Ch. 1's explorer: its compute at every step size of the live slider (a callback per move)
    steps = {c.name: c for c in discretization_explorer().controls}["dT"].live_values
    disc = [median_ms(discretization_view, repeats=1 if smoke else 5, dT=dT, gain=2.5) for dT in steps]
    print(
        f"discretization_view, {len(disc)} live step sizes x {1 if smoke else 5} calls: "
        f"median {np.median([m for m, _ in disc]):6.2f} ms, worst single call {max(w for _, w in disc):6.2f} ms"
    )

    # Ch. 5's explorer: every signal at every b_cs of its live slider (typically 4 ms)
    ctl = {c.name: c for c in gate_dynamics_explorer().controls}
    gates = [
        median_ms(gate_dynamics_view, repeats=1 if smoke else 5, signal=signal, b_cs=b_cs, gain=4.0, b_cr=3.0)
        for signal in ctl["signal"].values
        for b_cs in ctl["b_cs"].live_values
    ]
    print(
        f"gate_dynamics_view, {len(gates)} live settings x {1 if smoke else 5} calls: "
        f"median {np.median([m for m, _ in gates]):6.2f} ms, worst single call {max(w for _, w in gates):6.2f} ms"
    )


if __name__ == "__main__":
    main()
