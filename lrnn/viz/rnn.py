"""The RNN figures: Fig. 1 (canonical cell), Fig. 2 (unrolled RNN), Fig. 3 (unit step and sample),
and the BPTT computation graph (Sherstinsky 2020, Secs. II-IV)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..widgets.view import PALETTE
from .base import DiagramFigure, arrow, box, count_argument, new_diagram, node

__all__ = ["draw_canonical_cell", "draw_unit_step_and_sample", "draw_unrolled_rnn", "draw_bptt_graph"]


def draw_canonical_cell():
    """Fig. 1: the canonical RNN cell, ``s[n] = W_s s[n-1] + W_r r[n-1] + W_x x[n]`` (Eqs. 30-31).

    Returns
    -------
    fig, ax
    """
    fig, ax = new_diagram(8.0, 3.8, (-0.3, 10.3), (-0.4, 4.6))
    yr, ys, yx = 3.0, 1.6, 0.3
    box(ax, (2.2, yr), "$W_r$")
    box(ax, (2.2, ys), "$W_s$")
    box(ax, (2.2, yx), "$W_x$")
    arrow(ax, (0.0, yr), (1.7, yr), r"$\vec r[n-1]$", offset=(0.7, 0.12))
    arrow(ax, (0.0, ys), (1.7, ys), r"$\vec s[n-1]$", offset=(0.7, 0.12))
    arrow(ax, (0.0, yx), (1.7, yx), r"$\vec x[n]$", offset=(0.7, 0.12))
    node(ax, (4.2, 2.2))  # W_r r[n-1] + W_x x[n]
    ax.plot([2.7, 4.2], [yr, yr], color="#1f3b57", lw=1.3)
    arrow(ax, (4.2, yr), (4.2, 2.4))
    ax.plot([2.7, 4.2], [yx, yx], color="#1f3b57", lw=1.3)
    arrow(ax, (4.2, yx), (4.2, 2.0))
    node(ax, (5.6, ys))  # ... + W_s s[n-1]
    arrow(ax, (2.7, ys), (5.4, ys))
    ax.plot([4.4, 5.6], [2.2, 2.2], color="#1f3b57", lw=1.3)
    arrow(ax, (5.6, 2.2), (5.6, ys + 0.2))
    arrow(ax, (5.8, ys), (9.9, ys), r"$\vec s[n]$", text_at="end", offset=(-0.4, 0.12))
    box(ax, (7.6, 3.0), r"$G=\tanh$", w=1.4)
    ax.plot([7.6, 7.6], [ys, 2.7], color="#1f3b57", lw=1.3)
    ax.annotate("", xy=(7.6, 2.7), xytext=(7.6, ys), arrowprops=dict(arrowstyle="-|>", lw=1.3, color="#1f3b57"))
    arrow(ax, (8.3, 3.0), (9.9, 3.0), r"$\vec r[n]$", text_at="end", offset=(-0.4, 0.12))
    ax.text(
        5.0,
        4.3,
        r"$\vec s[n]=W_s\vec s[n-1]+W_r\vec r[n-1]+W_x\vec x[n]+\vec\theta_s,\quad \vec r[n]=G(\vec s[n])$",
        ha="center",
        fontsize=12,
    )
    return fig, ax


# -- Chapter 2: unrolling (Sec. III) ------------------------------------------------------------


def draw_unit_step_and_sample(n=None):
    """Fig. 3: (a) the unit step ``u(n)`` (Eq. 34) and (b) the unit sample ``delta(n)`` (Eq. 35) as stems.

    Parameters
    ----------
    n : array_like of int, optional
        Step indices to draw; the paper's figure uses ``n = -11, ..., 11`` (the default).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : list of two matplotlib.axes.Axes
        ``axes[0]`` shows ``u(n)``, ``axes[1]`` shows ``delta(n)``; in each, ``lines[0]``
        holds the stem heads (x = n, y = the signal).

    Raises
    ------
    ValueError
        If ``n`` holds non-integer values (from :func:`lrnn.unrolling.unit_step`).
    """
    from ..unrolling import unit_sample, unit_step

    n = np.arange(-11, 12) if n is None else np.asarray(n)
    signals = [("(a)", "u(n)", unit_step(n)), ("(b)", r"\delta(n)", unit_sample(n))]
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 2.8), layout="constrained", sharey=True, FigureClass=DiagramFigure)
    ticks = n[n % -(-len(n) // 12) == 0]  # about 12 ticks, including n = 0
    for ax, (tag, name, y) in zip(axes, signals):
        ax.plot(n, y, "o", color=PALETTE[0], ms=5)  # the stem heads: lines[0]
        ax.vlines(n, 0, y, color=PALETTE[0], lw=1.4)
        ax.axhline(0, color="#1f3b57", lw=0.8)
        ax.set(title=f"{tag} ${name}$", xlabel="$n$", ylim=(-0.15, 1.25), xticks=ticks)
        ax.grid(alpha=0.25)
    axes[0].set_ylabel("value")
    return fig, list(axes)


def draw_unrolled_rnn(steps: int = 4):
    """Fig. 2: the standard RNN unrolled for ``steps`` steps, one reusable cell per step.

    Each box "RNN Cell (Step k)" receives ``x[k]`` from below and passes ``r[k]`` (upper
    line, also tapped upward as the output) and ``s[k]`` (lower line) to step ``k + 1``;
    step 0 starts from ``r[-1]`` and ``s[-1]`` (zero in Eq. 73).

    Parameters
    ----------
    steps : int, default 4
        Number of unrolled steps (boxes), >= 1; the paper draws 4.

    Returns
    -------
    fig, ax

    Raises
    ------
    ValueError
        If ``steps`` is not a positive integer.
    """
    steps = count_argument("steps", steps, note="the number of unrolled cells, e.g. steps=4")
    pitch, w, h, yr, ys = 3.4, 2.0, 1.5, 0.35, -0.35
    centers = [2.4 + pitch * k for k in range(steps)]
    x_end = centers[-1] + w / 2 + 1.9
    fig, ax = new_diagram(0.56 * (x_end + 0.3), 3.0, (-0.3, x_end), (-2.8, 2.6))
    arrow(ax, (0.0, yr), (centers[0] - w / 2, yr), r"$\vec r[-1]$", offset=(0.55, 0.08))
    arrow(ax, (0.0, ys), (centers[0] - w / 2, ys))
    ax.text(0.55, ys - 0.12, r"$\vec s[-1]$", ha="center", va="top", fontsize=12)
    for k, cx in enumerate(centers):
        box(ax, (cx, 0.0), f"RNN Cell\n(Step {k})", w=w, h=h)
        arrow(ax, (cx, -2.0), (cx, -h / 2), rf"$\vec x[{k}]$", offset=(0.0, -0.55))
        right = centers[k + 1] - w / 2 if k + 1 < steps else x_end - 0.1
        arrow(ax, (cx + w / 2, yr), (right, yr))  # r[k] to the next step
        arrow(ax, (cx + w / 2, ys), (right, ys))  # s[k] to the next step
        tap = cx + w / 2 + 0.45
        ax.plot([tap], [yr], "o", color="#1f3b57", ms=4)
        arrow(ax, (tap, yr), (tap, 1.9), rf"$\vec r[{k}]$", text_at="end", offset=(0.0, 0.05))
        ax.text(tap + 0.25, ys - 0.12, rf"$\vec s[{k}]$", ha="center", va="top", fontsize=12)
    return fig, ax


# -- Ch. 4: from the RNN to the LSTM (Figs. 4-6) ------------------------------------------------


_BACK = "#b91c1c"  # the backward pass: total derivatives flowing from later steps to earlier ones


def _back_arrow(ax, start, end, text=None, at=(0.0, 0.0)):
    """A dashed arrow of the backward pass with an optional label placed at ``at``."""
    style = dict(arrowstyle="-|>", lw=1.3, color=_BACK, ls="--", shrinkA=0, shrinkB=0)
    ax.annotate("", xy=end, xytext=start, arrowprops=style)
    if text:
        ax.text(*at, text, ha="center", va="center", fontsize=12, color=_BACK)


def draw_bptt_graph(steps: int = 3):
    """The unrolled standard RNN as a computation graph, with the paths BPTT follows back (Eqs. 78-85).

    Forward (solid): ``x[n] -> s[n] -> r[n] = G(s[n]) -> E_n`` and ``r[n] -> s[n+1]`` through
    ``W_r`` (Eqs. 32-33, 80-81). Backward (dashed, red): the total derivatives ``chi[n]`` at
    ``r[n]`` and ``psi[n]`` at ``s[n]`` (Eqs. 78-79) collect the direct term from ``E_n`` and
    the term ``W_r^T psi[n+1]`` that comes back along ``s[n] -> r[n] -> s[n+1]`` (Eq. 82,
    with the transpose of erratum P1); ``psi[K] = 0`` ends the recursion (Eq. 85).

    Parameters
    ----------
    steps : int, default 3
        Number of unrolled steps ``K`` (>= 1).

    Returns
    -------
    fig, ax

    Raises
    ------
    ValueError
        If ``steps`` is not a positive integer.
    """
    steps = count_argument("steps", steps, note="the number of unrolled steps, e.g. steps=3")
    pitch, ys, yr, ye, yx = 3.4, 0.0, 1.6, 3.1, -1.4
    cols = [1.2 + pitch * k for k in range(steps)]
    x_end = cols[-1] + 2.6
    fig, ax = new_diagram(0.75 * (x_end + 0.4), 4.2, (-0.4, x_end), (-2.0, 3.7))
    for k, cx in enumerate(cols):
        box(ax, (cx, ys), rf"$\vec s[{k}]$", w=1.0, h=0.55)
        box(ax, (cx, yr), rf"$\vec r[{k}]$", w=1.0, h=0.55, fc="#e8f3e0")
        box(ax, (cx, ye), rf"$E_{k}$", w=0.8, h=0.5, fc="#f3f3f3")
        arrow(ax, (cx, yx), (cx, ys - 0.28), rf"$\vec x[{k}]$", offset=(0.0, -0.45))
        arrow(ax, (cx - 0.2, ys + 0.28), (cx - 0.2, yr - 0.28))  # r = G(s), Eq. 33
        ax.text(cx - 0.35, (ys + yr) / 2, "$G$", ha="right", va="center", fontsize=12)
        arrow(ax, (cx - 0.2, yr + 0.28), (cx - 0.2, ye - 0.25))  # E_n(r[n]), Eq. 80
        _back_arrow(ax, (cx + 0.2, ye - 0.25), (cx + 0.2, yr + 0.28))
        _back_arrow(ax, (cx + 0.2, yr - 0.28), (cx + 0.2, ys + 0.28))
        ax.text(cx + 0.62, yr + 0.42, rf"$\vec\chi[{k}]$", fontsize=12, color=_BACK, ha="left")
        ax.text(cx + 0.62, ys - 0.5, rf"$\vec\psi[{k}]$", fontsize=12, color=_BACK, ha="left")
        nxt = cols[k + 1] if k + 1 < steps else None
        if nxt is not None:
            arrow(ax, (cx + 0.5, yr - 0.05), (nxt - 0.5, ys + 0.1))  # s[n+1] = W_r r[n] + ..., Eq. 32
            ax.text((cx + nxt) / 2 - 0.35, (yr + ys) / 2 + 0.35, "$W_r$", fontsize=12, ha="center")
            _back_arrow(ax, (nxt - 0.5, ys - 0.12), (cx + 0.5, yr - 0.3))
            if k == 0:
                ax.text((cx + nxt) / 2 + 0.15, 0.12, r"$W_r^T\vec\psi[1]$", fontsize=12, color=_BACK, ha="center")
    label = rf"$\vec\psi[{steps}]=\vec 0$" + "\n(Eq. 85)"
    ax.text(x_end - 0.2, ys, label, fontsize=12, color=_BACK, ha="right", va="center")
    return fig, ax


# -- Ch. 6: the Augmented LSTM (Fig. 10) ----------------------------------------------------------
