"""Figures for the book: the paper's cell diagrams redrawn, and explorer views.

Every function takes arrays (or nothing) and returns ``(fig, ax)``; matplotlib is
imported here, never by ``import lrnn``. Diagrams follow the paper's drawing
conventions (Sherstinsky 2020, Sec. II-VII; paper-map Sec. 5): signals run as
horizontal rails, weight matrices are rounded boxes, sums are circled plus signs,
warping functions are labelled boxes, biases are omitted.

Functions::

    draw_view                  an explorer's View (the live face of every explorer)
    draw_canonical_cell        Fig. 1, the canonical RNN cell (Eqs. 30-31)
    draw_unrolled_rnn          Fig. 2, the unrolled RNN
    draw_unit_step_and_sample  Fig. 3, u(n) and delta(n) (Eqs. 34-35)
    draw_bptt_graph            the unrolled RNN as a computation graph with BPTT's paths (Eqs. 78-90)
    draw_gated_cell            Figs. 4-6, from the canonical RNN to the LSTM data path
    draw_vanilla_lstm_cell     Figs. 7 and 9, the Vanilla LSTM cell
    draw_unrolled_lstm         Fig. 8, the unrolled LSTM
    draw_augmented_lstm_cell   Fig. 10a, the Augmented LSTM cell
    draw_context_windows       Fig. 10b, the context-window filters

Drawing primitives (``box``, ``node``, ``arrow``, ``new_diagram``) are shared by all diagrams.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyBboxPatch

from .explorer import PALETTE, View

__all__ = ["draw_view", "draw_canonical_cell", "box", "node", "arrow", "new_diagram"]

_STYLES = {"line": "-", "dashed": "--", "dotted": ":"}


def draw_view(view: View, fig=None):
    """Draw an explorer view (panels side by side) with matplotlib.

    Parameters
    ----------
    view : lrnn.explorer.View
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (cleared first).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : list of matplotlib.axes.Axes
    """
    n = len(view.panels)
    if fig is None:
        fig = plt.figure(figsize=(4.6 * n, 3.4), layout="constrained")
    fig.clf()
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, panel in zip(axes, view.panels):
        for s in panel.series:
            col = PALETTE[s.color % len(PALETTE)]
            x, y = np.asarray(s.x, float), np.asarray(s.y, float)
            if s.style == "markers":
                ax.plot(x, y, "o", color=col, ms=4, label=s.label or None)
            elif s.style == "stems":
                ax.vlines(x, 0, y, color=col)
                ax.plot(x, y, "o", color=col, ms=4, label=s.label or None)
            else:
                ax.plot(x, y, _STYLES[s.style], color=col, lw=1.6, label=s.label or None)
        if panel.logy:
            ax.set_yscale("log")
        if panel.equal:
            ax.set_aspect("equal", adjustable="box")
        if panel.xlim:
            ax.set_xlim(panel.xlim)
        if panel.ylim:
            ax.set_ylim(panel.ylim)
        ax.set(title=panel.title, xlabel=panel.xlabel, ylabel=panel.ylabel)
        ax.grid(alpha=0.25)
        if any(s.label for s in panel.series):
            ax.legend(fontsize=8, loc="best")
    return fig, list(axes)


# -- diagram primitives ------------------------------------------------------------------------


def new_diagram(width: float, height: float, xlim, ylim):
    """An empty, axis-free canvas in data coordinates."""
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    ax.set(xlim=xlim, ylim=ylim, aspect="equal")
    ax.axis("off")
    return fig, ax


def box(ax, xy, text, w=1.0, h=0.6, fc="#dbe9f6"):
    """A rounded box centred at ``xy`` (a weight matrix or a warping function)."""
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.12", fc=fc, ec="#1f3b57", lw=1.2
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=12)


def node(ax, xy, symbol="+", r=0.2):
    """A circled sum (``"+"``) or element-wise product (``"x"``) node."""
    ax.add_patch(Circle(xy, r, fc="white", ec="#1f3b57", lw=1.2))
    mark = {"+": "$+$", "x": r"$\times$"}[symbol]
    ax.text(xy[0], xy[1] - 0.01, mark, ha="center", va="center", fontsize=12)


def arrow(ax, start, end, text=None, text_at="start", offset=(0.0, 0.15)):
    """A signal arrow from ``start`` to ``end`` with an optional label."""
    ax.annotate(
        "", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", lw=1.3, color="#1f3b57", shrinkA=0, shrinkB=0)
    )
    if text:
        x, y = start if text_at == "start" else end
        ax.text(x + offset[0], y + offset[1], text, ha="center", va="bottom", fontsize=12)


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
        fontsize=11,
    )
    return fig, ax


# -- Chapter 2: unrolling (Sec. III) ------------------------------------------------------------

__all__ += ["draw_unit_step_and_sample", "draw_unrolled_rnn"]


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
    from .unrolling import unit_sample, unit_step

    n = np.arange(-11, 12) if n is None else np.asarray(n)
    signals = [("(a)", "u(n)", unit_step(n)), ("(b)", r"\delta(n)", unit_sample(n))]
    fig, axes = plt.subplots(1, 2, figsize=(10, 2.8), layout="constrained", sharey=True)
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
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"steps = {steps!r}, expected a positive int (the number of unrolled cells), e.g. steps=4.")
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

__all__ += ["draw_gated_cell"]

_NEW = "#fde2c4"  # fill of the elements a figure adds to the previous one
_GATE = "#c2410c"  # gate inputs: control signals, drawn apart from the data path


def _line(ax, xs, ys):
    ax.plot(xs, ys, color="#1f3b57", lw=1.3, solid_capstyle="butt")


def _shade(ax, new: bool):
    """Fill the node just drawn if it is new in this figure."""
    if new:
        ax.patches[-1].set_facecolor(_NEW)


def _gate_in(ax, tip, name, frm="above", length=0.75):
    """A gate signal entering a product node from above or below, labelled ``g_name[n]``."""
    x, y = tip
    start = (x, y + length) if frm == "above" else (x, y - length)
    ax.annotate("", xy=tip, xytext=start, arrowprops=dict(arrowstyle="-|>", lw=1.3, color=_GATE, shrinkA=0, shrinkB=0))
    va, dy = ("bottom", 0.05) if frm == "above" else ("top", -0.05)
    ax.text(x, start[1] + dy, rf"$\vec g_{{{name}}}[n]$", ha="center", va=va, fontsize=12, color=_GATE)


def draw_gated_cell(stage: int):
    """Figs. 4-6: the canonical RNN cell turned, change by change, into the Vanilla LSTM data path.

    Parameters
    ----------
    stage : {4, 5, 6}
        The paper's figure number. 4: ``W_s = I`` and the gates ``g_cs``, ``g_cu``
        (Eqs. 100-102); 5: the readout gate ``g_cr`` and the value ``v[n]`` fed back
        (Eqs. 103-105); 6: the update bounded by ``tanh`` into the candidate ``u[n]``
        (Eqs. 107-108). The elements a figure adds to the previous one are shaded; the
        gates are still external inputs (Sec. V), drawn in their own colour.

    Returns
    -------
    fig, ax

    Raises
    ------
    ValueError
        If ``stage`` is not 4, 5 or 6.
    """
    if stage not in (4, 5, 6):
        raise ValueError(f"stage = {stage!r}, expected 4, 5 or 6 (the paper's Figs. 4-6).")
    fig, ax = new_diagram(9.0, 5.1, (-0.3, 12.6), (-0.1, 7.3))
    yt, yx, yu, ys = 4.4, 3.0, 3.7, 1.4  # rails: fed-back signal, input, update path, state
    fb = r"\vec r[n-1]" if stage == 4 else r"\vec v[n-1]"
    box(ax, (2.0, yt), "$W_r$")
    box(ax, (2.0, yx), "$W_x$")
    arrow(ax, (0.0, yt), (1.5, yt), rf"${fb}$", offset=(0.65, 0.12))
    arrow(ax, (0.0, yx), (1.5, yx), r"$\vec x[n]$", offset=(0.65, 0.12))
    node(ax, (3.6, yu))  # F_u = W_r (r or v)[n-1] + W_x x[n]
    _line(ax, [2.5, 3.6], [yt, yt])
    arrow(ax, (3.6, yt), (3.6, yu + 0.2))
    _line(ax, [2.5, 3.6], [yx, yx])
    arrow(ax, (3.6, yx), (3.6, yu - 0.2))
    if stage == 6:
        ax.text(4.3, yu + 0.12, r"$\vec a_{du}[n]$", ha="center", va="bottom", fontsize=11)
        arrow(ax, (3.8, yu), (4.95, yu))
        box(ax, (5.6, yu), r"$\tanh$", w=1.3, fc=_NEW)
        arrow(ax, (6.25, yu), (7.0, yu))
        ax.text(6.62, yu + 0.12, r"$\vec u[n]$", ha="center", va="bottom", fontsize=11)
    else:
        arrow(ax, (3.8, yu), (7.0, yu))
    node(ax, (7.2, yu), "x")  # g_cu * (update)
    _shade(ax, stage == 4)
    _gate_in(ax, (7.2, yu + 0.2), "cu")
    _line(ax, [7.4, 8.0], [yu, yu])
    arrow(ax, (8.0, yu), (8.0, ys + 0.2))
    arrow(ax, (0.0, ys), (4.6, ys), r"$\vec s[n-1]$", offset=(0.65, 0.12))
    node(ax, (4.8, ys), "x")  # g_cs * s[n-1], W_s = I (Eq. 100)
    _shade(ax, stage == 4)
    _gate_in(ax, (4.8, ys - 0.2), "cs", frm="below", length=0.7)
    arrow(ax, (5.0, ys), (7.8, ys))
    node(ax, (8.0, ys))
    arrow(ax, (8.2, ys), (12.3, ys), r"$\vec s[n]$", text_at="end", offset=(-0.4, 0.12))
    yr = 3.2  # readout: s[n] -> tanh -> r[n] (-> g_cr -> v[n])
    box(ax, (9.6, yr), r"$\tanh$", w=1.3)
    ax.annotate("", xy=(9.6, yr - 0.3), xytext=(9.6, ys), arrowprops=dict(arrowstyle="-|>", lw=1.3, color="#1f3b57"))
    ax.plot([9.6], [ys], "o", color="#1f3b57", ms=3.5)
    _line(ax, [9.6, 9.6], [yr + 0.3, 5.3])
    if stage == 4:
        arrow(ax, (9.6, 5.3), (12.3, 5.3), r"$\vec r[n]$", text_at="end", offset=(-0.4, 0.12))
    else:
        ax.text(9.75, 4.3, r"$\vec r[n]$", ha="left", va="center", fontsize=11)
        arrow(ax, (9.6, 5.3), (10.7, 5.3))
        node(ax, (10.9, 5.3), "x")
        _shade(ax, stage == 5)
        _gate_in(ax, (10.9, 5.1), "cr", frm="below", length=0.7)
        arrow(ax, (11.1, 5.3), (12.3, 5.3), r"$\vec v[n]$", text_at="end", offset=(-0.4, 0.12))
    state = {
        4: r"$\vec s[n]=\vec g_{cs}\odot\vec s[n-1]+\vec g_{cu}\odot(W_r\vec r[n-1]+W_x\vec x[n])$",
        5: r"$\vec s[n]=\vec g_{cs}\odot\vec s[n-1]+\vec g_{cu}\odot(W_r\vec v[n-1]+W_x\vec x[n])$",
        6: r"$\vec s[n]=\vec g_{cs}\odot\vec s[n-1]+\vec g_{cu}\odot\vec u[n],\ "
        r"\vec u[n]=\tanh(W_r\vec v[n-1]+W_x\vec x[n])$",
    }[stage]
    out = r"$\vec r[n]=\tanh(\vec s[n])$" if stage == 4 else r"$\vec v[n]=\vec g_{cr}\odot\tanh(\vec s[n])$"
    ax.text(6.15, 6.55, state + "\n" + out, ha="center", va="center", fontsize=14, linespacing=1.5)
    return fig, ax


# -- Ch. 5: the Vanilla LSTM in detail (Figs. 7-9) ------------------------------------------------


__all__ += ["draw_vanilla_lstm_cell", "draw_unrolled_lstm"]

_LSTM_INK, _LSTM_CONTROL = "#1f3b57", "#c2410c"  # data wires; gate (control) signals, as in Figs. 4-6


def _lstm_wire(ax, xs, ys, color=_LSTM_INK, head=False):
    """A wire through the points ``(xs[i], ys[i])``, with an arrowhead on the last segment if ``head``."""
    ax.plot(xs[:-1] if head else xs, ys[:-1] if head else ys, color=color, lw=1.3, solid_capstyle="butt")
    if head:
        style = dict(arrowstyle="-|>", lw=1.3, color=color, shrinkA=0, shrinkB=0)
        ax.annotate("", xy=(xs[-1], ys[-1]), xytext=(xs[-2], ys[-2]), arrowprops=style)


def _lstm_label(ax, xy, text, ha="center", va="bottom", fontsize=11, color="black"):
    ax.text(xy[0], xy[1], text, ha=ha, va=va, fontsize=fontsize, color=color)


_LSTM_COLUMNS = (  # name, x of the weight boxes, warping, source of the W_s tap (None: no state term)
    ("du", 2.4, r"$\tanh$", None),
    ("cu", 7.6, r"$\sigma$", "prev"),
    ("cs", 12.8, r"$\sigma$", "prev"),
    ("cr", 19.4, r"$\sigma$", "new"),
)
_LSTM_GROUPS = {"du": "Data Update Candidate", "cu": "Control Update", "cs": "Control State", "cr": "Control Readout"}


def draw_vanilla_lstm_cell(groups: bool = False):
    """Fig. 7 (``groups=False``) or Fig. 9 (``groups=True``): the full Vanilla LSTM cell, Eqs. 126-136.

    Three rails run left to right: the value ``v[n-1]`` (top), the state ``s[n-1] -> s[n]``
    (middle) and the input ``x[n]`` (bottom). Four columns, du, cu, cs and cr, each sum
    their weighted inputs in an accumulation node ``a_*`` and warp it (``tanh`` for the
    data update candidate ``u``, ``sigma`` for the gates). The state rail is multiplied by
    ``g_cs``, receives ``g_cu * u``, and the readout ``tanh(s[n])`` is multiplied by ``g_cr``
    into ``v[n]``. The cr column taps the *new* state ``s[n]`` (Eq. 128); du has no state
    term. Biases are omitted, as in the paper.

    Parameters
    ----------
    groups : bool, default False
        Draw the dashed boxes of Fig. 9 around the four columns, labelled "Data Update
        Candidate", "Control Update", "Control State" and "Control Readout".

    Returns
    -------
    fig, ax
    """
    from matplotlib.patches import Rectangle

    fig, ax = new_diagram(13.0, 7.0, (-0.6, 27.4), (-0.2, 14.4))
    yv, ys, yx = 13.0, 6.0, 0.4  # rails
    y_wv, y_ws, y_wx, y_acc, y_mul = 11.1, 4.5, 1.9, 9.3, 7.6
    ends = {"v": 21.0, "x": 21.0}
    _lstm_wire(ax, [-0.2, ends["v"]], [yv, yv])
    _lstm_label(ax, (0.3, yv + 0.15), r"$\vec v[n-1]$", ha="left")
    _lstm_wire(ax, [-0.2, ends["x"]], [yx, yx])
    _lstm_label(ax, (0.3, yx + 0.15), r"$\vec x[n]$", ha="left")
    _lstm_label(ax, (0.3, ys + 0.15), r"$\vec s[n-1]$", ha="left")
    x_gate_cs, x_sum = 15.4, 17.0  # the gate node and the update node on the state rail
    gate_out = {}
    for name, cx, warp, tap in _LSTM_COLUMNS:
        bus = cx + 1.3  # vertical line collecting the weighted inputs into a_*
        xw = cx + 2.6  # the warping box
        box(ax, (cx, y_wv), rf"$W_{{v_{{{name}}}}}$", w=1.3, h=0.8)
        arrow(ax, (cx, yv), (cx, y_wv + 0.4))
        box(ax, (cx, y_wx), rf"$W_{{x_{{{name}}}}}$", w=1.3, h=0.8)
        arrow(ax, (cx, yx), (cx, y_wx - 0.4))
        _lstm_wire(ax, [cx + 0.65, bus], [y_wv, y_wv])
        arrow(ax, (bus, y_wv), (bus, y_acc + 0.25))
        _lstm_wire(ax, [cx + 0.65, bus], [y_wx, y_wx])
        arrow(ax, (bus, y_wx), (bus, y_acc - 0.25))
        if tap is not None:
            xt = cx - 1.2 if tap == "prev" else x_sum + 0.9
            box(ax, (cx, y_ws), rf"$W_{{s_{{{name}}}}}$", w=1.3, h=0.8)
            _lstm_wire(ax, [xt, xt], [ys, y_ws])
            arrow(ax, (xt, y_ws), (cx - 0.65, y_ws))
            ax.plot([xt], [ys], "o", color="#1f3b57", ms=3.5)
            _lstm_wire(ax, [cx + 0.65, bus], [y_ws, y_ws])
        node(ax, (bus, y_acc), "+", r=0.25)
        _lstm_label(ax, (bus - 0.35, y_acc + 0.3), rf"$\vec a_{{{name}}}$", ha="right", fontsize=10)
        arrow(ax, (bus + 0.25, y_acc), (xw - 0.55, y_acc))
        box(ax, (xw, y_acc), warp, w=1.1, h=0.8, fc="#fde2c8")
        gate_out[name] = xw
        if groups:
            ax.add_patch(
                Rectangle(
                    (cx - 1.0, 1.0), xw - cx + 1.85, 11.35, fill=False, ls=(0, (5, 3)), lw=1.1, ec="#b03a2e", zorder=0
                )
            )
            label = _LSTM_GROUPS[name].replace("Update Candidate", "Update\nCandidate")
            _lstm_label(ax, (cx + 0.2, 12.25), label, ha="left", va="top", fontsize=9.5)
    # data update candidate u[n] -> x g_cu[n] -> + on the state rail
    xu, xcu = gate_out["du"], gate_out["cu"]
    _lstm_wire(ax, [xu, xu], [y_acc - 0.4, y_mul])
    _lstm_label(ax, (xu + 0.1, y_mul + 0.7), r"$\vec u[n]$", ha="left", fontsize=10)
    arrow(ax, (xu, y_mul), (xcu - 0.2, y_mul))
    node(ax, (xcu, y_mul), "x")
    _lstm_wire(ax, [xcu, xcu], [y_acc - 0.4, y_mul + 0.2], _LSTM_CONTROL, head=True)
    _lstm_label(ax, (xcu + 0.12, y_mul + 0.75), r"$\vec g_{cu}[n]$", ha="left", fontsize=10, color=_LSTM_CONTROL)
    _lstm_wire(ax, [xcu + 0.2, x_sum], [y_mul, y_mul])
    arrow(ax, (x_sum, y_mul), (x_sum, ys + 0.25))
    # control state gate on the rail: s[n-1] x g_cs[n]
    arrow(ax, (-0.2, ys), (x_gate_cs - 0.2, ys))
    node(ax, (x_gate_cs, ys), "x")
    xcs = gate_out["cs"]
    _lstm_wire(ax, [xcs, x_gate_cs], [y_acc - 0.4, ys + 0.2], _LSTM_CONTROL, head=True)
    _lstm_label(ax, (x_gate_cs + 0.12, ys + 0.35), r"$\vec g_{cs}[n]$", ha="left", fontsize=10, color=_LSTM_CONTROL)
    arrow(ax, (x_gate_cs + 0.2, ys), (x_sum - 0.25, ys))
    node(ax, (x_sum, ys), "+", r=0.25)
    # new state s[n]: to the right edge, tapped by W_s_cr and the readout warping
    x_r, y_r, y_out = 23.9, 8.4, 10.6
    arrow(ax, (x_sum + 0.25, ys), (26.9, ys), r"$\vec s[n]$", text_at="end", offset=(-0.5, 0.15))
    _lstm_wire(ax, [x_r, x_r], [ys, y_r - 0.4])
    ax.plot([x_r], [ys], "o", color="#1f3b57", ms=3.5)
    box(ax, (x_r, y_r), r"$\tanh$", w=1.1, h=0.8, fc="#fde2c8")
    arrow(ax, (x_r, y_r + 0.4), (x_r, y_out - 0.2))
    _lstm_label(ax, (x_r + 0.15, y_r + 0.6), r"$\vec r[n]$", ha="left", fontsize=10)
    node(ax, (x_r, y_out), "x")
    xcr = gate_out["cr"]
    _lstm_wire(ax, [xcr, xcr, x_r - 0.2], [y_acc + 0.4, y_out, y_out], _LSTM_CONTROL, head=True)
    _lstm_label(ax, (xcr + 0.15, y_out + 0.12), r"$\vec g_{cr}[n]$", ha="left", fontsize=10, color=_LSTM_CONTROL)
    arrow(ax, (x_r + 0.2, y_out), (26.9, y_out), r"$\vec v[n]$", text_at="end", offset=(-0.5, 0.15))
    arrow(ax, (x_r, y_out + 0.2), (x_r, 13.9))
    return fig, ax


def draw_unrolled_lstm(steps: int = 4):
    """Fig. 8: the Vanilla LSTM unrolled for ``steps`` steps (one reusable cell per step).

    Each cell receives ``v[k-1]`` (upper line) and ``s[k-1]`` (lower line) from its left
    neighbour and ``x[k]`` from below; it passes ``v[k]`` and ``s[k]`` on to the right, and
    ``v[k]`` is also tapped upward as the output of step ``k``. The first cell starts from
    ``s[-1] = v[-1] = 0`` (P5).

    Parameters
    ----------
    steps : int, default 4
        Number of cells (the paper draws 4), between 1 and 8.

    Returns
    -------
    fig, ax

    Raises
    ------
    ValueError
        If ``steps`` is not an integer from 1 to 8.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= 8:
        raise ValueError(f"steps = {steps!r}, expected an integer from 1 to 8 (the paper draws 4).")
    pitch, w, h = 3.6, 2.2, 2.0
    width = 1.6 + steps * pitch
    fig, ax = new_diagram(2.6 + 2.3 * steps, 3.6, (-0.2, width + 0.4), (-1.3, 4.4))
    yv, ys = 1.55, 0.45
    for k in range(steps):
        cx = 1.6 + k * pitch + w / 2
        box(ax, (cx, 1.0), f"LSTM Cell\n(Step {k})", w=w, h=h)
        left = cx - w / 2
        start = left - (pitch - w) if k else 0.0
        sup = "" if k else "=0"
        arrow(ax, (start, yv), (left, yv), rf"$\vec v[{k - 1}]{sup}$" if k == 0 else None, offset=(0.6, 0.08))
        arrow(ax, (start, ys), (left, ys), rf"$\vec s[{k - 1}]{sup}$" if k == 0 else None, offset=(0.6, -0.5))
        if k:
            _lstm_label(ax, (left - 0.7, yv + 0.08), rf"$\vec v[{k - 1}]$", fontsize=10)
            _lstm_label(ax, (left - 0.7, ys - 0.45), rf"$\vec s[{k - 1}]$", fontsize=10)
        arrow(ax, (cx, -0.9), (cx, 0.0), rf"$\vec x[{k}]$", offset=(0.45, 0.05))
        arrow(ax, (cx, 2.0), (cx, 3.3), rf"$\vec v[{k}]$", text_at="end", offset=(0.0, 0.05))
    right = 1.6 + (steps - 1) * pitch + w
    arrow(ax, (right, yv), (right + 1.3, yv), rf"$\vec v[{steps - 1}]$", text_at="end", offset=(-0.3, 0.08))
    arrow(ax, (right, ys), (right + 1.3, ys), rf"$\vec s[{steps - 1}]$", text_at="end", offset=(-0.3, -0.5))
    return fig, ax


# -- Ch. 3: backpropagation through time (Sec. IV) ----------------------------------------------

__all__ += ["draw_bptt_graph"]

_BACK = "#b91c1c"  # the backward pass: total derivatives flowing from later steps to earlier ones


def _back_arrow(ax, start, end, text=None, at=(0.0, 0.0)):
    """A dashed arrow of the backward pass with an optional label placed at ``at``."""
    style = dict(arrowstyle="-|>", lw=1.3, color=_BACK, ls="--", shrinkA=0, shrinkB=0)
    ax.annotate("", xy=end, xytext=start, arrowprops=style)
    if text:
        ax.text(*at, text, ha="center", va="center", fontsize=11, color=_BACK)


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
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"steps = {steps!r}, expected a positive int (the number of unrolled steps), e.g. steps=3.")
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
        ax.text(cx - 0.35, (ys + yr) / 2, "$G$", ha="right", va="center", fontsize=11)
        arrow(ax, (cx - 0.2, yr + 0.28), (cx - 0.2, ye - 0.25))  # E_n(r[n]), Eq. 80
        _back_arrow(ax, (cx + 0.2, ye - 0.25), (cx + 0.2, yr + 0.28))
        _back_arrow(ax, (cx + 0.2, yr - 0.28), (cx + 0.2, ys + 0.28))
        ax.text(cx + 0.62, yr + 0.42, rf"$\vec\chi[{k}]$", fontsize=11, color=_BACK, ha="left")
        ax.text(cx + 0.62, ys - 0.5, rf"$\vec\psi[{k}]$", fontsize=11, color=_BACK, ha="left")
        nxt = cols[k + 1] if k + 1 < steps else None
        if nxt is not None:
            arrow(ax, (cx + 0.5, yr - 0.05), (nxt - 0.5, ys + 0.1))  # s[n+1] = W_r r[n] + ..., Eq. 32
            ax.text((cx + nxt) / 2 - 0.35, (yr + ys) / 2 + 0.35, "$W_r$", fontsize=11, ha="center")
            _back_arrow(ax, (nxt - 0.5, ys - 0.12), (cx + 0.5, yr - 0.3))
            if k == 0:
                ax.text((cx + nxt) / 2 + 0.15, 0.12, r"$W_r^T\vec\psi[1]$", fontsize=11, color=_BACK, ha="center")
    label = rf"$\vec\psi[{steps}]=\vec 0$" + "\n(Eq. 85)"
    ax.text(x_end - 0.2, ys, label, fontsize=11, color=_BACK, ha="right", va="center")
    return fig, ax


# -- Ch. 6: the Augmented LSTM (Fig. 10) ----------------------------------------------------------

__all__ += ["draw_augmented_lstm_cell", "draw_context_windows"]

_AUG_INK, _AUG_CONTROL, _AUG_WARP = "#1f3b57", "#c2410c", "#fde2c8"  # data wires; gate signals; warping boxes


def _aug_wire(ax, xs, ys, color=_AUG_INK, head=False):
    """A polyline through ``(xs[i], ys[i])``, with an arrowhead on its last segment if ``head``."""
    ax.plot(xs[:-1] if head else xs, ys[:-1] if head else ys, color=color, lw=1.3, solid_capstyle="butt")
    if head:
        style = dict(arrowstyle="-|>", lw=1.3, color=color, shrinkA=0, shrinkB=0)
        ax.annotate("", xy=(xs[-1], ys[-1]), xytext=(xs[-2], ys[-2]), arrowprops=style)


def _aug_text(ax, xy, text, ha="center", va="bottom", fontsize=10, color="black"):
    ax.text(xy[0], xy[1], text, ha=ha, va=va, fontsize=fontsize, color=color)


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
    _aug_wire(ax, [-0.4, 28.6], [yv, yv])
    _aug_text(ax, (0.0, yv + 0.15), r"$\vec v[n-1]$", ha="left", fontsize=11)
    _aug_text(ax, (-0.4, ys + 0.15), r"$\vec s[n-1]$", ha="left", fontsize=11)
    x_gate_cs, x_sum = 21.2, 22.9  # the product (g_cs) and sum nodes on the state rail
    warp, bus = {}, {}
    for name, cx, shape, tap in _AUG_COLUMNS:
        bus[name], warp[name] = cx + 1.3, cx + 2.6  # the bus collects the terms of a_*; then the warping box
        box(ax, (cx, y_wv), rf"$W_{{v_{{{name}}}}}$", w=1.3, h=0.8)
        arrow(ax, (cx, yv), (cx, y_wv + 0.4))
        _aug_wire(ax, [cx + 0.65, bus[name]], [y_wv, y_wv])
        arrow(ax, (bus[name], y_wv), (bus[name], y_acc + 0.25))
        if name != "du":  # the windowed input enters the sum directly (du's passes the g_cx product first)
            arrow(ax, (bus[name], 0.3), (bus[name], y_acc - 0.25))
        _aug_text(ax, (bus[name], 0.15), rf"$\vec\xi_{{x_{{{name}}}}}[n]$", va="top", fontsize=11)
        if tap is not None:
            xt = cx - 1.2 if tap == "prev" else x_sum + 1.0  # cr taps the NEW state s[n] (Eq. 203)
            box(ax, (cx, y_ws), rf"$W_{{s_{{{name}}}}}$", w=1.3, h=0.8)
            _aug_wire(ax, [xt, xt], [ys, y_ws])
            arrow(ax, (xt, y_ws), (cx - 0.65, y_ws))
            ax.plot([xt], [ys], "o", color=_AUG_INK, ms=3.5)
            _aug_wire(ax, [cx + 0.65, bus[name]], [y_ws, y_ws])
        node(ax, (bus[name], y_acc), "+", r=0.25)
        _aug_text(ax, (bus[name] - 0.35, y_acc + 0.3), rf"$\vec a_{{{name}}}$", ha="right")
        arrow(ax, (bus[name] + 0.25, y_acc), (warp[name] - 0.55, y_acc))
        box(ax, (warp[name], y_acc), shape, w=1.1, h=0.8, fc=_AUG_WARP)
    # the control input gate throttles the windowed input of du (Eq. 209)
    bdu = bus["du"]
    arrow(ax, (bdu, 0.3), (bdu, y_gx - 0.2))
    node(ax, (bdu, y_gx), "x")
    arrow(ax, (bdu, y_gx + 0.2), (bdu, y_acc - 0.25))
    _aug_wire(ax, [warp["cx"], warp["cx"], bdu - 0.2], [y_acc - 0.4, y_gx, y_gx], _AUG_CONTROL, head=True)
    _aug_text(ax, (warp["cx"] + 0.15, y_gx + 0.12), r"$\vec g_{cx}[n]$", ha="left", color=_AUG_CONTROL)
    # u[n] x g_cu[n] -> + on the state rail (Eq. 211)
    xu, xcu = warp["du"], warp["cu"]
    _aug_wire(ax, [xu, xu], [y_acc - 0.4, y_mul])
    _aug_text(ax, (xu + 0.1, y_mul + 0.7), r"$\vec u[n]$", ha="left")
    arrow(ax, (xu, y_mul), (xcu - 0.2, y_mul))
    node(ax, (xcu, y_mul), "x")
    _aug_wire(ax, [xcu, xcu], [y_acc - 0.4, y_mul + 0.2], _AUG_CONTROL, head=True)
    _aug_text(ax, (xcu + 0.12, y_mul + 0.75), r"$\vec g_{cu}[n]$", ha="left", color=_AUG_CONTROL)
    _aug_wire(ax, [xcu + 0.2, x_sum], [y_mul, y_mul])
    arrow(ax, (x_sum, y_mul), (x_sum, ys + 0.25))
    arrow(ax, (-0.4, ys), (x_gate_cs - 0.2, ys))
    node(ax, (x_gate_cs, ys), "x")
    _aug_wire(ax, [warp["cs"], x_gate_cs], [y_acc - 0.4, ys + 0.2], _AUG_CONTROL, head=True)
    _aug_text(ax, (x_gate_cs + 0.12, ys + 0.35), r"$\vec g_{cs}[n]$", ha="left", color=_AUG_CONTROL)
    arrow(ax, (x_gate_cs + 0.2, ys), (x_sum - 0.25, ys))
    node(ax, (x_sum, ys), "+", r=0.25)
    # s[n] -> tanh -> r[n] -> x g_cr[n] -> q[n] -> W_q_dr -> v[n] (Eqs. 212-214)
    x_r, y_r, y_q = 30.0, 8.6, 10.8
    arrow(ax, (x_sum + 0.25, ys), (35.2, ys), r"$\vec s[n]$", text_at="end", offset=(-0.5, 0.15))
    _aug_wire(ax, [x_r, x_r], [ys, y_r - 0.4])
    ax.plot([x_r], [ys], "o", color=_AUG_INK, ms=3.5)
    box(ax, (x_r, y_r), r"$\tanh$", w=1.1, h=0.8, fc=_AUG_WARP)
    arrow(ax, (x_r, y_r + 0.4), (x_r, y_q - 0.2))
    _aug_text(ax, (x_r + 0.15, y_r + 0.6), r"$\vec r[n]$", ha="left")
    node(ax, (x_r, y_q), "x")
    _aug_wire(ax, [warp["cr"], warp["cr"], x_r - 0.2], [y_acc + 0.4, y_q, y_q], _AUG_CONTROL, head=True)
    _aug_text(ax, (warp["cr"] + 0.15, y_q + 0.12), r"$\vec g_{cr}[n]$", ha="left", color=_AUG_CONTROL)
    arrow(ax, (x_r + 0.2, y_q), (31.9, y_q))
    _aug_text(ax, (31.0, y_q + 0.12), r"$\vec q[n]$")
    box(ax, (32.7, y_q), r"$W_{q_{dr}}$", w=1.5, h=0.8, fc="#e8f3e0")
    arrow(ax, (33.45, y_q), (35.2, y_q), r"$\vec v[n]$", text_at="end", offset=(-0.5, 0.15))
    tap = 34.2
    ax.plot([tap], [y_q], "o", color=_AUG_INK, ms=3.5)
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

    if isinstance(L, bool) or not isinstance(L, int | np.integer) or not 1 <= L <= 8:
        raise ValueError(f"L = {L!r}, expected an integer from 1 to 8 (the paper's example has L = 4).")
    fig, (ax, ax_t) = plt.subplots(1, 2, figsize=(10.5, 3.8), width_ratios=(1.0, 1.15), layout="constrained")
    ax.set(xlim=(-0.3, 9.6), ylim=(-0.4, 5.4), aspect="equal")
    ax.axis("off")
    names = ("cu", "cs", "cr", "cx", "du")
    ys = [4.6 - 1.1 * k for k in range(5)]
    _aug_text(ax, (0.0, 2.45), r"$\vec x[n]$", ha="left", va="center", fontsize=12)
    _aug_wire(ax, [1.0, 1.7], [2.4, 2.4])
    _aug_wire(ax, [1.7, 1.7], [ys[-1], ys[0]])
    for name, y in zip(names, ys):
        arrow(ax, (1.7, y), (2.9, y))
        ax.add_patch(Polygon([(2.9, y - 0.45), (2.9, y + 0.45), (4.9, y + 0.3), (4.9, y - 0.3)], fc="#dbe9f6",
                             ec=_AUG_INK, lw=1.2))  # fmt: skip
        _aug_text(ax, (3.85, y), rf"$W_{{x_{{{name}}}}}[n]$", va="center", fontsize=11)
        arrow(ax, (4.9, y), (6.4, y))
        _aug_text(ax, (6.5, y), rf"$\vec\xi_{{x_{{{name}}}}}[n]$", ha="left", va="center", fontsize=12)
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
            ax_t.plot([m], [y], "o", mfc=_AUG_CONTROL if m < N else "white", color=_AUG_CONTROL, ms=9)
            ax_t.text(m, y + 0.2, rf"$W[{l}]$", ha="center", va="bottom", fontsize=9, color=_AUG_CONTROL)
        ax_t.add_patch(FancyBboxPatch((n - 0.4, y - 0.16), L - 0.2, 0.32, boxstyle="round,pad=0.02,rounding_size=0.1",
                                      fc="none", ec=_AUG_CONTROL, lw=1.2))  # fmt: skip
        ax_t.text(-0.9, y, rf"step $n={n}$", ha="right", va="center", fontsize=10)
    ax_t.axvline(N - 0.5, color=_AUG_INK, ls="--", lw=1)
    ax_t.text(N - 0.4, 1.45, "segment end:\nzeros past it (P10)", ha="left", va="center", fontsize=9)
    title = rf"$\vec\xi[n] = \sum_{{l=0}}^{{{L - 1}}} W[l]\,\vec x[n+l]$: what step $n$ reads"
    ax_t.set(xlabel=r"input index $m$ of $\vec x[m]$", xlim=(-3.6, N + L - 0.5), ylim=(-0.45, 1.75), yticks=[],
             xticks=t, title=title)  # fmt: skip
    for side in ("left", "right", "top"):
        ax_t.spines[side].set_visible(False)
    ax.set_title("(b) one context window per node", fontsize=11)
    return fig, [ax, ax_t]
