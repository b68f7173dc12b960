"""Self-check for the derivation of Eq. 179, the LSTM's one-step error Jacobian (Ch. 5, Sec. VI-J).

A student derives ``dpsi[k-1]/dpsi[k]`` from the backward pass (Eqs. 144-155) with every
transpose in place, and writes ``my_step_jacobian(params, trace, k)`` that returns it as a
``(d_s, d_s)`` matrix for one sequence::

    dpsi[k-1]/dpsi[k] = diag(g_cs[k]) + W_s_cu^T D_cu + W_s_cs^T D_cs
                        + R_{k-1} (W_v_cu^T D_cu + W_v_cs^T D_cs + W_v_du^T D_du)      (Eq. 179)

:func:`check_step_jacobian` compares it with :func:`lrnn.lstm_gradients.lstm_step_jacobian`
on random cells with ``d_x != d_s`` and non-zero initial conditions, and names the usual
mistakes: the forward Jacobian ``ds[k]/ds[k-1]`` (the transpose of the answer), the
transposes of the printed Eq. 178 left out, the one of erratum P3 left out, the carousel
term or the path through ``chi[k-1]`` forgotten, ``s[k]`` read for ``s[k-1]``, the gate of the
wrong step. Each mistake is :func:`~lrnn.lstm_gradients.lstm_step_jacobian` evaluated on
edited parameters or an edited trace, not a second implementation.

In an exercise cell::

    import lrnn.exercises
    lrnn.exercises.check_step_jacobian(my_step_jacobian)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..lstm import LSTMParams, lstm_forward
from ..lstm_gradients import lstm_step_jacobian
from .harness import call, compare

__all__ = ["check_step_jacobian"]

_SQUARE = ("W_s_cu", "W_s_cs", "W_s_cr", "W_v_cu", "W_v_cs", "W_v_du")  # Theta~ of Eq. 179


def _cases(rng):
    """(params, trace, k) for three cells: d_x != d_s, pinholes, non-zero s[-1] and v[-1]."""
    cases = []
    for d_x, d_s, N, k in ((3, 2, 6, 4), (2, 4, 5, 1), (1, 3, 7, 6)):
        p = LSTMParams.init(rng, d_x, d_s, scale=1.5)
        x, s0, v0 = rng.standard_normal((N, d_x)), rng.standard_normal(d_s), 0.5 * rng.standard_normal(d_s)
        cases.append((p, lstm_forward(p, x, s0=s0, v0=v0), k))
    return cases


def _mistakes(p: LSTMParams, tr, k: int) -> list:
    """``(matrix, explanation)`` for each known mistake, from lstm_step_jacobian on edited inputs."""
    right = lstm_step_jacobian(p, tr, k)
    eye = np.eye(p.d_s)
    untransposed = dataclasses.replace(p, **{W: getattr(p, W).T for W in _SQUARE})
    s_shifted = tr.s.copy()
    s_shifted[k - 1] = tr.s[k]  # D_cs reads s[k] where s[k-1] belongs
    return [
        (
            right.J.T,
            "this is the forward Jacobian ds[k]/ds[k-1]; the backward one, dpsi[k-1]/dpsi[k], is its transpose "
            "(psi[k-1] collects W^T alpha[k] from every node that s[k-1] feeds).",
        ),
        (
            lstm_step_jacobian(untransposed, tr, k).J,
            "the weight matrices appear untransposed, as in the printed Eq. 178; the chain rule sends the "
            "error back through W^T: W_s_cu^T D_cu, W_v_du^T D_du, ..., and W_s_cr^T in R_{k-1} (erratum P3).",
        ),
        (
            lstm_step_jacobian(dataclasses.replace(p, W_s_cr=p.W_s_cr.T), tr, k).J,
            "only the transpose of erratum P3 is missing: psi[k-1] receives W_s_cr^T alpha_cr[k-1], so "
            "R_{k-1} = diag(g_cr G_d'(s))[k-1] + W_s_cr^T diag(r G_c'(a_cr))[k-1].",
        ),
        (
            right.Q,
            "the carousel term diag(g_cs[k]) is missing: Eq. 155 sends g_cs[k] * psi[k] straight back to "
            "psi[k-1], through no weight at all.",
        ),
        (
            right.Q + np.diag(tr.g_cs[k - 1]),
            "the carousel term uses g_cs[k-1]; s[k-1] reaches s[k] through the gate of step k, g_cs[k] (Eq. 134).",
        ),
        (
            lstm_step_jacobian(dataclasses.replace(p, W_v_cu=0 * eye, W_v_cs=0 * eye, W_v_du=0 * eye), tr, k).J,
            "the path through the value is missing: alpha_cu, alpha_cs, alpha_du of step k reach chi[k-1] "
            "through W_v_*^T (Eq. 154), and chi[k-1] reaches psi[k-1] through R_{k-1} (Eqs. 145-150).",
        ),
        (
            lstm_step_jacobian(dataclasses.replace(p, W_s_cr=0 * eye), tr, k).J,
            "R_{k-1} lacks its pinhole term W_s_cr^T diag(r G_c'(a_cr))[k-1]: chi[k-1] also reaches psi[k-1] "
            "through the readout gate, which reads s[k-1] (Eqs. 128, 147-150).",
        ),
        (
            lstm_step_jacobian(p, dataclasses.replace(tr, s=s_shifted), k).J,
            "D_cs uses s[k]; alpha_cs[k] = psi[k] * s[k-1] * G_c'(a_cs[k]) (Eq. 151), the state the gate multiplies.",
        ),
    ]


def check_step_jacobian(student_fn, *, seed: int = 0) -> str:
    """Check a student's one-step error Jacobian ``dpsi[k-1]/dpsi[k]`` of the Vanilla LSTM (Eq. 179).

    Parameters
    ----------
    student_fn : callable
        ``student_fn(params, trace, k) -> J`` with ``params`` an :class:`lrnn.LSTMParams`,
        ``trace = lstm_forward(params, x, s0, v0)`` for one sequence ``(N, d_x)``, and
        ``1 <= k <= N - 1``. Returns the ``(d_s, d_s)`` matrix ``dpsi[k-1]/dpsi[k]`` at fixed
        ``chi[k]``, as in the paper (the ``W_v_cr`` channel is not part of it).
    seed : int, default 0
        Seed of the random cases.

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis when the result differs from
        :func:`lrnn.lstm_gradients.lstm_step_jacobian`.

    Examples
    --------
    >>> check_step_jacobian(lambda p, tr, k: lstm_step_jacobian(p, tr, k).J)
    'check_step_jacobian: passed, dpsi[k-1]/dpsi[k] matches Eq. 179 with its transposes on 3 random cells.'
    """
    label = "check_step_jacobian"
    for p, tr, k in _cases(np.random.default_rng(seed)):
        case = f"{label} (d_x = {p.d_x}, d_s = {p.d_s}, k = {k})"
        got = call(case, student_fn, p, tr, k)
        hint = (
            "start from psi[k-1] = R_{k-1} chi[k-1] + f_psi[k] (Eqs. 148-150) with chi[k-1] = f_chi[k] "
            "(Eq. 144 without a direct term), and write every alpha_*[k] as D_* psi[k] (Eqs. 151-153)"
        )
        compare(case, "dpsi[k-1]/dpsi[k]", got, lstm_step_jacobian(p, tr, k).J, _mistakes(p, tr, k), hint=hint)
    return f"{label}: passed, dpsi[k-1]/dpsi[k] matches Eq. 179 with its transposes on 3 random cells."
