"""Batches of sequences for training: padding and masks, and the windows of truncated BPTT.

Not in the paper. :mod:`lrnn.train` holds the training loop; this module holds what feeds it:
:func:`pad_batch` lays sequences of different lengths out as one time-major batch ``(N, B, d)``
with its mask, :func:`tbptt_windows` cuts a sequence into the windows of TBPTT(k1, k2)
(Williams and Peng 1990, in the notation of Sutskever 2013; see :mod:`lrnn.train`), and
:class:`TBPTTWindows` walks those windows batch after batch, carrying the state.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, fmt_shape, positive_int, type_error
from .onehot import OneHot

__all__ = ["TBPTTWindows", "check_mask", "pad_batch", "split_batch", "tbptt_lengths", "tbptt_windows"]


def check_mask(mask, lead: tuple) -> np.ndarray | None:
    """``mask`` as a float array of 0s and 1s with shape ``lead`` (``(N, B)``), or None; a clear error otherwise."""
    if mask is None:
        return None
    m = as_float_array("mask", mask)
    if m.shape != lead:
        raise ValueError(
            f"mask has shape {fmt_shape(m.shape)}, expected (N, B) = {fmt_shape(lead)} from the prediction's "
            f"leading axes; pass 1 for real steps and 0 for padding."
        )
    if np.any((m != 0) & (m != 1)):
        raise ValueError("mask holds values other than 0 and 1; pass 1 for real steps and 0 for padding.")
    if not m.any():
        raise ValueError("mask is all zero: no step is scored; pass at least one real step.")
    return m


def pad_batch(inputs, targets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sequences of different lengths as one time-major batch, zero-padded, with its mask.

    Parameters
    ----------
    inputs : sequence of array_like, each of shape (N_b, d_x)
    targets : sequence of array_like, each of shape (N_b, ...) (same lengths as ``inputs``)

    Returns
    -------
    x : numpy.ndarray, shape (N, B, d_x)
        ``N = max N_b``; zeros after each sequence's end.
    target : numpy.ndarray, shape (N, B, ...)
        Zeros after each sequence's end (the dtype of the targets: integer labels stay integers).
    mask : numpy.ndarray, shape (N, B)
        1 on real steps, 0 on padding.

    Raises
    ------
    ValueError
        No sequences, an empty sequence, feature sizes that differ, or a target whose length
        is not its input's.

    Examples
    --------
    >>> x, t, m = pad_batch([np.ones((2, 1)), np.ones((3, 1))], [np.zeros(2, dtype=int), np.ones(3, dtype=int)])
    >>> x.shape, t.dtype, m.T
    ((3, 2, 1), dtype('int64'), array([[1., 1., 0.],
           [1., 1., 1.]]))
    """
    xs = [as_float_array(f"inputs[{b}]", a, ndim=2) for b, a in enumerate(inputs)]
    ts = [np.asarray(a) for a in targets]
    if not xs or len(ts) != len(xs):
        raise ValueError(
            f"got {len(xs)} inputs and {len(ts)} targets; pass one target sequence per input sequence (at least one)."
        )
    for b, (a, t) in enumerate(zip(xs, ts)):
        if a.shape[0] == 0 or a.shape[1] != xs[0].shape[1]:
            raise ValueError(
                f"inputs[{b}] has shape {fmt_shape(a.shape)}, expected (N_b, d_x) = (N_b >= 1, {xs[0].shape[1]}) "
                f"like inputs[0]."
            )
        if t.shape[:1] != a.shape[:1] or t.shape[1:] != ts[0].shape[1:]:
            raise ValueError(
                f"targets[{b}] has shape {fmt_shape(t.shape)}, expected ({a.shape[0]}, ...) with the length of "
                f"inputs[{b}] and the trailing shape of targets[0], {fmt_shape(ts[0].shape[1:])}."
            )
    N, B = max(a.shape[0] for a in xs), len(xs)
    x = np.zeros((N, B, xs[0].shape[1]))
    target = np.zeros((N, B, *ts[0].shape[1:]), dtype=np.result_type(*ts))
    mask = np.zeros((N, B))
    for b, (a, t) in enumerate(zip(xs, ts)):
        x[: len(a), b], target[: len(a), b], mask[: len(a), b] = a, t, 1.0
    return x, target, mask


def split_batch(batch) -> tuple:
    """``(x, target, mask)`` from a batch ``(x, target)`` or ``(x, target, mask)`` (``mask`` None if absent)."""
    if not isinstance(batch, tuple | list) or len(batch) not in (2, 3):
        raise type_error("batch", batch, "a tuple (x, target) or (x, target, mask) with x of shape (N, B, d_x)")
    return batch[0], batch[1], (batch[2] if len(batch) == 3 else None)


def tbptt_lengths(k1, k2=None) -> tuple[int, int]:
    """``(k1, k2)`` of TBPTT(k1, k2) checked: positive integers with ``k2 >= k1`` (``k2`` defaults to ``k1``)."""
    k1 = positive_int("k1", k1)
    k2 = k1 if k2 is None else positive_int("k2", k2)
    if k2 < k1:
        raise ValueError(
            f"k2 = {k2} < k1 = {k1}: TBPTT(k1, k2) backpropagates through k2 >= k1 steps every k1 steps "
            f"(Williams and Peng 1990); pass k2 >= k1."
        )
    return k1, k2


def tbptt_windows(N: int, k1: int, k2: int | None = None) -> list[tuple[int, int, int]]:
    """The windows of TBPTT(k1, k2) on a sequence of ``N`` steps, as ``(start, scored, stop)``.

    Window ``j`` runs the cell over steps ``start <= n < stop`` from the state carried to
    ``start``, scores the loss on steps ``scored <= n < stop`` (``k1`` of them, fewer in the
    last window) and backpropagates to ``start`` (``k2`` steps before ``stop``, or step 0).
    Consecutive windows score disjoint steps that together cover ``0..N-1`` exactly once.

    Examples
    --------
    >>> tbptt_windows(10, 4)  # TBPTT(4, 4): disjoint chunks
    [(0, 0, 4), (4, 4, 8), (8, 8, 10)]
    >>> tbptt_windows(10, 3, 5)  # update every 3 steps, backpropagate through the last 5
    [(0, 0, 3), (1, 3, 6), (4, 6, 9), (7, 9, 10)]
    """
    N = positive_int("N", N)
    k1, k2 = tbptt_lengths(k1, k2)
    return [(max(0, s + k1 - k2), s, min(s + k1, N)) for s in range(0, N, k1)]


class TBPTTWindows:
    """The updates of :func:`lrnn.train.fit_sequences`: the TBPTT windows of batch after batch, the state carried.

    Calling the walker with the current parameters, a model ``(cell, readout)``, returns the next
    update's loss and gradients, ``(E, grads)``; windows of padding only are skipped (the state
    moves on through them).

    Parameters
    ----------
    make_batch : callable
        ``make_batch(rng)`` returns ``(x, target)`` or ``(x, target, mask)``, time-major, ``x`` of
        shape ``(N, B, d_x)``.
    rng : numpy.random.Generator
    tbptt : tuple of int, or None
        ``(k1, k2)`` checked by :func:`tbptt_lengths`; None: one window per batch (full BPTT).
    step : callable
        ``step(params, x, target, mask, state)`` returns ``(E, grads, trace)`` on one window,
        starting from ``state``.
    """

    def __init__(self, make_batch, rng, tbptt, step):
        self.make_batch, self.rng, self.tbptt, self.step = make_batch, rng, tbptt, step
        self.queue: list = []

    def _next_batch(self):
        x, target, mask = split_batch(self.make_batch(self.rng))
        x = x if isinstance(x, OneHot) else as_float_array("x", x)  # a OneHot stays codes (lrnn.onehot)
        if x.ndim != 3:
            raise ValueError(
                f"x has shape {fmt_shape(x.shape)}, expected (N, B, d_x): time-major batches; add a batch axis "
                f"with x[:, None] for one sequence."
            )
        N = x.shape[0]
        k1, k2 = self.tbptt if self.tbptt is not None else (N, N)
        self.batch = (x, np.asarray(target), None if mask is None else check_mask(mask, x.shape[:2]))
        self.queue = tbptt_windows(N, min(k1, N), min(k2, N))
        self.state, self.state_at = None, 0  # the state entering step state_at

    def __call__(self, params):
        while True:
            if not self.queue:
                self._next_batch()
            start, scored, stop = self.queue.pop(0)
            x, target, mask = self.batch
            m = None
            if mask is not None or scored > start:  # score only the window's new steps, and no padding
                m = np.ones((stop - start, x.shape[1])) if mask is None else mask[start:stop].copy()
                m[: scored - start] = 0.0
            if m is None or m.any():
                break
            if self.queue:  # a window of padding only: no update, the state moves on
                self._carry(params, self.queue[0][0])
        E, grads, trace = self.step(params, x[start:stop], target[start:stop], m, self.state)
        if self.queue:  # the state entering the next window, computed with this window's parameters
            nxt = self.queue[0][0]
            if nxt == stop:
                self.state, self.state_at = trace.last_state, stop
            else:
                self._carry(params, nxt)
        return E, grads

    def _carry(self, params, to: int):
        """Advance the carried state from step ``state_at`` to ``to`` (forward only, no gradient)."""
        if to > self.state_at:
            self.state = params[0].forward(self.batch[0][self.state_at : to], self.state).last_state
            self.state_at = to
