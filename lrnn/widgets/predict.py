"""Predict, then reveal: the reader commits to a number before the page shows the measured one.

:func:`predict` wraps a question and the value a cell has just computed. How it shows
depends on where (see :mod:`lrnn._display`):

- **the book's site** (``LRNN_STATIC_SITE=1``): an HTML form with no kernel behind it. The
  reader types a guess (or picks one of ``choices``) and presses *Reveal*; the page script
  ``book/_static/lrnn-predict.js`` then shows the measured value, formatted here by Python,
  and how far off the guess was. The measured value travels in the page only as data for
  that script, so it stays hidden until the reveal;
- **Jupyter, a terminal, the PDF**: the question, then the answer, as text (Markdown). A
  printed page cannot hide an answer, and in a notebook the computing cell is right above.

The value shown is always the one passed in, which is the one the cell computed: numbers
in the prose of a reveal are never typed by hand.

Example
-------
>>> p = predict("How many steps does the level take to halve?", 13.86, decimals=1, unit="steps")
>>> print(p.markdown())
**Predict.** How many steps does the level take to halve?
<BLANKLINE>
**Measured:** 13.9 steps.
"""

from __future__ import annotations

import html
import math
import uuid
from dataclasses import dataclass, field

from .._display import static_site

__all__ = ["Prediction", "predict"]


@dataclass(frozen=True)
class Prediction:
    """A question and its measured answer; built by :func:`predict`."""

    question: str
    value: float
    decimals: int = 3
    unit: str = ""
    choices: tuple = field(default_factory=tuple)
    note: str = ""
    scientific: bool = False

    def shown(self, x: float | None = None) -> str:
        """``x`` (default: the measured value) with the prediction's decimals and unit."""
        x = self.value if x is None else x
        text = f"{x:.{self.decimals}e}" if self.scientific else f"{x:.{self.decimals}f}"
        return f"{text} {self.unit}" if self.unit else text

    def markdown(self) -> str:
        """The question, then the answer: Jupyter's and the PDF's face."""
        answer = f"**Measured:** {self.shown()}."
        if self.note:
            answer += f" {self.note}"
        return f"**Predict.** {self.question}\n\n{answer}"

    def html(self) -> str:
        """The site's face: a form, the answer hidden until the reader has guessed."""
        key = f"lrnn-predict-{uuid.uuid4().hex[:8]}"
        q = html.escape(self.question)
        if self.choices:
            buttons = "".join(
                f'<button type="button" class="lrnn-predict-choice" data-guess="{c!r}">'
                f"{html.escape(self.shown(c))}</button>"
                for c in self.choices
            )
            entry = f'<div class="lrnn-predict-choices" role="group" aria-label="Pick a guess">{buttons}</div>'
        else:
            unit = f'<span class="lrnn-predict-unit">{html.escape(self.unit)}</span>' if self.unit else ""
            entry = (
                f'<label class="lrnn-predict-entry" for="{key}-guess"><span>Your guess</span>'
                f'<input id="{key}-guess" type="text" inputmode="decimal" autocomplete="off" '
                f'placeholder="a number">{unit}</label>'
                '<button type="submit" class="lrnn-predict-reveal">Reveal</button>'
            )
        note = f" {html.escape(self.note)}" if self.note else ""
        return (
            f'<form class="lrnn-predict" data-lrnn-predict="{self.value!r}" '
            f'data-shown="{html.escape(self.shown())}" data-decimals="{self.decimals}" '
            f'data-unit="{html.escape(self.unit)}" data-scientific="{int(self.scientific)}" aria-labelledby="{key}-q">'
            f'<p class="lrnn-predict-question" id="{key}-q"><strong>Predict.</strong> {q}</p>'
            f'<div class="lrnn-predict-controls">{entry}</div>'
            f'<p class="lrnn-predict-answer" aria-live="polite" hidden>'
            f'<strong>Measured:</strong> <span class="lrnn-predict-value"></span>.'
            f'<span class="lrnn-predict-off"></span>{note}</p>'
            f"<noscript><p><strong>Measured:</strong> {html.escape(self.shown())}.{note}</p></noscript>"
            "</form>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": self.markdown().replace("**", ""), "text/markdown": self.markdown()}
        if static_site():
            bundle["text/html"] = self.html()
        return bundle


def predict(
    question: str, value, *, decimals: int = 3, unit: str = "", choices=(), note: str = "", scientific: bool = False
) -> Prediction:
    """Ask the reader to predict ``value`` before the page reveals it.

    Parameters
    ----------
    question : str
        The question, as plain text (the site escapes it; Markdown emphasis is not rendered there).
    value : float
        The measured value, as the cell computed it.
    decimals : int, default 3
        Decimals shown for the value, the choices and the distance of a guess.
    unit : str, optional
        Printed after numbers ("steps", "per step").
    choices : sequence of float, optional
        Guesses to pick from instead of typing one (at least two, all finite).
    note : str, optional
        One sentence shown after the answer (plain text).
    scientific : bool, default False
        Show numbers as ``1.23e+05`` (for values that span powers of ten); a guess is then
        judged by its ratio to the value.

    Returns
    -------
    Prediction
        Display it as a cell's last expression.

    Raises
    ------
    TypeError
        If ``question`` is not a string.
    ValueError
        If ``value`` or a choice is not a finite number, ``decimals`` is not in 0-12, or
        ``choices`` has a single entry.
    """
    if not isinstance(question, str) or not question.strip():
        raise TypeError(f"question has type {type(question).__name__}, expected a non-empty str.")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"value = {value!r}, expected a finite number (the value the cell computed).") from None
    if not math.isfinite(value):
        raise ValueError(f"value = {value!r}, expected a finite number (the value the cell computed).")
    if not isinstance(decimals, int) or not 0 <= decimals <= 12:
        raise ValueError(f"decimals = {decimals!r}, expected an int from 0 to 12.")
    choices = tuple(float(c) for c in choices)
    if len(choices) == 1 or not all(math.isfinite(c) for c in choices):
        raise ValueError(f"choices = {choices!r}, expected none or at least two finite numbers.")
    return Prediction(question.strip(), value, decimals, str(unit), choices, str(note), bool(scientific))
