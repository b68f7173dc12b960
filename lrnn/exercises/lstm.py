"""Self-checks for the Vanilla LSTM exercises, Sherstinsky (2020) Sec. VI-H and VI-I.

A student writes one step of the forward pass (Eqs. 126-136) or the whole backward
pass (Eqs. 144-172) for one sequence, in the paper's column-vector form. A check runs
the student's function on small random cases, compares it with :mod:`lrnn`, and
returns a one-line success message, or raises ``AssertionError`` naming the most likely
mistake. The mistakes are :func:`lrnn.lstm.lstm_step` and
:func:`lrnn.lstm_bptt.lstm_bptt_signals` / :func:`~lrnn.lstm_bptt.lstm_backward` with one
thing changed (see :func:`lrnn.exercises.harness.mutant`): the readout gate fed ``s[n-1]``,
a missing transpose (erratum P3), a forgotten carousel term, ``s[n]`` read for ``s[n-1]``.

Every case has ``d_x != d_s``, so that a transposed input weight fails loudly, and
non-zero initial conditions ``s[-1]``, ``v[-1]``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..gradcheck import relative_error
from ..lstm import LSTMParams, lstm_forward, lstm_step
from ..lstm_bptt import lstm_backward, lstm_bptt_signals
from .harness import call, compare, field, mutant, same, unpack

__all__ = ["check_lstm_step", "check_lstm_backward"]

_PINHOLES = ("W_s_cu", "W_s_cs", "W_s_cr")
_SQUARE = _PINHOLES + ("W_v_cu", "W_v_cs", "W_v_cr", "W_v_du")

# Mistakes in one forward step: edits of :func:`lrnn.lstm.lstm_step`, each with its explanation.
STEP_MISTAKES = {
    "a_cr uses s[n-1]; Eq. 128 uses the current state s[n], so compute Eq. 134 before a_cr.": (
        ("s @ p.W_s_cr.T", "s_prev @ p.W_s_cr.T"),
    ),
    "the 'pinhole' terms W_s_cu s[n-1], W_s_cs s[n-1], W_s_cr s[n] of Eqs. 126-128 are missing (P4).": (
        ("s_prev @ p.W_s_cu.T + ", ""),
        ("s_prev @ p.W_s_cs.T + ", ""),
        ("s @ p.W_s_cr.T + ", ""),
    ),
    "g_cu and g_cs are swapped: Eq. 134 is s[n] = g_cs * s[n-1] + g_cu * u[n].": (
        ("s = g_cs * s_prev + g_cu * u", "s = g_cu * s_prev + g_cs * u"),
    ),
    "u[n] uses the sigmoid; Eq. 130 uses G_d = tanh for the update candidate.": (("u = G_d(a_du", "u = G_c(a_du"),),
    "the gates use tanh; Eqs. 131-133 use G_c = sigmoid, so that every gate lies in [0, 1].": (
        ("g_cu = G_c(", "g_cu = G_d("),
        ("g_cs = G_c(", "g_cs = G_d("),
        ("g_cr = G_c(", "g_cr = G_d("),
    ),
    "v[n] = g_cr * s[n]; Eqs. 135-136 warp the state first: v[n] = g_cr * G_d(s[n]).": (
        ("r = G_d(s, check=False)", "r = s"),
    ),
    "a state or value weight is applied transposed: one step is W @ s and W @ v (P9), not W.T @ ...": tuple(
        (f"@ p.{W}.T", f"@ p.{W}") for W in _SQUARE
    ),
}

# Mistakes in the backward recursion: edits of :func:`lrnn.lstm_bptt.lstm_bptt_signals`.
PSI_MISTAKES = {
    "the carousel term is missing: f_psi[n+1] of Eq. 155 ends with g_cs[n+1] * psi[n+1], the path "
    "s[n] -> s[n+1] that passes through no weight at all.": (("+ g_cs[n] * psi[n]", ""),),
    "nothing comes back through v[n]: chi[n] = dE/dv[n] + f_chi[n+1] (Eq. 144), where step n+1 sends "
    "f_chi[n+1] = sum of W_v_*^T alpha_*[n+1] (Eq. 154).": (("chi[n] = dE_dv[n] + f_chi", "chi[n] = dE_dv[n]"),),
    "the pinhole terms of f_psi[n+1] are missing: Eq. 155 has W_s_cu^T alpha_cu[n+1] + W_s_cs^T alpha_cs[n+1] "
    "before the carousel term.": (("alpha_cu[n] @ W_s_cu + alpha_cs[n] @ W_s_cs + g_cs", "g_cs"),),
    "f_chi uses W_v_* instead of W_v_*^T: the gradient flows back through the transpose (Eq. 154).": tuple(
        (f"@ {W}", f"@ {W}.T") for W in ("W_v_cu", "W_v_cs", "W_v_cr", "W_v_du")
    ),
    "f_psi uses W_s_cu, W_s_cs instead of their transposes (Eq. 155).": (
        ("@ W_s_cu +", "@ W_s_cu.T +"),
        ("@ W_s_cs +", "@ W_s_cs.T +"),
    ),
    "alpha_cs[n] uses s[n]; a_cs[n] sees the previous state, so Eq. 151 has s[n-1].": (
        ("psi[n] * s[n - 1] *", "psi[n] * s[n] *"),
    ),
    "alpha_cr[n] lacks the factor G_c'(a_cr[n]) = g_cr (1 - g_cr) of Eq. 147.": (
        ("bound(gamma_cr * dG_c_cr)", "bound(gamma_cr)"),
    ),
    "psi[n] lacks the factor G_d'(s[n]) = 1 - r[n]^2 in its first term (Eqs. 148-150).": (("rho * dG_d_s", "rho"),),
}

# Mistakes in the parameter gradients: edits of :func:`lrnn.lstm_bptt.lstm_backward`.
GRADIENT_MISTAKES = {
    "dE/dW_s_cr uses s[n-1]; W_s_cr multiplies the current state s[n] (Eq. 128), so its gradient is "
    "alpha_cr[n] s[n]^T (Eq. 165).": (("alpha_cr.T @ s_now", "alpha_cr.T @ s_prev"),),
    "dE/dW_s_cu and dE/dW_s_cs use s[n]; those gates see s[n-1] (Eqs. 126-127), so the gradients are "
    "alpha_*[n] s[n-1]^T (Eqs. 157, 161).": (
        ("alpha_cu.T @ s_prev", "alpha_cu.T @ s_now"),
        ("alpha_cs.T @ s_prev", "alpha_cs.T @ s_now"),
    ),
    "dE/dW_v_* uses v[n]; every node sees the previous value v[n-1] (Eqs. 126-129), so the gradients are "
    "alpha_*[n] v[n-1]^T (Eqs. 158, 162, 166, 169).": (("_rows(v_prev)", "_rows(trace.v)"),),
    "the step n = 0 is missing from the sums over n: its s[n-1] and v[n-1] are the initial "
    "conditions s[-1], v[-1], which are not zero here (Eq. 172 sums n = 0, ..., N-1).": (
        ("np.concatenate([trace.s0[None]", "np.concatenate([0 * trace.s0[None]"),
        ("np.concatenate([trace.v0[None]", "np.concatenate([0 * trace.v0[None]"),
    ),
}


def _mutants(fn, table: dict) -> list:
    """``(fn with the mistake, explanation)`` for every mistake of ``table``."""
    return [(mutant(fn, *edits), why) for why, edits in table.items()]


def check_lstm_step(student_fn, *, seed: int = 0) -> str:
    """Check a student's single forward step of the Vanilla LSTM (Eqs. 126-136).

    Parameters
    ----------
    student_fn : callable
        ``student_fn(params, x, s_prev, v_prev) -> (s, v)`` with ``x`` of shape
        ``(d_x,)`` and ``s_prev = s[n-1]``, ``v_prev = v[n-1]``, ``s``, ``v`` of
        shape ``(d_s,)``, written as in the paper (``W @ x``).
    seed : int, default 0
        Seed of the random cases.

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis when a result differs from :func:`lrnn.lstm.lstm_step`.

    Examples
    --------
    >>> check_lstm_step(lambda p, x, s, v: (lstm_step(p, x, s, v)["s"], lstm_step(p, x, s, v)["v"]))
    'check_lstm_step: passed, s[n] and v[n] match lrnn.lstm_step (Eqs. 126-136) on 3 random cases.'
    """
    label = "check_lstm_step"
    rng = np.random.default_rng(seed)
    mistakes = _mutants(lstm_step, STEP_MISTAKES)
    for d_x, d_s, pinholes in ((3, 2, True), (2, 4, True), (3, 2, False)):
        p = LSTMParams.init(rng, d_x, d_s, pinholes=pinholes, scale=1.5)
        x, s_prev, v_prev = rng.standard_normal(d_x), rng.standard_normal(d_s), 0.5 * rng.standard_normal(d_s)
        ref = lstm_step(p, x, s_prev, v_prev)
        got = call(label, student_fn, p, x.copy(), s_prev.copy(), v_prev.copy())
        s, v = unpack(label, got, ((d_s,), (d_s,)), "(s[n], v[n])")
        if same(s, ref["s"]) and same(v, ref["v"]):
            continue
        for wrong, why in mistakes:
            bad = wrong(p, x, s_prev, v_prev)
            if same(s, bad["s"]) and same(v, bad["v"]):
                raise AssertionError(f"{label}: {why}")
        which = (
            "s[n] matches but v[n] does not: check Eqs. 128, 133, 135-136"
            if same(s, ref["s"])
            else "s[n] is wrong: check Eqs. 126-127 and 129-132, 134"
        )
        raise AssertionError(
            f"{label}: {which} (case d_x = {d_x}, d_s = {d_s}; relative errors "
            f"{relative_error(s, ref['s']):.2g} for s, {relative_error(v, ref['v']):.2g} for v)."
        )
    return f"{label}: passed, s[n] and v[n] match lrnn.lstm_step (Eqs. 126-136) on 3 random cases."


def _backward_cases(rng):
    """One sequence with a random (non-symmetric) W_s_cr, and the same with W_s_cr = 0."""
    p = LSTMParams.init(rng, 3, 2, scale=1.5)
    x, s0, v0 = rng.standard_normal((4, 3)), rng.standard_normal(2), 0.5 * rng.standard_normal(2)
    dE = rng.standard_normal((4, 2))
    return [(q, lstm_forward(q, x, s0=s0, v0=v0), dE) for q in (p, dataclasses.replace(p, W_s_cr=np.zeros((2, 2))))]


def check_lstm_backward(student_fn, *, seed: int = 0) -> str:
    """Check a student's Vanilla LSTM backward pass (Eqs. 144-172) for one sequence.

    Parameters
    ----------
    student_fn : callable
        ``student_fn(params, trace, dE_dv) -> (grads, psi)`` with ``trace`` from
        :func:`lrnn.lstm.lstm_forward` on one ``(N, d_x)`` sequence, ``dE_dv`` of shape
        ``(N, d_s)`` (the first term of Eq. 144), ``grads`` an :class:`LSTMParams` or a
        dict with its 15 field names, and ``psi[n] = dE/ds[n]`` of shape ``(N, d_s)``.
    seed : int, default 0
        Seed of the random cases.

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis when ``psi`` or a gradient differs from :func:`lrnn.lstm_bptt.lstm_backward`:
        the printed Eq. 150 (erratum P3), a missing carousel or ``f_chi`` term, ``s[n]`` for
        ``s[n-1]``, a missing derivative factor, ...

    Examples
    --------
    >>> check_lstm_backward(lstm_backward)  # the reference itself passes
    'check_lstm_backward: passed, psi and all 15 gradients match lrnn.lstm_backward (Eqs. 144-172).'
    """
    label = "check_lstm_backward"
    cases = _backward_cases(np.random.default_rng(seed))
    results = []
    for p, tr, dE in cases:
        got = call(label, student_fn, p, tr, dE.copy())
        grads, psi = unpack(label, got, (None, tr.s.shape), "(grads, psi)")
        results.append((grads, psi, *lstm_backward(p, tr, dE)))
    for k, ((p, tr, dE), (_, psi, _, ref_psi)) in enumerate(zip(cases, results, strict=True)):
        if same(psi, ref_psi):
            continue
        if k == 0 and same(results[1][1], results[1][3]):  # right with W_s_cr = 0, wrong with a random W_s_cr
            printed = lstm_backward(p, tr, dE, erratum_p3=True)[1]
            raise AssertionError(f"{label}: psi is wrong: " + _p3_message(same(psi, printed)))
        mistakes = [(wrong(p, tr, dE).psi, why) for wrong, why in _mutants(lstm_bptt_signals, PSI_MISTAKES)]
        hint = (
            "psi[N-1] is right but earlier steps are not: check what step n+1 sends back, f_chi[n+1] "
            "(Eq. 154) and f_psi[n+1] (Eq. 155)"
            if same(psi[-1], ref_psi[-1])
            else "psi is wrong already at the last step n = N-1, where f_chi[N] = f_psi[N] = 0 (P5): check Eqs. 144-150"
        )
        compare(label, "psi", psi, ref_psi, mistakes, axis0="steps n =", hint=hint)
    for (p, tr, dE), (grads, _, ref, _) in zip(cases, results, strict=True):
        _check_grads(label, p, tr, dE, grads, ref)
    return f"{label}: passed, psi and all 15 gradients match lrnn.lstm_backward (Eqs. 144-172)."


def _p3_message(printed: bool) -> str:
    if printed:
        return (
            "it matches the printed Eqs. 149-150, W_s_cr alpha_cr[n]: you are missing the transpose of "
            "erratum P3; the gradient needs W_s_cr.T @ alpha_cr[n]."
        )
    return (
        "psi matches when W_s_cr = 0 but not otherwise: look at the term W_s_cr^T alpha_cr[n] of Eqs. 149-150 "
        "(with the transpose of erratum P3)."
    )


_HINT = "check the outer products alpha_*[n] x^T[n], s^T[n-1], v^T[n-1] (Eqs. 156-170) and the sum over n (Eq. 172)"


def _check_grads(label, p, tr, dE, grads, ref) -> None:
    names = [f.name for f in dataclasses.fields(LSTMParams)]
    missing = [k for k in names if field(grads, k) is None]
    if missing:
        raise AssertionError(f"{label}: grads lacks {missing}; return an LSTMParams or a dict of all 15.")
    wrong = [(bad(p, tr, dE)[0], why) for bad, why in _mutants(lstm_backward, GRADIENT_MISTAKES)]
    for k in names:
        mistakes = [(getattr(g, k), why) for g, why in wrong]
        compare(
            f"{label} (psi is right)", f"the gradient of {k}", field(grads, k), getattr(ref, k), mistakes, hint=_HINT
        )
