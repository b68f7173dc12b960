"""The gates at work, step by step: one column per step of a Vanilla LSTM unit (Sec. VI-H).

A picture in the manner of a worked example: for every step ``n`` the input, then what the
control update gate lets in, what the control state gate keeps, what the state holds, what
the control readout gate releases and the value that comes out. Gates (in ``[0, 1]``) are
shaded orange by how open they are; data signals (in ``[-1, 1]``, the state unbounded) blue
for positive and red for negative. Every number is printed in its cell, so colour is never
the only carrier of meaning.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import FancyBboxPatch

from .base import CONTROL, INK, count_argument, new_diagram

__all__ = ["draw_gates_at_work"]

# (signal, label, kind): the rows from top to bottom, in the order the cell computes them
ROWS = (
    ("x", "input", "data"),
    ("g_cu", "update $g_{cu}$", "gate"),
    ("u", "candidate $u$", "data"),
    ("g_cs", "forget $g_{cs}$", "gate"),
    ("s", "state $s$", "data"),
    ("g_cr", "readout $g_{cr}$", "gate"),
    ("v", "value $v$", "data"),
)
_POS, _NEG = np.array([0.12, 0.40, 0.70]), np.array([0.80, 0.20, 0.18])  # blue, red at full strength
_GATE_RGB = np.array([0.90, 0.45, 0.10])


def _mix(rgb, t):
    """White blended towards ``rgb`` by ``t`` in [0, 1]."""
    return tuple(1 - t * (1 - rgb))


def _fill(kind: str, value: float):
    if kind == "gate":
        return _mix(_GATE_RGB, float(np.clip(value, 0, 1)) * 0.85)
    t = float(np.clip(abs(value), 0, 1)) * 0.8
    return _mix(_POS if value >= 0 else _NEG, t)


def _ink(fill) -> str:
    luminance = 0.2126 * fill[0] + 0.7152 * fill[1] + 0.0722 * fill[2]
    return "white" if luminance < 0.5 else "black"


def draw_gates_at_work(signals: dict, labels=(), unit: int = 0):
    """Draw one unit of an LSTM run as a grid: a column per step, a row per signal.

    Parameters
    ----------
    signals : dict or LSTMTrace
        Arrays of shape ``(N, d)`` for ``"g_cu", "u", "g_cs", "s", "g_cr", "v"`` (an
        :class:`lrnn.lstm.LSTMTrace` will do) and ``"x"``, whose column 0 is shown as the
        input data. N from 1 to 12.
    labels : sequence of str, optional
        A word over each column ("write", "read"); empty strings for none.
    unit : int, default 0
        Which unit (column of the arrays) to show.

    Returns
    -------
    fig, ax

    Raises
    ------
    ValueError
        If a signal is missing, the arrays disagree in length, or ``labels`` has the wrong length.

    Examples
    --------
    >>> from lrnn.gate_example import gate_example
    >>> ex = gate_example()
    >>> fig, ax = draw_gates_at_work(ex.trace, ex.labels)
    >>> len([p for p in ax.patches])  # 7 rows x 8 steps
    56
    """
    get = signals.get if isinstance(signals, dict) else lambda k: getattr(signals, k, None)
    rows = []
    for name, _, _ in ROWS:
        a = get(name)
        if a is None:
            raise ValueError(
                f"signals has no {name!r}; expected the arrays of an LSTMTrace (x, g_cu, u, g_cs, s, g_cr, v)."
            )
        a = np.asarray(a, dtype=float)
        a = a.reshape(len(a), -1)
        rows.append(a[:, 0] if name == "x" else a[:, unit])
    N = count_argument("the number of steps", len(rows[0]), hi=12)
    if any(len(r) != N for r in rows):
        raise ValueError(f"signals have lengths {[len(r) for r in rows]}; expected {N} steps in every one.")
    labels = tuple(labels) or ("",) * N
    if len(labels) != N:
        raise ValueError(f"labels has {len(labels)} entries, expected one per step ({N}).")

    # sized for a phone: the picture is scaled to the text column, so the type is large for its width
    w, h, left, big, small = 1.0, 0.8, 2.2, 16, 13
    fig, ax = new_diagram(0.64 * (N + left) + 0.1, 0.64 * (len(ROWS) + 1.5), (-left, N), (-0.15, len(ROWS) + 1.35))
    top = len(ROWS)
    for n in range(N):
        ax.text(n + 0.5, top + 0.2, f"{n}", ha="center", va="bottom", fontsize=big, color=INK)
        if labels[n]:
            ax.text(
                n + 0.5, top + 0.75, labels[n], ha="center", va="bottom", fontsize=small, color=CONTROL, weight="bold"
            )
    ax.text(-0.15, top + 0.2, "step $n$", ha="right", va="bottom", fontsize=big, color=INK)
    for r, ((_, label, kind), values) in enumerate(zip(ROWS, rows)):
        y = top - 1 - r
        ax.text(-0.15, y + 0.5, label, ha="right", va="center", fontsize=big, color=CONTROL if kind == "gate" else INK)
        for n, value in enumerate(values):
            fill = _fill(kind, value)
            ax.add_patch(
                FancyBboxPatch(
                    (n + (1 - w) / 2 + 0.04, y + (1 - h) / 2), w - 0.08, h, boxstyle="round,pad=0,rounding_size=0.1",
                    fc=fill, ec="#8a8a8a", lw=0.6,
                )
            )  # fmt: skip
            text = f"{value:.2f}".replace("-0.00", "0.00")
            ax.text(
                n + 0.5,
                y + 0.5,
                text.replace("-", "\N{MINUS SIGN}"),
                ha="center",
                va="center",
                fontsize=small,
                color=_ink(fill),
            )
    return fig, ax
