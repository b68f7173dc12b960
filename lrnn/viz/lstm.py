"""The LSTM figures: Figs. 4-6 (from the RNN to the LSTM data path), Fig. 7 and 9 (the Vanilla
LSTM cell, with its four groups), Fig. 8 (unrolled LSTM) (Sherstinsky 2020, Secs. V-VI)."""

from __future__ import annotations

from matplotlib.patches import Rectangle

from .base import CONTROL, arrow, box, count_argument, new_diagram, node, put_text, wire

__all__ = ["draw_gated_cell", "draw_vanilla_lstm_cell", "draw_unrolled_lstm"]

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
        ax.text(4.3, yu + 0.12, r"$\vec a_{du}[n]$", ha="center", va="bottom", fontsize=12)
        arrow(ax, (3.8, yu), (4.95, yu))
        box(ax, (5.6, yu), r"$\tanh$", w=1.3, fc=_NEW)
        arrow(ax, (6.25, yu), (7.0, yu))
        ax.text(6.62, yu + 0.12, r"$\vec u[n]$", ha="center", va="bottom", fontsize=12)
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
        ax.text(9.75, 4.3, r"$\vec r[n]$", ha="left", va="center", fontsize=12)
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


_LSTM_COLUMNS = (  # name, x of the weight boxes, warping, source of the W_s tap (None: no state term)
    ("du", 2.8, r"$\tanh$", None),
    ("cu", 8.4, r"$\sigma$", "prev"),
    ("cs", 14.0, r"$\sigma$", "prev"),
    ("cr", 21.2, r"$\sigma$", "new"),
)
_LSTM_GROUPS = {
    "du": "Data Update\nCandidate",
    "cu": "Control\nUpdate",
    "cs": "Control\nState",
    "cr": "Control\nReadout",
}
_CELL_FONT = 16.5  # points: at the width the site shows this 13-inch figure (936 px), body-text size


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
    fs = _CELL_FONT
    fig, ax = new_diagram(13.0, 7.0, (-0.6, 30.1), (-0.2, 15.2))
    yv, ys, yx = 14.4, 6.0, 0.4  # rails
    y_wv, y_ws, y_wx, y_acc, y_mul = 11.2, 4.4, 2.1, 9.4, 7.7
    bw, bh = 1.5, 0.95  # weight and warping boxes
    ends = {"v": 21.5, "x": 21.5}
    wire(ax, [-0.2, ends["v"]], [yv, yv])
    put_text(ax, (0.3, yv + 0.15), r"$\vec v[n-1]$", ha="left", fontsize=fs)
    wire(ax, [-0.2, ends["x"]], [yx, yx])
    put_text(ax, (0.3, yx + 0.15), r"$\vec x[n]$", ha="left", fontsize=fs)
    put_text(ax, (-0.5, ys + 0.15), r"$\vec s[n-1]$", ha="left", fontsize=fs)  # left of the groups' dashed boxes
    x_gate_cs, x_sum = 17.2, 18.8  # the gate node and the update node on the state rail
    gate_out = {}
    for name, cx, warp, tap in _LSTM_COLUMNS:
        bus = cx + 1.2  # vertical line collecting the weighted inputs into a_*
        xw = cx + 3.2  # the warping box
        box(ax, (cx, y_wv), rf"$W_{{v_{{{name}}}}}$", w=bw, h=bh, fontsize=fs)
        arrow(ax, (cx, yv), (cx, y_wv + bh / 2))
        box(ax, (cx, y_wx), rf"$W_{{x_{{{name}}}}}$", w=bw, h=bh, fontsize=fs)
        arrow(ax, (cx, yx), (cx, y_wx - bh / 2))
        wire(ax, [cx + bw / 2, bus], [y_wv, y_wv])
        arrow(ax, (bus, y_wv), (bus, y_acc + 0.3))
        wire(ax, [cx + bw / 2, bus], [y_wx, y_wx])
        arrow(ax, (bus, y_wx), (bus, y_acc - 0.3))
        if tap is not None:
            xt = cx - 1.2 if tap == "prev" else x_sum + 0.9
            box(ax, (cx, y_ws), rf"$W_{{s_{{{name}}}}}$", w=bw, h=bh, fontsize=fs)
            wire(ax, [xt, xt], [ys, y_ws])
            arrow(ax, (xt, y_ws), (cx - bw / 2, y_ws))
            ax.plot([xt], [ys], "o", color="#1f3b57", ms=4)
            wire(ax, [cx + bw / 2, bus], [y_ws, y_ws])
        node(ax, (bus, y_acc), "+", r=0.3, fontsize=fs)
        put_text(ax, (bus - 0.35, y_acc + 0.38), rf"$\vec a_{{{name}}}$", ha="right", fontsize=fs)
        arrow(ax, (bus + 0.3, y_acc), (xw - bw / 2, y_acc))
        box(ax, (xw, y_acc), warp, w=bw, h=bh, fc="#fde2c8", fontsize=fs)
        gate_out[name] = xw
        if groups:
            ax.add_patch(
                Rectangle((cx - 1.0, 1.1), 5.2, 12.6, fill=False, ls=(0, (5, 3)), lw=1.1, ec="#b03a2e", zorder=0)
            )
            put_text(ax, (cx + 0.2, 13.6), _LSTM_GROUPS[name], ha="left", va="top", fontsize=fs)
    # data update candidate u[n] -> x g_cu[n] -> + on the state rail
    xu, xcu = gate_out["du"], gate_out["cu"]
    wire(ax, [xu, xu], [y_acc - bh / 2, y_mul])
    put_text(ax, (xu - 0.15, y_mul + 0.15), r"$\vec u[n]$", ha="right", fontsize=fs)
    arrow(ax, (xu, y_mul), (xcu - 0.3, y_mul))
    node(ax, (xcu, y_mul), "x", r=0.3, fontsize=fs)
    wire(ax, [xcu, xcu], [y_acc - bh / 2, y_mul + 0.3], CONTROL, head=True)
    put_text(ax, (xcu - 0.2, y_mul + 0.45), r"$\vec g_{cu}[n]$", ha="right", fontsize=fs, color=CONTROL)
    wire(ax, [xcu + 0.3, x_sum], [y_mul, y_mul])
    arrow(ax, (x_sum, y_mul), (x_sum, ys + 0.3))
    # control state gate on the rail: s[n-1] x g_cs[n]
    arrow(ax, (-0.2, ys), (x_gate_cs - 0.3, ys))
    node(ax, (x_gate_cs, ys), "x", r=0.3, fontsize=fs)
    xcs = gate_out["cs"]
    wire(ax, [xcs, x_gate_cs], [y_acc - bh / 2, ys + 0.3], CONTROL, head=True)
    put_text(ax, (x_gate_cs - 0.2, ys + 0.45), r"$\vec g_{cs}[n]$", ha="right", fontsize=fs, color=CONTROL)
    arrow(ax, (x_gate_cs + 0.3, ys), (x_sum - 0.3, ys))
    node(ax, (x_sum, ys), "+", r=0.3, fontsize=fs)
    # new state s[n]: to the right edge, tapped by W_s_cr and the readout warping
    x_r, y_r, y_out = 26.8, 8.6, 11.0
    arrow(ax, (x_sum + 0.3, ys), (29.7, ys), r"$\vec s[n]$", text_at="end", offset=(-0.6, 0.15), fontsize=fs)
    wire(ax, [x_r, x_r], [ys, y_r - bh / 2])
    ax.plot([x_r], [ys], "o", color="#1f3b57", ms=4)
    box(ax, (x_r, y_r), r"$\tanh$", w=bw, h=bh, fc="#fde2c8", fontsize=fs)
    arrow(ax, (x_r, y_r + bh / 2), (x_r, y_out - 0.3))
    put_text(ax, (x_r + 0.2, y_r + 0.75), r"$\vec r[n]$", ha="left", fontsize=fs)
    node(ax, (x_r, y_out), "x", r=0.3, fontsize=fs)
    xcr = gate_out["cr"]
    wire(ax, [xcr, xcr, x_r - 0.3], [y_acc + bh / 2, y_out, y_out], CONTROL, head=True)
    put_text(ax, (xcr - 0.15, y_out + 0.12), r"$\vec g_{cr}[n]$", ha="right", fontsize=fs, color=CONTROL)
    arrow(ax, (x_r + 0.3, y_out), (29.7, y_out), r"$\vec v[n]$", text_at="end", offset=(-0.6, 0.15), fontsize=fs)
    arrow(ax, (x_r, y_out + 0.3), (x_r, 15.0))
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
    steps = count_argument("steps", steps, 8, "the paper draws 4")
    fs = 13  # points: body-text size at the width the site shows four steps
    pitch, w, h = 3.6, 2.2, 2.0
    width = 1.6 + steps * pitch
    fig, ax = new_diagram(2.6 + 2.3 * steps, 3.6, (-0.2, width + 0.4), (-1.3, 4.4))
    yv, ys = 1.55, 0.45
    for k in range(steps):
        cx = 1.6 + k * pitch + w / 2
        box(ax, (cx, 1.0), f"LSTM Cell\n(Step {k})", w=w, h=h, fontsize=fs)
        left = cx - w / 2
        start = left - (pitch - w) if k else 0.0
        sup = "" if k else "=0"
        arrow(
            ax, (start, yv), (left, yv), rf"$\vec v[{k - 1}]{sup}$" if k == 0 else None, offset=(0.6, 0.08), fontsize=fs
        )
        arrow(
            ax, (start, ys), (left, ys), rf"$\vec s[{k - 1}]{sup}$" if k == 0 else None, offset=(0.6, -0.5), fontsize=fs
        )
        if k:
            put_text(ax, (left - 0.7, yv + 0.08), rf"$\vec v[{k - 1}]$", fontsize=fs)
            put_text(ax, (left - 0.7, ys - 0.45), rf"$\vec s[{k - 1}]$", fontsize=fs)
        arrow(ax, (cx, -0.9), (cx, 0.0), rf"$\vec x[{k}]$", offset=(0.45, 0.05), fontsize=fs)
        arrow(ax, (cx, 2.0), (cx, 3.3), rf"$\vec v[{k}]$", text_at="end", offset=(0.0, 0.05), fontsize=fs)
    right = 1.6 + (steps - 1) * pitch + w
    arrow(
        ax, (right, yv), (right + 1.3, yv), rf"$\vec v[{steps - 1}]$", text_at="end", offset=(-0.3, 0.08), fontsize=fs
    )
    arrow(
        ax, (right, ys), (right + 1.3, ys), rf"$\vec s[{steps - 1}]$", text_at="end", offset=(-0.3, -0.5), fontsize=fs
    )
    return fig, ax


# -- Ch. 3: backpropagation through time (Sec. IV) ----------------------------------------------
