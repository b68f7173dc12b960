"""Ch. 4 explorer: how far back a gradient reaches in the standard RNN and in the gated cell (Sec. V)."""

from __future__ import annotations

import numpy as np

from .explorer import Control, Explorer
from .view import Panel, Series, View, sci

__all__ = ["gradient_flow_view", "gradient_flow_explorer"]

_FLOW_D, _FLOW_DX, _FLOW_NMAX = 32, 2, 200  # d_s, d_x, longest sequence
_FLOW_FAMILIES = ("gaussian", "symmetric")
_FLOW_CACHE: dict = {}


def _flow_setup(family: str):
    """Fixed random ingredients of :func:`gradient_flow_view` (the same for every control value)."""
    if family not in _FLOW_CACHE:
        from ..lstm import LSTMParams
        from ..rnn_gradients import recurrent_matrix

        rng = np.random.default_rng(1997)
        W_unit = recurrent_matrix(rng, _FLOW_D, 1.0, family)  # gain 1
        W_x = rng.standard_normal((_FLOW_D, _FLOW_DX)) / np.sqrt(_FLOW_DX)
        x = 0.5 * rng.standard_normal((_FLOW_NMAX, _FLOW_DX))
        gates = LSTMParams.init(rng, _FLOW_DX, _FLOW_D, pinholes=False, scale=0.3)
        _FLOW_CACHE[family] = (W_unit, W_x, x, gates)
    return _FLOW_CACHE[family]


def gradient_flow_view(b_cs: float = 4.0, gain: float = 1.0, N: int = 200, family: str = "gaussian") -> View:
    """Compute behind :func:`gradient_flow_explorer`: ``||psi[n]||`` against the lag, RNN vs gated cell.

    Both cells have the same recurrent weights ``W_r`` (gain ``gain``, from
    :func:`lrnn.rnn_gradients.recurrent_matrix`; in the LSTM it is ``W_v_du``, the bridge of Sec. V),
    the same ``W_x`` and the same input.
    The loss is a unit loss at the last step, ``dE/dr[N-1]`` (RNN) or ``dE/dv[N-1]`` (LSTM)
    a unit vector; ``psi[n] = dE/ds[n]`` comes from :func:`lrnn.rnn_bptt.rnn_backward` and
    :func:`lrnn.lstm_bptt.lstm_backward`.

    Parameters
    ----------
    b_cs : float
        Bias of the control state gate ("forget gate"), ``g_cs ~ G_c(b_cs)``.
    gain : float
        Gain of ``W_r`` (its spectral radius, about it for the Gaussian family).
    N : int
        Sequence length (lags ``0 .. N-1``), 2 <= N <= 200.
    family : {"gaussian", "symmetric"}
        A generic ``W_r`` or the paper's best case.

    Returns
    -------
    View
        One panel, ``log10 ||psi[N-1-lag]||`` for both cells and the Eq. 182 estimate
        ``prod g_cs`` for the gated cell; ``values`` holds ``rnn_end``, ``lstm_end``,
        ``estimate_end`` (log10 at the largest lag), ``rnn_drop``, ``lstm_drop`` (decades
        lost between lag 0 and the largest lag), ``g_cs_mean`` and ``rnn_dG_mean`` (mean tanh'
        of the RNN's state).

    Raises
    ------
    ValueError
        If ``family`` or ``N`` is out of range.
    """
    import dataclasses

    from ..lstm import lstm_forward
    from ..lstm_bptt import lstm_backward
    from ..rnn import RNNParams, rnn_forward
    from ..rnn_bptt import rnn_backward

    if family not in _FLOW_FAMILIES or not 2 <= int(N) <= _FLOW_NMAX:
        raise ValueError(f"family = {family!r}, N = {N}: expected one of {_FLOW_FAMILIES} and 2 <= N <= {_FLOW_NMAX}.")
    W_unit, W_x, x, gates = _flow_setup(family)
    N = int(N)
    x = x[:N]
    W_r = gain * W_unit
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
    keep = slice(None, None, max(1, N // 60))
    panel = Panel(
        series=(
            Series(lag[keep], 10.0 ** log_rnn[keep], "standard RNN", "line", 0),
            Series(lag[keep], 10.0 ** log_lstm[keep], "gated cell (Vanilla LSTM)", "line", 1),
            Series(lag[keep], 10.0 ** estimate[keep], "Eq. 182: ∏ max g_{cs}", "dotted", 3),
        ),
        title="gradient of a unit loss at the last step",
        xlabel="lag N−1−n (steps back in time)",
        ylabel="‖ψ[n]‖ (log scale)",
        logy=True,
        ylim=(1e-30, 1e15),
    )
    g_mean = float(tr.g_cs.mean())
    drop_rnn, drop_lstm = float(log_rnn[0] - log_rnn[-1]), float(log_lstm[0] - log_lstm[-1])
    change = lambda d: f"{'falls' if d >= 0 else 'grows'} by {abs(d):.1f} orders of magnitude"
    text = (
        f"{family.capitalize()} W_{{r}} of gain {gain:g}. Over {N - 1} steps back the RNN's gradient norm "
        f"{change(drop_rnn)} (to {sci(10.0 ** log_rnn[-1])}), the gated cell's norm "
        f"{change(drop_lstm)} (to {sci(10.0 ** log_lstm[-1])}); with mean g_{{cs}} = {g_mean:.3f} "
        f"(b_{{cs}} = {b_cs:g}) Eq. 182 predicts {sci(10.0 ** estimate[-1])}. "
    )
    if log_rnn[-1] > 1 and family == "gaussian":  # lambda_1 > 0 for this network from gain 2 (tests)
        text += "The saturated RNN is chaotic and its gradient explodes (erratum P16). "
    elif log_rnn[-1] > 1:
        text += "Over this short sequence the RNN's gradient still grows: the transient before its state settles. "
    if log_lstm[-1] > log_rnn[-1] + 1 and log_rnn[-1] < -1:
        text += "The gate keeps the error flowing where the RNN's vanishes."
    elif log_lstm[-1] < log_rnn[-1] - 1 and log_rnn[-1] < 1:
        text += "With this state gate the gated cell forgets faster than the RNN: short-range memory."
    elif log_rnn[-1] > 1:
        text += "The gated cell's gradient stays within a few orders of magnitude: its update is bounded by tanh."
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
    ['family', 'b_cs', 'gain', 'N']
    """
    return Explorer(
        title="Gradient flow: standard RNN vs gated cell",
        controls=(
            Control("family", "W_{r}", _FLOW_FAMILIES, "gaussian"),
            Control(
                "b_cs",
                "state gate bias b_{cs}",
                (-2.0, 1.0, 4.0, 7.0, 10.0),
                4.0,
                live_values=tuple(np.arange(-2.0, 10.5, 1.0)),
            ),
            Control(
                "gain",
                "gain of W_{r}",
                (0.6, 1.0, 1.4, 2.0),
                1.0,
                live_values=(0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6, 2.0, 2.5, 3.0),
            ),
            Control("N", "sequence length N", (50, 200), 200, fmt="{:d}", live_values=(25, 50, 100, 150, 200)),
        ),
        compute=gradient_flow_view,
        caption="Raise b_{cs} and the gated cell's curve flattens toward the CEC's horizontal line, whatever the "
        "gain. Raise the gain: with a symmetric W_{r} the RNN's gradient vanishes at every setting, with a Gaussian "
        "one it explodes from a gain of about 2.",
    )


# -- Ch. 5: gate dynamics of one Vanilla LSTM cell (Sec. VI-H, Eqs. 126-136) ---------------------
