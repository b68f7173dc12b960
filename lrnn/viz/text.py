"""Text coloured by a unit's activation, as Karpathy, Johnson and Fei-Fei (2015, Figs. 2 and 4) show it.

A static figure (the same on the website and in print): each character on a cell whose colour
is the activation of one unit after reading that character, blue for negative, red for positive.
"""

from __future__ import annotations

import numpy as np

__all__ = ["draw_coloured_text", "wrap_rows"]

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
        arrow (for a phone's narrow column), broken after a space (:func:`wrap_rows`); only a
        word longer than ``wrap`` is broken inside. By default a line is one row.

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
    >>> fig, ax = draw_coloured_text("to be or not", np.linspace(-1, 1, 12), wrap=6)
    >>> [float(y) for y in ax.get_ylim()]  # two rows: "to be ", "or not"
    [-2.0, 0.0]
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
        rows += [(shown[i:j], k + i) for i, j in wrap_rows(shown, wrap)]
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


def wrap_rows(line: str, wrap: int | None) -> list[tuple[int, int]]:
    """Where the rows of ``line`` begin and end, at most ``wrap`` characters each, broken at spaces.

    Each row ends at a word's end: after a space (which stays at its end, as it was read), before
    one (which then begins the next row), or where ``line`` ends; only a word too long for a row,
    with no space to break at, fills rows of ``wrap`` characters.

    Parameters
    ----------
    line : str
        One line of text (no newline).
    wrap : int or None
        The longest row in characters; ``None``: the line is one row.

    Returns
    -------
    list of (int, int)
        ``(start, stop)`` of each row, ``line[start:stop]``; together they are ``line`` in
        order. An empty line is one empty row.

    Examples
    --------
    >>> line = "to be, or not to be"
    >>> [line[i:j] for i, j in wrap_rows(line, 8)]
    ['to be, ', 'or not ', 'to be']
    >>> [line[i:j] for i, j in wrap_rows(line, 4)]  # "to b" would cut a word
    ['to ', 'be, ', 'or ', 'not ', 'to ', 'be']
    >>> word = "unwrapped"
    >>> [word[i:j] for i, j in wrap_rows(word, 4)]
    ['unwr', 'appe', 'd']
    """
    if not line or wrap is None or len(line) <= wrap:
        return [(0, len(line))]
    rows, i = [], 0
    while i < len(line):
        stop = min(i + wrap, len(line))
        if stop < len(line) and line[stop] != " ":  # not at a word's end: after the last space within reach
            space = line.rfind(" ", i + 1, stop)
            stop = space + 1 if space > i else stop
        rows.append((i, stop))
        i = stop
    return rows
