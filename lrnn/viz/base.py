"""The drawing primitives shared by every diagram."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

# DiagramFigure is used by the figure modules but not listed: its inherited matplotlib API
# does not belong in the book's API reference.
__all__ = [
    "new_diagram",
    "box",
    "node",
    "arrow",
    "wire",
    "put_text",
    "count_argument",
    "INK",
    "CONTROL",
]

INK, CONTROL = "#1f3b57", "#c2410c"  # data wires and boxes; gate (control) signals


class DiagramFigure(Figure):
    """A figure that Jupyter (and the book's site) shows as SVG: sharp at any size and zoom.

    IPython asks every object it displays for ``_repr_svg_``; a notebook's inline backend
    still adds its PNG, and the site prefers the SVG. Text is drawn as outlines, so the
    picture needs no fonts in the browser.
    """

    def _repr_svg_(self):
        buf = io.BytesIO()
        with plt.rc_context({"svg.fonttype": "path", "svg.hashsalt": "lrnn"}):
            self.savefig(buf, format="svg", bbox_inches="tight", facecolor="white")
        return buf.getvalue().decode("utf-8")


# -- diagram primitives ------------------------------------------------------------------------


def new_diagram(width: float, height: float, xlim, ylim):
    """An empty, axis-free canvas in data coordinates (a :class:`DiagramFigure`)."""
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained", FigureClass=DiagramFigure)
    ax.set(xlim=xlim, ylim=ylim, aspect="equal")
    ax.axis("off")
    return fig, ax


def box(ax, xy, text, w=1.0, h=0.6, fc="#dbe9f6", fontsize=13):
    """A rounded box centred at ``xy`` (a weight matrix or a warping function)."""
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.12", fc=fc, ec="#1f3b57", lw=1.2
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def node(ax, xy, symbol="+", r=0.2, fontsize=12):
    """A circled sum (``"+"``) or element-wise product (``"x"``) node."""
    ax.add_patch(Circle(xy, r, fc="white", ec="#1f3b57", lw=1.2))
    mark = {"+": "$+$", "x": r"$\times$"}[symbol]
    ax.text(xy[0], xy[1] - 0.01, mark, ha="center", va="center", fontsize=fontsize)


def arrow(ax, start, end, text=None, text_at="start", offset=(0.0, 0.15), fontsize=12):
    """A signal arrow from ``start`` to ``end`` with an optional label."""
    ax.annotate(
        "", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", lw=1.3, color="#1f3b57", shrinkA=0, shrinkB=0)
    )
    if text:
        x, y = start if text_at == "start" else end
        ax.text(x + offset[0], y + offset[1], text, ha="center", va="bottom", fontsize=fontsize)


def count_argument(name: str, value, hi: int | None = None, note: str = "") -> int:
    """Check a figure's count argument (steps, taps): an int from 1 to ``hi`` (no upper bound if None).

    Raises
    ------
    ValueError
        Naming the argument, the value and the allowed range.
    """
    ok = not isinstance(value, bool) and isinstance(value, int | np.integer) and 1 <= value <= (hi or value)
    if not ok:
        allowed = f"an integer from 1 to {hi}" if hi else "a positive int"
        raise ValueError(f"{name} = {value!r}, expected {allowed}{f' ({note})' if note else ''}.")
    return int(value)


def wire(ax, xs, ys, color=INK, head=False):
    """A wire through the points ``(xs[i], ys[i])``, with an arrowhead on the last segment if ``head``."""
    ax.plot(xs[:-1] if head else xs, ys[:-1] if head else ys, color=color, lw=1.3, solid_capstyle="butt")
    if head:
        style = dict(arrowstyle="-|>", lw=1.3, color=color, shrinkA=0, shrinkB=0)
        ax.annotate("", xy=(xs[-1], ys[-1]), xytext=(xs[-2], ys[-2]), arrowprops=style)


def put_text(ax, xy, text, ha="center", va="bottom", fontsize=12, color="black"):
    """A text label anchored at ``xy``."""
    ax.text(xy[0], xy[1], text, ha=ha, va=va, fontsize=fontsize, color=color)
