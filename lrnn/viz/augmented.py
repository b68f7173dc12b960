"""The Augmented LSTM figures: Fig. 10a (the cell) and Fig. 10b (context windows)
(Sherstinsky 2020, Sec. VII)."""

from __future__ import annotations

import functools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import FancyBboxPatch

from .base import CONTROL, INK, DiagramFigure, arrow, box, count_argument, new_diagram, node, put_text, wire

__all__ = ["draw_augmented_lstm_cell", "draw_context_windows"]

_AUG_WARP = "#fde2c8"  # fill of the warping boxes
_small_label = functools.partial(put_text, fontsize=12)  # as large as this dense figure allows


# name, x of the weight boxes, warping, source of the W_s tap (None: no state term); left to right
_AUG_COLUMNS = (
    ("cx", 2.4, r"$\sigma$", "prev"),
    ("du", 7.8, r"$\tanh$", None),
    ("cu", 13.2, r"$\sigma$", "prev"),
    ("cs", 18.6, r"$\sigma$", "prev"),
    ("cr", 25.6, r"$\sigma$", "new"),
)


def draw_augmented_lstm_cell():
    """Fig. 10a: the Augmented LSTM cell, Eqs. 196-214.

    The Vanilla LSTM cell (Fig. 7) with three changes: the input rail ``x[n]`` becomes five
    windowed inputs ``xi_x_*[n]`` entering from below (one per node, Fig. 10b); a fifth
    column, the control input gate cx, computes ``g_cx[n]`` from ``s[n-1]``, ``v[n-1]`` and
    ``xi_x_cx[n]`` and multiplies ``xi_x_du[n]`` before the du sum (Eqs. 191-195); and the
    gated readout, now the qualifier ``q[n]``, passes through the recurrent projection
    ``W_q_dr`` to give ``v[n]`` (Eqs. 189-190). Biases are omitted, as in the paper.

    Returns
    -------
    fig, ax
    """
    fig, ax = new_diagram(12.0, 5.5, (-0.8, 35.6), (-0.9, 15.0))
    yv, ys = 13.4, 6.0  # rails: v[n-1] on top, the state in the middle
    y_wv, y_ws, y_acc, y_mul, y_gx = 11.5, 4.5, 9.4, 7.7, 2.4
    wire(ax, [-0.4, 28.6], [yv, yv])
    _small_label(ax, (0.0, yv + 0.15), r"$\vec v[n-1]$", ha="left", fontsize=13)
    _small_label(ax, (-0.4, ys + 0.15), r"$\vec s[n-1]$", ha="left", fontsize=13)
    x_gate_cs, x_sum = 21.2, 22.9  # the product (g_cs) and sum nodes on the state rail
    warp, bus = {}, {}
    for name, cx, shape, tap in _AUG_COLUMNS:
        bus[name], warp[name] = cx + 1.3, cx + 2.6  # the bus collects the terms of a_*; then the warping box
        box(ax, (cx, y_wv), rf"$W_{{v_{{{name}}}}}$", w=1.3, h=0.8)
        arrow(ax, (cx, yv), (cx, y_wv + 0.4))
        wire(ax, [cx + 0.65, bus[name]], [y_wv, y_wv])
        arrow(ax, (bus[name], y_wv), (bus[name], y_acc + 0.25))
        if name != "du":  # the windowed input enters the sum directly (du's passes the g_cx product first)
            arrow(ax, (bus[name], 0.3), (bus[name], y_acc - 0.25))
        _small_label(ax, (bus[name], 0.15), rf"$\vec\xi_{{x_{{{name}}}}}[n]$", va="top", fontsize=13)
        if tap is not None:
            xt = cx - 1.2 if tap == "prev" else x_sum + 1.0  # cr taps the NEW state s[n] (Eq. 203)
            box(ax, (cx, y_ws), rf"$W_{{s_{{{name}}}}}$", w=1.3, h=0.8)
            wire(ax, [xt, xt], [ys, y_ws])
            arrow(ax, (xt, y_ws), (cx - 0.65, y_ws))
            ax.plot([xt], [ys], "o", color=INK, ms=3.5)
            wire(ax, [cx + 0.65, bus[name]], [y_ws, y_ws])
        node(ax, (bus[name], y_acc), "+", r=0.25)
        _small_label(ax, (bus[name] - 0.35, y_acc + 0.3), rf"$\vec a_{{{name}}}$", ha="right")
        arrow(ax, (bus[name] + 0.25, y_acc), (warp[name] - (0.7 if name == "du" else 0.55), y_acc))
        box(ax, (warp[name], y_acc), shape, w=1.4 if name == "du" else 1.1, h=0.8, fc=_AUG_WARP)
    # the control input gate throttles the windowed input of du (Eq. 209)
    bdu = bus["du"]
    arrow(ax, (bdu, 0.3), (bdu, y_gx - 0.2))
    node(ax, (bdu, y_gx), "x")
    arrow(ax, (bdu, y_gx + 0.2), (bdu, y_acc - 0.25))
    wire(ax, [warp["cx"], warp["cx"], bdu - 0.2], [y_acc - 0.4, y_gx, y_gx], CONTROL, head=True)
    _small_label(ax, (warp["cx"] + 0.15, y_gx + 0.12), r"$\vec g_{cx}[n]$", ha="left", color=CONTROL)
    # u[n] x g_cu[n] -> + on the state rail (Eq. 211)
    xu, xcu = warp["du"], warp["cu"]
    wire(ax, [xu, xu], [y_acc - 0.4, y_mul])
    _small_label(ax, (xu + 0.1, y_mul + 0.12), r"$\vec u[n]$", ha="left")
    arrow(ax, (xu, y_mul), (xcu - 0.2, y_mul))
    node(ax, (xcu, y_mul), "x")
    wire(ax, [xcu, xcu], [y_acc - 0.4, y_mul + 0.2], CONTROL, head=True)
    _small_label(ax, (xcu + 0.12, y_mul + 0.3), r"$\vec g_{cu}[n]$", ha="left", color=CONTROL)
    wire(ax, [xcu + 0.2, x_sum], [y_mul, y_mul])
    arrow(ax, (x_sum, y_mul), (x_sum, ys + 0.25))
    arrow(ax, (-0.4, ys), (x_gate_cs - 0.2, ys))
    node(ax, (x_gate_cs, ys), "x")
    wire(ax, [warp["cs"], x_gate_cs], [y_acc - 0.4, ys + 0.2], CONTROL, head=True)
    _small_label(ax, (x_gate_cs + 0.12, ys + 0.35), r"$\vec g_{cs}[n]$", ha="left", color=CONTROL)
    arrow(ax, (x_gate_cs + 0.2, ys), (x_sum - 0.25, ys))
    node(ax, (x_sum, ys), "+", r=0.25)
    # s[n] -> tanh -> r[n] -> x g_cr[n] -> q[n] -> W_q_dr -> v[n] (Eqs. 212-214)
    x_r, y_r, y_q = 30.0, 8.6, 10.8
    arrow(ax, (x_sum + 0.25, ys), (35.2, ys), r"$\vec s[n]$", text_at="end", offset=(-0.5, 0.15), fontsize=13)
    wire(ax, [x_r, x_r], [ys, y_r - 0.4])
    ax.plot([x_r], [ys], "o", color=INK, ms=3.5)
    box(ax, (x_r, y_r), r"$\tanh$", w=1.4, h=0.8, fc=_AUG_WARP)
    arrow(ax, (x_r, y_r + 0.4), (x_r, y_q - 0.2))
    _small_label(ax, (x_r + 0.15, y_r + 0.6), r"$\vec r[n]$", ha="left")
    node(ax, (x_r, y_q), "x")
    wire(ax, [warp["cr"], warp["cr"], x_r - 0.2], [y_acc + 0.4, y_q, y_q], CONTROL, head=True)
    _small_label(ax, (warp["cr"] + 0.15, y_q + 0.12), r"$\vec g_{cr}[n]$", ha="left", color=CONTROL)
    arrow(ax, (x_r + 0.2, y_q), (31.9, y_q))
    _small_label(ax, (31.0, y_q + 0.12), r"$\vec q[n]$")
    box(ax, (32.7, y_q), r"$W_{q_{dr}}$", w=1.5, h=0.8, fc="#e8f3e0")
    arrow(ax, (33.45, y_q), (35.2, y_q), r"$\vec v[n]$", text_at="end", offset=(-0.25, 0.15), fontsize=13)
    tap = 34.2
    ax.plot([tap], [y_q], "o", color=INK, ms=3.5)
    arrow(ax, (tap, y_q), (tap, 14.6))
    return fig, ax


def draw_context_windows(L: int = 4):
    """Fig. 10b: the five external input context windows, ``xi_x_*[n] = W_x_*[n] * x[n]`` (Eq. 188).

    Each node ``* in {cu, cs, cr, cx, du}`` filters the input sequence with its own
    non-causal, matrix-valued FIR filter (a trapezoid block); the panel on the right shows,
    for ``L`` taps, which inputs one step reads: ``x[n], ..., x[n+L-1]``, never the past
    (the state carries it), and zeros past the segment end (P10).

    Parameters
    ----------
    L : int, default 4
        Number of taps drawn in the right panel (the paper's example has L = 4), 1 to 8.

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : list of two matplotlib.axes.Axes
        The filter blocks, and the window of one step on the time axis.

    Raises
    ------
    ValueError
        If ``L`` is not an integer from 1 to 8.
    """
    from matplotlib.patches import Polygon

    L = count_argument("L", L, 8, "the paper's example has L = 4")
    fig, (ax, ax_t) = plt.subplots(
        1, 2, figsize=(10.5, 3.8), width_ratios=(1.0, 1.15), layout="constrained", FigureClass=DiagramFigure
    )
    ax.set(xlim=(-0.3, 9.6), ylim=(-0.4, 5.4), aspect="equal")
    ax.axis("off")
    names = ("cu", "cs", "cr", "cx", "du")
    ys = [4.6 - 1.1 * k for k in range(5)]
    fs = 13  # points: body-text size at the width the site shows this figure
    _small_label(ax, (0.0, 2.45), r"$\vec x[n]$", ha="left", va="center", fontsize=fs)
    wire(ax, [1.0, 1.7], [2.4, 2.4])
    wire(ax, [1.7, 1.7], [ys[-1], ys[0]])
    for name, y in zip(names, ys):
        arrow(ax, (1.7, y), (2.9, y))
        ax.add_patch(Polygon([(2.9, y - 0.45), (2.9, y + 0.45), (4.9, y + 0.3), (4.9, y - 0.3)], fc="#dbe9f6",
                             ec=INK, lw=1.2))  # fmt: skip
        _small_label(ax, (3.85, y), rf"$W_{{x_{{{name}}}}}[n]$", va="center", fontsize=fs)
        arrow(ax, (4.9, y), (6.4, y))
        _small_label(ax, (6.5, y), rf"$\vec\xi_{{x_{{{name}}}}}[n]$", ha="left", va="center", fontsize=fs)
    # the windows of two steps on the time axis: one inside the segment, one at its end
    N = 10
    t = np.arange(N + L - 1)
    rows = ((1.0, 2), (0.0, N - 2))  # (height of the row, step n)
    for y, n in rows:
        pad = t >= N
        ax_t.plot(t[~pad], np.full((~pad).sum(), y), "o", color="#9aa9b8", ms=7)
        ax_t.plot(t[pad], np.full(pad.sum(), y), "o", mfc="white", color="#9aa9b8", ms=7)
        taps = n + np.arange(L)
        for l, m in enumerate(taps):
            ax_t.plot([m], [y], "o", mfc=CONTROL if m < N else "white", color=CONTROL, ms=9)
            above = l % 2 == 0  # alternate sides, so neighbouring labels never touch
            ax_t.text(m, y + (0.2 if above else -0.2), rf"$W[{l}]$", ha="center", va="bottom" if above else "top",
                      fontsize=fs, color=CONTROL)  # fmt: skip
        ax_t.add_patch(FancyBboxPatch((n - 0.4, y - 0.16), L - 0.2, 0.32, boxstyle="round,pad=0.02,rounding_size=0.1",
                                      fc="none", ec=CONTROL, lw=1.2))  # fmt: skip
        ax_t.text(-0.9, y, rf"step $n={n}$", ha="right", va="center", fontsize=fs)
    ax_t.axvline(N - 0.5, color=INK, ls="--", lw=1)
    ax_t.text(N - 0.4, 1.5, "segment end:\nzeros past it (P10)", ha="left", va="center", fontsize=fs)
    title = rf"$\vec\xi[n] = \sum_{{l=0}}^{{{L - 1}}} W[l]\,\vec x[n+l]$: what step $n$ reads"
    ax_t.set(xlim=(-3.6, N + L - 0.5), ylim=(-0.75, 1.85), yticks=[], xticks=t)
    ax_t.set_xlabel(r"input index $m$ of $\vec x[m]$", fontsize=fs)
    ax_t.set_title(title, fontsize=fs)
    ax_t.tick_params(labelsize=fs)
    for side in ("left", "right", "top"):
        ax_t.spines[side].set_visible(False)
    ax.set_title("(b) one context window per node", fontsize=fs)
    return fig, [ax, ax_t]
