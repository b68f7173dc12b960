"""Figures on a phone: the same panels, one under another, at a phone's width.

A figure is drawn for a desktop column, 6.4 to 12 inches wide (640 to 1200 px at matplotlib's
100 dpi); shrunk into a phone's 358 px column its labels become too small to read (a 12 pt tick
label, 16.7 px as drawn, shows at 4.7 to 9 px). :func:`show` shows a figure as ``plt.show()``
would, and, while the book's static site is built (``LRNN_STATIC_SITE=1``, not the PDF, with
``LRNN_PHONE_FIGURES`` naming a folder), also draws the same figure laid out again in one column
of :data:`PHONE_WIDTH` inches (:func:`one_column`; a figure of one panel is drawn again at that
width; no text smaller than :data:`PHONE_TEXT` points, no legend over the data or a note) into that
folder, under the name of the shown PNG's SHA-256: the site's build finds it by the name the
notebook's image gets, and shows it instead on narrow screens. The one-column layout is drawn
at :data:`PHONE_DPI` (twice matplotlib's 100 dpi, which the PNG's ``pHYs`` chunk records) and
shown at its size at 100 dpi: sharp on a phone's dense (2x) screen; the figure itself is drawn
at :data:`DESKTOP_DPI`, 2x too, for a laptop's. A figure that cannot be laid out again by
moving its panels (text drawn cell by cell, say) passes its own phone version. In JupyterLab
and the PDF nothing changes.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec
from matplotlib.text import Text
from PIL import Image

from .._display import print_edition, static_site
from .._validation import check_type

__all__ = [
    "show",
    "one_column",
    "panel_axes",
    "PHONE_WIDTH",
    "PHONE_TEXT",
    "PHONE_COLUMN_PX",
    "PHONE_MIN_PX",
    "PHONE_DPI",
    "DESKTOP_DPI",
]

#: Width in inches of the one-column layout: 420 px at matplotlib's 100 dpi, near a phone's column.
PHONE_WIDTH = 4.2
#: Width in CSS px at which a 390 px phone shows a layout: the 358 px text column, less the padding
#: of a cell's output (342 px) and, in dark mode, of the light card a figure sits on (330 px; 326 px
#: for a full-width output, the narrowest), as measured in Chromium.
PHONE_COLUMN_PX = 326
#: Smallest text a phone should show, in CSS px (the tick labels' bound in the site's tests).
PHONE_MIN_PX = 11.0
#: Smallest text of the one-column layout, in points: 14.6 px as drawn at 100 dpi, 11 px or more
#: when the picture (1.02 :data:`PHONE_WIDTH` wide or less) is shrunk into :data:`PHONE_COLUMN_PX`;
#: a wider picture gets larger text.
PHONE_TEXT = 10.5
#: Resolution of the one-column layouts on the site: twice matplotlib's 100 dpi, at which a
#: figure's size in CSS px is counted; a layout is shown at half its pixels, one pixel to each
#: device pixel of a phone's 2x screen.
PHONE_DPI = 200
#: Resolution of a figure as the site shows it side by side: 2x as well, shown at its size at
#: 100 dpi (the PNG's ``pHYs`` chunk records the dpi), sharp on a laptop's dense screen.
DESKTOP_DPI = 200
_HEIGHT = (1.8, 2.6)  # inches per panel in one column: the panel's own aspect, within these bounds


def panel_axes(fig: Figure) -> list[list]:
    """The panels of ``fig`` in the order they were made, each a list of axes (a panel and its twins).

    A panel is a place in a grid (``plt.subplots``, ``subplot_mosaic``, ``add_subplot``); axes
    placed otherwise (colour bars, insets) follow their panels and are not panels themselves.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    list of list of matplotlib.axes.Axes
        One list per panel: its axes, the first made first (``twinx`` adds a second).

    Examples
    --------
    >>> fig, axes = plt.subplots(2, 3)
    >>> _ = axes[0, 0].twinx()
    >>> [len(p) for p in panel_axes(fig)]
    [2, 1, 1, 1, 1, 1]
    >>> plt.close(fig)
    """
    check_type("fig", fig, Figure, "pass the figure a plt.subplots call returned")
    places: dict = {}
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        if spec is None:
            continue
        key = (id(spec.get_gridspec()), spec.rowspan.start, spec.rowspan.stop, spec.colspan.start, spec.colspan.stop)
        places.setdefault(key, []).append(ax)
    return list(places.values())


def one_column(fig: Figure, *, width: float = PHONE_WIDTH, dpi: float | None = None) -> bytes:
    """Lay the panels of ``fig`` out again one under another and draw it: a PNG for a phone.

    Each panel keeps its aspect ratio, within 1.8 to 2.6 inches of height at ``width`` inches of
    width (a figure of one panel is that panel drawn again at ``width``); three or more panels
    of a fixed aspect (``set_aspect``, an image), which one to a row would leave narrower than
    0.7 ``width`` in a tall column, go two to a row. Tick labels that a shared axis hid beside a
    neighbour are shown again where the panel has no such neighbour any more. Text smaller than
    :data:`PHONE_TEXT` points (legends, titles, notes) is drawn at that size; an axis label
    longer than its axis is broken at spaces. A panel's legend that would cover its data at this
    size goes under the panel, and a legend of the whole figure lists its entries in one column.
    Where labels reach beyond the axes, the figure is narrowed (to 0.9 ``width`` at most) so
    that the picture is about ``width`` wide.
    The figure is changed in place (show it before).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure with at least one panel (see :func:`panel_axes`).
    width : float, default PHONE_WIDTH
        Width in inches.
    dpi : float, optional
        Resolution of the PNG (the figure's own by default); the sizes above are counted at
        100 dpi whatever it is (a PNG at 200 dpi has twice the pixels, shown at half).

    Returns
    -------
    bytes
        The PNG, at ``dpi``, trimmed as the notebook's inline figures are.

    Raises
    ------
    TypeError
        If ``fig`` is not a matplotlib figure.
    ValueError
        If ``fig`` has no panel, or ``width`` is not positive.

    Examples
    --------
    >>> fig, axes = plt.subplots(1, 3, figsize=(10, 3), sharey=True)
    >>> png = one_column(fig)
    >>> png[:4], [bool(ax.get_position().x0 == axes[0].get_position().x0) for ax in axes]
    (b'\\x89PNG', [True, True, True])
    >>> plt.close(fig)
    """
    places = panel_axes(fig)
    if not places:
        raise ValueError("fig has no panel (no axes placed in a grid); a one-column layout lays out panels.")
    if not width > 0:
        raise ValueError(f"width = {width!r} inches; expected a positive number, such as PHONE_WIDTH = {PHONE_WIDTH}.")
    dpi = fig.dpi if dpi is None else dpi
    if not (isinstance(dpi, (int, float)) and dpi > 0):
        raise ValueError(f"dpi = {dpi!r}; expected a positive number, such as PHONE_DPI = {PHONE_DPI}.")
    fig_w, fig_h = fig.get_size_inches()
    heights = []
    for group in places:
        spec = group[0].get_subplotspec()
        rows, cols = spec.get_gridspec().get_geometry()
        w = fig_w * len(spec.colspan) / cols  # the panel's size in the figure as drawn
        h = fig_h * len(spec.rowspan) / rows
        heights.append(min(max(h * width / w, _HEIGHT[0]), _HEIGHT[1]))
    # panels of a fixed aspect: one to a row, the height bound would leave them narrow, and three or
    # more such make a tall narrow column; two to a row
    ratios = [_box_ratio(group[0]) for group in places]
    pairs = len(places) > 2 and all(r is not None and min(width, _HEIGHT[1] / r) < 0.7 * width for r in ratios)
    if pairs:
        n_rows = (len(places) + 1) // 2
        heights = [max(0.5 * width * max(ratios[2 * i : 2 * i + 2]), 0.6 * _HEIGHT[0]) + 0.4 for i in range(n_rows)]
    for text in fig.findobj(Text):  # legends, titles and notes at the phone's smallest size or larger
        if text.get_text() and text.get_fontsize() < PHONE_TEXT:
            text.set_fontsize(PHONE_TEXT)
    if fig.get_layout_engine() is None:
        fig.set_layout_engine("constrained")
    for legend in list(fig.legends):  # a legend for the whole figure lists its entries one under another
        _one_column_legend(fig, legend)
    _place(fig, places, heights, {}, pairs, width)
    fig.draw_without_rendering()
    below = {}  # panel -> height in inches of its legend, which covers its data here: moved under it
    for i, group in enumerate(places):
        legend = group[0].get_legend()
        if legend is not None and _covers_data(group, legend):
            below[i] = _legend_height(legend)
    if below:
        _place(fig, places, heights, below, pairs, width)
    changed = bool(below)  # since the figure was last drawn
    added = 0.0  # an axis label longer than its axis is broken at spaces; the figure grows by its new lines
    for i, group in enumerate(places):
        lines = _wrap_label(group[0].xaxis.label, group[0].bbox.width)
        if not pairs or i % 2 == 0:
            added += lines * 1.2 * group[0].xaxis.label.get_fontsize() / 72
        changed |= bool(lines) | bool(_wrap_label(group[0].yaxis.label, group[0].bbox.height))
    fig.set_size_inches(fig.get_size_inches() + (0, added))
    for k in range(3):  # labels drawn beyond the axes widen the trimmed picture: narrow the figure by as much
        if k or changed:  # (as drawn above, unless something moved since)
            fig.draw_without_rendering()
        drawn = fig.get_tightbbox(fig.canvas.get_renderer()).width
        narrower = max(fig.get_size_inches()[0] - (drawn - width), 0.9 * width)  # the axes keep most of it
        if drawn <= width * 1.03 or narrower >= fig.get_size_inches()[0]:
            break
        fig.set_size_inches(narrower, fig.get_size_inches()[1])
    for _ in range(3):  # a picture wider than that is shown smaller: its small text grows to PHONE_MIN_PX
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight", facecolor="white", dpi=dpi)
        with Image.open(buf) as im:
            shown = min(1.0, PHONE_COLUMN_PX / (im.size[0] * 100 / dpi))  # CSS px per px at 100 dpi
        least = math.ceil(PHONE_MIN_PX / shown * 72 / 100 * 4) / 4  # points, to a quarter point up
        small = [t for t in fig.findobj(Text) if t.get_text() and t.get_fontsize() < least]
        if not small:
            break
        for text in small:
            text.set_fontsize(least)
    return buf.getvalue()


def _box_ratio(ax) -> float | None:
    """Height over width of a panel whose aspect is fixed (``set_aspect``, ``imshow``); None if it is free."""
    aspect = ax.get_aspect()
    if aspect == "auto" or ax.get_box_aspect() is not None:
        return ax.get_box_aspect()
    return float(aspect) * ax.get_data_ratio()


def _place(fig: Figure, places, heights, below, pairs: bool, width: float) -> None:
    """Put the panels into one column (two to a row if ``pairs``), each legend of ``below`` in a row
    of its own under its panel, and size the figure to fit."""
    from matplotlib.legend import Legend

    cols = 2 if pairs else 1
    rows, ratios = [], []  # grid rows: ("panels", row) or ("legend", panel)
    for r, h in enumerate(heights):
        rows.append(("panels", r))
        ratios.append(h)
        for i in range(r * cols, min(r * cols + cols, len(places))):
            if i in below:
                rows.append(("legend", i))
                ratios.append(below[i])
    grid = GridSpec(len(rows), cols, figure=fig, height_ratios=ratios)
    where = {key: n for n, key in enumerate(rows)}
    for i, group in enumerate(places):
        for ax in group:
            ax.set_subplotspec(grid[where["panels", i // cols], i % cols])
        ax = group[0]  # a panel beside or above another hid the tick labels they shared
        left = places[i - 1][0] if i % cols else None
        if len(ax.get_shared_x_axes().get_siblings(ax)) > 1 and ax.xaxis.get_label_position() == "bottom":
            ax.xaxis.set_tick_params(which="both", labelbottom=True)
        shared_y = ax.get_shared_y_axes().get_siblings(ax)
        if len(shared_y) > 1 and ax.yaxis.get_label_position() == "left" and left not in shared_y:
            ax.yaxis.set_tick_params(which="both", labelleft=True)
        legend = ax.get_legend()
        if i in below and isinstance(legend, Legend) and legend.axes is ax:
            box = fig.add_subplot(grid[where["legend", i], i % cols])
            box.axis("off")
            handles, labels = list(legend.legend_handles), [t.get_text() for t in legend.texts]
            size = legend.texts[0].get_fontsize() if legend.texts else PHONE_TEXT
            legend.remove()
            title = legend.get_title().get_text() or None
            box.legend(handles, labels, loc="center", ncols=1, fontsize=size, frameon=False, title=title)
            box.set_label("legend")
    extra = sum(0.3 + 0.22 * len(legend.texts) for legend in fig.legends) + 0.6 * bool(fig.get_suptitle())
    fig.set_size_inches(width, sum(ratios) + extra)


def _covers_data(group, legend) -> bool:
    """Whether ``legend``, as drawn, lies over a data point, a line or a note (a text or an
    annotation's text) of the panel ``group``."""
    import numpy as np

    box = legend.get_window_extent()
    for ax in group:
        if any(text.get_visible() and text.get_text().strip() and box.overlaps(text.get_window_extent())
               for text in ax.texts):  # fmt: skip
            return True
        for artist in [*ax.lines, *ax.collections]:
            if not artist.get_visible():
                continue
            if hasattr(artist, "get_xydata"):  # a line: its points and, drawn, 20 points along each segment
                xy = artist.get_transform().transform(artist.get_xydata())
                if artist.get_linestyle() not in ("None", "", " ") and len(xy) > 1:
                    t = np.linspace(0, 1, 21)[:, None, None]
                    xy = (xy[:-1] * (1 - t) + xy[1:] * t).reshape(-1, 2)
            elif hasattr(artist, "get_offsets") and len(artist.get_offsets()):  # a scatter's points
                xy = artist.get_offset_transform().transform(artist.get_offsets())
            else:
                continue
            xy = xy[np.isfinite(xy).all(axis=1)]
            inside = (xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)
            if inside.any():
                return True
    return False


def _legend_height(legend) -> float:
    """Height in inches of ``legend`` listed in one column, without its frame: 1.6 lines an entry
    (and its title)."""
    if not legend.texts:
        return 0.3
    lines = len(legend.texts) + bool(legend.get_title().get_text())
    return 0.1 + 1.6 * lines * legend.texts[0].get_fontsize() / 72


def _wrap_label(label, room_px: float) -> int:
    """Break an axis label at spaces (not inside ``$...$``) into lines no longer than ``room_px``;
    returns the number of lines added."""

    def length() -> float:  # along the label's own direction, across or up the page
        box = label.get_window_extent()
        return max(box.width, box.height) if label.get_rotation() % 180 else box.width

    text = label.get_text()
    if not text or " " not in text or "\n" in text or length() <= room_px:
        return 0
    words, lines = _words_outside_math(text), []
    for word in words:
        trial = f"{lines[-1]} {word}" if lines else word
        label.set_text(trial)
        if lines and length() > room_px:
            lines.append(word)
        elif lines:
            lines[-1] = trial
        else:
            lines.append(word)
    label.set_text("\n".join(lines))
    return len(lines) - 1


def _words_outside_math(text: str) -> list[str]:
    """``text`` split at spaces that are not inside ``$...$``."""
    words, word, math = [], "", False
    for ch in text:
        if ch == "$":
            math = not math
        if ch == " " and not math:
            words.append(word)
            word = ""
        else:
            word += ch
    return [w for w in [*words, word] if w]


def _one_column_legend(fig: Figure, legend) -> None:
    """Make ``legend`` (above or below the panels, ``loc="outside upper/lower center"``) again with
    its entries in one column; any other legend of the figure is left as it is."""
    side = getattr(legend, "_outside_loc", None)
    if legend._ncols == 1 or side not in ("upper", "lower") or legend.get_title().get_text():
        return
    labels = [t.get_text() for t in legend.texts]
    size = legend.texts[0].get_fontsize() if legend.texts else None
    handles = list(legend.legend_handles)
    legend.remove()
    fig.legend(handles, labels, loc=f"outside {side} center", ncols=1, fontsize=size)


def show(fig: Figure | None = None, *, phone: Figure | None = None) -> None:
    """Show ``fig`` (the current figure by default) as ``plt.show()`` does; on the site, also for phones.

    While the book's static site is built (and not its PDF), a figure is shown as a PNG drawn
    here at :data:`DESKTOP_DPI`, and its :func:`one_column` layout (or ``phone``, drawn as it
    is) is written at :data:`PHONE_DPI` to the folder ``LRNN_PHONE_FIGURES`` as ``<SHA-256 of
    the shown PNG>.png``, which the site shows instead on narrow screens. Elsewhere, and for a diagram
    (which the site shows as SVG), this is ``plt.show()``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure, optional
    phone : matplotlib.figure.Figure, optional
        The figure's phone version, when moving its panels into one column would not do (text
        drawn character by character, say): about :data:`PHONE_WIDTH` inches wide. It is closed
        here, and never shown in JupyterLab or the PDF.

    Raises
    ------
    TypeError
        If ``fig`` or ``phone`` is given and is not a matplotlib figure.
    """
    from .base import DiagramFigure

    fig = plt.gcf() if fig is None else fig
    check_type("fig", fig, Figure, "pass the figure a plt.subplots call returned, or nothing")
    if phone is not None:
        check_type("phone", phone, Figure, "pass a figure drawn for a phone's width, or nothing")
        plt.close(phone)  # never shown by the cell's end
    folder = os.environ.get("LRNN_PHONE_FIGURES", "")
    diagram = isinstance(fig, DiagramFigure)
    if not static_site() or print_edition() or not folder or diagram or not (phone or panel_axes(fig)):
        plt.show()
        return
    from IPython.display import Image, display

    buf = io.BytesIO()
    # as the inline backend draws it, at twice the pixels
    fig.savefig(buf, format="png", bbox_inches="tight", facecolor="white", dpi=DESKTOP_DPI)
    shown = buf.getvalue()
    if phone is None:
        with warnings.catch_warnings():  # matplotlib times the placing of a "best" legend: on a busy
            # machine it says so, in the page's output (a figure drawn again is only slower)
            warnings.filterwarnings("ignore", message='Creating legend with loc="best" can be slow')
            small = one_column(fig, dpi=PHONE_DPI)
    else:
        buf = io.BytesIO()
        phone.savefig(buf, format="png", bbox_inches="tight", facecolor="white", dpi=PHONE_DPI)
        small = buf.getvalue()
    plt.close(fig)
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / f"{hashlib.sha256(shown).hexdigest()}.png").write_bytes(small)
    display(Image(data=shown))
