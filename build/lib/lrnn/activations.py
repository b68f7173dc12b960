"""Warping (activation) functions, Sherstinsky (2020) Sec. V-VI, Eqs. 109-111, 121-122, 137-138.

Symbols (paper -> code)::

    G_c(z)   G_c    logistic sigmoid, the "control" warping of every gate (Eqs. 109-111, 121)
    G_d(z)   G_d    hyperbolic tangent, the "data" warping of u[n] and r[n] (Eq. 122);
                    also the G of the RNN sections (Eqs. 7, 31, 33)
    G_c'(z)  dG_c   G_c(z) (1 - G_c(z))   (Eq. 137)
    G_d'(z)  dG_d   1 - G_d(z)^2          (Eq. 138)

All four are evaluated through ``exp(-|z|)``, which never overflows, so they are
exact to rounding and silent (no RuntimeWarning) for every finite float, including
``|z| > 710`` where ``exp(z)`` or ``cosh(z)`` would overflow. The public functions
refuse NaN and inf; the underscored versions skip that check and are what the
forward and backward passes call in their inner loops (``_G_c_tanh`` is the
branch-free form of Eq. 111 used where speed matters).
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array

__all__ = ["G_c", "G_d", "dG_c", "dG_d"]


def _G_c(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))  # in (0, 1]: no overflow
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))  # Eq. 109


def _G_c_tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """G_c through Eq. 111, (1 + G_d(z/2)) / 2: one tanh, no branch, no overflow; ``out`` may be ``z``.

    The fast form the LSTM loops use (about 20x faster than ``_G_c``). Its absolute
    error is at most 2.2e-16; for ``z < -37`` it returns 0 instead of about ``e^z``.
    """
    out = np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out  # Eq. 111


def _G_d(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)  # Eq. 122


def _dG_c(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2  # Eq. 137, = G_c(z) (1 - G_c(z)), symmetric in z


def _dG_d(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z)) ** 2  # exp(-2|z|) without forming 2|z|, which overflows at |z| ~ 1e308
    return 4.0 * e / (1.0 + e) ** 2  # Eq. 138, = 1 - tanh(z)^2 = sech(z)^2


def G_c(z):
    r"""Control warping function :math:`G_c(z) = \sigma(z) = 1 / (1 + e^{-z})` (Eq. 109).

    Parameters
    ----------
    z : array_like
        Accumulation node values, any shape, finite.

    Returns
    -------
    numpy.ndarray
        Same shape as ``z``, values in [0, 1].

    Raises
    ------
    TypeError
        If ``z`` is not numeric.
    ValueError
        If ``z`` holds NaN or inf.

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
    return _G_c(as_float_array("z", z))


def G_d(z):
    r"""Data warping function :math:`G_d(z) = \tanh(z)` (Eq. 122).

    Parameters
    ----------
    z : array_like
        Any shape, finite.

    Returns
    -------
    numpy.ndarray
        Same shape as ``z``, values in [-1, 1].

    Raises
    ------
    TypeError, ValueError
        Non-numeric input, NaN or inf.

    Examples
    --------
    >>> G_d([0.0, 1.0])
    array([0.        , 0.76159416])
    """
    return _G_d(as_float_array("z", z))


def dG_c(z):
    r""":math:`G_c'(z) = G_c(z)(1 - G_c(z))` (Eq. 137), computed without cancellation.

    Parameters
    ----------
    z : array_like
        Any shape, finite.

    Returns
    -------
    numpy.ndarray
        Same shape, values in (0, 1/4].

    Examples
    --------
    >>> float(dG_c(0.0))
    0.25
    """
    return _dG_c(as_float_array("z", z))


def dG_d(z):
    r""":math:`G_d'(z) = 1 - G_d(z)^2` (Eq. 138), computed without overflow.

    Parameters
    ----------
    z : array_like
        Any shape, finite.

    Returns
    -------
    numpy.ndarray
        Same shape, values in (0, 1].

    Examples
    --------
    >>> float(dG_d(0.0))
    1.0
    >>> float(dG_d(800.0))  # 1/cosh(800)**2 would overflow on the way
    0.0
    """
    return _dG_d(as_float_array("z", z))
