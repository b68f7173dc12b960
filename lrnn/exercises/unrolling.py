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
from .harness import call, compare

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
    AssertionError: N = 7, lengths = [3, 2, 2]: s is wrong: you restarted every segment from zero (Eq. 73); ...
    """
    rng = np.random.default_rng(_SEED)
    p, x, K = RNNParams.init(rng, 2, 3, scale=1.5), rng.standard_normal((7, 2)), [3, 2, 2]
    label = "N = 7, lengths = [3, 2, 2]"
    got = call(label, student_fn, p, x.copy(), list(K))
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
    compare(label, "s", got, rnn_forward(p, x).s, slips, axis0="steps n =", hint="segment 0 starts from s[-1] = 0")
    return f"check_stateful_forward: the stateful segments reproduce the full run ({label})."
