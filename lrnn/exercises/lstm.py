"""Self-checks for the Vanilla LSTM exercises, Sherstinsky (2020) Sec. VI-H and VI-I.

A student writes one step of the forward pass (Eqs. 126-136) or the whole backward
pass (Eqs. 137-172). A check runs the student's function on small random cases,
compares it with :mod:`lrnn`, and returns a one-line success message, or raises
``AssertionError`` naming the most likely mistake (a_cr computed from s[n-1],
the missing transpose of erratum P3, ...).

Symbols as in :mod:`lrnn.lstm`. Every case has ``d_x != d_s``, so that a transposed
input weight fails loudly, and non-zero initial conditions ``s[-1]``, ``v[-1]``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..activations import G_c, G_d
from ..gradcheck import relative_error
from ..lstm import LSTMParams, lstm_forward
from ..lstm_bptt import _bptt, _read, lstm_backward

__all__ = ["check_lstm_step", "check_lstm_backward"]

_TOL = 1e-8  # relative error accepted as "the same"

_STEP_MISTAKES = {
    "cr_prev": "a_cr uses s[n-1]; Eq. 128 uses the current state s[n], so compute Eq. 134 before a_cr.",
    "no_pinholes": "the 'pinhole' terms W_s_cu s[n-1], W_s_cs s[n-1], W_s_cr s[n] of Eqs. 126-128 are missing (P4).",
    "swap": "g_cu and g_cs are swapped: Eq. 134 is s[n] = g_cs * s[n-1] + g_cu * u[n].",
    "u_sigmoid": "u[n] uses the sigmoid; Eq. 130 uses G_d = tanh for the update candidate.",
    "tanh_gates": "the gates use tanh; Eqs. 131-133 use G_c = sigmoid, so that every gate lies in [0, 1].",
    "no_readout_warp": "v[n] = g_cr * s[n]; Eqs. 135-136 warp the state first: v[n] = g_cr * G_d(s[n]).",
    "transpose": "a state or value weight is applied transposed: one step is W @ s and W @ v (P9), not W.T @ ...",
}


def _step(p: LSTMParams, x, s_prev, v_prev, mistake=None):
    """One step in the paper's column-vector form (Eqs. 126-136), optionally with a typical mistake."""
    if mistake == "no_pinholes":
        z = np.zeros_like(p.W_s_cu)
        p = dataclasses.replace(p, W_s_cu=z, W_s_cs=z, W_s_cr=z)
    T = (lambda W: W.T) if mistake == "transpose" else (lambda W: W)
    Gc = G_d if mistake == "tanh_gates" else G_c
    a_cu = p.W_x_cu @ x + T(p.W_s_cu) @ s_prev + T(p.W_v_cu) @ v_prev + p.b_cu  # Eq. 126
    a_cs = p.W_x_cs @ x + T(p.W_s_cs) @ s_prev + T(p.W_v_cs) @ v_prev + p.b_cs  # Eq. 127
    a_du = p.W_x_du @ x + T(p.W_v_du) @ v_prev + p.b_du  # Eq. 129
    u = G_c(a_du) if mistake == "u_sigmoid" else G_d(a_du)  # Eq. 130
    g_cu, g_cs = Gc(a_cu), Gc(a_cs)  # Eqs. 131-132
    s = g_cu * s_prev + g_cs * u if mistake == "swap" else g_cs * s_prev + g_cu * u  # Eq. 134
    a_cr = p.W_x_cr @ x + T(p.W_s_cr) @ (s_prev if mistake == "cr_prev" else s) + T(p.W_v_cr) @ v_prev + p.b_cr
    r = s if mistake == "no_readout_warp" else G_d(s)  # Eq. 135
    return s, Gc(a_cr) * r  # Eqs. 128, 133, 136


def _same(a, b) -> bool:
    return np.shape(a) == np.shape(b) and relative_error(a, b) < _TOL


def _call(name: str, fn, *args):
    try:
        return fn(*args)
    except Exception as exc:
        raise AssertionError(f"{name}: your function raised {type(exc).__name__}: {exc}") from exc


def _arrays(name: str, got, shapes: tuple, what: str) -> list:
    """Unpack the student's tuple and check each array's shape."""
    if not isinstance(got, tuple | list) or len(got) != len(shapes):
        raise AssertionError(f"{name}: your function returned {type(got).__name__}; expected a tuple {what}.")
    out = []
    for k, (a, shape) in enumerate(zip(got, shapes, strict=True)):
        a = np.asarray(a, dtype=float) if shape is not None else a
        if shape is not None and a.shape != shape:
            raise AssertionError(f"{name}: item {k} of {what} has shape {a.shape}, expected {shape}.")
        out.append(a)
    return out


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
        With a diagnosis when a result differs from :func:`lrnn.lstm.lstm_forward`.

    Examples
    --------
    >>> check_lstm_step(_step)  # a column-vector reference step passes
    'check_lstm_step: passed, s[n] and v[n] match lrnn.lstm_forward (Eqs. 126-136) on 3 random cases.'
    """
    rng = np.random.default_rng(seed)
    for d_x, d_s, peepholes in ((3, 2, True), (2, 4, True), (3, 2, False)):
        p = LSTMParams.random(rng, d_x, d_s, peepholes=peepholes, scale=1.5)
        x, s_prev, v_prev = rng.standard_normal(d_x), rng.standard_normal(d_s), 0.5 * rng.standard_normal(d_s)
        ref = lstm_forward(p, x[None], s0=s_prev, v0=v_prev)
        got = _call("check_lstm_step", student_fn, p, x.copy(), s_prev.copy(), v_prev.copy())
        s, v = _arrays("check_lstm_step", got, ((d_s,), (d_s,)), "(s[n], v[n])")
        if _same(s, ref.s[0]) and _same(v, ref.v[0]):
            continue
        for mistake, why in _STEP_MISTAKES.items():
            s_bad, v_bad = _step(p, x, s_prev, v_prev, mistake)
            if _same(s, s_bad) and _same(v, v_bad):
                raise AssertionError(f"check_lstm_step: {why}")
        which = (
            "s[n] matches but v[n] does not: check Eqs. 128, 133, 135-136"
            if _same(s, ref.s[0])
            else "s[n] is wrong: check Eqs. 126-127 and 129-132, 134"
        )
        raise AssertionError(
            f"check_lstm_step: {which} (case d_x = {d_x}, d_s = {d_s}; relative errors "
            f"{relative_error(s, ref.s[0]):.2g} for s, {relative_error(v, ref.v[0]):.2g} for v)."
        )
    return "check_lstm_step: passed, s[n] and v[n] match lrnn.lstm_forward (Eqs. 126-136) on 3 random cases."


def _backward_case(rng, W_s_cr_zero: bool):
    p = LSTMParams.random(rng, 3, 2, scale=1.5)
    if W_s_cr_zero:
        p = dataclasses.replace(p, W_s_cr=np.zeros((2, 2)))
    tr = lstm_forward(p, rng.standard_normal((4, 3)), s0=rng.standard_normal(2), v0=0.5 * rng.standard_normal(2))
    return p, tr, rng.standard_normal((4, 2))


def _psi_diagnosis(psi, ref_psi, p3_psi, zero_case_ok: bool) -> str:
    if _same(psi, p3_psi):
        return (
            "psi matches the printed Eqs. 149-150, W_s_cr alpha_cr[n]: you are missing the transpose of "
            "erratum P3; the gradient needs W_s_cr.T @ alpha_cr[n]."
        )
    if zero_case_ok:
        return (
            "psi matches when W_s_cr = 0 but not otherwise: you are probably missing the transpose of "
            "erratum P3 (the term is W_s_cr.T @ alpha_cr[n], Eqs. 149-150)."
        )
    if _same(psi[-1], ref_psi[-1]):
        return (
            "psi[N-1] is right but earlier steps are not: check what step n+1 sends back, f_chi[n+1] "
            "(Eq. 154) and f_psi[n+1] (Eq. 155), including g_cs[n+1] * psi[n+1]."
        )
    return "psi is wrong already at the last step n = N-1, where f_chi[N] = f_psi[N] = 0 (P5): check Eqs. 144-150."


def check_lstm_backward(student_fn, *, seed: int = 0) -> str:
    """Check a student's Vanilla LSTM backward pass (Eqs. 137-172) for one sequence.

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
        With a diagnosis when ``psi`` or a gradient differs from :func:`lrnn.lstm_bptt.lstm_backward`.

    Examples
    --------
    >>> check_lstm_backward(lstm_backward)  # the reference itself passes
    'check_lstm_backward: passed, psi and all 15 gradients match lrnn.lstm_backward (Eqs. 137-172).'
    """
    rng = np.random.default_rng(seed)
    cases = [_backward_case(rng, W_s_cr_zero=zero) for zero in (False, True)]
    results = []
    for p, tr, dE in cases:
        got = _call("check_lstm_backward", student_fn, p, tr, dE.copy())
        grads, psi = _arrays("check_lstm_backward", got, (None, tr.s.shape), "(grads, psi)")
        results.append((grads, psi, *lstm_backward(p, tr, dE)))
    bad = [k for k, (_, psi, _, ref_psi) in enumerate(results) if not _same(psi, ref_psi)]
    if bad:  # case 0 has a random W_s_cr, case 1 has W_s_cr = 0
        (p, tr, dE), (_, psi, _, ref_psi) = cases[bad[0]], results[bad[0]]
        p3_psi = lstm_backward(p, tr, dE, erratum_p3=True)[1]
        raise AssertionError("check_lstm_backward: " + _psi_diagnosis(psi, ref_psi, p3_psi, bad == [0]))
    for (p, tr, dE), (grads, _, ref, _) in zip(cases, results, strict=True):
        _check_grads(p, tr, dE, grads, ref)
    return "check_lstm_backward: passed, psi and all 15 gradients match lrnn.lstm_backward (Eqs. 137-172)."


def _check_grads(p, tr, dE, grads, ref) -> None:
    names = [f.name for f in dataclasses.fields(LSTMParams)]
    get = grads.get if isinstance(grads, dict) else (lambda k: getattr(grads, k, None))
    missing = [k for k in names if get(k) is None]
    if missing:
        raise AssertionError(f"check_lstm_backward: grads lacks {missing}; return an LSTMParams or a dict of all 15.")
    wrong = {}
    for k in names:
        a, want = np.asarray(get(k), dtype=float), getattr(ref, k)
        if a.shape != want.shape:
            raise AssertionError(f"check_lstm_backward: grads.{k} has shape {a.shape}, expected {want.shape}.")
        if not _same(a, want):
            wrong[k] = relative_error(a, want)
    if not wrong:
        return
    _, S0, _, sig, _ = _read(p, tr)
    alpha, _ = _bptt(p, sig, S0, dE[:, None])
    d = p.d_s
    s, s_prev = sig["s"][:, 0], np.concatenate([S0, sig["s"][:-1, 0]])
    if "W_s_cr" in wrong and _same(get("W_s_cr"), alpha[:, 0, 3 * d :].T @ s_prev):
        raise AssertionError(
            "check_lstm_backward: dE/dW_s_cr uses s[n-1]; W_s_cr multiplies the current state "
            "s[n] (Eq. 128), so its gradient is alpha_cr[n] s[n]^T."
        )
    if "W_s_cu" in wrong and _same(get("W_s_cu"), alpha[:, 0, :d].T @ s):
        raise AssertionError("check_lstm_backward: dE/dW_s_cu uses s[n]; W_s_cu multiplies s[n-1] (Eq. 126).")
    listed = ", ".join(f"{k} ({e:.2g})" for k, e in wrong.items())
    raise AssertionError(
        f"check_lstm_backward: psi is right but these gradients are not (relative error): {listed}; "
        "check the outer products alpha_*[n] x^T[n], s^T[n-1], v^T[n-1] (Eqs. 156-170) "
        "and the sum over n (Eq. 172)."
    )
