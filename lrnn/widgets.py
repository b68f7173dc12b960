"""The book's interactive figures, one function per explorer (design.md Sec. 5).

Each function returns an :class:`lrnn.explorer.Explorer`: display it in a notebook
for the live ipywidgets face; the book's site shows its precomputed static face;
``Explorer.corners()`` runs its compute at the extremes of every control (tests).

Explorers::

    discretization_explorer      Ch. 1: the continuous additive model vs its sampled canonical RNN
    vanishing_gradient_explorer  Ch. 3: gradient norm against lag, spectral radius, saturation, non-normal W_r
    gradient_flow_explorer       Ch. 4: gradient norm against lag, standard RNN vs gated cell (state gate bias)
    gate_dynamics_explorer       Ch. 5: one LSTM unit writes, holds and reads a value under its gates
"""

from __future__ import annotations

import numpy as np

from .explorer import Control, Explorer, Panel, Series, View
from .ode import bump, discretize, example_model, integrate, sample_rnn

__all__ = ["discretization_explorer", "discretization_view", "vanishing_gradient_explorer", "vanishing_gradient_view"]

_T_END = 12.0
_CIRCLE = np.exp(1j * np.linspace(0.0, 2.0 * np.pi, 97))


def discretization_view(dT: float = 0.2, gain: float = 1.0) -> View:
    """Compute behind :func:`discretization_explorer` for one setting.

    Parameters
    ----------
    dT : float
        Sampling step (and delay, tau0 = dT) of the canonical RNN, Eqs. 15-29.
    gain : float
        Scale of the readout feedback ``B`` of :func:`lrnn.ode.example_model`.

    Returns
    -------
    View
        Left: ``s_1(t)`` of the continuous system and the RNN samples. Right: the
        eigenvalues of ``W_s + W_r`` against the unit circle.
    """
    model = example_model(gain)
    t_end = dT * round(_T_END / dT)
    sub = max(1, round(dT / 0.01))  # fine step h = dT / sub, about 0.01
    t_c, s_c = integrate(model, [0.0, 0.0], bump, t_end, h=dT / sub, tau0=dT)
    t_d, s_d = sample_rnn(model, dT, [0.0, 0.0], bump, t_end)
    err = float(np.abs(s_d - s_c[::sub]).max())
    p = discretize(model, dT)
    mu = np.linalg.eigvals(p.W_s + p.W_r)
    rho = float(np.abs(mu).max())
    keep = slice(None, None, max(1, len(t_c) // 240))  # a smooth curve needs no more than ~240 points
    left = Panel(
        series=(
            Series(t_c[keep], s_c[keep, 0], "continuous, Eq. 14", "line", 0),
            Series(t_d, s_d[:, 0], "canonical RNN, Eq. 30", "markers", 1),
        ),
        title="state component s1(t)",
        xlabel="time t",
        ylabel="s1",
    )
    right = Panel(
        series=(
            Series(_CIRCLE.real, _CIRCLE.imag, "unit circle", "dashed", 7),
            Series(mu.real, mu.imag, "eigenvalues of W_s + W_r", "markers", 3),
        ),
        title="small-signal eigenvalues",
        xlabel="Re",
        ylabel="Im",
        equal=True,
        xlim=(-1.6, 1.6),
        ylim=(-1.6, 1.6),
    )
    if rho < 1:
        fate = f"max |mu| = {rho:.2f} < 1: small signals decay back to rest after the input bump."
    else:
        fate = (
            f"max |mu| = {rho:.2f} > 1: small signals grow until tanh saturates; the state stays bounded "
            "but keeps oscillating, so small phase errors of the RNN accumulate."
        )
    text = f"dT = {dT:g}: the RNN samples miss the continuous state by at most {err:.3f}. {fate}"
    return View(panels=(left, right), text=text, values={"max_error": err, "spectral_radius": rho})


def discretization_explorer() -> Explorer:
    """Ch. 1 explorer: sampling step and feedback gain of the additive model.

    Examples
    --------
    >>> ex = discretization_explorer()
    >>> [c.name for c in ex.controls]
    ['dT', 'gain']
    """
    return Explorer(
        title="From the differential equation to the canonical RNN",
        controls=(
            Control(
                "dT", "step ΔT", (0.05, 0.1, 0.2, 0.4, 0.8), 0.2, live_values=(0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8)
            ),
            Control("gain", "feedback gain", (0.5, 1.0, 1.5, 2.0, 2.5), 1.0),
        ),
        compute=discretization_view,
        caption="Shrink ΔT and the markers close in on the curve; raise the gain past about 1.7 and the "
        "eigenvalues leave the unit circle: the response grows, then saturates.",
    )


# -- Ch. 3: vanishing and exploding gradients (Sec. IV, Eqs. 91-93) ----------------------------

_VG_SEED = 1994  # Bengio et al. (1994): the same W_r and inputs in every frame and every run
_VG_D = 64  # d_s
_VG_YLIM = (1e-16, 1e16)
_VG_RAILS = 0.1  # a unit is "on the rails" when G'(s) = 1 - tanh(s)^2 < 0.1, i.e. |s| > 1.82


def _vg_network(rho: float, N: int, input_scale: float, normal: bool):
    """The explorer's RNN: ``W_r`` of spectral radius ``rho``, ``W_x = I``, ``theta_s = 0``, Gaussian inputs."""
    from .analysis import make_recurrent_matrix
    from .rnn import RNNParams, rnn_forward

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
        fate = f"the gradient {'still ' if rho >= 1 else ''}vanishes, {final:.0e} after {N - 1} steps"
        fate += f" (below 1e-7 after {v['lag_1e-7']})" if v["lag_1e-7"] is not None else ""
    else:
        word = "explodes" if final > 1e3 else "grows" if final > 1.5 else "survives"
        fate = f"the gradient {word}, {final:.2g} after {N - 1} steps"
    skew = f"W_r is non-normal: ‖W_r‖₂ = {v['norm2']:.1f}"
    if not normal and rho < 1 and v["peak"] > 1.5:
        then = "before it decays" if v["peak_lag"] < N - 2 else "and is still growing"
        peak = f"{v['peak']:.3g}x (peak at lag {v['peak_lag']})"
        why = f"{skew} although ρ = {rho:g}, so the gradient first grows {peak} {then}."
    elif regime == "linear" and abs(rate - rho) <= 0.02 * rho:
        why = f"It follows ρ^lag: measured rate {rate:.3f} per step."
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
        why = f"Measured rate {rate:.3g} per step, above ρ: in a non-normal W_r the factors G' move the eigenvalues."
    return f"{head} {fate}. {why}"


def vanishing_gradient_view(
    rho: float = 0.9, N: int = 100, input_scale: float = 0.0001, activation: str = "tanh", W_r: str = "normal"
) -> View:
    """Compute behind :func:`vanishing_gradient_explorer` for one setting (Sec. IV, Eqs. 91-93).

    A standard RNN (Eq. 32) with ``d_s = 64``, ``W_r`` from :func:`lrnn.analysis.make_recurrent_matrix`
    (seeded), ``W_x = I``, ``theta_s = 0`` and Gaussian inputs, run over ``N`` steps; then the exact
    product ``P_lag = dpsi[N-1-lag]/dpsi[N-1]`` (pitfall P2) from :func:`lrnn.analysis.gradient_norm_profile`.

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
    from .analysis import gradient_norm_profile, schematic_bound
    from .rnn import RNNTrace

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
            Series(ends, [1.0, float(rho) ** (N - 1)], "ρ^lag (eigenvalue rate)", "dashed", 3),
            Series(ends, [1.0, float(bound[-1])], "(‖W_r‖₂ max G')^lag, Eqs. 92-93", "dotted", 7),
        ),
        title="gradient norm going back in time",
        xlabel="lag = N-1-n (steps back)",
        ylabel="‖∂ψ[n]/∂ψ[N-1]‖_F / √d_s",
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
        ylabel="G' and fraction",
        xlim=(0, N - 1),
        ylim=(0.0, 1.3),  # room above 1 for the legend
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
                "spectral radius ρ of W_r",
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
            Control("W_r", "W_r", ("normal", "non-normal"), "normal"),
        ),
        compute=vanishing_gradient_view,
        caption="Raise ρ past 1 with tiny inputs: the gradient grows, until the state saturates. Turn the input "
        "scale up: G' collapses on the rails and the gradient vanishes whatever ρ is. Switch W_r to non-normal: "
        "the gradient first grows although ρ < 1.",
    )


# -- Ch. 4: gradient flow through the RNN and the gated cell --------------------------------------

__all__ += ["gradient_flow_explorer", "gradient_flow_view"]

_FLOW_D, _FLOW_DX, _FLOW_NMAX = 8, 2, 200  # d_s, d_x, longest sequence
_FLOW_CACHE: dict = {}


def _flow_setup():
    """Fixed random ingredients of :func:`gradient_flow_view` (the same for every control value)."""
    if "setup" not in _FLOW_CACHE:
        from .analysis import make_recurrent_matrix
        from .lstm import LSTMParams

        rng = np.random.default_rng(1997)
        W_unit = make_recurrent_matrix(rng, _FLOW_D, 1.0)  # spectral radius 1, symmetric
        W_x = rng.standard_normal((_FLOW_D, _FLOW_DX)) / np.sqrt(_FLOW_DX)
        x = 0.5 * rng.standard_normal((_FLOW_NMAX, _FLOW_DX))
        gates = LSTMParams.random(rng, _FLOW_DX, _FLOW_D, peepholes=False, scale=0.3)
        _FLOW_CACHE["setup"] = (W_unit, W_x, x, gates)
    return _FLOW_CACHE["setup"]


def gradient_flow_view(b_cs: float = 4.0, spectral_radius: float = 1.0, N: int = 200) -> View:
    """Compute behind :func:`gradient_flow_explorer`: ``||psi[n]||`` against the lag, RNN vs gated cell.

    Both cells have the same recurrent weights ``W_r`` (spectral radius ``spectral_radius``;
    in the LSTM it is ``W_v_du``, the bridge of Sec. V), the same ``W_x`` and the same input.
    The loss is a unit loss at the last step, ``dE/dr[N-1]`` (RNN) or ``dE/dv[N-1]`` (LSTM)
    a unit vector; ``psi[n] = dE/ds[n]`` comes from :func:`lrnn.rnn.rnn_backward` and
    :func:`lrnn.lstm_bptt.lstm_backward`.

    Parameters
    ----------
    b_cs : float
        Bias of the control state gate ("forget gate"), ``g_cs ~ G_c(b_cs)``.
    spectral_radius : float
        Spectral radius of ``W_r``.
    N : int
        Sequence length (lags ``0 .. N-1``).

    Returns
    -------
    View
        One panel, ``log10 ||psi[N-1-lag]||`` for both cells and the Eq. 182 estimate
        ``prod g_cs`` for the gated cell; ``values`` holds ``rnn_end``, ``lstm_end``,
        ``estimate_end`` (log10 at the largest lag), ``rnn_drop``, ``lstm_drop`` (decades
        lost between lag 0 and the largest lag), ``g_cs_mean`` and ``rnn_dG_mean`` (mean tanh'
        of the RNN's state).
    """
    import dataclasses

    from .lstm import lstm_forward
    from .lstm_bptt import lstm_backward
    from .rnn import RNNParams, rnn_backward, rnn_forward

    W_unit, W_x, x, gates = _flow_setup()
    N = int(N)
    x = x[:N]
    W_r = spectral_radius * W_unit
    rnn = RNNParams(W_r=W_r, W_x=W_x, theta_s=np.zeros(_FLOW_D))
    lstm = dataclasses.replace(gates, W_v_du=W_r, W_x_du=W_x, b_du=np.zeros(_FLOW_D), b_cs=gates.b_cs + b_cs)
    unit = np.zeros((N, _FLOW_D))
    unit[-1] = 1.0 / np.sqrt(_FLOW_D)  # a unit loss gradient at the last step
    tr_rnn = rnn_forward(rnn, x)
    _, psi_rnn = rnn_backward(rnn, tr_rnn, unit)
    tr = lstm_forward(lstm, x)
    _, psi_lstm = lstm_backward(lstm, tr, unit)
    lag = np.arange(N)
    log_rnn = np.log10(np.maximum(np.linalg.norm(psi_rnn[::-1], axis=1), 1e-300))
    log_lstm = np.log10(np.maximum(np.linalg.norm(psi_lstm[::-1], axis=1), 1e-300))
    # Eq. 182: ||dpsi[n]/dpsi[l]|| ~ prod_k ||diag g_cs[k]||, k = n+1 .. N-1
    g_max = tr.g_cs.max(axis=1)[::-1]  # lag order: g_cs[N-1], g_cs[N-2], ...
    estimate = log_lstm[0] + np.concatenate([[0.0], np.cumsum(np.log10(g_max[:-1]))])
    keep = slice(None, None, max(1, N // 120))
    panel = Panel(
        series=(
            Series(lag[keep], log_rnn[keep], "standard RNN", "line", 0),
            Series(lag[keep], log_lstm[keep], "gated cell (Vanilla LSTM)", "line", 1),
            Series(lag[keep], estimate[keep], "Eq. 182: prod max g_cs", "dotted", 1),
        ),
        title="gradient of a unit loss at the last step",
        xlabel="lag N-1-n (steps back in time)",
        ylabel="log10 ||psi[n]||",
        ylim=(-30.0, 12.0),  # room above 0 for the legend
    )
    g_mean = float(tr.g_cs.mean())
    drop_rnn, drop_lstm = float(log_rnn[0] - log_rnn[-1]), float(log_lstm[0] - log_lstm[-1])
    change = lambda d: f"{'falls' if d >= 0 else 'grows'} by {abs(d):.1f}"
    text = (
        f"Over {N - 1} steps back the RNN's gradient norm {change(drop_rnn)} orders of magnitude "
        f"(to 10^{log_rnn[-1]:.1f}), the gated cell's norm {change(drop_lstm)} (to 10^{log_lstm[-1]:.1f}); with "
        f"mean g_cs = {g_mean:.3f} (b_cs = {b_cs:g}) Eq. 182 predicts 10^{estimate[-1]:.1f}. "
    )
    if log_lstm[-1] > log_rnn[-1] + 1:
        text += "The gate keeps the error flowing where the RNN's vanishes."
    elif log_lstm[-1] < log_rnn[-1] - 1:
        text += "A mostly closed state gate forgets faster than the RNN: short-range memory."
    else:
        text += "The two cells lose the gradient at a similar rate here."
    values = {
        "rnn_end": float(log_rnn[-1]),
        "lstm_end": float(log_lstm[-1]),
        "estimate_end": float(estimate[-1]),
        "rnn_drop": drop_rnn,
        "lstm_drop": drop_lstm,
        "g_cs_mean": g_mean,
        "rnn_dG_mean": float(np.mean(1.0 - np.tanh(tr_rnn.s) ** 2)),  # mean G'(s[n]) of the RNN
    }
    return View(panels=(panel,), text=text, values=values)


def gradient_flow_explorer() -> Explorer:
    """Ch. 4 explorer: how far back a gradient reaches in the standard RNN and in the gated cell.

    Examples
    --------
    >>> ex = gradient_flow_explorer()
    >>> [c.name for c in ex.controls]
    ['b_cs', 'spectral_radius', 'N']
    """
    return Explorer(
        title="Gradient flow: standard RNN vs gated cell",
        controls=(
            Control(
                "b_cs",
                "state gate bias b_cs",
                (-2.0, 1.0, 4.0, 7.0, 10.0),
                4.0,
                live_values=tuple(np.arange(-2.0, 10.5, 1.0)),
            ),
            Control(
                "spectral_radius",
                "spectral radius of W_r",
                (0.6, 1.0, 1.4),
                1.0,
                live_values=(0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6),
            ),
            Control("N", "sequence length N", (50, 200), 200, fmt="{:d}", live_values=(25, 50, 100, 150, 200)),
        ),
        compute=gradient_flow_view,
        caption="Raise b_cs and the gated cell's curve flattens toward the CEC's horizontal line, whatever the "
        "spectral radius; the RNN's curve falls at every setting of the spectral radius.",
    )


# -- Ch. 5: gate dynamics of one Vanilla LSTM cell (Sec. VI-H, Eqs. 126-136) ---------------------

__all__ += ["gate_dynamics_explorer", "gate_dynamics_view"]

_GATE_N = 200  # steps shown by gate_dynamics_view
_GATE_SIGNALS = ("write, hold, read", "pulse train")
_B_CS_LIVE = (-2.0, 0.0, 1.0, 2.5, 3.5, 4.6, 5.5, 7.0, 8.5, 10.0)  # finer grid for the live face


def _gate_inputs(signal: str) -> np.ndarray:
    """Input channels ``[data, write flag, read flag]`` of the gate-dynamics cell, shape ``(N, 3)``."""
    x = np.zeros((_GATE_N, 3))
    if signal == "write, hold, read":
        x[10:16, 0], x[10:16, 1] = 0.8, 1.0  # write +0.8 once ...
        x[176:186, 2] = 1.0  # ... read it back 160 steps later
    elif signal == "pulse train":
        for j, n0 in enumerate(range(10, _GATE_N - 30, 40)):
            x[n0 : n0 + 6, 0], x[n0 : n0 + 6, 1] = 0.8 * (-1) ** j, 1.0  # write +-0.8 every 40 steps
            x[n0 + 26 : n0 + 32, 2] = 1.0  # read each value back 20 steps after its write ends
    else:
        raise ValueError(f"signal = {signal!r}, expected one of {list(_GATE_SIGNALS)}.")
    return x


def _simplify(y: np.ndarray, tol: float = 2e-3) -> np.ndarray:
    """Indices of a polyline through ``(n, y[n])`` that stays within ``tol`` of every sample.

    Douglas-Peucker on a uniform grid: flat stretches (a gate that is shut) collapse to
    their end points, which keeps the static face small without changing the picture.
    """
    keep = np.zeros(len(y), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(y) - 1)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        t = np.arange(i + 1, j)
        err = np.abs(y[t] - (y[i] + (y[j] - y[i]) * (t - i) / (j - i)))
        m = int(np.argmax(err))
        if err[m] > tol:
            keep[t[m]] = True
            stack += [(i, t[m]), (t[m], j)]
    return np.flatnonzero(keep)


def _series(y, label, style, color):
    k = _simplify(y)
    return Series(k, y[k], label, style, color)


def _gate_cell(b_cs: float = 4.6, gain: float = 1.0, b_cr: float = -6.0):
    """The one-unit Vanilla LSTM (d_s = 1, d_x = 3) behind :func:`gate_dynamics_explorer`.

    Inputs ``x[n] = [data, write, read]``. The write flag opens the control update gate
    (``a_cu = 12 write - 6``) and closes the control state gate (``a_cs = b_cs - 24 write``:
    the old content is replaced); the read flag opens the control readout gate
    (``a_cr = 12 read + b_cr``). The update candidate is ``u = tanh(gain * data)``. All
    recurrent and pinhole weights are zero, so the gates follow the input flags alone.

    Returns
    -------
    LSTMParams
    """
    from .lstm import LSTMParams

    z = np.zeros((1, 1))
    return LSTMParams(
        W_x_cu=[[0.0, 12.0, 0.0]], W_s_cu=z, W_v_cu=z, b_cu=[-6.0],
        W_x_cs=[[0.0, -24.0, 0.0]], W_s_cs=z, W_v_cs=z, b_cs=[b_cs],
        W_x_cr=[[0.0, 0.0, 12.0]], W_s_cr=z, W_v_cr=z, b_cr=[b_cr],
        W_x_du=[[gain, 0.0, 0.0]], W_v_du=z, b_du=[0.0],
    )  # fmt: skip


def gate_dynamics_view(signal: str = "write, hold, read", b_cs: float = 4.6, gain: float = 1.0, b_cr: float = -6.0):
    """Compute behind :func:`gate_dynamics_explorer` for one setting (Eqs. 126-136).

    Parameters
    ----------
    signal : {"write, hold, read", "pulse train"}
        Input pattern: one value written and read back 160 steps later, or a value of
        alternating sign written every 40 steps and read 20 steps after each write.
    b_cs : float
        Control state gate bias: ``g_cs = G_c(b_cs)`` while nothing is written.
    gain : float
        Input gain of the update candidate, ``u = tanh(gain * data)``.
    b_cr : float
        Control readout gate bias: ``g_cr = G_c(b_cr)`` while nothing is read.

    Returns
    -------
    View
        Left: the gates ``g_cu, g_cs, g_cr`` over time. Right: the data input, the state
        ``s[n]`` and the value ``v[n]``. ``values`` holds ``g_cs_hold`` (the gate while
        holding), ``written`` (the state after the first write), ``kept`` (the state when
        the first read starts), ``retained`` (their ratio), ``hold_steps``, ``v_read``
        (the value at the end of that read) and ``leak`` (largest ``|v|`` outside every read).
    """
    from .lstm import lstm_forward

    x = _gate_inputs(signal)
    tr = lstm_forward(_gate_cell(b_cs, gain, b_cr), x)
    s, v = tr.s[:, 0], tr.v[:, 0]
    write_end = int(np.flatnonzero(x[:, 1])[5])  # last step of the first write
    read = np.flatnonzero(x[:, 2])
    read0, read_end = int(read[0]), int(read[9] if signal == "write, hold, read" else read[5])
    written, kept = float(s[write_end]), float(s[read0 - 1])
    retained = kept / written
    g_hold = float(tr.g_cs[read0 - 1, 0])
    hold = read0 - 1 - write_end
    leak = float(np.abs(v[x[:, 2] == 0]).max())
    gates = Panel(
        series=(
            _series(tr.g_cu[:, 0], "g_cu (update)", "line", 0),
            _series(tr.g_cs[:, 0], "g_cs (state)", "line", 2),
            _series(tr.g_cr[:, 0], "g_cr (readout)", "dashed", 3),
        ),
        title="gates",
        xlabel="step n",
        ylim=(-0.05, 1.4),  # headroom for the legend
    )
    signals = Panel(
        series=(
            _series(x[:, 0], "data input", "dotted", 7),
            _series(s, "state s[n]", "line", 1),
            _series(v, "value v[n]", "line", 4),
        ),
        title="signals",
        xlabel="step n",
        ylim=(-1.05, 1.7),  # headroom for the legend
    )
    kept_text = (
        f"keeps {100 * retained:.3g}% of the written value ({kept:.3f} of {written:.3f})"
        if retained > 1e-4
        else f"has forgotten the written value {written:.3f} (fraction left {retained:.1e})"
    )
    text = (
        f"g_cs = {g_hold:.5g} while holding: after {hold} steps the state {kept_text}; "
        f"when the readout gate opens, v[n] = {float(v[read_end]):.3f}"
        + (f", and outside the reads v leaks up to {leak:.3f}." if leak > 0.01 else ", and v stays near 0 otherwise.")
    )
    values = dict(g_cs_hold=g_hold, written=written, kept=kept, retained=retained, hold_steps=hold,
                  v_read=float(v[read_end]), leak=leak)  # fmt: skip
    return View(panels=(gates, signals), text=text, values=values)


def gate_dynamics_explorer() -> Explorer:
    """Ch. 5 explorer: a one-unit LSTM writes, holds and reads a value under the control of its gates.

    Examples
    --------
    >>> ex = gate_dynamics_explorer()
    >>> [c.name for c in ex.controls]
    ['signal', 'b_cs', 'gain', 'b_cr']
    """
    return Explorer(
        title="Gate dynamics of one LSTM cell",
        controls=(
            Control("signal", "signal", _GATE_SIGNALS, "write, hold, read"),
            Control("b_cs", "state gate bias b_cs", (0.0, 2.5, 4.6, 7.0, 10.0), 4.6, live_values=_B_CS_LIVE),
            Control("gain", "input gain", (1.0, 4.0), 1.0, live_values=(0.25, 0.5, 1.0, 2.0, 4.0)),
            Control("b_cr", "readout gate bias b_cr", (-6.0, 0.0), -6.0, live_values=(-6.0, -3.0, 0.0, 3.0)),
        ),
        compute=gate_dynamics_view,
        caption="Raise the state gate bias and the written value survives the hold (g_cs near 1 is the "
        "constant error carousel); lower it and the cell forgets within a few steps. Open the readout gate "
        "(b_cr = 0) and the value leaks out all the time instead of only when it is read.",
    )
