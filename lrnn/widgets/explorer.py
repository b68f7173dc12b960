"""Interactive figures with three faces from one compute function.

An :class:`Explorer` is a grid of controls plus a ``compute(**values) -> View``
function. It shows itself in three ways:

1. **live** (:meth:`Explorer.live`): ipywidgets controls that call ``compute`` in the
   kernel and redraw the view with matplotlib (:func:`lrnn.widgets.draw.draw_view`);
2. **static** (:meth:`Explorer.static_html`): the same controls as plain HTML inputs,
   with every view on the control grid precomputed (a point that shows another's panels, by
   ``Explorer.alias``, stores only its sentence) and drawn in the page by a small
   SVG renderer (``lrnn/widgets/static/explorer.js`` and ``explorer.css``, inlined), so it
   works with no kernel, in light and dark mode;
3. **tested** (:meth:`Explorer.corners`): the views at every extreme of every control,
   which the test suite computes.

Displaying an ``Explorer`` in a notebook emits one output carrying both the
live widget view and the static HTML. Jupyter shows the widget; the book's
site is configured (``nb_mime_priority_overrides`` in ``_config.yml``) to show
the HTML. The site build sets ``LRNN_STATIC_SITE=1`` so that explorers emit
their static face only: no widget state is then stored in the executed notebook,
which keeps unused ipywidgets state out of the pages. A :class:`View` is plain
data (panels of named series, :mod:`lrnn.widgets.view`), so both faces draw exactly the same thing.

Controls: an ordered numeric grid of three or more values is a slider; two values, or named
choices, are segmented buttons (a toggle); ``Control.widget`` overrides the choice.
Labels, titles and sentences may use ``x_{sub}`` and ``x^{sup}``: both faces typeset them
(the label markup of :mod:`lrnn.widgets.view`, whose :func:`~lrnn.widgets.view.sci` writes
numbers such as ``1.3×10⁻²³``).
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

import numpy as np

from .._display import print_edition, static_site
from .view import PALETTE, View, plain_text, rich_html

__all__ = ["Control", "Explorer", "WIDGETS", "frame_deltas", "frames_from_deltas"]

#: The kinds of control: ``"auto"`` picks a slider for three or more numbers, else buttons.
WIDGETS = ("auto", "slider", "buttons", "select")


@dataclass(frozen=True)
class Control:
    """A control: ``values`` is the grid shared by both faces; ``default`` must be one of them.

    ``live_values`` optionally gives a finer grid for the live face only. ``widget`` is one of
    :data:`WIDGETS`: ``"auto"`` makes three or more numbers a slider and anything else
    (two values, named choices) segmented buttons.
    """

    name: str
    label: str
    values: tuple
    default: Any
    fmt: str = "{:g}"
    live_values: tuple | None = None
    widget: str = "auto"

    def __post_init__(self):
        if self.default not in self.values:
            raise ValueError(f"Control {self.name!r}: default {self.default!r} is not in values {self.values!r}.")
        if self.widget not in WIDGETS:
            raise ValueError(f"Control {self.name!r}: widget = {self.widget!r}, expected one of {WIDGETS}.")

    def text(self, v) -> str:
        return v if isinstance(v, str) else self.fmt.format(v).replace("-", "−")

    @property
    def kind(self) -> str:
        """The widget both faces draw: ``"slider"``, ``"buttons"`` or ``"select"``."""
        if self.widget != "auto":
            return self.widget
        numeric = all(not isinstance(v, str) for v in self.values)
        return "slider" if numeric and len(self.values) > 2 else "buttons" if len(self.values) <= 6 else "select"


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


LIST, SET = "$list", "$set"  # a delta's markers: a list of objects changed element by element; a new object


def _delta(base, x):
    if isinstance(base, dict) and isinstance(x, dict) and base.keys() == x.keys():
        return {k: _delta(base[k], v) for k, v in x.items() if v != base[k]}
    if (
        isinstance(base, list)
        and isinstance(x, list)
        and len(base) == len(x)
        and all(isinstance(v, dict) for v in base + x)
    ):
        return {LIST: [_delta(b, v) for b, v in zip(base, x)]}
    return {SET: x} if isinstance(x, dict) else x


def _patch(base, delta):
    if not isinstance(delta, dict):
        return delta
    if SET in delta:
        return delta[SET]
    if LIST in delta:
        return [_patch(b, d) for b, d in zip(base, delta[LIST])]
    return base | {k: _patch(base[k], d) for k, d in delta.items()}


def frame_deltas(frames: list) -> list:
    """The frames of a static face as the page carries them.

    The first frame in full, every other as its difference from the first: the keys whose values
    differ; a list of objects element by element, as ``{"$list": [...]}``; an object with other
    keys whole, as ``{"$set": ...}``. Titles, labels and styles repeat across the frames of an
    explorer, so this keeps a page's data to what changes. :func:`frames_from_deltas` (and the
    page's renderer, ``explorer.js``) undo it.
    """
    return frames[:1] + [_delta(frames[0], f) for f in frames[1:]]


def frames_from_deltas(deltas: list) -> list:
    """The inverse of :func:`frame_deltas`: every frame in full."""
    return deltas[:1] + [_patch(deltas[0], d) for d in deltas[1:]]


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
    alias : callable, optional
        ``alias(**{control.name: value}) -> dict``: the control values whose panels a point of the
        grid shows (itself, or another point whose ``alias`` is itself). The static face then
        stores each shown frame once, and for a point that shows another's panels only its own
        sentence, e.g. for the lags a setting of a sweep never ran. By default every point is its own.
    """

    title: str
    controls: tuple
    compute: Any
    caption: str = ""
    alias: Any = None
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

    def _shown(self) -> tuple[list, list]:
        """The grid points whose frames the static face stores, and each grid point's entry of ``index``.

        An entry is the position of its frame among the stored ones, or ``[position, sentence]``
        for a point that shows another's panels under its own sentence.
        """
        names = [c.name for c in self.controls]
        grid = self.grid()
        if self.alias is None:
            return grid, list(range(len(grid)))
        points = set(grid)

        def alias(combo):
            to = self.alias(**dict(zip(names, combo)))
            return tuple(to[n] for n in names)

        target = [alias(combo) for combo in grid]
        for combo, to in zip(grid, target):
            if to not in points or alias(to) != to:
                raise ValueError(f"alias{combo} = {to}: expected a point of the grid whose alias is itself.")
        stored = [combo for combo in grid if combo in set(target)]
        position = {combo: i for i, combo in enumerate(stored)}
        index = [
            position[to] if to == combo else [position[to], self.compute(**dict(zip(names, combo))).text]
            for combo, to in zip(grid, target)
        ]
        return stored, index

    def static_data(self) -> dict:
        """The JSON document the page-side renderer draws: controls, the stored frames and, with an
        ``alias``, ``index``: for each grid point (row-major) its frame, or its frame and own sentence."""
        if "data" not in self._cache:
            stored, index = self._shown()
            frames = [asdict(self.compute(**{c.name: v for c, v in zip(self.controls, combo)})) for combo in stored]
            controls = [
                {
                    "name": c.name,
                    "label": c.label,
                    "values": [c.text(v) for v in c.values],
                    "default": c.values.index(c.default),
                    "widget": c.kind,
                }
                for c in self.controls
            ]
            self._cache["data"] = {
                "title": self.title,
                "controls": controls,
                "frames": _round(frames),
                "palette": PALETTE,
            }
            if self.alias is not None:
                self._cache["data"]["index"] = index
        return self._cache["data"]

    def static_html(self) -> str:
        """Self-contained HTML (inline JSON + inline script): works offline with no kernel."""
        uid = "lrnn-explorer-" + uuid.uuid4().hex[:8]
        static = resources.files("lrnn.widgets").joinpath("static")
        js = static.joinpath("explorer.js").read_text(encoding="utf-8")
        css = static.joinpath("explorer.css").read_text(encoding="utf-8")
        payload = self.static_data() | {"frames": frame_deltas(self.static_data()["frames"]), "deltas": True}
        data = json.dumps(payload, separators=(",", ":")).replace("</", "<\\/")
        caption = f'<p class="lrnn-explorer-caption">{rich_html(self.caption)}</p>' if self.caption else ""
        return (
            f"<style>{css}</style>"
            f'<div class="lrnn-explorer full-width" id="{uid}" data-lrnn-explorer="static">'
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
            values = c.live_values or c.values
            opts = [(plain_text(c.text(v)), v) for v in values]
            kind = "slider" if c.live_values and len(values) > 2 else c.kind
            cls = {"slider": W.SelectionSlider, "buttons": W.ToggleButtons, "select": W.Dropdown}[kind]
            inputs[c.name] = cls(
                options=opts, value=c.default, description=plain_text(c.label), style={"description_width": "initial"}
            )
        image, text = W.Image(format="png"), W.HTML()
        fig = Figure(figsize=(4.6 * len(self.view().panels), 3.4), layout="constrained")

        def update(_=None):
            view = self.compute(**{k: w.value for k, w in inputs.items()})
            draw_view(view, fig)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=90)
            image.value = buf.getvalue()
            text.value = f"<p>{rich_html(view.text)}</p>"

        for w in inputs.values():
            w.observe(update, names="value")
        update()
        head = W.HTML(f"<b>{rich_html(self.title)}</b>")
        return W.VBox([head, W.HBox(list(inputs.values()), layout={"flex_flow": "row wrap"}), image, text])

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": f"<Explorer: {self.title}>", "text/html": self.static_html()}
        if print_edition():  # the PDF build: a still of the default view and its caption
            from .still import still_bundle  # matplotlib, only for the PDF build

            bundle |= still_bundle(self)
        if static_site():  # the site build: no kernel will ever serve the widget
            return bundle
        try:
            widget = self.live()
        except ImportError:  # no ipywidgets/matplotlib: the static face still works
            return bundle
        live = widget._repr_mimebundle_() or {}
        return bundle | {k: v for k, v in live.items() if k != "text/plain"}
