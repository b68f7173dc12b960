"""Self-check for the exercise on stateful segments, Sherstinsky (2020) Sec. III (Ch. 2).

Stateful truncated BPTT cuts a sequence into segments like Proposition 1, but starts
segment ``m`` from the state that segment ``m - 1`` ended in (``s[j(m) - 1]``) instead of
from zero. Its forward pass reproduces the full run exactly. In an exercise cell::

    from lrnn.exercises.unrolling import check_stateful_forward
    check_stateful_forward(my_stateful_forward)   # a one-line success message, or AssertionError

Function checked (the student's function must have the signature of)::

    stateful_forward(params, x, lengths) -> s (N, d_s)     segment 0 starts from s[-1] = 0
"""

from __future__ import annotations

import numpy as np

from ..activations import G_d
from ..rnn import RNNParams, rnn_forward
from ..unrolling import segment_offsets, unrolled_forward

__all__ = ["check_stateful_forward"]

_SEED = 180803314  # fixed cases: a student sees the same numbers every run


def _carried(params: RNNParams, x: np.ndarray, lengths, pick) -> np.ndarray:
    """Segments run one after another, each from ``pick(previous segment's states)`` (a slip model)."""
    out, s0 = [], None
    for j, K in zip(segment_offsets(lengths), lengths, strict=True):
        seg = rnn_forward(params, x[j : j + K], s0).s
        out.append(seg)
        s0 = pick(seg)
    return np.concatenate(out)


def check_stateful_forward(student_fn) -> str:
    """Check a student's ``stateful_forward(params, x, lengths)`` returning ``s`` of shape (N, d_s).

    Segment 0 starts from ``s[-1] = 0``; every later segment starts from the last state of
    the segment before it, so the result must equal ``rnn_forward(params, x).s``. Raises
    ``AssertionError`` naming the usual slips (a reset to zero, carrying the readout ``r``
    instead of the state ``s``, carrying the wrong step).

    Examples
    --------
    >>> check_stateful_forward(lambda p, x, K: rnn_forward(p, x).s)
    'check_stateful_forward: the stateful segments reproduce the full run (N = 7, lengths = [3, 2, 2]).'
    >>> check_stateful_forward(lambda p, x, K: unrolled_forward(p, x, K).s)
    Traceback (most recent call last):
    ...
    AssertionError: N = 7, lengths = [3, 2, 2]: you restarted every segment from zero (Eq. 73); ...
    """
    rng = np.random.default_rng(_SEED)
    p, x, K = RNNParams.init(rng, 2, 3, scale=1.5), rng.standard_normal((7, 2)), [3, 2, 2]
    label = "N = 7, lengths = [3, 2, 2]"
    try:
        got = np.asarray(student_fn(p, x.copy(), list(K)), dtype=float)
    except Exception as exc:
        raise AssertionError(f"{label}: your function raised {type(exc).__name__}: {exc}") from exc
    ref = rnn_forward(p, x).s
    if got.shape != ref.shape:
        raise AssertionError(f"{label}: s has shape {got.shape}, expected (N, d_s) = {ref.shape}.")
    if np.allclose(got, ref, rtol=1e-6, atol=1e-9):
        return f"check_stateful_forward: the stateful segments reproduce the full run ({label})."
    slips = [
        (
            unrolled_forward(p, x, K).s,
            "you restarted every segment from zero (Eq. 73); pass the previous segment's last state as s0=.",
        ),
        (
            _carried(p, x, K, lambda seg: G_d(seg[-1])),
            "you carried the readout r = G(s) as s0; s0 is the state s[j(m) - 1] itself (rnn_forward applies G).",
        ),
        (_carried(p, x, K, lambda seg: seg[0]), "you carried the segment's first state; carry its last, s[j(m) - 1]."),
        (
            _carried(p, x, K, lambda seg: seg[-2] if len(seg) > 1 else seg[-1]),
            "off by one step: carry the state of the segment's last step, s[j(m) - 1].",
        ),
    ]
    for wrong, hint in slips:
        if np.allclose(got, wrong, rtol=1e-6, atol=1e-9):
            raise AssertionError(f"{label}: {hint}")
    bad = np.flatnonzero(~np.isclose(got, ref, rtol=1e-6, atol=1e-9).all(axis=1))
    raise AssertionError(f"{label}: s is wrong at steps n = {bad.tolist()}; segment 0 starts from s[-1] = 0.")
