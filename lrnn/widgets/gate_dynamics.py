"""Ch. 5 explorer: one LSTM unit writes, holds and reads a value under its gates (Sec. VI)."""

from __future__ import annotations

import numpy as np

from .explorer import Control, Explorer
from .view import Panel, Series, View, sci

__all__ = ["gate_dynamics_view", "gate_dynamics_explorer"]

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
    from ..lstm import LSTMParams

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
    from ..lstm import lstm_forward

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
            _series(tr.g_cu[:, 0], "g_{cu} (update)", "line", 0),
            _series(tr.g_cs[:, 0], "g_{cs} (state)", "line", 2),
            _series(tr.g_cr[:, 0], "g_{cr} (readout)", "dashed", 3),
        ),
        title="gates",
        xlabel="step n",
        ylabel="gate value",
        ylim=(-0.05, 1.05),
    )
    signals = Panel(
        series=(
            _series(x[:, 0], "data input", "dotted", 7),
            _series(s, "state s[n]", "line", 1),
            _series(v, "value v[n]", "line", 4),
        ),
        title="signals",
        xlabel="step n",
        ylabel="signal value",
        ylim=(-1.05, 1.05),
    )
    kept_text = (
        f"keeps {100 * retained:.3g}% of the written value ({kept:.3f} of {written:.3f})"
        if retained > 1e-4
        else f"has forgotten the written value {written:.3f} (fraction left {sci(retained)})"
    )
    text = (
        f"g_{{cs}} = {g_hold:.5g} while holding: after {hold} steps the state {kept_text}; "
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
            Control("b_cs", "state gate bias b_{cs}", (0.0, 2.5, 4.6, 7.0, 10.0), 4.6, live_values=_B_CS_LIVE),
            Control("gain", "input gain", (1.0, 4.0), 1.0, live_values=(0.25, 0.5, 1.0, 2.0, 4.0)),
            Control("b_cr", "readout gate bias b_{cr}", (-6.0, 0.0), -6.0, live_values=(-6.0, -3.0, 0.0, 3.0)),
        ),
        compute=gate_dynamics_view,
        caption="Raise the state gate bias and the written value survives the hold (g_{cs} near 1 is the "
        "constant error carousel); lower it and the cell forgets within a few steps. Open the readout gate "
        "(b_{cr} = 0) and the value leaks out all the time instead of only when it is read.",
    )
