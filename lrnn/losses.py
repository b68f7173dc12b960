"""Output layer and loss for sequence regression: ``y[n] = W_y v[n] + b_y``, mean squared error.

The paper leaves the output layer open (Sec. VI-H: ``y[n]`` "may be obtained by computing
a linear transformation of ``v[n]``", no numbered equation); its backward pass starts from
``dE/dv[n]``, the first term of Eqs. 144 and 217, which is what :func:`readout_mse` returns.

Symbols (code -> shape of one step)::

    v        (d_v,)        value, the cell's output (``d_v = d_s`` for the Vanilla LSTM)
    W_y      (d_y, d_v)    readout weights
    b_y      (d_y,)        readout bias
    y        (d_y,)        prediction, ``W_y v + b_y``
    E        scalar        mean over every step, sequence and component of ``(y - target)^2``
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_shape, fmt_shape

__all__ = ["mean_squared_error", "Readout", "readout_mse"]


def mean_squared_error(y, target) -> tuple[float, np.ndarray]:
    """``E = mean((y - target)^2)`` and its gradient ``dE/dy = 2 (y - target) / y.size``.

    Parameters
    ----------
    y, target : array_like, same shape

    Returns
    -------
    E : float
    dE_dy : numpy.ndarray, shape of ``y``

    Raises
    ------
    ValueError
        If the shapes differ or an entry is NaN/inf.

    Examples
    --------
    >>> E, g = mean_squared_error([1.0, 3.0], [0.0, 0.0])
    >>> E, g
    (5.0, array([1., 3.]))
    """
    y, target = as_float_array("y", y), as_float_array("target", target)
    if y.shape != target.shape:
        raise ValueError(
            f"y has shape {fmt_shape(y.shape)} but target has shape {fmt_shape(target.shape)}; they must match."
        )
    diff = y - target
    return float(np.mean(diff**2)), 2.0 * diff / diff.size


@dataclass(frozen=True)
class Readout:
    """A linear output layer ``y[n] = W_y v[n] + b_y``.

    Parameters
    ----------
    W_y : array_like, shape (d_y, d_v)
    b_y : array_like, shape (d_y,)

    Examples
    --------
    >>> r = Readout(W_y=[[2.0, 0.0]], b_y=[1.0])
    >>> r(np.array([[3.0, 5.0]]))
    array([[7.]])
    """

    W_y: np.ndarray  # (d_y, d_v)
    b_y: np.ndarray  # (d_y,)

    def __post_init__(self):
        W = as_float_array("W_y", self.W_y, ndim=2)
        b = as_float_array("b_y", self.b_y)
        check_shape("b_y", b, (W.shape[0],), ("d_y",), source=f"from W_y of shape {fmt_shape(W.shape)}")
        object.__setattr__(self, "W_y", W)
        object.__setattr__(self, "b_y", b)

    @classmethod
    def random(cls, rng: np.random.Generator, d_v: int, d_y: int, *, scale: float = 1.0) -> Readout:
        """``W_y ~ N(0, scale^2 / d_v)``, ``b_y = 0``."""
        return cls(W_y=scale * rng.standard_normal((d_y, d_v)) / np.sqrt(d_v), b_y=np.zeros(d_y))

    def __call__(self, v) -> np.ndarray:
        """``y = v @ W_y.T + b_y`` for ``v`` of shape ``(..., d_v)``."""
        return np.asarray(v) @ self.W_y.T + self.b_y


def readout_mse(readout: Readout, v, target) -> tuple[float, np.ndarray, Readout]:
    """Loss of a readout on the values ``v`` and its gradients.

    Parameters
    ----------
    readout : Readout
    v : array_like, shape (..., d_v)
        The cell's values, e.g. ``trace.v`` of shape ``(N, B, d_v)``.
    target : array_like, shape (..., d_y)

    Returns
    -------
    E : float
        :func:`mean_squared_error` of ``readout(v)`` and ``target``.
    dE_dv : numpy.ndarray, shape of ``v``
        The direct derivative ``(dy/dv)^T dE/dy`` that starts the backward pass (Eqs. 144, 217).
    grads : Readout
        ``dE/dW_y`` and ``dE/db_y``, summed over all leading axes.

    Examples
    --------
    >>> r = Readout(W_y=[[1.0]], b_y=[0.0])
    >>> E, dE_dv, g = readout_mse(r, [[2.0]], [[0.0]])
    >>> E, dE_dv, g.W_y, g.b_y
    (4.0, array([[4.]]), array([[8.]]), array([4.]))
    """
    v = as_float_array("v", v)
    if v.shape[-1:] != readout.W_y.shape[1:]:
        raise ValueError(
            f"v has shape {fmt_shape(v.shape)}, expected (..., d_v) = (..., {readout.W_y.shape[1]}) "
            f"from W_y of shape {fmt_shape(readout.W_y.shape)}."
        )
    E, dE_dy = mean_squared_error(readout(v), target)
    flat_g, flat_v = dE_dy.reshape(-1, dE_dy.shape[-1]), v.reshape(-1, v.shape[-1])
    grads = Readout(W_y=flat_g.T @ flat_v, b_y=flat_g.sum(axis=0))
    return E, dE_dy @ readout.W_y, grads
