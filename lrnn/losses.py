"""Output layers and losses: a linear readout ``y[n] = W_y v[n] + b_y`` and three losses on ``y``.

The paper leaves the output layer open (Sec. VI-H: ``y[n]`` "may be obtained by computing a
linear transformation of ``v[n]``", no numbered equation); its backward passes start from the
direct derivative of ``E`` with respect to what the readout sees. :func:`readout_loss` turns
any loss's ``dE/dy`` into that derivative, ``dE/dv[n] = W_y^T dE/dy[n]`` (``dE_dy @ W_y``)::

    standard RNN, readout of r    rnn_backward(params, trace, dE_dv)        first term of Eq. 82, dE(r[n])/dr[n]
    Vanilla LSTM, readout of v    lstm_backward(params, trace, dE_dv)       direct term of chi[n], Eq. 144
    Augmented LSTM, of v          augmented_backward(params, trace, dE_dv)  direct term of chi[n], Eq. 217
    GRU, readout of s             gru_backward(params, trace, dE_dv)        direct term of psi[n], Eq. G9 (G14)

Every loss has the signature ``loss(y, target, mask=None) -> (E, dE_dy)``. A *frame* is one
position of ``y.shape[:-1]`` (one step of one sequence); ``mask`` (that shape, 1 = counts,
0 = padding) removes padded frames, and ``E`` is the mean over the ``M`` unmasked frames of
a per-frame loss ``l``::

    E = (1/M) sum_f mask_f l(y_f, t_f),     dE/dy_f = (mask_f / M) dl/dy_f

Per frame (``d_y`` components; derivations in each function's docstring)::

    mean_squared_error     l = (1/d_y) sum_k (y_k - t_k)^2              dl/dy = 2 (y - t) / d_y
    softmax_cross_entropy  p = softmax(y), l = -sum_k t_k log p_k       dl/dy = p - t     (sum_k t_k = 1)
    sigmoid_bernoulli_nll  l = sum_k softplus(y_k) - t_k y_k            dl/dy = G_c(y) - t

Symbols (code -> shape of one frame)::

    v        (d_v,)        what the readout sees: r (RNN), v (LSTM), s (GRU)
    W_y      (d_y, d_v)    readout weights
    b_y      (d_y,)        readout bias
    y        (d_y,)        readout output: a prediction (MSE) or logits (the other two losses)
    t        (d_y,)        target (or, for softmax_cross_entropy, an integer class ())
    E        scalar        the loss

References
----------
G. Chen, "A Gentle Tutorial of Recurrent Neural Network with Error Backpropagation",
arXiv:1610.02583 (2016): softmax with cross-entropy and ``dL/dalpha = -(y - z)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_rng, check_shape, check_type, fmt_shape, type_error
from .activations import G_c
from .cell import replace_unchecked

__all__ = [
    "mean_squared_error",
    "softmax",
    "softmax_cross_entropy",
    "sigmoid_bernoulli_nll",
    "Readout",
    "readout_loss",
    "readout_mse",
]


def _frames(y, mask) -> tuple[np.ndarray, np.ndarray, int]:
    """``y`` as float64 ``(..., d_y)``, the frame weights (the mask, or ones) and ``M``, the count of frames kept."""
    y = as_float_array("y", y)
    if y.ndim == 0:
        raise ValueError("y has shape (), expected (..., d_y), e.g. (N, d_y) or (N, B, d_y): one row per frame.")
    if mask is None:
        return y, np.ones(y.shape[:-1]), int(np.prod(y.shape[:-1]))
    m = as_float_array("mask", mask)
    check_shape("mask", m, y.shape[:-1], source="(y.shape[:-1]: one entry per frame)")
    if not np.all((m == 0) | (m == 1)):
        raise ValueError("mask holds values other than 0 and 1; pass 1 (or True) for frames that count, 0 for padding.")
    M = int(m.sum())
    if M == 0:
        raise ValueError("mask selects no frame (it is all zeros), so the mean loss is 0/0; keep at least one frame.")
    return y, m, M


def _log_softmax(y: np.ndarray) -> np.ndarray:
    z = y - y.max(axis=-1, keepdims=True)  # <= 0: exp cannot overflow
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def mean_squared_error(y, target, mask=None) -> tuple[float, np.ndarray]:
    """``E = mean((y - target)^2)`` over the unmasked frames and their components, and ``dE/dy``.

    Per frame ``l = (1/d_y) sum_k (y_k - t_k)^2``, so ``dl/dy_k = 2 (y_k - t_k) / d_y``; with
    the mean over ``M`` frames, ``dE/dy = 2 mask (y - t) / (M d_y)``. Without a mask this is
    ``np.mean((y - t)**2)`` and ``dE/dy = 2 (y - t) / y.size``.

    Parameters
    ----------
    y, target : array_like, same shape (..., d_y)
    mask : array_like, shape y.shape[:-1], optional
        1 for frames that count, 0 for padding.

    Returns
    -------
    E : float
    dE_dy : numpy.ndarray, shape of ``y``

    Raises
    ------
    ValueError
        If the shapes differ, an entry is NaN/inf, or the mask is malformed or empty.

    Examples
    --------
    >>> E, g = mean_squared_error([1.0, 3.0], [0.0, 0.0])
    >>> E, g
    (5.0, array([1., 3.]))
    >>> mean_squared_error([[1.0], [3.0]], [[0.0], [0.0]], mask=[1, 0])  # the padded frame drops out
    (1.0, array([[2.],
           [0.]]))
    """
    y, w, M = _frames(y, mask)
    t = as_float_array("target", target)
    if t.shape != y.shape:
        raise ValueError(
            f"y has shape {fmt_shape(y.shape)} but target has shape {fmt_shape(t.shape)}; they must match."
        )
    diff = y - t
    E = float(np.sum(w * np.mean(diff**2, axis=-1)) / M)
    return E, (2.0 / (M * y.shape[-1])) * w[..., None] * diff


def softmax(y) -> np.ndarray:
    """``p_k = exp(y_k) / sum_j exp(y_j)`` along the last axis, for any finite logits.

    Examples
    --------
    >>> softmax([0.0, np.log(3.0)])
    array([0.25, 0.75])
    >>> softmax([1000.0, 0.0])  # no overflow
    array([1., 0.])
    """
    return np.exp(_log_softmax(as_float_array("y", y)))


def _class_targets(target, y: np.ndarray) -> np.ndarray:
    """Integer classes ``(..., )`` or rows of probabilities ``(..., d_y)`` -> rows of probabilities."""
    t = np.asarray(target)
    frames, K = y.shape[:-1], y.shape[-1]
    if t.shape == frames and t.dtype.kind in "iu":
        bad = (t < 0) | (t >= K)
        if np.any(bad):
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"target holds class {t[where]} at index {where}; classes run from 0 to d_y - 1 = {K - 1} "
                "(fill padded frames with any valid class, e.g. 0, and mask them)."
            )
        return np.eye(K)[t]
    if t.shape == frames:
        raise TypeError(
            f"target has dtype {t.dtype} and shape {fmt_shape(t.shape)}: class indices must be integers; "
            "pass target.astype(int), or one-hot rows of shape y.shape."
        )
    if t.shape != y.shape:
        raise ValueError(
            f"target has shape {fmt_shape(t.shape)}, expected integer classes of shape y.shape[:-1] = "
            f"{fmt_shape(frames)} or one-hot (probability) rows of shape y.shape = {fmt_shape(y.shape)}."
        )
    t = as_float_array("target", t)
    sums = t.sum(axis=-1)
    if np.any(t < 0) or not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
        where = tuple(int(i) for i in np.argwhere((np.abs(sums - 1.0) > 1e-9) | np.any(t < 0, axis=-1))[0])
        raise ValueError(
            f"target row {where} is not a probability vector (entries >= 0 summing to 1; it sums to "
            f"{sums[where]:.6g}); pass one-hot rows, or integer classes of shape y.shape[:-1]."
        )
    return t


def softmax_cross_entropy(y, target, mask=None) -> tuple[float, np.ndarray]:
    """Cross-entropy of ``softmax(y)`` against class targets, mean over the unmasked frames; ``dE/dy = p - t``.

    Derivation, one frame: ``log p_k = y_k - log sum_j exp(y_j)``, so ``d log p_k / dy_i =
    delta_ki - p_i``, and for ``l = -sum_k t_k log p_k`` with ``sum_k t_k = 1``::

        dl/dy_i = -sum_k t_k (delta_ki - p_i) = p_i sum_k t_k - t_i = p_i - t_i.

    Chen (2016) writes the same result as ``dL/dalpha_t = -(y_t - z_t)`` for a loss summed
    over steps; the mean over ``M`` frames divides it by ``M``: ``dE/dy = mask (p - t) / M``.

    Parameters
    ----------
    y : array_like, shape (..., d_y)
        Logits (any finite values), e.g. ``(N, B, d_y)``.
    target : array_like
        Integer classes of shape ``y.shape[:-1]``, values ``0 .. d_y - 1``; or rows of shape
        ``y.shape`` that are probability vectors (one-hot, or soft labels).
    mask : array_like, shape y.shape[:-1], optional
        1 for frames that count, 0 for padding.

    Returns
    -------
    E : float
        ``(1/M) sum_f mask_f (-log p_f[class_f])``, in nats.
    dE_dy : numpy.ndarray, shape of ``y``

    Raises
    ------
    TypeError, ValueError
        Float class indices, classes out of range, rows that are not probability vectors,
        wrong shapes, NaN/inf, a malformed or empty mask.

    Examples
    --------
    Two classes with equal logits: p = (1/2, 1/2), E = log 2, dE/dy = p - t.

    >>> E, g = softmax_cross_entropy([[0.0, 0.0]], [1])
    >>> round(E, 6), g
    (0.693147, array([[ 0.5, -0.5]]))
    >>> softmax_cross_entropy([[0.0, 0.0]], [[0.0, 1.0]])[0] == E  # the same target, one-hot
    True
    """
    y, w, M = _frames(y, mask)
    t = _class_targets(target, y)
    log_p = _log_softmax(y)
    E = float(np.sum(w * -np.sum(t * log_p, axis=-1)) / M)
    return E, (w[..., None] / M) * (np.exp(log_p) - t)


def sigmoid_bernoulli_nll(y, target, mask=None) -> tuple[float, np.ndarray]:
    """Bernoulli negative log-likelihood of logits ``y`` (``P(t_k = 1) = G_c(y_k)``); ``dE/dy = G_c(y) - t``.

    For multi-label frames, e.g. the 88 keys of a piano roll: the NLL is summed over the
    components of a frame and averaged over the unmasked frames (nats per frame, the unit in
    which Boulanger-Lewandowski et al. (2012) and Chung et al. (2014) report polyphonic music).

    Derivation, one component: with ``q = G_c(y)``, ``log q = -softplus(-y)`` and
    ``log(1 - q) = -softplus(y)``, where ``softplus(a) = log(1 + e^a)`` and
    ``softplus(-y) = softplus(y) - y``; so::

        l = -t log q - (1 - t) log(1 - q) = softplus(y) - t y,     dl/dy = G_c(y) - t.

    ``softplus`` is computed as ``logaddexp(0, y)``, exact and silent for every finite logit
    (``log(G_c(y))`` would give ``log 0`` for ``y < -745``).

    Parameters
    ----------
    y : array_like, shape (..., d_y)
        Logits, e.g. ``(N, B, 88)``.
    target : array_like, shape of ``y``
        Values in [0, 1] (0/1 labels, or probabilities).
    mask : array_like, shape y.shape[:-1], optional
        1 for frames that count, 0 for padding.

    Returns
    -------
    E : float
    dE_dy : numpy.ndarray, shape of ``y``: ``mask (G_c(y) - t) / M``

    Raises
    ------
    ValueError
        Shapes differ, targets outside [0, 1], NaN/inf, a malformed or empty mask.

    Examples
    --------
    One frame of two keys at logit 0: each costs log 2.

    >>> E, g = sigmoid_bernoulli_nll([[0.0, 0.0]], [[1.0, 0.0]])
    >>> round(E, 6), g
    (1.386294, array([[-0.5,  0.5]]))
    >>> sigmoid_bernoulli_nll([[1000.0, -1000.0]], [[0.0, 1.0]])[0]  # two confident mistakes, no overflow
    2000.0
    """
    y, w, M = _frames(y, mask)
    t = as_float_array("target", target)
    if t.shape != y.shape:
        raise ValueError(f"target has shape {fmt_shape(t.shape)}, expected the shape of y, {fmt_shape(y.shape)}.")
    if np.any((t < 0) | (t > 1)):
        raise ValueError("target holds values outside [0, 1]; pass 0/1 labels (or probabilities) per component.")
    per_frame = np.sum(np.logaddexp(0.0, y) - t * y, axis=-1)
    return float(np.sum(w * per_frame) / M), (w[..., None] / M) * (G_c(y) - t)


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
        check_rng(rng)
        return cls(W_y=scale * rng.standard_normal((d_y, d_v)) / np.sqrt(d_v), b_y=np.zeros(d_y))

    def __call__(self, v) -> np.ndarray:
        """``y = v @ W_y.T + b_y`` for ``v`` of shape ``(..., d_v)``."""
        return np.asarray(v) @ self.W_y.T + self.b_y


def readout_loss(readout: Readout, v, target, loss: Callable = mean_squared_error, mask=None):
    """A loss of ``y = readout(v)`` and its gradients: ``dE/dv`` (for the cell's backward pass) and the readout's.

    By the chain rule through ``y[n] = W_y v[n] + b_y``: ``dE/dv[n] = W_y^T dE/dy[n]``,
    ``dE/dW_y = sum_n dE/dy[n] v[n]^T`` and ``dE/db_y = sum_n dE/dy[n]`` (sums over every frame).

    Parameters
    ----------
    readout : Readout
    v : array_like, shape (..., d_v)
        What the readout sees: ``trace.r`` (RNN), ``trace.v`` (LSTM), ``trace.s`` (GRU); any
        cell's ``trace.output``, e.g. ``(N, B, d_v)``.
    target : array_like
        As ``loss`` expects.
    loss : callable, default mean_squared_error
        ``loss(y, target, mask=None) -> (E, dE_dy)``: :func:`mean_squared_error`,
        :func:`softmax_cross_entropy`, :func:`sigmoid_bernoulli_nll`, or one of that form.
    mask : array_like, shape v.shape[:-1], optional
        Passed to ``loss``.

    Returns
    -------
    E : float
    dE_dv : numpy.ndarray, shape of ``v``
        The direct derivative that starts the backward pass: the first term of Eq. 82 (RNN),
        the direct term of Eq. 144 (LSTM), of Eq. G9 (GRU).
    grads : Readout
        ``dE/dW_y`` and ``dE/db_y``.

    Raises
    ------
    TypeError, ValueError
        A non-``Readout``, a non-callable ``loss``, ``v`` of the wrong width, and whatever ``loss`` refuses.

    Examples
    --------
    >>> r = Readout(W_y=[[1.0], [-1.0]], b_y=[0.0, 0.0])
    >>> E, dE_dv, g = readout_loss(r, [[0.0]], [0], softmax_cross_entropy)  # p = (1/2, 1/2)
    >>> dE_dv, g.b_y  # W_y^T (p - t) = 1 (-1/2) - 1 (1/2)
    (array([[-1.]]), array([-0.5,  0.5]))
    """
    check_type("readout", readout, Readout, "build one with Readout(W_y, b_y)")
    if not callable(loss):
        raise type_error("loss", loss, "a function loss(y, target, mask) -> (E, dE_dy)")
    v = as_float_array("v", v)
    if v.shape[-1:] != readout.W_y.shape[1:]:
        raise ValueError(
            f"v has shape {fmt_shape(v.shape)}, expected (..., d_v) = (..., {readout.W_y.shape[1]}) "
            f"from W_y of shape {fmt_shape(readout.W_y.shape)}."
        )
    E, dE_dy = loss(readout(v), target, mask=mask)
    flat_g, flat_v = dE_dy.reshape(-1, dE_dy.shape[-1]), v.reshape(-1, v.shape[-1])
    grads = replace_unchecked(readout, W_y=flat_g.T @ flat_v, b_y=flat_g.sum(axis=0))  # a gradient: no validation
    return E, dE_dy @ readout.W_y, grads


def readout_mse(readout: Readout, v, target, mask=None) -> tuple[float, np.ndarray, Readout]:
    """:func:`readout_loss` with :func:`mean_squared_error`: ``(E, dE_dv, grads)``.

    Examples
    --------
    >>> r = Readout(W_y=[[1.0]], b_y=[0.0])
    >>> E, dE_dv, g = readout_mse(r, [[2.0]], [[0.0]])
    >>> E, dE_dv, g.W_y, g.b_y
    (4.0, array([[4.]]), array([[8.]]), array([4.]))
    """
    return readout_loss(readout, v, target, mean_squared_error, mask=mask)
