"""Random draws that several cells' ``init`` share: orthogonal matrices and chrono biases.

The paper says nothing about initialisation; these are the draws the literature uses, each
written once. Every cell's ``init`` takes the same words (see :mod:`lrnn.cell`):
``recurrent=`` chooses how the recurrent weights are drawn, ``scale=`` multiplies them,
``chrono=`` draws the gate biases of Tallec and Ollivier (2018).

References
----------
Mezzadri (2007), "How to generate random matrices from the classical compact groups",
Notices AMS 54. Saxe, McClelland and Ganguli (2014), "Exact solutions to the nonlinear dynamics
of learning in deep linear neural networks", ICLR. Tallec and Ollivier (2018), "Can recurrent
neural networks warp time?", ICLR. Glorot and Bengio (2010), "Understanding the difficulty of
training deep feedforward neural networks", AISTATS.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, check_rng, positive_int, type_error

__all__ = ["chrono_bias", "glorot_uniform", "orthogonal", "real_scale"]


def real_scale(name: str, value) -> float:
    """``value`` as a float if it is a finite real number ``>= 0`` (not a bool), else a clear error.

    Examples
    --------
    >>> real_scale("scale", 2)
    2.0
    >>> real_scale("scale", -1.0)
    Traceback (most recent call last):
    ...
    ValueError: scale = -1.0, expected a finite number >= 0.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise type_error(name, value, "a real number such as 1.0")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} = {value!r}, expected a finite number >= 0.")
    return float(value)


def orthogonal(rng: np.random.Generator, d: int, scale: float = 1.0, *, cols: int | None = None) -> np.ndarray:
    """``scale`` times a uniformly (Haar) distributed orthogonal ``d x d`` matrix (or ``d x cols``, ``cols <= d``).

    The Q of the QR decomposition of a Gaussian matrix, with the signs of R's diagonal moved
    into Q (Mezzadri 2007): without that step Q is orthogonal but not uniformly distributed.
    Every singular value and every eigenvalue modulus equals ``scale`` (Saxe et al. 2014).
    With ``cols < d`` the columns are orthonormal (times ``scale``): every singular value is
    ``scale``, the tall matrices a projection layer such as the Augmented LSTM's ``W_v_*`` needs.

    Parameters
    ----------
    rng : numpy.random.Generator
    d : int
        Rows, >= 1.
    scale : float, default 1.0
    cols : int, optional
        Columns, ``1 <= cols <= d``; ``d`` by default (a square matrix).

    Returns
    -------
    numpy.ndarray, shape (d, cols)

    Examples
    --------
    >>> W = orthogonal(np.random.default_rng(0), 3, scale=0.9)
    >>> bool(np.allclose(W @ W.T, 0.81 * np.eye(3)))
    True
    >>> V = orthogonal(np.random.default_rng(0), 3, cols=2)
    >>> V.shape, bool(np.allclose(V.T @ V, np.eye(2)))
    ((3, 2), True)
    """
    check_rng(rng)
    d = positive_int("d", d)
    cols = d if cols is None else positive_int("cols", cols)
    if cols > d:
        raise ValueError(f"cols = {cols} > d = {d}: at most d columns of length d are orthonormal; pass cols <= d.")
    Q, R = np.linalg.qr(rng.standard_normal((d, cols)))  # the reduced QR: Q is (d, cols)
    return scale * Q * np.where(np.diag(R) < 0, -1.0, 1.0)  # Haar measure (Mezzadri 2007)


def glorot_uniform(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """``U(-a, a)`` entries with ``a = sqrt(6 / (fan_out + fan_in))`` (Glorot and Bengio 2010).

    Examples
    --------
    >>> W = glorot_uniform(np.random.default_rng(0), (4, 2))
    >>> W.shape, bool(np.abs(W).max() <= 1.0)
    ((4, 2), True)
    """
    check_rng(rng)
    a = np.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-a, a, shape)


def chrono_bias(rng: np.random.Generator, T_max: float, d_s: int) -> np.ndarray:
    """The chrono initialisation of a forget-gate bias, ``b ~ log(U(1, T_max - 1))`` (Tallec and Ollivier 2018).

    A gate ``g = G_c(b)`` keeps a fraction ``g`` of the state per step, a time constant
    ``1 / (1 - g) = 1 + e^b``: these biases spread the units' time constants between 2 and
    ``T_max`` steps. The matching update-gate bias is ``-b``.

    Parameters
    ----------
    rng : numpy.random.Generator
    T_max : float
        The longest dependency (in steps) to be held at the start of training, ``T_max > 2``.
    d_s : int
        Number of units.

    Returns
    -------
    numpy.ndarray, shape (d_s,)

    Raises
    ------
    TypeError, ValueError
        A bad ``rng``, ``T_max <= 2`` or not finite, or a bad ``d_s``.

    Examples
    --------
    >>> b = chrono_bias(np.random.default_rng(0), T_max=50, d_s=1000)
    >>> bool(b.min() >= 0 and b.max() <= np.log(49)), int(np.exp(b).max().round())
    (True, 49)
    """
    check_rng(rng)
    T = float(as_float_array("chrono", T_max, ndim=0))
    if T <= 2.0:
        raise ValueError(f"chrono = {T_max!r}, expected T_max > 2: the biases are log U(1, T_max - 1).")
    return np.log(rng.uniform(1.0, T - 1.0, positive_int("d_s", d_s)))
