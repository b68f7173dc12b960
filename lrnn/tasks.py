"""Toy sequence tasks for the training experiments of the book.

Not in the paper: Sherstinsky (2020) proposes the Augmented LSTM but reports no
experiments (erratum list, P11). These tasks are ours, small enough to train in a
notebook, and built so that the best achievable error is known in closed form.

The look-ahead task asks for a centred moving average of the input,

    y[n] = (1 / W) sum_{k = lo}^{hi} x[n + k],    W = hi - lo + 1,

with ``x[n] = 0`` outside the segment ``0 <= n < N`` (the zero padding of P10). With
``hi > 0`` the target depends on FUTURE inputs, which a causal model (the Vanilla LSTM,
or any RNN) has not yet seen at step ``n``; the Augmented LSTM's context window of ``L``
taps sees ``x[n], ..., x[n + L - 1]``. For i.i.d. standard normal inputs, the best any
predictor that sees ``x[m]`` only for ``m <= n + h`` can do at step ``n`` is to guess zero
for every unseen term, an error of ``(number of unseen in-segment terms) / W^2``:
:func:`lookahead_mse_floor`.
"""

from __future__ import annotations

import numpy as np

from ._validation import positive_int

__all__ = ["lookahead_task", "lookahead_mse_floor"]


def _window(lo, hi) -> tuple[int, int]:
    lo, hi = int(lo), int(hi)
    if hi < lo:
        raise ValueError(f"window = ({lo}, {hi}): expected lo <= hi, e.g. window=(-1, 2) for x[n-1] .. x[n+2].")
    return lo, hi


def lookahead_task(rng: np.random.Generator, N: int, B: int, window=(-1, 2)) -> tuple[np.ndarray, np.ndarray]:
    """A batch of the look-ahead task: i.i.d. N(0, 1) inputs and their centred moving average.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the inputs; the same generator state gives the same batch.
    N, B : int
        Steps per segment and segments per batch.
    window : (int, int), default (-1, 2)
        ``(lo, hi)``: the target averages ``x[n + lo] .. x[n + hi]``. ``(2, 2)`` gives the
        pure look-ahead ``y[n] = x[n + 2]``.

    Returns
    -------
    x : numpy.ndarray, shape (N, B, 1)
    y : numpy.ndarray, shape (N, B, 1)
        ``y[n] = mean(x[n + lo .. n + hi])``, inputs outside the segment counted as zero.

    Raises
    ------
    TypeError, ValueError
        For a non-Generator ``rng``, non-positive sizes or ``lo > hi``.

    Examples
    --------
    >>> x, y = lookahead_task(np.random.default_rng(0), N=5, B=2, window=(0, 1))
    >>> x.shape, y.shape, bool(np.allclose(y[0], (x[0] + x[1]) / 2)), bool(np.allclose(y[4], x[4] / 2))
    ((5, 2, 1), (5, 2, 1), True, True)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng has type {type(rng).__name__}, expected numpy.random.Generator.")
    N, B = positive_int("N", N), positive_int("B", B)
    lo, hi = _window(*window)
    x = rng.standard_normal((N, B, 1))
    P, W = max(-lo, 0), hi - lo + 1
    padded = np.concatenate([np.zeros((P, B, 1)), x, np.zeros((max(hi, 0), B, 1))])  # x[m] at index m + P
    y = sum(padded[P + k : P + k + N] for k in range(lo, hi + 1)) / W
    return x, y


def lookahead_mse_floor(N: int, window=(-1, 2), horizon: int = 0) -> float:
    """The least mean squared error on :func:`lookahead_task` for a model seeing up to ``x[n + horizon]``.

    A causal model (Vanilla LSTM) has ``horizon = 0``; an Augmented LSTM with ``L`` taps has
    ``horizon = L - 1``. At step ``n`` the terms ``x[n + k]`` with ``horizon < k <= hi`` and
    ``n + k < N`` are unseen and independent of everything seen, so the best guess for
    them is zero and each adds ``1 / W^2`` to the expected squared error. Averaged over n.

    Examples
    --------
    >>> lookahead_mse_floor(N=1000, window=(-1, 2), horizon=0)  # about two of four terms unseen: 2 / 16
    0.1248125
    >>> lookahead_mse_floor(N=1000, window=(-1, 2), horizon=2)
    0.0
    """
    N = positive_int("N", N)
    lo, hi = _window(*window)
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 0:
        raise ValueError(f"horizon = {horizon!r}, expected an integer >= 0 (0 for a causal model, L - 1 for L taps).")
    n, unseen = np.arange(N), np.zeros(N)
    for k in range(max(horizon + 1, lo), hi + 1):
        unseen += n + k < N  # x[n + k] is in the segment but not yet seen
    return float(np.mean(unseen)) / (hi - lo + 1) ** 2
