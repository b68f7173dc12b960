"""Self-check for the exercise on the linear scan: ``h[n] = a[n] h[n-1] + b[n]`` for every ``n``.

The exercise is in the chapter "Back to the differential equation".

A student writes ``my_scan(a, b, h0)``, by a loop or by combining pairs
``(a1, b1) then (a2, b2) = (a2 a1, a2 b1 + b2)``. :func:`check_linear_scan` compares it with
:func:`lrnn.scan.linear_scan_loop` on real and complex, batched and unbatched cases, with
``N = 1`` and an odd ``N``, and names the usual mistakes: the combine operator applied in the
wrong order, ``h[-1]`` ignored, the coefficient of the wrong step, a scan that drops the last
step of an odd length.

In an exercise cell::

    import lrnn.exercises.scan
    lrnn.exercises.scan.check_linear_scan(my_scan)
"""

from __future__ import annotations

import numpy as np

from ..scan import linear_scan_loop
from .harness import call, compare

__all__ = ["check_linear_scan"]


def _mistakes(a, b, h0):
    """The results of the usual mistakes, each with its explanation."""
    N = len(b)
    shifted = np.concatenate([np.ones_like(a[:1]), a[:-1]])
    out = [
        (linear_scan_loop(a, b), "h[-1] = h0 is ignored: the first step is h[0] = a[0] h0 + b[0]."),
        (
            linear_scan_loop(shifted, b, h0),
            "each step uses the previous step's coefficient: h[n] = a[n] h[n-1] + b[n], with a[n], not a[n-1].",
        ),
    ]
    # the combine operator in the wrong order, (a1, b1) then (a2, b2) taken as (a1 a2, a1 b2 + b1),
    # which is the recurrence h[n] = a[n-1] ... with the roles of old and new exchanged: b[n] is scaled
    wrong_order, prev = np.empty_like(b), h0
    for n in range(N):
        wrong_order[n] = prev = (a[n - 1] if n else 1.0) * b[n] + prev * (1.0 if n else a[0])
    out.append(
        (
            wrong_order,
            "the combine operator is applied in the wrong order: (a1, b1) then (a2, b2) is "
            "(a2 a1, a2 b1 + b2), the later step's coefficient multiplying the earlier result.",
        )
    )
    if N > 1:
        one_step = np.concatenate([b[:1] + a[:1] * h0, b[1:] + a[1:] * b[:-1]])
        out.append((one_step, "only one step of the past is kept: h[n] = a[n] h[n-1] + b[n] needs h[n-1], not b[n-1]."))
    return out


def _cases(rng):
    for N, shape, complex_ in ((1, (), False), (7, (3,), False), (13, (2, 4), True), (64, (2,), True)):
        a = rng.uniform(-0.95, 0.95, (N, *shape))
        b = rng.standard_normal((N, *shape))
        h0 = rng.standard_normal(shape)
        if complex_:
            a = a * np.exp(1j * rng.uniform(0, np.pi, a.shape))
            b = b + 1j * rng.standard_normal(b.shape)
            h0 = h0 + 1j * rng.standard_normal(shape)
        yield a, b, h0


def check_linear_scan(student_fn, *, seed: int = 0) -> str:
    """Check a student's ``h[n] = a[n] h[n-1] + b[n]`` against the loop.

    Parameters
    ----------
    student_fn : callable
        ``student_fn(a, b, h0) -> h`` with ``a, b`` of shape ``(N, ...)`` (real or complex),
        ``h0`` of shape ``b.shape[1:]``; returns ``h`` of ``b``'s shape.
    seed : int, default 0

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis when a result differs from :func:`lrnn.scan.linear_scan_loop`.

    Examples
    --------
    >>> check_linear_scan(linear_scan_loop)
    'check_linear_scan: passed on 4 cases (N = 1 to 64, real and complex, batched).'
    """
    rng = np.random.default_rng(seed)
    n = 0
    for a, b, h0 in _cases(rng):
        kind = "complex" if np.iscomplexobj(b) else "real"
        label = f"check_linear_scan (case N = {len(b)}, {kind})"
        ref = linear_scan_loop(a, b, h0)
        got = call("check_linear_scan", student_fn, a.copy(), b.copy(), h0.copy())
        if np.shape(got) != ref.shape:
            raise AssertionError(
                f"{label}: your function returned shape {np.shape(got)}, expected b's shape {ref.shape}: "
                "one h[n] per step, time along axis 0."
            )
        if kind == "complex" and not np.iscomplexobj(got):
            raise AssertionError(f"{label}: complex inputs gave a real result; keep the complex dtype.")
        compare(label, "h", got, ref, _mistakes(a, b, h0), axis0="steps n =", hint="compare h[0] with a[0] h0 + b[0]")
        n += 1
    return f"check_linear_scan: passed on {n} cases (N = 1 to 64, real and complex, batched)."
