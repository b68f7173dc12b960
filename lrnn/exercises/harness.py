"""The harness every self-check shares: run the student's function, compare, diagnose, report.

A check (``check_rnn_backward``, ``check_lstm_backward``, ...) calls the student's function
through :func:`call`, so that an exception becomes a readable ``AssertionError``; compares
each result with :mod:`lrnn`'s through :func:`compare`, which accepts a relative error
(:func:`lrnn.gradcheck.relative_error`) below :data:`TOL`; and, when a result is wrong,
compares it with the results of known mistakes, each with the sentence that explains it.

The mistakes of the LSTM checks are not a second implementation of the cell: :func:`mutant`
takes the readable code of :mod:`lrnn` itself and changes one thing (drops the carousel
term of Eq. 155, forgets a transpose, reads ``s[n]`` for ``s[n-1]``), so that a diagnosis
says "your result is lrnn's with *this* change".
"""

from __future__ import annotations

import inspect
import textwrap

import numpy as np

from ..gradcheck import relative_error

__all__ = ["TOL", "call", "same", "as_array", "unpack", "compare", "mutant", "field"]

TOL = 1e-8  #: relative error accepted as "the same" (float64 rounding gives about 1e-15)


def call(label: str, fn, *args):
    """``fn(*args)``, or an ``AssertionError`` that names the exception the student's function raised."""
    try:
        return fn(*args)
    except Exception as exc:
        raise AssertionError(f"{label}: your function raised {type(exc).__name__}: {exc}") from exc


def same(a, b) -> bool:
    """True when ``a`` and ``b`` have the same shape and a relative error below :data:`TOL`."""
    return np.shape(a) == np.shape(b) and relative_error(a, b) < TOL


def as_array(label: str, what: str, value) -> np.ndarray:
    """``value`` as a float array (complex where it is complex), or an ``AssertionError`` saying it is not numeric."""
    try:
        return np.asarray(value, dtype=complex if np.iscomplexobj(value) else float)
    except (TypeError, ValueError):
        raise AssertionError(f"{label}: {what} is {type(value).__name__}, expected a numeric array.") from None


def unpack(label: str, got, shapes: tuple, what: str) -> list:
    """Unpack the student's tuple ``got``; check each item's shape (``None``: any object, left as is)."""
    if not isinstance(got, tuple | list) or len(got) != len(shapes):
        raise AssertionError(f"{label}: your function returned {type(got).__name__}; expected a tuple {what}.")
    out = []
    for k, (a, shape) in enumerate(zip(got, shapes, strict=True)):
        if shape is not None:
            a = as_array(label, f"item {k} of {what}", a)
            if a.shape != shape:
                raise AssertionError(f"{label}: item {k} of {what} has shape {a.shape}, expected {shape}.")
        out.append(a)
    return out


def field(grads, name: str):
    """``grads.name`` or ``grads[name]``: students may return a parameter dataclass or a dict."""
    return grads.get(name) if isinstance(grads, dict) else getattr(grads, name, None)


def _shape_hint(what: str, shape: tuple, expected: tuple) -> str:
    if len(shape) == 2 and shape == expected[::-1]:
        return ": it looks transposed; dE/dW = sum_n (dE/d of W's output)[n] (input of W)^T[n], in rows d.T @ input"
    if len(shape) > len(expected) and shape[-len(expected) :] == expected:
        return ": sum over the leading axes (the steps n and the samples of a batch)"
    if len(shape) == len(expected) and shape[1:] == expected[1:] and shape[0] == expected[0] + 1:
        return f": return steps 0..N-1 only (the terminal {what}[N] = 0 is not part of the output)"
    return ""


def compare(label: str, what: str, actual, expected, mistakes=(), *, axis0: str = "rows", hint: str = "") -> None:
    """Return if ``actual`` matches ``expected``; else raise ``AssertionError`` with a diagnosis.

    Parameters
    ----------
    label : str
        Names the check and the case, e.g. ``"check_lstm_backward (case d_x = 3, d_s = 2)"``.
    what : str
        Names the result, e.g. ``"psi"`` or ``"the gradient of W_s_cr"``.
    actual, expected : array_like
        Real or complex.
    mistakes : iterable of (array, str)
        Results of known mistakes, each with its explanation; the first that ``actual``
        matches is reported.
    axis0 : str
        What the first axis counts (``"steps n ="``), for the report of where they differ.
    hint : str
        What to check when no known mistake matches.
    """
    a = as_array(label, what, actual)
    expected = as_array(label, "lrnn's result", expected)
    if a.shape != expected.shape:
        hint = _shape_hint(what, a.shape, expected.shape)
        raise AssertionError(f"{label}: {what} has shape {a.shape}, expected {expected.shape}{hint}.")
    if same(a, expected):
        return
    for candidate, why in mistakes:
        if same(a, candidate):
            raise AssertionError(f"{label}: {what} is wrong: {why}")
    err = np.abs(a - expected).reshape(len(a), -1).max(axis=1) if a.ndim else np.abs(a - expected)[None]
    bad = [int(k) for k in np.flatnonzero(err > 1e-6 * (1 + np.abs(expected).max()))]
    rest = f"; {axis0} {sorted(set(range(len(err))) - set(bad))} match" if len(bad) < len(err) else ""
    detail = f"at {axis0} {bad} " if bad else ""
    raise AssertionError(
        f"{label}: {what} differs from lrnn's {detail}(relative error {relative_error(a, expected):.2g}){rest}"
        + (f"; {hint}." if hint else ".")
    )


def mutant(fn, *edits: tuple[str, str], namespace: dict | None = None):
    """``fn`` with a typical mistake: its own source with each ``(old, new)`` text edit applied.

    Parameters
    ----------
    fn : function
        A function of :mod:`lrnn` (decorators included, as in its source).
    *edits : (str, str)
        Text to replace in the source; every ``old`` must occur in it, or ``LookupError`` is
        raised (the mistake no longer fits the code it was written for).
    namespace : dict, optional
        Names to override in the function's globals, e.g. a mutated helper it calls.

    Returns
    -------
    function
        The edited function, compiled in (a copy of) ``fn``'s module namespace.

    Examples
    --------
    >>> from lrnn.activations import G_d
    >>> no_tanh = mutant(G_d, ("np.tanh(_read(z, check), out=out)", "_read(z, check)"))
    >>> float(no_tanh(2.0)), float(G_d(2.0).round(4))
    (2.0, 0.964)
    """
    src = textwrap.dedent(inspect.getsource(fn))
    for old, new in edits:
        if old not in src:
            raise LookupError(f"{fn.__qualname__} no longer contains {old!r}; update this mistake to the new code.")
        src = src.replace(old, new)
    scope = dict(fn.__globals__, **(namespace or {}))
    exec(compile(src, f"<{fn.__qualname__}, with a mistake>", "exec"), scope)
    return scope[fn.__name__]
