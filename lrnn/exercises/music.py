"""Self-check for Chapter 8: the published metric of polyphonic music modelling.

A student writes ``my_split_nll(model, rolls)``: the negative log-likelihood of a split in
nats per predicted frame, as Boulanger-Lewandowski et al. (2012) and Chung et al. (2014) report
it (Bernoulli NLL summed over the 88 keys, averaged over *all* predicted frames of the split,
frames ``0..T-2`` in and ``1..T-1`` predicted, each piece from the zero state).
:func:`check_split_nll` runs it on small random models and pieces of different lengths,
compares it with :func:`lrnn.music.split_nll` and names the most likely mistake: a mean over
keys instead of a sum, a mean per piece, padded frames counted, the wrong frame predicted, bits
instead of nats, the first frame scored.
"""

from __future__ import annotations

import numpy as np

from ..losses import Readout
from ..music import next_frame_batch, split_nll
from ..rnn import RNNParams
from .harness import as_array, call

__all__ = ["check_split_nll"]


def _per_frame(model, x, t):
    """Bernoulli NLL of each frame, summed over keys: ``(N, B)``."""
    y = model[1](model[0].forward(x).output)
    return np.sum(np.logaddexp(0.0, y) - t * y, axis=-1)


def _variants(model, rolls) -> dict:
    """What typical mistakes compute, by name."""
    x, t, m = next_frame_batch(rolls)
    l = _per_frame(model, x, t)
    lengths = m.sum(axis=0)
    same = _per_frame(model, x, x)  # frame n scored against itself
    return {
        "mean_keys": float(np.sum(l * m) / m.sum() / 88),
        "per_piece": float(np.mean(np.sum(l * m, axis=0) / lengths)),
        "padding": float(np.mean(l)),
        "same_frame": float(np.sum(same * m) / m.sum()),
        "bits": float(np.sum(l * m) / m.sum() / np.log(2)),
        "sum": float(np.sum(l * m)),
        "per_piece_sum": float(np.mean(np.sum(l * m, axis=0))),
    }


_MISTAKES = {
    "mean_keys": "your value is 1/88 of the right one: the NLL of a frame is the SUM of its 88 keys' Bernoulli NLLs, "
    "not their mean.",
    "per_piece": "you average per piece and then over pieces; the metric averages over all predicted frames of the "
    "split at once, so a long piece weighs more than a short one: sum every frame's NLL, divide by sum (T - 1).",
    "padding": "padded frames are counted: after a piece ends there is nothing to predict; weight each frame by the "
    "mask and divide by the number of real predicted frames.",
    "same_frame": "each output is scored against the frame it was computed from; the output after reading frame n "
    "predicts frame n + 1 (inputs rolls[:-1], targets rolls[1:]).",
    "bits": "your value is in bits (log base 2); the published numbers are in nats (natural log).",
    "sum": "you return the total over the split; divide by the number of predicted frames, sum (T - 1).",
    "per_piece_sum": "you return the mean total per piece; the metric is per predicted frame.",
}


def _cases(seed: int):
    rng = np.random.default_rng(seed)
    for d_s, lengths in ((3, (6, 2, 9)), (5, (4, 4)), (2, (12, 3, 7, 5))):
        cell = RNNParams.init(rng, 88, d_s)
        readout = Readout(rng.standard_normal((88, d_s)), rng.standard_normal(88) - 2.0)
        rolls = [(rng.random((T, 88)) < 0.05).astype(np.uint8) for T in lengths]
        yield (cell, readout), rolls


def check_split_nll(student_fn, *, seed: int = 0) -> str:
    """Check ``student_fn(model, rolls) -> float`` against :func:`lrnn.music.split_nll`.

    Parameters
    ----------
    student_fn : callable
        ``student_fn((cell, readout), rolls)``: ``cell`` has ``forward(x)`` with ``x`` of shape
        ``(T-1, 88)`` or ``(N, B, 88)`` and the trace's ``output``; ``readout(v)`` gives the logits.
    seed : int, default 0
        Seed of the random cases.

    Returns
    -------
    str
        A one-line confirmation.

    Raises
    ------
    AssertionError
        Naming the mistake when the value differs.

    Examples
    --------
    >>> print(check_split_nll(split_nll))
    check_split_nll: all 3 cases agree with lrnn.music.split_nll (pieces of different lengths, nats per frame).
    """
    cases = list(_cases(seed))
    for i, (model, rolls) in enumerate(cases):
        want = split_nll(model, rolls)
        rolls = [r.copy() for r in rolls]  # a function that changes its input cannot change the reference
        got = float(as_array("check_split_nll", "your result", call("check_split_nll", student_fn, model, rolls)))
        if np.isclose(got, want, rtol=1e-9, atol=0):
            continue
        for name, value in _variants(model, rolls).items():
            if np.isclose(got, value, rtol=1e-9, atol=0):
                raise AssertionError(f"check_split_nll: case {i}: {_MISTAKES[name]}")
        raise AssertionError(
            f"check_split_nll: case {i} (pieces of lengths {[len(r) for r in rolls]}): you return {got:.6g}, "
            f"expected {want:.6g} nats per predicted frame."
        )
    return f"check_split_nll: all {len(cases)} cases agree with lrnn.music.split_nll (pieces of different lengths, nats per frame)."  # noqa: E501
