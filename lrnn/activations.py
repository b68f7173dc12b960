"""Warping (activation) functions, Sherstinsky (2020) Sec. V-VI, Eqs. 109-111, 121-122, 137-138.

Symbols (paper -> code)::

    G_c(z)   G_c    logistic sigmoid, the "control" warping of every gate (Eqs. 109-111, 121)
    G_d(z)   G_d    hyperbolic tangent, the "data" warping of u[n] and r[n] (Eq. 122);
                    also the G of the RNN sections (Eqs. 7, 31, 33)
    G_c'(z)  dG_c   G_c(z) (1 - G_c(z))   (Eq. 137)
    G_d'(z)  dG_d   1 - G_d(z)^2          (Eq. 138)

These are the functions the models call: ``lrnn.G_c`` is the gate function of
:func:`lrnn.lstm.lstm_forward`, not a second version of it. Each takes ``out=`` (an
array to write into, which may be ``z`` itself) and ``check=``: with the default
``check=True`` the input is validated (numeric, and NaN or inf is an error); the
forward and backward loops, whose inputs are already checked, pass ``check=False``.

None of them overflows or warns for any finite float. ``G_c`` is evaluated through
the paper's own identity Eq. 121, ``(1 + tanh(z/2)) / 2``: one ``tanh`` and no
branch, exact to an *absolute* error of 2.2e-16 everywhere, one unit in the last place
of values near 1 (for ``z < -37`` it returns 0 where the true value is below 1e-16). The derivatives go through
``exp(-|z|)``, so they are exact to a *relative* error of a few ulps even deep in
the tails, where ``G_c (1 - G_c)`` would round to 0.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array

__all__ = ["G_c", "G_d", "dG_c", "dG_d"]


def _read(z, check: bool):
    return as_float_array("z", z) if check else z


def _written(value, out):
    if out is None:
        return value
    out[...] = value
    return out


def G_c(z, *, out=None, check: bool = True):
    r"""Control warping function :math:`G_c(z) = \sigma(z) = 1 / (1 + e^{-z})` (Eqs. 109, 121).

    Parameters
    ----------
    z : array_like
        Accumulation node values, any shape, finite.
    out : numpy.ndarray, optional
        Where to write the result (same shape as ``z``; may be ``z`` itself).
    check : bool, default True
        Validate ``z`` (numeric, finite). The model loops pass False for inputs already checked.

    Returns
    -------
    numpy.ndarray
        Same shape as ``z``, values in [0, 1]; computed as ``(1 + tanh(z/2)) / 2`` (Eq. 121),
        with an absolute error of at most 2.2e-16.

    Raises
    ------
    TypeError
        If ``z`` is not numeric (when checked).
    ValueError
        If ``z`` holds NaN or inf (when checked).

    References
    ----------
    Sherstinsky (2020), Eqs. 109-111; Eq. 121.

    Examples
    --------
    >>> G_c([0.0, 2.0])
    array([0.5       , 0.88079708])
    >>> float(G_c(-1000.0))  # no overflow warning
    0.0
    """
    half = np.multiply(_read(z, check), 0.5, out=out)  # one new array at most; out may be z itself
    if not isinstance(half, np.ndarray):  # a scalar in, a scalar out
        return 0.5 + 0.5 * np.tanh(half)  # Eq. 121
    np.tanh(half, out=half)
    half *= 0.5
    half += 0.5
    return half  # Eq. 121: (1 + tanh(z/2)) / 2


def G_d(z, *, out=None, check: bool = True):
    r"""Data warping function :math:`G_d(z) = \tanh(z)` (Eq. 122).

    Parameters
    ----------
    z : array_like
        Any shape, finite.
    out : numpy.ndarray, optional
        Where to write the result (may be ``z`` itself).
    check : bool, default True
        Validate ``z`` (numeric, finite).

    Returns
    -------
    numpy.ndarray
        Same shape as ``z``, values in [-1, 1].

    Raises
    ------
    TypeError, ValueError
        Non-numeric input, NaN or inf (when checked).

    Examples
    --------
    >>> G_d([0.0, 1.0])
    array([0.        , 0.76159416])
    """
    return np.tanh(_read(z, check), out=out)  # Eq. 122


def dG_c(z, *, out=None, check: bool = True):
    r""":math:`G_c'(z) = G_c(z)(1 - G_c(z))` (Eq. 137), computed without cancellation.

    Parameters
    ----------
    z : array_like
        Any shape, finite.
    out : numpy.ndarray, optional
        Where to write the result.
    check : bool, default True
        Validate ``z`` (numeric, finite).

    Returns
    -------
    numpy.ndarray
        Same shape, values in [0, 1/4]; ``e^{-|z|} / (1 + e^{-|z|})^2``, exact in the tails.

    Examples
    --------
    >>> float(dG_c(0.0))
    0.25
    """
    e = np.exp(-np.abs(_read(z, check)))  # in (0, 1]: no overflow
    return _written(e / (1.0 + e) ** 2, out)  # Eq. 137, symmetric in z


def dG_d(z, *, out=None, check: bool = True):
    r""":math:`G_d'(z) = 1 - G_d(z)^2` (Eq. 138), computed without overflow.

    Parameters
    ----------
    z : array_like
        Any shape, finite.
    out : numpy.ndarray, optional
        Where to write the result.
    check : bool, default True
        Validate ``z`` (numeric, finite).

    Returns
    -------
    numpy.ndarray
        Same shape, values in [0, 1]; ``sech(z)^2`` through ``exp(-2|z|)``.

    Examples
    --------
    >>> float(dG_d(0.0))
    1.0
    >>> float(dG_d(800.0))  # 1/cosh(800)**2 would overflow on the way
    0.0
    """
    e = np.exp(-np.abs(_read(z, check))) ** 2  # exp(-2|z|) without forming 2|z|, which overflows at |z| ~ 1e308
    return _written(4.0 * e / (1.0 + e) ** 2, out)  # Eq. 138, = 1 - tanh(z)^2 = sech(z)^2
