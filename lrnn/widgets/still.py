"""The printed face of an explorer: its default view as a still figure with a caption.

A printed page has no slider. When the book's PDF edition is built
(``LRNN_PRINT_EDITION=1``), an explorer displayed in a notebook adds two entries to its
output: a PNG of its default view, drawn by :func:`lrnn.widgets.draw.draw_view` exactly as
the live face draws it, and a caption in Markdown that names the settings shown, repeats
the sentence the view states and says what the controls change. The PDF build sets the
two as one numbered figure. The website and Jupyter never see these entries.

Example
-------
>>> from lrnn.widgets import discretization_explorer
>>> print(still_caption(discretization_explorer()).split(". ")[0])
From the differential equation to the canonical RNN, at step ΔT = 0.2 and feedback gain = 1
"""

from __future__ import annotations

import base64
import io

from .._display import print_edition
from .view import myst_markdown

__all__ = ["print_edition", "still_bundle", "still_caption", "still_png"]


def _value(c, v) -> str:
    return f"“{v}”" if isinstance(v, str) else c.text(v)


def _settings(explorer) -> str:
    parts = [f"{c.label} = {_value(c, c.default)}" for c in explorer.controls]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


def _ranges(explorer) -> str:
    def one(c):  # the grid both faces share (Jupyter may offer finer steps)
        if all(isinstance(v, str) for v in c.values):
            return f"{c.label} ({' or '.join(_value(c, v) for v in c.values)})"
        return f"{c.label} (from {c.text(min(c.values))} to {c.text(max(c.values))})"

    return "; ".join(one(c) for c in explorer.controls)


def still_caption(explorer) -> str:
    """The caption of the still: what it shows, at which settings, and what the controls change."""
    view = explorer.view()
    return " ".join(
        s.strip()
        for s in (
            f"{explorer.title}, at {_settings(explorer)}.",
            view.text,
            f"On the website and in Jupyter, controls set {_ranges(explorer)}.",
            explorer.caption,
        )
        if s.strip()
    )


def still_png(explorer, dpi: int = 150) -> bytes:
    """PNG bytes of the explorer's default view, drawn by the live face's renderer."""
    from matplotlib.figure import Figure

    from .draw import draw_view

    view = explorer.view()
    fig = Figure(figsize=(4.6 * len(view.panels), 3.4), layout="constrained")
    draw_view(view, fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def still_bundle(explorer) -> dict:
    """The entries an explorer adds to its output for the PDF edition: ``image/png``, ``text/markdown``.

    The Markdown opens with the explorer's title in bold; the PDF build uses it as the
    figure's caption.
    """
    caption = still_caption(explorer)
    head, rest = caption[: len(explorer.title)], caption[len(explorer.title) :]
    return {
        "image/png": base64.b64encode(still_png(explorer)).decode("ascii"),
        "text/markdown": f"**{myst_markdown(head)}**{myst_markdown(rest)}",
    }
