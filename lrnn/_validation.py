"""Argument checks shared by every public entry point of :mod:`lrnn`.

One place formats every error, so that messages read the same everywhere:
the argument's name, what was expected, what arrived, and what to do instead::

    ValueError: x has shape (4,), expected (N, d_x) = (N, 3) or (N, B, d_x) = (N, B, 3)
    from W_x of shape (2, 3); pass one sequence as a 2-D array, time along axis 0.

Nothing here is part of the paper; it guards the boundary so that the
equation code inside can stay one line per equation.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "as_flag",
    "as_float_array",
    "as_initial",
    "as_initial_state",
    "as_sequence",
    "check_shape",
    "check_finite",
    "check_rng",
    "check_type",
    "fmt_shape",
    "type_error",
    "positive_int",
]


def fmt_shape(shape) -> str:
    """A shape as Python prints a tuple: ``fmt_shape((3,)) == "(3,)"``."""
    return "(" + ", ".join(str(k) for k in shape) + ("," if len(shape) == 1 else "") + ")"


_fmt = fmt_shape  # the short name used inside this module


def check_rng(rng, name: str = "rng"):
    """Return ``rng`` if it is a ``numpy.random.Generator``, else raise ``TypeError`` saying how to make one.

    Examples
    --------
    >>> check_rng(42)
    Traceback (most recent call last):
    ...
    TypeError: rng has type int, expected numpy.random.Generator; use np.random.default_rng(seed).
    """
    if not isinstance(rng, np.random.Generator):
        raise type_error(name, rng, "numpy.random.Generator", "use np.random.default_rng(seed)")
    return rng


def positive_int(name: str, value) -> int:
    """Return ``value`` as an ``int`` if it is a positive integer (not a bool), else raise ``ValueError``.

    Examples
    --------
    >>> positive_int("d_s", 3)
    3
    >>> positive_int("d_s", 0)
    Traceback (most recent call last):
    ...
    ValueError: d_s = 0, expected a positive integer size.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} = {value!r}, expected a positive integer size.")
    return int(value)


def type_error(name: str, value, expected: str, hint: str = "") -> TypeError:
    """The one "expected type" message of the package: ``name``, the type that arrived, what was expected, what to do.

    Returns the exception for the caller to raise (so that tracebacks point at the caller).

    Examples
    --------
    >>> raise type_error("sd", [1], "a dict with keys ['weight_ih_l0', ...]", "pass lstm.state_dict()")
    Traceback (most recent call last):
    ...
    TypeError: sd has type list, expected a dict with keys ['weight_ih_l0', ...]; pass lstm.state_dict().
    """
    return TypeError(f"{name} has type {type(value).__name__}, expected {expected}" + (f"; {hint}." if hint else "."))


def as_flag(name: str, value, hint: str = "") -> bool:
    """Return ``value`` if it is a bool (``True``/``False``, or numpy's), else raise ``TypeError``.

    A flag given as ``1``, ``"yes"`` or ``None`` is a mistake worth naming: read as truth it
    would silently change what a function returns.

    Examples
    --------
    >>> as_flag("return_inputs", np.True_)
    True
    >>> as_flag("return_inputs", "yes", "pass True or False")
    Traceback (most recent call last):
    ...
    TypeError: return_inputs has type str, expected a bool (True or False); pass True or False.
    """
    if not isinstance(value, bool | np.bool_):
        raise type_error(name, value, "a bool (True or False)", hint)
    return bool(value)


def check_type(name: str, value, expected: type | tuple, hint: str = ""):
    """Return ``value`` if it is an instance of ``expected``, else raise ``TypeError`` naming both and ``hint``.

    Examples
    --------
    >>> check_type("params", 3, dict, "build one with dict(...)")
    Traceback (most recent call last):
    ...
    TypeError: params has type int, expected dict; build one with dict(...).
    """
    if not isinstance(value, expected):
        names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
        raise type_error(name, value, names, hint)
    return value


def check_finite(name: str, a: np.ndarray) -> np.ndarray:
    """Raise ``ValueError`` if ``a`` holds NaN or inf, naming the first bad index."""
    if not np.all(np.isfinite(a)):
        bad = np.argwhere(~np.isfinite(a))[0]
        where = tuple(int(k) for k in bad)
        value = a[where] if a.ndim else a
        raise ValueError(
            f"{name} contains {value} at index {where if a.ndim else '()'}; "
            f"every entry must be finite: remove or impute NaN/inf values first."
        )
    return a


def as_float_array(name: str, value, *, ndim: int | None = None, finite: bool = True) -> np.ndarray:
    """Convert ``value`` to a float64 array, checking its type, rank and finiteness.

    Parameters
    ----------
    name : str
        Argument name used in error messages.
    value : array_like
        Real numbers (bool, int or float). Strings, objects and complex numbers are refused.
    ndim : int, optional
        Required number of dimensions.
    finite : bool, default True
        Refuse NaN and inf.

    Returns
    -------
    numpy.ndarray of float64

    Raises
    ------
    TypeError
        If ``value`` is not an array of real numbers.
    ValueError
        If it has the wrong rank or holds NaN/inf.

    Examples
    --------
    >>> as_float_array("x", [1, 2]).dtype
    dtype('float64')
    >>> as_float_array("x", [1.0, float("nan")])
    Traceback (most recent call last):
    ...
    ValueError: x contains nan at index (1,); every entry must be finite: remove or impute NaN/inf values first.
    """
    if value is None:
        raise TypeError(f"{name} is None; pass an array of real numbers.")
    try:
        a = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name} could not be read as an array ({exc}); pass a rectangular array.") from None
    if a.dtype == object or a.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} has dtype {a.dtype}, expected real numbers (float64); "
            f"convert it with np.asarray({name}, dtype=float) first."
        )
    a = a.astype(np.float64, copy=False)
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} has {a.ndim} dimension(s) (shape {_fmt(a.shape)}), expected {ndim}.")
    if finite:
        check_finite(name, a)
    return a


def check_shape(name: str, a: np.ndarray, expected: tuple, symbols: tuple | None = None, *, source: str = "") -> None:
    """Raise ``ValueError`` unless ``a.shape`` matches ``expected`` (``None`` = any size).

    ``symbols`` names each axis (``("d_s", "d_x")``) for the message; ``source``
    says where the expected sizes come from (``"from W_x of shape (2, 3)"``).
    """
    ok = a.ndim == len(expected) and all(e is None or e == k for e, k in zip(expected, a.shape))
    if ok:
        return
    want = _fmt(["?" if e is None else e for e in expected])
    if symbols is not None:
        want = f"{_fmt(symbols)} = {want}"
    src = f" {source}" if source else ""
    raise ValueError(f"{name} has shape {_fmt(a.shape)}, expected {want}{src}.")


def as_sequence(name: str, value, d: int, d_name: str, *, source: str = "") -> tuple[np.ndarray, bool]:
    """Read a time-major sequence ``(N, d)`` or batch ``(N, B, d)`` as ``(N, B, d)``.

    Returns
    -------
    seq : numpy.ndarray, shape (N, B, d)
    batched : bool
        False when the input was a single ``(N, d)`` sequence (then ``B = 1``),
        so that callers can drop the batch axis from their results.

    Raises
    ------
    TypeError, ValueError
        Non-numeric data, NaN/inf, wrong rank or wrong feature size, N = 0.

    A :class:`lrnn.onehot.OneHot` passes through as it is (its codes were checked when it was
    built), so that the cells compute ``W_x x[n]`` as a column lookup.
    """
    from .onehot import OneHot  # imported here: onehot is a leaf module, this one is imported by all

    a = value if isinstance(value, OneHot) else as_float_array(name, value)
    src = f" {source}" if source else ""
    if a.ndim not in (2, 3) or a.shape[-1] != d:
        raise ValueError(
            f"{name} has shape {_fmt(a.shape)}, expected (N, {d_name}) = (N, {d}) or "
            f"(N, B, {d_name}) = (N, B, {d}){src}; time runs along axis 0 "
            f"(pass one sequence as a 2-D array, a batch as a 3-D array)."
        )
    if a.shape[0] == 0:
        raise ValueError(f"{name} has shape {_fmt(a.shape)}: the sequence is empty; pass at least one step (N >= 1).")
    batched = a.ndim == 3
    return (a if batched else a[:, None, :]), batched


def as_initial(name: str, value, B: int, d: int, d_name: str, batched: bool) -> np.ndarray:
    """Read an initial condition as ``(B, d)``; ``None`` means zeros (Sherstinsky Eq. 73)."""
    if value is None:
        return np.zeros((B, d))
    a = as_float_array(name, value)
    if batched and a.shape == (B, d):
        return a
    if a.shape == (d,):
        return np.broadcast_to(a, (B, d)).copy()
    want = f"({d_name},) = ({d},)" + (f" or (B, {d_name}) = ({B}, {d})" if batched else "")
    raise ValueError(f"{name} has shape {_fmt(a.shape)}, expected {want}; pass None for a zero initial condition.")


def as_initial_state(name: str, value, B: int, shape: tuple, symbols: tuple, batched: bool, *, complex_ok=False):
    """Read an initial state of any one-step ``shape`` as ``(B, *shape)``, a copy; ``None`` means zeros.

    For the linear-recurrence cells, whose state is complex (the LRU's ``s``) or a matrix per
    sequence (the selective layer's ``h``, ``(d_h, d_s)``); :func:`as_initial` reads a real vector.

    Parameters
    ----------
    name : str
        Argument name used in error messages (``"s0"``, ``"h0"``).
    value : array_like or None
        One step's shape, shared by the batch, or (for a batch) ``(B, *shape)``.
    B : int
        Batch size.
    shape : tuple of int
        One step's shape, e.g. ``(d_s,)`` or ``(d_h, d_s)``.
    symbols : tuple of str
        The names of ``shape``'s axes, for the message.
    batched : bool
        Whether the input was a batch (then ``(B, *shape)`` is accepted).
    complex_ok : bool, default False
        Accept complex numbers (the result is then complex128; float64 otherwise).

    Returns
    -------
    numpy.ndarray, shape (B, *shape)

    Raises
    ------
    TypeError, ValueError
        Non-numeric or non-finite entries, or the wrong shape.

    Examples
    --------
    >>> as_initial_state("s0", [1j, 2.0], 3, (2,), ("d_s",), True, complex_ok=True).shape
    (3, 2)
    >>> as_initial_state("h0", np.zeros((3, 4)), 1, (4, 3), ("d_h", "d_s"), False)
    Traceback (most recent call last):
    ...
    ValueError: h0 has shape (3, 4), expected (d_h, d_s) = (4, 3); pass None for a zero initial state.
    """
    dtype = np.complex128 if complex_ok else np.float64
    if value is None:
        return np.zeros((B, *shape), dtype=dtype)
    if complex_ok and np.iscomplexobj(value):
        a = np.asarray(value, dtype=dtype)
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{name} contains NaN or inf; every entry must be finite: remove or impute them first.")
    else:
        a = as_float_array(name, value).astype(dtype, copy=False)
    if a.shape == tuple(shape) or (batched and a.shape == (B, *shape)):
        return np.broadcast_to(a, (B, *shape)).copy()
    want = f"{_fmt(symbols)} = {_fmt(shape)}" + (
        f" or {_fmt(('B', *symbols))} = {_fmt((B, *shape))}" if batched else ""
    )
    raise ValueError(f"{name} has shape {_fmt(a.shape)}, expected {want}; pass None for a zero initial state.")
