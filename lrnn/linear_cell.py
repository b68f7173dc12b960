"""What the linear-recurrence cells of Chapter 11 share: their sizes, and the gated linear unit.

Not in Sherstinsky's paper. A linear recurrence alone computes a linear filter of its input,
so the LRU cell (:mod:`lrnn.lru`) and the selective layer (:mod:`lrnn.selective`) put a
position-wise nonlinearity after it: the gated linear unit of Dauphin et al. (2017)::

    v[n] = (W_a z[n] + b_a) * G_c(W_g z[n] + b_g)

What the interface of a cell needs (validation, sizes, state, trace checks) is in
:mod:`lrnn.cell`; this module holds the rest that both cells use: :class:`LinearCellParams`
(the sizes ``d_x, d_s, d_h``, the output ``v`` of width ``d_h``), the GLU's forward and
backward passes, the output GLU's fields and initialisation, the Glorot-uniform draw of
their weights, and the sum over time and batch that every weight gradient is.

Shapes are time-major: ``(N, B, d)`` (a single sequence is ``(N, 1, d)`` inside the backward
passes, :meth:`lrnn.cell.TraceFields.as_batch`).

References
----------
Y. N. Dauphin, A. Fan, M. Auli, D. Grangier, "Language modeling with gated convolutional
networks", ICML 2017.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from .activations import G_c
from .cell import Parameters

__all__ = [
    "LinearCellParams",
    "OUTPUT_GLU_SHAPES",
    "glu",
    "glu_backward",
    "glorot_uniform_draw",
    "output_glu_init",
    "sum_outer",
]


class LinearCellParams(Parameters):
    """Mixin for the parameters of a linear-recurrence cell: input size ``d_x``, state size ``d_s``, width ``d_h``.

    A :class:`lrnn.cell.Parameters` whose shape table names a third size, ``d_h``: the width of
    the cell's GLUs and of its output ``v`` (``d_out = d_h``), and the number of channels of the
    selective layer. :class:`lrnn.lru.LRUParams` and :class:`lrnn.selective.SelectiveSSMParams`
    build on it.

    Examples
    --------
    >>> from lrnn.lru import LRUParams
    >>> p = LRUParams.zeros(d_x=1, d_s=2, d_h=3)
    >>> p.d_h, p.d_out, p.B_re.shape
    (3, 3, (2, 3))
    """

    OUTPUT_SIZE: ClassVar = "d_h"  # trace.output is v, (N, [B,] d_h)
    INIT: ClassVar = "rng, d_x, d_s, d_h"

    @property
    def d_h(self) -> int:
        """Width of the GLUs and of the output ``v``."""
        return self.sizes["d_h"]

    @classmethod
    def zeros(cls, d_x: int, d_s: int, d_h: int):
        """All-zero parameters: a template to fill in, and the zero gradient."""
        return super().zeros(d_x, d_s, d_h=d_h)


#: The output GLU's fields in a shape table (:class:`lrnn.cell.Parameters`): ``v = (W_o y + b_o) * G_c(W_g y + b_g)``.
OUTPUT_GLU_SHAPES = {"W_o": ("d_h", "d_h"), "b_o": ("d_h",), "W_g": ("d_h", "d_h"), "b_g": ("d_h",)}


def glu(z, W_a, b_a, W_g, b_g):
    """The gated linear unit (Dauphin et al. 2017): ``(W_a z + b_a) * G_c(W_g z + b_g)``, time-major ``z``.

    Parameters
    ----------
    z : numpy.ndarray, shape (..., d_in)
    W_a, W_g : numpy.ndarray, shape (d_out, d_in)
        Value and gate weights.
    b_a, b_g : numpy.ndarray, shape (d_out,)

    Returns
    -------
    a_a, a_g, out : numpy.ndarray, each of shape (..., d_out)
        The value and gate pre-activations, kept for :func:`glu_backward`, and the output.

    Examples
    --------
    >>> a_a, a_g, out = glu(np.ones((1, 1, 2)), np.eye(2), np.zeros(2), np.zeros((2, 2)), np.zeros(2))
    >>> out  # the gate at G_c(0) = 1/2
    array([[[0.5, 0.5]]])
    """
    a_a = z @ W_a.T + b_a  # value
    a_g = z @ W_g.T + b_g  # gate
    return a_a, a_g, a_a * G_c(a_g, check=False)


def glu_backward(z, a_a, a_g, d_out, W_a, W_g):
    """Gradients through :func:`glu`: ``dE/dz`` and the weights' gradients summed over time and batch.

    Parameters
    ----------
    z : numpy.ndarray, shape (N, B, d_in)
        The GLU's input.
    a_a, a_g : numpy.ndarray, shape (N, B, d_out)
        The pre-activations :func:`glu` returned.
    d_out : numpy.ndarray, shape (N, B, d_out)
        ``dE/d(out)``.
    W_a, W_g : numpy.ndarray, shape (d_out, d_in)

    Returns
    -------
    dz : numpy.ndarray, shape (N, B, d_in)
    grads : tuple of numpy.ndarray
        ``(dW_a, db_a, dW_g, db_g)`` of shapes ``(d_out, d_in), (d_out,), (d_out, d_in), (d_out,)``.

    Examples
    --------
    >>> z, W = np.ones((3, 2, 1)), np.ones((1, 1))
    >>> a_a, a_g, _ = glu(z, W, np.zeros(1), W, np.zeros(1))
    >>> dz, (dW_a, db_a, dW_g, db_g) = glu_backward(z, a_a, a_g, np.ones((3, 2, 1)), W, W)
    >>> dz.shape, dW_a.shape, db_g.shape
    ((3, 2, 1), (1, 1), (1,))
    """
    g = G_c(a_g, check=False)
    d_aa = d_out * g
    d_ag = d_out * a_a * g * (1.0 - g)
    grads = (sum_outer(d_aa, z), d_aa.sum(axis=(0, 1)), sum_outer(d_ag, z), d_ag.sum(axis=(0, 1)))
    return d_aa @ W_a + d_ag @ W_g, grads


def sum_outer(a, b):
    """``sum over n and b of a[n, b] b[n, b]^T``: the gradient of a weight ``W`` in ``W b[n] -> a``.

    Parameters
    ----------
    a : numpy.ndarray, shape (N, B, d_a)
    b : numpy.ndarray, shape (N, B, d_b)

    Returns
    -------
    numpy.ndarray, shape (d_a, d_b)

    Examples
    --------
    >>> a, b = np.ones((2, 3, 1)), np.arange(6.0).reshape(2, 3, 1)
    >>> sum_outer(a, b)
    array([[15.]])
    """
    return a.reshape(-1, a.shape[-1]).T @ b.reshape(-1, b.shape[-1])


def glorot_uniform_draw(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Glorot-uniform weights, ``U(-1, 1) sqrt(6 / (fan_out + fan_in))``, as the linear-recurrence cells draw them.

    The same distribution as :func:`lrnn.initializers.glorot_uniform`, computed as
    ``U(-1, 1)`` times the bound (not ``U(-a, a)``), so that the committed runs of
    ``experiments/long_memory`` keep their last bits.

    Examples
    --------
    >>> W = glorot_uniform_draw(np.random.default_rng(0), (4, 2))
    >>> W.shape, bool(np.abs(W).max() <= 1.0)
    ((4, 2), True)
    """
    return rng.uniform(-1, 1, shape) * np.sqrt(6.0 / sum(shape))


def output_glu_init(rng: np.random.Generator, d_h: int) -> dict:
    """The output GLU's fields (:data:`OUTPUT_GLU_SHAPES`): Glorot-uniform ``W_o`` then ``W_g``, zero biases.

    Examples
    --------
    >>> {k: v.shape for k, v in output_glu_init(np.random.default_rng(0), 3).items()}
    {'W_o': (3, 3), 'b_o': (3,), 'W_g': (3, 3), 'b_g': (3,)}
    """
    W_o = glorot_uniform_draw(rng, (d_h, d_h))  # drawn first, as the cells always have
    W_g = glorot_uniform_draw(rng, (d_h, d_h))
    return dict(W_o=W_o, b_o=np.zeros(d_h), W_g=W_g, b_g=np.zeros(d_h))
