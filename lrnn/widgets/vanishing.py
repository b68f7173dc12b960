"""Ch. 3 explorer: vanishing and exploding gradients in the standard RNN (Sec. IV, Eqs. 91-93)."""

from __future__ import annotations

import numpy as np

from .explorer import Control, Explorer
from .view import Panel, Series, View, sci

__all__ = ["vanishing_gradient_view", "vanishing_gradient_explorer"]

_VG_SEED = 1995  # the same W_r and inputs in every frame; a typical draw (Gaussian rho within 3% of the gain)
_VG_D = 64  # d_s
_VG_NMAX = 300  # longest segment
_VG_LYAP = (100, 400)  # the Lyapunov readout: a 400-step run from rest, the first 100 steps left out
_VG_YLIM = (1e-16, 1e16)
_VG_RAILS = 0.1  # a unit is "on the rails" when G'(s) = 1 - tanh(s)^2 < 0.1, i.e. |s| > 1.82
_VG_CHAOS = 0.005  # |lambda_1| below this (per step) counts as zero: the edge of chaos


def _vg_network(gain: float, N: int, input_scale: float, family: str):
    """The explorer's RNN: ``W_r`` of the family and gain, ``W_x = I``, ``theta_s = 0``, Gaussian inputs.

    Returns the parameters, the trace of the first ``N`` steps from rest, and the largest Lyapunov
    exponent of the same network driven by the same kind of input for ``_VG_LYAP[1]`` steps.
    """
    from ..rnn import RNNParams, rnn_forward
    from ..rnn_gradients import lyapunov_exponents, recurrent_matrix

    rng = np.random.default_rng(_VG_SEED)
    W_r = recurrent_matrix(rng, _VG_D, gain, family)
    params = RNNParams(W_r=W_r, W_x=np.eye(_VG_D), theta_s=np.zeros(_VG_D))
    x = input_scale * rng.standard_normal((_VG_LYAP[1], _VG_D))  # one input sequence; the segment is its start
    long_run = rnn_forward(params, x)
    lam = float(lyapunov_exponents(params, long_run, skip=_VG_LYAP[0])[0])
    return params, rnn_forward(params, x[:N]), lam


def _vg_thin(y: np.ndarray, n_points: int = 32):
    """Lags ``0..N-1`` thinned to about ``n_points`` (a smooth log curve needs no more), values clipped
    to the panel and cut after the first point that leaves it (keeps the static page small)."""
    lags = np.unique(np.round(np.linspace(0, len(y) - 1, min(len(y), n_points))).astype(int))
    lo, hi = _VG_YLIM
    v = np.clip(y[lags], lo / 10, hi * 10)
    out = np.flatnonzero((v < lo) | (v > hi))
    keep = len(lags) if out.size == 0 else out[0] + 1
    return lags[:keep], np.array([float(f"{t:.3g}") for t in v[:keep]])


def _vg_blocks(y: np.ndarray, n_points: int = 20):
    """Block means of ``y`` (about ``n_points`` blocks) and the lag at each block's centre."""
    k = int(np.ceil(len(y) / n_points))
    m = len(y) // k * k
    means = y[:m].reshape(-1, k).mean(axis=1) if m else y[:1]
    lags = (np.arange(len(means)) * k + (k - 1) / 2).round(1)
    if np.ptp(means) < 1e-4:  # a constant (the linear network): two points draw it
        return lags[[0, -1]], means[[0, -1]].round(3)
    return lags, means.round(3)


_VG_NAMES = {"gaussian": "Gaussian", "symmetric": "symmetric", "orthogonal": "orthogonal", "non-normal": "non-normal"}


def _vg_sentence(v: dict, activation: str, family: str) -> str:
    """What the reader sees, in words, from the numbers in ``v`` (see :func:`vanishing_gradient_view`)."""
    gain, N, final, rate, lam = v["gain"], v["N"], v["final"], v["rate"], v["lyapunov"]
    linear = activation == "linear" or v["min_dG"] > 0.9
    head = f"{_VG_NAMES[family]} W_{{r}}, gain {gain:g} (ρ = {v['rho']:.2f}), "
    if activation == "linear":
        head += "linear G (G′ = 1):"
    elif linear:
        head += "tanh stays quasi-linear (G′ ≥ 0.9 at every step):"
    else:
        head += f"tanh saturates (mean G′ = {v['mean_dG']:.2f}):"
    if final < 1e-3:
        fate = f"the gradient vanishes, {sci(final, 1)} after {N - 1} steps"
        fate += f" (below 10⁻⁷ after {v['lag_1e-7']})" if v["lag_1e-7"] is not None else ""
    else:
        word = "explodes" if final > 1e3 else "grows" if final > 1.5 else "survives"
        fate = f"the gradient {word}, {sci(final)} after {N - 1} steps"
    skew = f"W_{{r}} is non-normal: ‖W_{{r}}‖₂ = {v['norm2']:.1f}"
    lyap = f"largest Lyapunov exponent λ₁ = {lam:+.3f} per step"
    if not linear and lam > _VG_CHAOS:
        why = f"Saturated, yet chaotic: {lyap} > 0, so the gradient grows about {np.exp(lam):.2f}× per step."
        if v["rho"] > 1:
            why += " Saturation does not stop the explosion (erratum P16)."
    elif not linear and lam < -_VG_CHAOS:
        why = f"The state settles: {lyap} < 0."
        if v["rho"] > 1 and final < 1e-3:
            why += " Here saturation does end the explosion, as the paper argues."
    elif not linear:
        why = f"The {lyap} is about zero: the edge of chaos, where gradients fade or grow only slowly."
    elif family == "non-normal" and v["rho"] < 1 and v["peak"] > 1.5:
        then = "before it decays" if v["peak_lag"] < N - 2 else "and is still growing"
        peak = f"{v['peak']:.3g}× (peak at lag {v['peak_lag']})"
        why = f"{skew} although ρ < 1, so the gradient first grows {peak} {then}."
    elif abs(rate - v["rho"]) <= 0.02 * v["rho"]:
        why = f"It follows ρ^{{lag}}: measured rate {rate:.3f} per step."
    else:
        cause = skew if family == "non-normal" else f"over {N} steps the smaller eigenvalues still count"
        why = f"Measured rate {rate:.3f} per step, not yet ρ: {cause}."
    return f"{head} {fate}. {why}"


def vanishing_gradient_view(
    gain: float = 1.5, N: int = 200, input_scale: float = 0.001, family: str = "gaussian", activation: str = "tanh"
) -> View:
    """Compute behind :func:`vanishing_gradient_explorer` for one setting (Sec. IV, Eqs. 91-93).

    A standard RNN (Eq. 32) with ``d_s = 64``, ``W_r`` from :func:`lrnn.rnn_gradients.recurrent_matrix`
    (seeded), ``W_x = I``, ``theta_s = 0`` and Gaussian inputs, run over a segment of ``N`` steps from
    rest; then the exact product ``P_lag = dpsi[N-1-lag]/dpsi[N-1]`` (pitfall P2) from
    :func:`lrnn.rnn_gradients.gradient_norm_profile`, and the largest Lyapunov exponent of the same
    network and input statistics from :func:`lrnn.rnn_gradients.lyapunov_exponents` (400 steps, the
    first 100 left out).

    Parameters
    ----------
    gain : float
        Gain of ``W_r``: its spectral radius (about it, for the Gaussian family).
    N : int
        Segment length (the book's ``K``), 2 <= N <= 300.
    input_scale : float
        Standard deviation of every input component; large values drive tanh onto its rails.
    family : {"gaussian", "symmetric", "orthogonal", "non-normal"}
        The matrix family of :func:`lrnn.rnn_gradients.recurrent_matrix`.
    activation : {"tanh", "linear"}
        ``"linear"`` sets every ``G'(s[n]) = 1`` (the linearised network, tanh's slope at rest).

    Returns
    -------
    View
        Left: ``||P_lag||_F / sqrt(d_s)`` against the lag (log scale), with ``rho^lag``, the Lyapunov
        rate ``exp(lambda_1 lag)`` and the schematic bound of Eqs. 92-93. Right: the mean of
        ``G'(s[N-1-lag])`` over the units and the fraction on the rails. ``values`` holds
        ``gain, rho, N, norm2, final, peak, peak_lag, rate, mean_dG, min_dG, lag_1e-7, lyapunov``.

    Raises
    ------
    ValueError
        If ``N``, ``family`` or ``activation`` is out of range.

    Examples
    --------
    >>> v = vanishing_gradient_view(gain=0.9, N=100, family="symmetric", input_scale=1e-4)
    >>> round(v.values["rate"], 2)
    0.9
    >>> vanishing_gradient_view(gain=2.0).values["lyapunov"] > 0  # Gaussian W_r: chaotic
    True
    """
    from ..rnn import RNNTrace
    from ..rnn_gradients import FAMILIES, gradient_norm_profile, schematic_bound

    if activation not in ("tanh", "linear") or family not in FAMILIES or not 2 <= int(N) <= _VG_NMAX:
        raise ValueError(
            f"activation = {activation!r}, family = {family!r}, N = {N}: expected 'tanh' or 'linear', "
            f"one of {FAMILIES}, and 2 <= N <= {_VG_NMAX}."
        )
    N = int(N)
    params, trace, lam = _vg_network(gain, N, input_scale, family)
    rho = float(np.abs(np.linalg.eigvals(params.W_r)).max())
    if activation == "linear":  # G'(s) = 1 everywhere: the same profile as a trace at rest, s = 0
        trace = RNNTrace(s=np.zeros_like(trace.s), r=np.zeros_like(trace.s), x=trace.x, s0=trace.s0)
        lam = float(np.log(rho))  # the linear map's exponent is log rho
    dG = 1.0 - np.tanh(trace.s) ** 2  # G'(s[n]), (N, d_s)
    prof = gradient_norm_profile(params, trace) / np.sqrt(_VG_D)  # ||P||_F / sqrt(d_s): 1 at lag 0
    bound = schematic_bound(params, N, trace=trace)  # (||W_r||_2 max G')^lag, Eqs. 92-93
    half = (N - 1) // 2
    tiny = np.flatnonzero(prof < 1e-7)
    values = {
        "gain": float(gain),
        "rho": rho,
        "N": N,
        "norm2": float(np.linalg.norm(params.W_r, 2)),
        "final": float(prof[-1]),
        "peak": float(prof.max()),
        "peak_lag": int(prof.argmax()),
        "rate": float((max(prof[-1], 1e-300) / max(prof[half], 1e-300)) ** (1.0 / (N - 1 - half))),
        "mean_dG": float(dG.mean()),
        "min_dG": float(dG.mean(axis=1).min()),  # the most saturated step
        "lag_1e-7": int(tiny[0]) if tiny.size else None,
        "lyapunov": lam,
    }
    ends = np.array([0, N - 1])
    left = Panel(
        series=(
            Series(*_vg_thin(prof), "measured ‖∂ψ[n]/∂ψ[K-1]‖ (exact product)", "line", 0),
            Series(ends, [1.0, rho ** (N - 1)], "ρ^{lag} (eigenvalue rate)", "dashed", 3),
            Series(ends, [1.0, float(np.exp(lam * (N - 1)))], "exp(λ₁ · lag) (Lyapunov rate)", "dashed", 2),
            Series(ends, [1.0, float(bound[-1])], "(‖W_{r}‖₂ max G′)^{lag}, Eqs. 92-93", "dotted", 7),
        ),
        title="gradient norm going back in time",
        xlabel="lag = K−1−n (steps back)",
        ylabel="‖∂ψ[n]/∂ψ[K−1]‖_{F} / √d_{s}",
        logy=True,
        xlim=(0, N - 1),
        ylim=_VG_YLIM,
    )
    back = dG[::-1]  # entry lag: G'(s[N-1-lag])
    right = Panel(
        series=(
            Series(*_vg_blocks(back.mean(axis=1)), "mean G'(s[n]) over units", "line", 2),
            Series(*_vg_blocks((back < _VG_RAILS).mean(axis=1)), "fraction on the rails (G' < 0.1)", "dashed", 1),
        ),
        title="saturation along the way back",
        xlabel="lag = K−1−n (steps back)",
        ylabel="G′ and fraction",
        xlim=(0, N - 1),
        ylim=(0.0, 1.05),
    )
    text = _vg_sentence(values, activation, family)
    return View(panels=(left, right), text=text, values=values)


def vanishing_gradient_explorer() -> Explorer:
    """Ch. 3 explorer: matrix family, gain, segment length and input scale of a 64-unit RNN.

    Examples
    --------
    >>> ex = vanishing_gradient_explorer()
    >>> [c.name for c in ex.controls]
    ['family', 'gain', 'N', 'input_scale']
    """
    from ..rnn_gradients import FAMILIES

    return Explorer(
        title="Vanishing and exploding gradients in a 64-unit RNN",
        controls=(
            Control("family", "W_{r}", FAMILIES, "gaussian"),
            Control(
                "gain",
                "gain g of W_{r} (ρ ≈ g)",
                (0.8, 1.0, 1.2, 1.5, 2.0),
                1.5,
                live_values=tuple(round(0.5 + 0.1 * k, 1) for k in range(26)),
            ),
            Control("N", "segment length K", (50, 100, 200), 200, fmt="{:d}", live_values=(20, 50, 100, 150, 200, 300)),
            Control(
                "input_scale",
                "input scale",
                (0.001, 0.3, 3.0),
                0.001,
                live_values=(0.0001, 0.001, 0.01, 0.1, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0),
            ),
        ),
        compute=vanishing_gradient_view,
        caption="Raise the gain past 1: the gradient grows until the state saturates. Then compare families: "
        "a Gaussian (generic) W_{r} stays chaotic on the rails (λ₁ > 0) and its gradient keeps exploding, a "
        "symmetric one settles (λ₁ < 0) and its gradient vanishes. Turn the input scale up: strong inputs "
        "suppress the chaos.",
    )


# -- Ch. 4: gradient flow through the RNN and the gated cell --------------------------------------
