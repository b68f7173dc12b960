"""Self-checks for the exercises on unrolling and BPTT, Sherstinsky (2020) Sec. III-IV.

Each ``check_*`` calls a student's function on a few small fixed cases, compares the
result with :mod:`lrnn`'s own implementation, and either returns a one-line success
message or raises ``AssertionError`` saying *what* is wrong, by recognising the usual
mistakes (the printed Eq. 82 of erratum P1, a dropped recurrent term, a transposed
gradient, a state carried across segments, ...). In an exercise cell::

    from lrnn.exercises import check_rnn_backward
    check_rnn_backward(my_rnn_backward)   # 'check_rnn_backward: all 3 cases pass (...)' or AssertionError

Functions checked (the student's function must have the signature of)::

    rnn_backward(params, trace, dE_dr) -> (grads, psi)      Eqs. 78-90
    impulse_response(params, N) -> s (N, d_s)               Eq. 36
    segment_offsets(lengths) -> j (M,)                      Eq. 42
    unrolled_forward(params, x, lengths) -> s (N, d_s)      Eqs. 73-77
"""

from __future__ import annotations

import numpy as np

from ..activations import G_d, dG_d
from ..rnn import RNNParams, rnn_forward
from ..rnn_bptt import rnn_backward
from ..unrolling import impulse_response, segment_offsets, unrolled_forward
from .harness import call, compare, same

__all__ = [
    "check_discretize",
    "check_rnn_backward",
    "check_impulse_response",
    "check_segment_offsets",
    "check_unrolled_forward",
]

_SEED = 180803314  # fixed cases: a student sees the same numbers every run


_PSI_MISTAKES = (
    ({"transpose": False}, "it looks like the printed Eq. 82 (W_r instead of W_r.T): see erratum P1; "
     "in row form W_r^T psi[n+1] is psi[n+1] @ W_r."),
    ({"recurrent": False}, "psi[n] matches only at the last step: you probably dropped the recurrent "
     "term W_r^T psi[n+1] of Eq. 82 (the path s[n] -> r[n] -> s[n+1])."),
    ({"dG_at": "r"}, "you evaluated G' at r[n]; Eq. 83 needs G'(s[n]) = 1 - r[n]**2."),
    ({"dG_at": "none"}, "you forgot the factor G'(s[n]) of Eq. 83 (psi = chi * G')."),
    ({"with_W_s": False}, "the canonical RNN (Eq. 30) also sends psi[n+1] back directly through s[n]: "
     "add W_s^T psi[n+1]."),
)  # fmt: skip


def _psi_variant(params, trace, dE_dr, *, transpose=True, recurrent=True, dG_at="s", with_W_s=True) -> np.ndarray:
    """psi from a common wrong recursion (see ``_PSI_MISTAKES``); the defaults give the right one."""
    dG = {"s": dG_d(trace.s), "r": dG_d(trace.r), "none": np.ones_like(trace.s)}[dG_at]
    W_back_T = params.W_r if transpose else params.W_r.T  # row form of W_r^T psi (or the printed W_r psi)
    psi, psi_next = np.empty_like(trace.s), np.zeros_like(trace.s[0])
    for n in reversed(range(len(psi))):
        psi[n] = (dE_dr[n] + recurrent * (psi_next @ W_back_T)) * dG[n]
        if with_W_s and params.W_s is not None:
            psi[n] += psi_next @ params.W_s
        psi_next = psi[n]
    return psi


def _rnn_cases(canonical: bool):
    rng = np.random.default_rng(_SEED)
    sizes = [("N = 1, d_x = 3, d_s = 2", 1, None, 3, 2, False), ("N = 5, d_x = 2, d_s = 4", 5, None, 2, 4, False)]
    sizes.append(("batched N = 4, B = 3, d_x = 2, d_s = 3, non-zero s0", 4, 3, 2, 3, False))
    if canonical:
        sizes.append(("canonical RNN, batched N = 4, B = 2, d_x = 3, d_s = 3", 4, 2, 3, 3, True))
    for label, N, B, d_x, d_s, canon in sizes:
        params = RNNParams.init(rng, d_x, d_s, scale=1.5, canonical=canon)
        lead = (N,) if B is None else (N, B)
        s0 = None if B is None else rng.standard_normal((B, d_s))
        trace = rnn_forward(params, rng.standard_normal((*lead, d_x)), s0)
        yield label, params, trace, trace.r - rng.standard_normal(trace.r.shape)  # E = 0.5 sum (r - target)^2


def _grad_variants(params, trace, psi, ref, name):
    """Gradients of ``name`` computed with common mistakes, each with its explanation."""
    P, S = (psi, trace.s) if trace.batched else (psi[:, None], trace.s[:, None])
    S_prev = np.concatenate([(trace.s0 if trace.batched else trace.s0[None])[None], S[:-1]])
    outer = lambda A, Bm: np.einsum("nbi,nbj->ij", A, Bm)  # sum_n psi[n] b[n]^T
    B = P.shape[1]
    out = [(ref / B, "you averaged over the batch; E is a sum over samples, so sum them (Eq. 90).")]
    if name in ("W_r", "W_s", "W_x") and ref.shape[0] == ref.shape[1]:
        out.append((ref.T, f"it is the transpose of the right one: dE/d{name} = sum_n psi[n] (input of {name})^T."))
    if name == "W_r":
        out.append((outer(P, G_d(S)), "Eq. 87 pairs psi[n] with r[n-1], not r[n]."))
        out.append((outer(P[1:], G_d(S[:-1])), "you dropped the n = 0 term psi[0] r[-1]^T, r[-1] = G(s0) != 0."))
    if name == "W_s":
        out.append((outer(P, G_d(S_prev)), "dE/dW_s pairs psi[n] with s[n-1] (Eq. 30), not r[n-1]."))
        out.append((outer(P[1:], S[:-1]), "you dropped the n = 0 term psi[0] s[-1]^T, with s[-1] = s0 != 0."))
    return out


def check_rnn_backward(student_fn, *, canonical: bool = False) -> str:
    """Check a student's ``rnn_backward(params, trace, dE_dr) -> (grads, psi)`` (Eqs. 78-90).

    Parameters
    ----------
    student_fn : callable
        Same signature and return value as :func:`lrnn.rnn_bptt.rnn_backward`; ``grads`` may be an
        ``RNNParams``, any object with attributes ``W_r, W_x, theta_s``, or a dict.
    canonical : bool, default False
        Also check a canonical RNN (Eq. 30), whose ``grads`` must include ``W_s``.

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        Naming the case and what is wrong.

    Examples
    --------
    >>> check_rnn_backward(rnn_backward)[:36]
    'check_rnn_backward: all 3 cases pass'
    >>> check_rnn_backward(lambda p, t, d: rnn_backward(p, t, d, erratum_p1=True))
    Traceback (most recent call last):
    ...
    AssertionError: N = 5, d_x = 2, d_s = 4: psi is wrong: ... erratum P1...
    """
    cases = list(_rnn_cases(canonical))
    for label, params, trace, dE_dr in cases:
        out = call(label, student_fn, params, trace, dE_dr)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise AssertionError(f"{label}: your function returned {type(out).__name__}, expected a pair (grads, psi).")
        grads, psi = out
        ref, ref_psi = rnn_backward(params, trace, dE_dr)
        mistakes = [(_psi_variant(params, trace, dE_dr, **kw), why) for kw, why in _PSI_MISTAKES]
        compare(label, "psi", psi, ref_psi, mistakes, axis0="steps n =")
        for name in ("W_r", "W_x", "theta_s") + (("W_s",) if canonical and params.W_s is not None else ()):
            g = grads.get(name) if isinstance(grads, dict) else getattr(grads, name, None)
            if g is None:
                raise AssertionError(f"{label}: grads has no {name}; return an RNNParams of gradients.")
            want = getattr(ref, name)
            compare(label, f"the gradient of {name}", g, want, _grad_variants(params, trace, ref_psi, want, name))
    what = "N = 1 with d_x != d_s, N = 5, batched with non-zero s0" + (", canonical RNN" if canonical else "")
    return f"check_rnn_backward: all {len(cases)} cases pass ({what}): psi and the gradients match lrnn."


def _states(out):
    return out.s if hasattr(out, "s") else out


def check_impulse_response(student_fn) -> str:
    """Check a student's ``impulse_response(params, N)`` returning ``s[0..N-1]`` (Example 1, Eq. 36).

    Examples
    --------
    >>> check_impulse_response(impulse_response)
    'check_impulse_response: s[0..N-1] matches Eq. 36 (N = 6, d_x = 2, d_s = 3).'
    """
    rng = np.random.default_rng(_SEED)
    p = RNNParams.init(rng, 2, 3, scale=1.5)
    N, label = 6, "N = 6, d_x = 2, d_s = 3"
    ref = impulse_response(p, N)
    lin = np.stack([np.linalg.matrix_power(p.W_r, n) @ p.W_x.sum(axis=1) for n in range(N)])
    step = rnn_forward(RNNParams(p.W_r, p.W_x, np.zeros(3)), np.ones((N, 2))).s
    variants = [
        (impulse_response(p, N, zero_bias=False).s, "you kept theta_s; Example 1 sets theta_s = 0."),
        (ref.r, "you returned r[n] = G(s[n]); return the states s[n]."),
        (np.vstack([np.zeros((1, 3)), ref.s[:-1]]), "it is one step late: delta[0] = 1, so s[0] = W_x 1 (Eq. 35)."),
        (lin, "you fed back s[n-1] instead of r[n-1] = G(s[n-1]): s[1] = W_r G(W_x 1) (Eq. 36)."),
        (step, "you used the unit step u[n] as input; Example 1 uses the unit sample delta[n] = u[n] - u[n-1]."),
        (
            impulse_response(RNNParams(p.W_r.T, p.W_x, p.theta_s), N).s,
            "you multiplied by W_r.T; the forward pass uses W_r (the transpose belongs to the backward pass).",
        ),
    ]
    compare(label, "s", _states(call(label, student_fn, p, N)), ref.s, variants, axis0="steps n =")
    return f"check_impulse_response: s[0..N-1] matches Eq. 36 ({label})."


def check_segment_offsets(student_fn) -> str:
    """Check a student's ``segment_offsets(lengths)`` returning ``j(0..M-1)`` (Eq. 42).

    Examples
    --------
    >>> check_segment_offsets(lambda K: np.cumsum(K))
    Traceback (most recent call last):
    ...
    AssertionError: lengths = [3, 2, 4]: j is wrong: you included K_m: j(m) = K_0 + ... + K_{m-1}, so j(0) = 0 (Eq. 42).
    """
    for K in ([3, 2, 4], [1], [5, 1, 1, 2]):
        label, ref = f"lengths = {K}", segment_offsets(K).astype(float)
        why = "you included K_m: j(m) = K_0 + ... + K_{m-1}, so j(0) = 0 (Eq. 42)."
        out = np.asarray(call(label, student_fn, list(K)), dtype=float)
        if out.shape == (len(K) + 1,) and same(out[:-1], ref):
            raise AssertionError(f"{label}: you returned M + 1 offsets (the last is N); return one j(m) per segment.")
        compare(label, "j", out, ref, [(np.cumsum(K).astype(float), why)])
    return "check_segment_offsets: j(m) matches Eq. 42 on 3 cases."


def check_unrolled_forward(student_fn) -> str:
    """Check a student's ``unrolled_forward(params, x, lengths)`` returning ``s`` of shape (N, d_s) (Eqs. 73-77).

    Examples
    --------
    >>> check_unrolled_forward(lambda p, x, K: rnn_forward(p, x).s)
    Traceback (most recent call last):
    ...
    AssertionError: N = 7, lengths = [3, 2, 2]: s is wrong: you carried the state across segments; ...
    """
    rng = np.random.default_rng(_SEED)
    p, x, K = RNNParams.init(rng, 2, 3, scale=1.5), rng.standard_normal((7, 2)), [3, 2, 2]
    label, ref = "N = 7, lengths = [3, 2, 2]", unrolled_forward(p, x, K).s
    first_only = np.where(np.arange(7)[:, None] < 3, ref, 0.0)
    variants = [
        (rnn_forward(p, x).s, "you carried the state across segments; each starts from s~[-1] = 0 (Eq. 73)."),
        (first_only, "only the first segment is computed; run every segment m from its offset j(m) (Eq. 76)."),
    ]
    compare(label, "s", _states(call(label, student_fn, p, x, list(K))), ref, variants, axis0="steps n =")
    return f"check_unrolled_forward: the segment-wise states match Eqs. 73-77 ({label})."


# -- Chapter 1: discretisation (Eqs. 25-29) -------------------------------------------------------


def check_discretize(student_fn) -> str:
    """Check a student's ``fn(A, B, C, phi, dT) -> (W_s, W_r, W_x, theta_s)`` against Eqs. 25-29.

    Runs several random systems (including ``d != d_x`` and a scalar one) and raises
    ``AssertionError`` naming the first wrong parameter and the most likely slip.

    Examples
    --------
    >>> from lrnn.ode import AdditiveModel, discretize
    >>> def fn(A, B, C, phi, dT):
    ...     p = discretize(AdditiveModel(A, B, C, phi), dT)
    ...     return p.W_s, p.W_r, p.W_x, p.theta_s
    >>> check_discretize(fn)
    'check_discretize: all 4 cases match Eqs. 25-29.'
    """
    from ..ode import AdditiveModel, discretize

    rng = np.random.default_rng(25)
    cases = [(1, 1, 0.5), (2, 1, 0.3), (3, 2, 0.1), (4, 3, 1.0)]
    for d, d_x, dT in cases:
        A = rng.normal(size=(d, d)) - 2 * np.eye(d)
        B, C, phi = rng.normal(size=(d, d)), rng.normal(size=(d, d_x)), rng.normal(size=d)
        ref = discretize(AdditiveModel(A, B, C, phi), dT)
        got = student_fn(A.copy(), B.copy(), C.copy(), phi.copy(), dT)
        if not isinstance(got, tuple | list) or len(got) != 4:
            raise AssertionError("return a tuple (W_s, W_r, W_x, theta_s) of four arrays")
        W_s = np.linalg.inv(np.eye(d) - dT * A)
        hints = {
            "W_s": [
                (np.eye(d) + dT * A, "that is forward Euler's I + dT*A; backward Euler gives (I - dT*A)^-1 (Eq. 25)"),
                (np.eye(d) - dT * A, "you forgot to invert: W_s = (I - dT*A)^-1 (Eq. 25)"),
            ],
            "W_r": [
                (dT * B, "W_r = dT * W_s @ B: the factor W_s is missing (Eq. 27)"),
                (dT * B @ W_s, "matrix order: W_r = dT * W_s @ B, not dT * B @ W_s (Eq. 27)"),
                (W_s @ B, "the factor dT is missing (Eq. 27)"),
            ],
            "W_x": [
                (dT * C, "W_x = dT * W_s @ C: the factor W_s is missing (Eq. 28)"),
                (W_s @ C, "the factor dT is missing (Eq. 28)"),
            ],
            "theta_s": [
                (dT * phi, "theta_s = dT * W_s @ phi: the factor W_s is missing (Eq. 29)"),
                (W_s @ phi, "the factor dT is missing (Eq. 29)"),
            ],
        }
        for name, value in zip(("W_s", "W_r", "W_x", "theta_s"), got):
            want = getattr(ref, name)
            value = np.asarray(value, dtype=float)
            if value.shape != want.shape:
                raise AssertionError(f"{name} has shape {value.shape}, expected {want.shape} for d = {d}, d_x = {d_x}")
            if not np.allclose(value, want, rtol=1e-9, atol=1e-12):
                hint = next(
                    (h for cand, h in hints[name] if np.allclose(value, cand, rtol=1e-9)), "compare with Eqs. 25-29"
                )
                raise AssertionError(f"{name} is wrong for d = {d}, d_x = {d_x}, dT = {dT}: {hint}")
    return f"check_discretize: all {len(cases)} cases match Eqs. 25-29."
