"""What an explorer shows, as plain data, and the label markup: the ground floor of the widgets.

A :class:`View` is the figure for one setting of an explorer's controls: panels of named
:class:`Series`, a sentence, and the numbers the sentence states. Every face of an explorer
draws the same view: the live face with matplotlib (:mod:`lrnn.widgets.draw`), the static
face in the browser (``static/explorer.js``), the printed face as a still
(:mod:`lrnn.widgets.still`); :mod:`lrnn.widgets.explorer` computes views and precomputes
them for the site. All of them stand on this module, which imports none of them.

Labels, titles and sentences may use ``x_{sub}`` and ``x^{sup}``: :func:`plain_text`,
:func:`rich_html`, :func:`myst_markdown` and :func:`lrnn.widgets.draw.mathtext` typeset them
for each face; :func:`sci` writes numbers such as ``1.3×10⁻²³``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Series", "Panel", "View", "PALETTE", "MARKUP", "sci", "plain_text", "rich_html", "myst_markdown"]

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


#: The label markup: ``_{...}`` (subscript) or ``^{...}`` (superscript); groups: the sign, the script.
MARKUP = re.compile(r"([_^])\{([^}]*)\}")


def plain_text(label: str) -> str:
    """The label markup flattened for plain-text widgets: ``g_{cs}`` -> ``g_cs``, ``10^{3}`` -> ``10^3``."""
    return MARKUP.sub(lambda m: m.group(1) + m.group(2), label)


def myst_markdown(text: str) -> str:
    """The label markup as MyST Markdown, everything else escaped: ``W_{r}`` -> ``W{sub}`r```.

    Examples
    --------
    >>> print(myst_markdown("W_{r} (“gaussian”); delay τ_{0} = ΔT; 10^{3} [steps]"))
    W{sub}`r` (“gaussian”); delay τ{sub}`0` = ΔT; 10{sup}`3` \\[steps\\]
    """
    parts = MARKUP.split(text)  # text, kind, script, text, kind, script, ..., text
    out = [_markdown_escape(parts[0])]
    for kind, script, rest in zip(parts[1::3], parts[2::3], parts[3::3]):
        out += [f"{{{'sub' if kind == '_' else 'sup'}}}`{script}`", _markdown_escape(rest)]
    return "".join(out)


def _markdown_escape(s: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|$~])", r"\\\1", s)


def rich_html(text: str) -> str:
    """The label markup as HTML: ``g_{cs}`` -> ``g<sub>cs</sub>``; numbers never broken across lines."""
    tag = {"_": "sub", "^": "sup"}
    out = MARKUP.sub(lambda m: f"<{tag[m.group(1)]}>{m.group(2)}</{tag[m.group(1)]}>", html.escape(text, quote=False))
    return re.sub(r"(−?\d(?:[\d.,]*\d)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?%?)", r'<span style="white-space:nowrap">\1</span>', out)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sci(x: float, digits: int = 2) -> str:
    """``x`` for a reader: ``0.084``, ``1.3×10⁻²³`` (``digits`` significant figures, Unicode minus).

    Examples
    --------
    >>> sci(0.0842), sci(1.26e-23), sci(-3e5), sci(12.0), sci(913.0)
    ('0.084', '1.3×10⁻²³', '−3×10⁵', '12', '910')
    """
    x = float(x)
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return np.format_float_positional(x, precision=digits, fractional=False, trim="-").replace("-", "−")
    exp = int(np.floor(np.log10(abs(x))))
    mant = x / 10.0**exp
    if round(abs(mant), digits - 1) >= 10:
        mant, exp = mant / 10, exp + 1
    head = "" if abs(abs(mant) - 1) < 10**-(digits) else f"{mant:.{digits}g}×"
    if head == "" and mant < 0:
        head = "−"
    return (head + "10" + str(exp).translate(_SUPERSCRIPT)).replace("-", "−")
