"""The live face of an explorer: a :class:`~lrnn.widgets.view.View` drawn with matplotlib.

The static face draws the same view in the browser (``static/explorer.js``); both read
the same panels and series, so they show the same thing.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .view import MARKUP, PALETTE, View

__all__ = ["draw_view", "mathtext"]

_STYLES = {"line": "-", "dashed": "--", "dotted": ":"}
_ORDER = {"markers": 2, "stems": 2, "line": 3, "dashed": 4, "dotted": 5}  # dashed/dotted above solid


def mathtext(label: str) -> str:
    """``g_{cs}[n]`` -> ``g$_{\\mathregular{cs}}$[n]``: the explorers' label markup for matplotlib."""
    label = label.replace("$", r"\$")
    return MARKUP.sub(lambda m: f"${m.group(1)}{{\\mathregular{{{m.group(2)}}}}}$", label)


def draw_view(view: View, fig=None):
    """Draw an explorer view (panels side by side) with matplotlib.

    Parameters
    ----------
    view : lrnn.widgets.view.View
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
            label, z = mathtext(s.label) if s.label else None, _ORDER[s.style]
            if s.style == "markers":
                ax.plot(x, y, "o", color=col, ms=4, mec="white", mew=0.5, label=label, zorder=z)
            elif s.style == "stems":
                ax.vlines(x, 0, y, color=col, zorder=z)
                ax.plot(x, y, "o", color=col, ms=4, label=label, zorder=z)
            else:
                ax.plot(x, y, _STYLES[s.style], color=col, lw=1.8, label=label, zorder=z)
        if panel.logy:
            ax.set_yscale("log")
        if panel.equal:
            ax.set_aspect("equal", adjustable="box")
        if panel.xlim:
            ax.set_xlim(panel.xlim)
        if panel.ylim:
            ax.set_ylim(panel.ylim)
        ax.set(title=mathtext(panel.title), xlabel=mathtext(panel.xlabel), ylabel=mathtext(panel.ylabel))
        ax.grid(alpha=0.25)
        if any(s.label for s in panel.series):  # under the axes: a legend never covers the data
            ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, frameon=False)
    return fig, list(axes)
