"""Self-check for the exercise on the largest Lyapunov exponent of an RNN (Ch. 3, Sec. IV).

A student writes ``my_lyapunov(params, trace, skip)``: the largest Lyapunov exponent of the
standard RNN along ``trace`` by the renormalised product, carrying one tangent vector ``q``
through the steps ``n = skip, ..., N-2`` with the one-step map ``A[n] = W_r diag(G'(s[n]))``
and averaging ``log ||A[n] q||``. :func:`check_lyapunov` compares it with
:func:`lrnn.rnn_gradients.lyapunov_exponents` on three networks (a linear one whose exponent is
``log 0.5``, a chaotic Gaussian one and a settling symmetric one) and names the usual mistakes:
no renormalisation (the product over- or underflows), the slope ``G'`` left out, ``log10``
instead of ``log``, a sum instead of a mean.

Two choices do not change the exponent and are accepted: the starting vector (any generic
unit vector) and the direction (``W_r^T`` applied backward, as BPTT does, has the same
exponent as the forward map, its transpose).

In an exercise cell::

    import lrnn.exercises.lyapunov
    lrnn.exercises.lyapunov.check_lyapunov(my_lyapunov)
"""

from __future__ import annotations

import numpy as np

from ..rnn import RNNParams, RNNTrace, rnn_forward
from ..rnn_gradients import lyapunov_exponents, recurrent_matrix
from .harness import as_array, call

__all__ = ["check_lyapunov"]

_TOL = 0.01  # nats per step: start vectors and directions differ by less over these runs


def _cases():
    """(label, params, trace, skip) for the three fixed networks."""
    linear = RNNParams(W_r=[[0.5, 0.3], [0.0, 0.25]], W_x=[[0.0], [0.0]], theta_s=[0.0, 0.0])
    cases = [("linear 2x2, exponent log 0.5", linear, rnn_forward(linear, np.zeros((800, 1))), 0)]
    for family in ("gaussian", "symmetric"):
        rng = np.random.default_rng(1995)
        W_r = recurrent_matrix(rng, 64, 2.0, family)
        p = RNNParams(W_r=W_r, W_x=np.eye(64), theta_s=np.zeros(64))
        x = 1e-3 * rng.standard_normal((1100, 64))
        cases.append((f"64 units, {family} W_r of gain 2", p, rnn_forward(p, x), 100))
    return cases


def _no_slope(params: RNNParams, trace: RNNTrace, skip: int) -> float:
    """The estimate with ``A[n] = W_r`` (the slope of tanh left out)."""
    flat = RNNTrace(s=np.zeros_like(trace.s), r=np.zeros_like(trace.r), x=trace.x, s0=trace.s0)
    return float(lyapunov_exponents(params, flat, skip=skip)[0])


def _as_float(got, label: str) -> float:
    a = as_array(f"check_lyapunov ({label})", "your result", got)
    if a.size != 1:
        raise AssertionError(
            f"check_lyapunov ({label}): your function returned shape {a.shape}; return one number, "
            "the largest exponent."
        )
    return float(a.reshape(-1)[0])


def check_lyapunov(student_fn) -> str:
    """Check a student's largest Lyapunov exponent of the standard RNN (renormalised product).

    Parameters
    ----------
    student_fn : callable
        ``student_fn(params, trace, skip) -> float`` with ``params`` an :class:`lrnn.RNNParams`
        (standard RNN, ``W_s = None``), ``trace = rnn_forward(params, x)`` for one sequence
        ``(N, d_s)``, and ``skip`` the number of initial steps to leave out. Returns the largest
        exponent in nats per step.

    Returns
    -------
    str
        A success message.

    Raises
    ------
    AssertionError
        With a diagnosis when the result differs from
        :func:`lrnn.rnn_gradients.lyapunov_exponents` by ``0.01`` or more on a case.

    Examples
    --------
    >>> from lrnn.rnn_gradients import lyapunov_exponents
    >>> check_lyapunov(lambda p, tr, skip: lyapunov_exponents(p, tr, skip=skip)[0])
    'check_lyapunov: passed, 3 networks (linear, chaotic Gaussian, settling symmetric) within 0.01 per step.'
    """
    for label, params, trace, skip in _cases():
        ref = float(lyapunov_exponents(params, trace, skip=skip)[0])
        got = _as_float(call(f"check_lyapunov ({label})", student_fn, params, trace, skip), label)
        if abs(got - ref) < _TOL:
            continue
        if not np.isfinite(got):
            raise AssertionError(
                f"check_lyapunov ({label}): got {got}; the product of {trace.s.shape[0] - 1 - skip} Jacobians "
                "over- or underflows. Renormalise q after every step and add up log ||A[n] q|| instead."
            )
        steps = trace.s.shape[0] - 1 - skip
        known = {
            "the slope of tanh is missing: the one-step map is A[n] = W_r diag(G'(s[n])), "
            "G'(s) = 1 - tanh(s)^2, not W_r alone": _no_slope(params, trace, skip),
            "use the natural logarithm (np.log), not log10": ref / np.log(10.0),
            f"divide the sum of the logs by the number of steps ({steps}), the exponent is a rate per step": ref
            * steps,
            "the sign is flipped: the exponent is the mean of log ||A[n] q||, positive when q grows": -ref,
        }
        for why, value in known.items():
            if abs(got - value) < max(_TOL, 0.02 * abs(value)) and abs(value - ref) >= _TOL:
                raise AssertionError(f"check_lyapunov ({label}): {why} (you got {got:.4g}, expected {ref:.4f}).")
        raise AssertionError(
            f"check_lyapunov ({label}): you got {got:.4f}, expected {ref:.4f} (within {_TOL}). Check the one-step "
            f"map A[n] = W_r diag(G'(s[n])) and that you average over the steps n = skip, ..., N-2 only."
        )
    return "check_lyapunov: passed, 3 networks (linear, chaotic Gaussian, settling symmetric) within 0.01 per step."
