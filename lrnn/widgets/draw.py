"""The live face of an explorer: a :class:`~lrnn.widgets.explorer.View` drawn with matplotlib.

The static face draws the same view in the browser (``static/explorer.js``); both read
the same panels and series, so they show the same thing.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .explorer import PALETTE, View

__all__ = ["draw_view"]

_STYLES = {"line": "-", "dashed": "--", "dotted": ":"}


def draw_view(view: View, fig=None):
    """Draw an explorer view (panels side by side) with matplotlib.

    Parameters
    ----------
    view : lrnn.widgets.explorer.View
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
