"""Ch. 3 explorer: vanishing and exploding gradients in the standard RNN (Sec. IV, Eqs. 91-93)."""

from __future__ import annotations

import numpy as np

from .explorer import Control, Explorer, Panel, Series, View, sci

__all__ = ["vanishing_gradient_view", "vanishing_gradient_explorer"]

_VG_SEED = 1994  # Bengio et al. (1994): the same W_r and inputs in every frame and every run
_VG_D = 64  # d_s
_VG_YLIM = (1e-16, 1e16)
_VG_RAILS = 0.1  # a unit is "on the rails" when G'(s) = 1 - tanh(s)^2 < 0.1, i.e. |s| > 1.82


def _vg_network(rho: float, N: int, input_scale: float, normal: bool):
    """The explorer's RNN: ``W_r`` of spectral radius ``rho``, ``W_x = I``, ``theta_s = 0``, Gaussian inputs."""
    from ..rnn import RNNParams, rnn_forward
    from ..rnn_gradients import make_recurrent_matrix

    rng = np.random.default_rng(_VG_SEED)
    W_r = make_recurrent_matrix(rng, _VG_D, rho, normal=normal, nonnormality=3.5)
    params = RNNParams(W_r=W_r, W_x=np.eye(_VG_D), theta_s=np.zeros(_VG_D))
    x = input_scale * rng.standard_normal((200, _VG_D))[-N:]  # one input sequence, N <= 200
    return params, rnn_forward(params, x)


def _vg_thin(y: np.ndarray, n_points: int = 40):
    """Lags ``0..N-1`` thinned to about ``n_points`` (a smooth log curve needs no more), values clipped
    to the panel and cut after the first point that leaves it (keeps the static page small)."""
    lags = np.unique(np.round(np.linspace(0, len(y) - 1, min(len(y), n_points))).astype(int))
    lo, hi = _VG_YLIM
    v = np.clip(y[lags], lo / 10, hi * 10)
    out = np.flatnonzero((v < lo) | (v > hi))
    keep = len(lags) if out.size == 0 else out[0] + 1
    return lags[:keep], np.array([float(f"{t:.3g}") for t in v[:keep]])


def _vg_blocks(y: np.ndarray, n_points: int = 25):
    """Block means of ``y`` (about ``n_points`` blocks) and the lag at each block's centre."""
    k = int(np.ceil(len(y) / n_points))
    m = len(y) // k * k
    means = y[:m].reshape(-1, k).mean(axis=1) if m else y[:1]
    lags = (np.arange(len(means)) * k + (k - 1) / 2).round(1)
    if np.ptp(means) < 1e-4:  # a constant (the linear network): two points draw it
        return lags[[0, -1]], means[[0, -1]].round(3)
    return lags, means.round(3)


def _vg_sentence(v: dict, activation: str, normal: bool) -> str:
    """What the reader sees, in words, from the numbers in ``v`` (see :func:`vanishing_gradient_view`)."""
    rho, N, final, rate = v["rho"], v["N"], v["final"], v["rate"]
    grows = rho > 1 and v["first_dG"] > 0.98  # quasi-linear at first: the state grows, then saturates
    regime = "linear" if activation == "linear" or v["min_dG"] > 0.9 else "late" if grows else "rails"
    verb = "saturate" if v["mean_dG"] < 0.6 else "bend"
    head = {
        "linear": f"ρ = {rho:g}, tanh stays quasi-linear (G' ≥ 0.9 at every step):",
        "late": f"ρ = {rho:g}: the state grows until tanh saturates (mean G' falls to {v['min_dG']:.2f}):",
        "rails": f"ρ = {rho:g} {'but' if rho >= 1 else 'and'} the inputs {verb} tanh (mean G' = {v['mean_dG']:.2f}):",
    }[regime]
    if activation == "linear":
        head = f"Linear G (G' = 1), ρ = {rho:g}:"
    if final < 1e-3:
        fate = f"the gradient {'still ' if rho >= 1 else ''}vanishes, {sci(final, 1)} after {N - 1} steps"
        fate += f" (below 10⁻⁷ after {v['lag_1e-7']})" if v["lag_1e-7"] is not None else ""
    else:
        word = "explodes" if final > 1e3 else "grows" if final > 1.5 else "survives"
        fate = f"the gradient {word}, {sci(final)} after {N - 1} steps"
    skew = f"W_{{r}} is non-normal: ‖W_{{r}}‖₂ = {v['norm2']:.1f}"
    if not normal and rho < 1 and v["peak"] > 1.5:
        then = "before it decays" if v["peak_lag"] < N - 2 else "and is still growing"
        peak = f"{v['peak']:.3g}× (peak at lag {v['peak_lag']})"
        why = f"{skew} although ρ = {rho:g}, so the gradient first grows {peak} {then}."
    elif regime == "linear" and abs(rate - rho) <= 0.02 * rho:
        why = f"It follows ρ^{{lag}}: measured rate {rate:.3f} per step."
    elif regime == "linear":
        cause = skew if not normal else f"Over {N} steps the smaller eigenvalues still count"
        why = f"{cause}: measured rate {rate:.3f} per step, not yet ρ."
    elif regime == "late":
        why = "Over the saturated last steps G' shrinks it; further back, where tanh is quasi-linear, it grows again."
    elif rho > 1 and final < 1e-3 and verb == "saturate":
        why = "Explosion ends in saturation, and on the rails G' → 0 kills the gradient (the paper's argument)."
    elif rate < rho:
        why = f"G' < 1 pulls the rate below ρ: measured {rate:.3g} per step."
    else:
        why = f"Rate {rate:.3g} per step, above ρ: with a non-normal W_{{r}} the G' factors move the eigenvalues."
    return f"{head} {fate}. {why}"


def vanishing_gradient_view(
    rho: float = 0.9, N: int = 100, input_scale: float = 0.0001, activation: str = "tanh", W_r: str = "normal"
) -> View:
    """Compute behind :func:`vanishing_gradient_explorer` for one setting (Sec. IV, Eqs. 91-93).

    A standard RNN (Eq. 32) with ``d_s = 64``, ``W_r`` from :func:`lrnn.rnn_gradients.make_recurrent_matrix`
    (seeded), ``W_x = I``, ``theta_s = 0`` and Gaussian inputs, run over ``N`` steps; then the exact
    product ``P_lag = dpsi[N-1-lag]/dpsi[N-1]`` (pitfall P2) from :func:`lrnn.rnn_gradients.gradient_norm_profile`.

    Parameters
    ----------
    rho : float
        Spectral radius of ``W_r``.
    N : int
        Sequence length, 2 <= N <= 200.
    input_scale : float
        Standard deviation of every input component; large values drive tanh onto its rails.
    activation : {"tanh", "linear"}
        ``"linear"`` sets every ``G'(s[n]) = 1`` (the linearised network, tanh's slope at rest).
    W_r : {"normal", "non-normal"}
        Symmetric ``W_r`` or the same eigenvalues with a non-normal part of norm 3.5.

    Returns
    -------
    View
        Left: ``||P_lag||_F / sqrt(d_s)`` against the lag (log scale), with ``rho^lag`` and the schematic
        bound of Eqs. 92-93. Right: the mean of ``G'(s[N-1-lag])`` over the units and the fraction on
        the rails. ``values`` holds ``rho, N, norm2, final, peak, peak_lag, rate, mean_dG, min_dG, first_dG, lag_1e-7``.

    Raises
    ------
    ValueError
        If ``N``, ``activation`` or ``W_r`` is out of range.

    Examples
    --------
    >>> v = vanishing_gradient_view(rho=0.9, N=100, input_scale=1e-4)
    >>> round(v.values["rate"], 2)
    0.9
    """
    from ..rnn import RNNTrace
    from ..rnn_gradients import gradient_norm_profile, schematic_bound

    if activation not in ("tanh", "linear") or W_r not in ("normal", "non-normal") or not 2 <= int(N) <= 200:
        raise ValueError(
            f"activation = {activation!r}, W_r = {W_r!r}, N = {N}: expected 'tanh' or 'linear', "
            "'normal' or 'non-normal', and 2 <= N <= 200."
        )
    N, normal = int(N), W_r == "normal"
    params, trace = _vg_network(rho, N, input_scale, normal)
    if activation == "linear":  # G'(s) = 1 everywhere: the same profile as a trace at rest, s = 0
        trace = RNNTrace(s=np.zeros_like(trace.s), r=np.zeros_like(trace.s), x=trace.x, s0=trace.s0)
    dG = 1.0 - np.tanh(trace.s) ** 2  # G'(s[n]), (N, d_s)
    prof = gradient_norm_profile(params, trace) / np.sqrt(_VG_D)  # ||P||_F / sqrt(d_s): 1 at lag 0
    bound = schematic_bound(params, N, trace=trace)  # (||W_r||_2 max G')^lag, Eqs. 92-93
    half = (N - 1) // 2
    tiny = np.flatnonzero(prof < 1e-7)
    values = {
        "rho": float(rho),
        "N": N,
        "norm2": float(np.linalg.norm(params.W_r, 2)),
        "final": float(prof[-1]),
        "peak": float(prof.max()),
        "peak_lag": int(prof.argmax()),
        "rate": float((max(prof[-1], 1e-300) / max(prof[half], 1e-300)) ** (1.0 / (N - 1 - half))),
        "mean_dG": float(dG.mean()),
        "min_dG": float(dG.mean(axis=1).min()),  # the most saturated step
        "first_dG": float(dG[: max(1, N // 10)].mean()),  # the first tenth of the sequence
        "lag_1e-7": int(tiny[0]) if tiny.size else None,
    }
    ends = np.array([0, N - 1])
    left = Panel(
        series=(
            Series(*_vg_thin(prof), "measured ‖∂ψ[n]/∂ψ[N-1]‖ (exact product)", "line", 0),
            Series(ends, [1.0, float(rho) ** (N - 1)], "ρ^{lag} (eigenvalue rate)", "dashed", 3),
            Series(ends, [1.0, float(bound[-1])], "(‖W_{r}‖₂ max G′)^{lag}, Eqs. 92-93", "dotted", 7),
        ),
        title="gradient norm going back in time",
        xlabel="lag = N-1-n (steps back)",
        ylabel="‖∂ψ[n]/∂ψ[N−1]‖_{F} / √d_{s}",
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
        xlabel="lag = N-1-n (steps back)",
        ylabel="G′ and fraction",
        xlim=(0, N - 1),
        ylim=(0.0, 1.05),
    )
    text = _vg_sentence(values, activation, normal)
    return View(panels=(left, right), text=text, values=values)


def vanishing_gradient_explorer() -> Explorer:
    """Ch. 3 explorer: spectral radius, length, input scale, activation and normality of ``W_r``.

    Examples
    --------
    >>> ex = vanishing_gradient_explorer()
    >>> [c.name for c in ex.controls]
    ['rho', 'N', 'input_scale', 'activation', 'W_r']
    """
    return Explorer(
        title="Vanishing and exploding gradients in a 64-unit RNN",
        controls=(
            Control(
                "rho",
                "spectral radius ρ of W_{r}",
                (0.8, 0.9, 1.0, 1.1, 1.2),
                0.9,
                live_values=tuple(round(0.5 + 0.05 * k, 2) for k in range(21)),
            ),
            Control("N", "length N", (50, 100, 200), 100, live_values=(20, 50, 100, 150, 200)),
            Control(
                "input_scale",
                "input scale",
                (0.0001, 0.3, 3.0),
                0.0001,
                live_values=(0.0001, 0.001, 0.01, 0.1, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0),
            ),
            Control("activation", "G", ("tanh", "linear"), "tanh"),
            Control("W_r", "W_{r}", ("normal", "non-normal"), "normal"),
        ),
        compute=vanishing_gradient_view,
        caption="Raise ρ past 1 with tiny inputs: the gradient grows, until the state saturates. Turn the input "
        "scale up: G' collapses on the rails and the gradient vanishes whatever ρ is. Switch W_{r} to non-normal: "
        "the gradient first grows although ρ < 1.",
    )


# -- Ch. 4: gradient flow through the RNN and the gated cell --------------------------------------
