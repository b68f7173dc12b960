"""Progress bars for long loops, shown the way the place they run in can show them (not a paper concept).

Three places, one bar (tqdm underneath, imported only when a bar is shown, so ``import lrnn``
stays numpy-only):

- **a terminal or a script**: tqdm's text bar on stderr;
- **Jupyter with a kernel**: tqdm's notebook widget (``tqdm.auto``), live while the loop runs;
- **the book's static site** (built with ``LRNN_STATIC_SITE=1``, see :mod:`lrnn._display`): no
  kernel will ever drive a widget there, so nothing is shown while the loop runs and, when it
  ends, one finished bar is emitted as plain HTML (a native ``<progress>`` element, the label
  and tqdm's counters) with a text copy for other readers of the notebook.

Examples
--------
>>> with ProgressBar(3, "demo", enabled=False) as bar:
...     for k in range(3):
...         bar.update(loss=1.0 / (k + 1))
>>> bar.n
3
>>> [k for k in track(range(3), enabled=False)]
[0, 1, 2]
"""

from __future__ import annotations

import html
import io
import sys
from collections.abc import Iterable, Iterator

from ._display import static_site
from ._validation import positive_int

__all__ = ["ProgressBar", "track", "static_bar_html"]

_STATS = "{n_fmt}/{total_fmt} [{elapsed}, {rate_fmt}{postfix}]"  # a finished bar has no time left


def _in_ipython() -> bool:
    """True inside IPython or a Jupyter kernel (IPython is then already imported)."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def static_bar_html(desc: str | None, n: int, total: int, stats: str) -> str:
    """The finished bar of the static site: label, percentage, a native ``<progress>``, tqdm's counters.

    Parameters
    ----------
    desc : str or None
        The label (escaped here).
    n, total : int
        Steps done and planned.
    stats : str
        tqdm's counters, e.g. ``"250/250 [00:02, 113.13step/s, loss=0.1298]"`` (escaped here).

    Examples
    --------
    >>> print(static_bar_html("a < b", 1, 4, "1/4"))  # doctest: +ELLIPSIS
    <div class="lrnn-progress" ...>a &lt; b:</span><span ...>25%</span><progress ... value="1" max="4">...
    """
    pct = f"{100 * n / total:.0f}%" if total else ""
    label = f'<span style="min-width: 18ch">{html.escape(desc)}:</span>' if desc else ""
    style = (
        "display: flex; flex-wrap: wrap; align-items: center; gap: 0.15em 0.6em; margin: 0.2em 0; "
        "font-family: var(--pst-font-family-monospace, monospace); font-size: 0.8em; line-height: 1.5"
    )
    bar = "flex: 0 0 9em; height: 0.8em; accent-color: var(--pst-color-primary)"
    return (
        f'<div class="lrnn-progress" style="{style}">{label}'
        f'<span style="flex: 0 0 4ch; text-align: right">{pct}</span>'
        f'<progress style="{bar}" value="{n}" max="{total}"></progress>'
        f'<span style="flex: 1 1 24ch">{html.escape(stats)}</span></div>'
    )


class ProgressBar:
    """A progress bar over ``total`` steps; see the module docstring for where it shows what.

    Parameters
    ----------
    total : int
        Number of steps planned.
    desc : str, optional
        Label shown before the bar.
    enabled : bool, default True
        ``False`` shows nothing and imports nothing (the counters still count).
    unit : str, default "it"
        What one step is called in the rate (``it/s``).

    Attributes
    ----------
    n : int
        Steps done so far.
    """

    def __init__(self, total: int, desc: str | None = None, *, enabled: bool = True, unit: str = "it"):
        self.total, self.desc, self.n = positive_int("total", total), desc, 0
        self._bar = self._text = None
        self._closed = False
        if not enabled:
            return
        if static_site() and _in_ipython():  # the site build: only the finished bar, as HTML
            from tqdm.std import tqdm

            self._text = io.StringIO()
            self._bar = tqdm(total=total, desc=desc, unit=unit, file=self._text, mininterval=float("inf"))
        else:  # a live widget in Jupyter, text on stderr elsewhere
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit)

    def update(self, n: int = 1, **postfix) -> None:
        """Count ``n`` more steps; ``postfix`` values (e.g. ``loss=0.12``) are shown after the counters."""
        self.n += n
        if self._bar is not None:
            if postfix:
                self._bar.set_postfix(
                    {k: f"{v:.4g}" if isinstance(v, float) else v for k, v in postfix.items()}, refresh=False
                )
            self._bar.update(n)

    def close(self, *, complete: bool = False) -> None:
        """End the bar. ``complete=True`` says the loop ended by its own rule (e.g. early stopping)
        before ``total``: the bar then shows ``n/n`` instead of an unfinished, failed-looking bar."""
        if self._closed:
            return
        self._closed = True
        if self._bar is None:
            return
        if complete and self.n < self.total:
            self._bar.total = self.n
        self._bar.close()
        if self._text is not None:
            from IPython.display import display

            fmt = dict(self._bar.format_dict)
            fmt.update(bar_format=_STATS, prefix="")
            stats = self._bar.format_meter(**fmt)
            fmt.update(bar_format=None, prefix=self.desc or "", ascii=False, ncols=80)
            text = self._bar.format_meter(**fmt)
            bundle = {"text/plain": text, "text/html": static_bar_html(self.desc, self.n, self._bar.total, stats)}
            display(bundle, raw=True)

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def track(iterable: Iterable, desc: str | None = None, *, total: int | None = None, enabled: bool = True) -> Iterator:
    """Iterate over ``iterable`` with a :class:`ProgressBar` (``total`` defaults to ``len(iterable)``).

    Examples
    --------
    >>> sum(track(range(4), "summing", enabled=False))
    6
    """
    if total is None:
        try:
            total = len(iterable)
        except TypeError:
            raise TypeError(
                f"iterable has type {type(iterable).__name__}, which has no len(); pass total=<number of items>."
            ) from None
    if total == 0:
        return
    with ProgressBar(total, desc, enabled=enabled) as bar:
        for item in iterable:
            yield item
            bar.update()
