"""Text coloured by a unit's activation, as Karpathy, Johnson and Fei-Fei (2015, Figs. 2 and 4) show it.

A static figure (the same on the website and in print): each character on a cell whose colour
is the activation of one unit after reading that character, blue for negative, red for positive.
"""

from __future__ import annotations

import numpy as np

__all__ = ["draw_coloured_text"]

NEWLINE = "\u21b5"  # the newline drawn as a return arrow, at the end of its line


def draw_coloured_text(text: str, values, *, ax=None, vmax: float | None = None, cmap: str = "RdBu_r",
                       title: str | None = None, fontsize: float = 9.0, wrap: int | None = None):  # fmt: skip
    """Draw ``text`` with each character on a cell coloured by ``values`` (one per character).

    Parameters
    ----------
    text : str
        Lines are broken at its newlines.
    values : array_like, shape (len(text),)
        The activation after each character.
    ax : matplotlib Axes, optional
    vmax : float, optional
        The colour scale runs from ``-vmax`` to ``vmax``; ``max |values|`` by default.
    cmap : str, default "RdBu_r"
    title : str, optional
    fontsize : float, default 9.0
    wrap : int, optional
        Longest row in characters: a longer line goes on in the next row, without a return
        arrow (for a phone's narrow column). By default a line is one row.

    Returns
    -------
    fig, ax

    Raises
    ------
    ValueError
        If ``values`` does not hold one value per character, or ``wrap`` is not a positive integer.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = draw_coloured_text("to be or not", np.linspace(-1, 1, 12), wrap=5)
    >>> [float(y) for y in ax.get_ylim()]  # three rows: "to be", " or n", "ot"
    [-3.0, 0.0]
    >>> plt.close(fig)
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    v = np.asarray(values, dtype=float)
    if v.shape != (len(text),):
        raise ValueError(f"values has shape {v.shape}, expected ({len(text)},): one value per character of text.")
    if wrap is not None and not (isinstance(wrap, (int, np.integer)) and wrap >= 1):
        raise ValueError(f"wrap = {wrap!r}; expected a positive number of characters per row, or None.")
    lines = text.split("\n")
    rows = []  # (characters as drawn, index of the first in text)
    k = 0
    for row, line in enumerate(lines):
        shown = line + (NEWLINE if row < len(lines) - 1 else "")
        step = wrap or max(len(shown), 1)
        rows += [(shown[i : i + step], k + i) for i in range(0, max(len(shown), 1), step)]
        k += len(shown)
    width = max(len(line) + 1 for line in lines)  # a return arrow's place on every line
    if wrap:
        width = min(width, wrap)
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.105 * width * fontsize / 9 + 0.3, 0.2 * len(rows) * fontsize / 9 + 0.4))
    else:
        fig = ax.figure
    scale = vmax or float(np.abs(v).max()) or 1.0
    colours = plt.get_cmap(cmap)(0.5 + 0.5 * np.clip(v / scale, -1, 1))
    for row, (shown, k) in enumerate(rows):
        for col, ch in enumerate(shown):
            ax.add_patch(Rectangle((col, -row - 1), 1, 1, facecolor=colours[k + col], edgecolor="none"))
            ax.text(col + 0.5, -row - 0.5, ch, ha="center", va="center", family="monospace", fontsize=fontsize)
    ax.set(xlim=(0, width), ylim=(-len(rows), 0), aspect="auto")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=fontsize + 1, loc="left")
    return fig, ax
