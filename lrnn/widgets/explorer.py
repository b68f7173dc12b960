"""Interactive figures with three faces from one compute function.

An :class:`Explorer` is a grid of controls plus a ``compute(**values) -> View``
function. It shows itself in three ways:

1. **live** (:meth:`Explorer.live`): ipywidgets sliders that call ``compute`` in the
   kernel and redraw the view with matplotlib (:func:`lrnn.widgets.draw.draw_view`);
2. **static** (:meth:`Explorer.static_html`): the same controls as plain HTML inputs,
   with every view on the control grid precomputed and drawn in the page by a small
   SVG renderer (``lrnn/widgets/static/explorer.js``, inlined), so it works with no kernel;
3. **tested** (:meth:`Explorer.corners`): the views at every extreme of every control,
   which the test suite computes.

Displaying an ``Explorer`` in a notebook emits one output carrying both the
live widget view and the static HTML. Jupyter shows the widget; the book's
site is configured (``nb_mime_priority_overrides`` in ``_config.yml``) to show
the HTML. The site build sets ``LRNN_STATIC_SITE=1`` so that explorers emit
their static face only: no widget state is then stored in the executed notebook,
which keeps unused ipywidgets state out of the pages. A :class:`View` is plain
data (panels of named series), so both faces draw exactly the same thing.
"""

from __future__ import annotations

import html
import itertools
import json
import uuid
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from .._display import static_site
from .still import print_edition, still_bundle

__all__ = ["Series", "Panel", "View", "Control", "Explorer"]

#: matplotlib's "tab10" colours, shared by both faces.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


@dataclass(frozen=True)
class Series:
    """One curve: ``style`` is ``"line"``, ``"dashed"``, ``"dotted"``, ``"markers"`` or ``"stems"``."""

    x: Any
    y: Any
    label: str = ""
    style: str = "line"
    color: int = 0


@dataclass(frozen=True)
class Panel:
    """One set of axes. ``xlim``/``ylim`` fix the ranges (else they fit the data)."""

    series: tuple
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""
    logy: bool = False
    equal: bool = False
    xlim: tuple | None = None
    ylim: tuple | None = None


@dataclass(frozen=True)
class View:
    """What an explorer shows for one setting of its controls: panels, a sentence, and
    the numbers the sentence states (``values``), so that checks need not parse text."""

    panels: tuple
    text: str = ""
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Control:
    """A control: ``values`` is the grid shared by both faces; ``default`` must be one of them.

    ``live_values`` optionally gives a finer grid for the live face only.
    """

    name: str
    label: str
    values: tuple
    default: Any
    fmt: str = "{:g}"
    live_values: tuple | None = None

    def __post_init__(self):
        if self.default not in self.values:
            raise ValueError(f"Control {self.name!r}: default {self.default!r} is not in values {self.values!r}.")

    def text(self, v) -> str:
        return v if isinstance(v, str) else self.fmt.format(v)


def _round(obj, digits: int = 4):
    """Turn arrays into lists of floats rounded to ``digits`` significant figures (keeps pages small)."""
    if isinstance(obj, np.ndarray):
        obj = obj.tolist()
    if isinstance(obj, float | np.floating):
        v = float(obj)
        return None if not np.isfinite(v) else float(f"{v:.{digits}g}")
    if isinstance(obj, list | tuple):
        return [_round(v, digits) for v in obj]
    if isinstance(obj, dict):
        return {k: _round(v, digits) for k, v in obj.items()}
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


@dataclass
class Explorer:
    """A figure whose controls recompute it, live in Jupyter and precomputed on the site.

    Parameters
    ----------
    title : str
        Heading shown above the controls.
    controls : tuple of Control
    compute : callable
        ``compute(**{control.name: value}) -> View``; must be fast (< 100 ms).
    caption : str
        One or two sentences under the figure saying what to try.
    """

    title: str
    controls: tuple
    compute: Any
    caption: str = ""
    _cache: dict = field(default_factory=dict, repr=False)

    def view(self, **values) -> View:
        """The view for the given control values (defaults for the others)."""
        kw = {c.name: c.default for c in self.controls} | values
        return self.compute(**kw)

    def grid(self):
        """Every combination of control values, in row-major order of ``controls``."""
        return list(itertools.product(*(c.values for c in self.controls)))

    def corners(self):
        """Views at every extreme combination of the controls (first/last value of each)."""
        ends = [sorted({0, len(c.values) - 1}) for c in self.controls]
        return [
            self.compute(**{c.name: c.values[i] for c, i in zip(self.controls, idx)})
            for idx in itertools.product(*ends)
        ]

    # -- static face ---------------------------------------------------------------------------

    def static_data(self) -> dict:
        """The JSON document the page-side renderer draws: controls and a view per grid point."""
        if "data" not in self._cache:
            frames = [
                asdict(self.compute(**{c.name: v for c, v in zip(self.controls, combo)})) for combo in self.grid()
            ]
            controls = [
                {
                    "name": c.name,
                    "label": c.label,
                    "values": [c.text(v) for v in c.values],
                    "default": c.values.index(c.default),
                }
                for c in self.controls
            ]
            self._cache["data"] = {
                "title": self.title,
                "controls": controls,
                "frames": _round(frames),
                "palette": PALETTE,
            }
        return self._cache["data"]

    def static_html(self) -> str:
        """Self-contained HTML (inline JSON + inline script): works offline with no kernel."""
        uid = "lrnn-explorer-" + uuid.uuid4().hex[:8]
        js = resources.files("lrnn.widgets").joinpath("static/explorer.js").read_text(encoding="utf-8")
        data = json.dumps(self.static_data(), separators=(",", ":")).replace("</", "<\\/")
        caption = f'<p class="lrnn-explorer-caption">{html.escape(self.caption)}</p>' if self.caption else ""
        return (
            f'<div class="lrnn-explorer" id="{uid}" data-lrnn-explorer="static">'
            f"<noscript>This interactive figure needs JavaScript.</noscript></div>{caption}"
            f'<script type="application/json" id="{uid}-data">{data}</script>'
            f"<script>{js}\nlrnnExplorer(document.getElementById({json.dumps(uid)}), "
            f"JSON.parse(document.getElementById({json.dumps(uid + '-data')}).textContent));</script>"
        )

    # -- live face -----------------------------------------------------------------------------

    def live(self):
        """An ipywidgets box: one slider or dropdown per control, the figure and its sentence.

        The figure is a matplotlib ``Figure`` outside pyplot, rendered to PNG bytes in
        an ``ipywidgets.Image``, so it works whatever matplotlib backend is active and
        never leaks an extra copy into the cell's output.
        """
        import io

        import ipywidgets as W
        from matplotlib.figure import Figure

        from .draw import draw_view

        inputs = {}
        for c in self.controls:
            opts = [(c.text(v), v) for v in (c.live_values or c.values)]
            cls = W.Dropdown if all(isinstance(v, str) for v in c.values) else W.SelectionSlider
            inputs[c.name] = cls(
                options=opts, value=c.default, description=c.label, style={"description_width": "initial"}
            )
        image, text = W.Image(format="png"), W.HTML()
        fig = Figure(figsize=(4.6 * len(self.view().panels), 3.4), layout="constrained")

        def update(_=None):
            view = self.compute(**{k: w.value for k, w in inputs.items()})
            draw_view(view, fig)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=90)
            image.value = buf.getvalue()
            text.value = f"<p>{html.escape(view.text)}</p>"

        for w in inputs.values():
            w.observe(update, names="value")
        update()
        head = W.HTML(f"<b>{html.escape(self.title)}</b>")
        return W.VBox([head, W.HBox(list(inputs.values()), layout={"flex_flow": "row wrap"}), image, text])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": f"<Explorer: {self.title}>", "text/html": self.static_html()}
        if print_edition():  # the PDF build: a still of the default view and its caption (widgets.still)
            bundle |= still_bundle(self)
        if static_site():  # the site build: no kernel will ever serve the widget
            return bundle
        try:
            widget = self.live()
        except ImportError:  # no ipywidgets/matplotlib: the static face still works
            return bundle
        live = widget._repr_mimebundle_() or {}
        return bundle | {k: v for k, v in live.items() if k != "text/plain"}
