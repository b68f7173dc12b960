"""Augmented LSTM backward pass (BPTT), Sherstinsky (2020) Sec. VII-E, Eqs. 216-250.

Symbols (paper -> code -> shape of one step); all are *total* derivatives of E::

    chi[n]       chi       (d_v,)   dE/dv[n]                                   (Eq. 217)
    beta[n]      beta      (d_s,)   dE/dq[n] = W_q_dr^T chi[n], the new one     (Eqs. 216, 218)
    rho[n]       rho       (d_s,)   dE/dr[n]                                   (Eq. 219)
    gamma_*[n]   gamma_*   (d_s,)   dE/dg_*[n] for the gates cr and cx         (Eqs. 220, 226)
    alpha_*[n]   alpha_*   (d_s,)   dE/da_*[n] for * in cu, cs, cr, cx, du      (Eqs. 221-227)
    psi[n]       psi       (d_s,)   dE/ds[n]                                   (Eq. 222)
    f_chi[n+1]   f_chi     (d_v,)   what step n+1 sends back to v[n]           (Eq. 228)
    f_psi[n+1]   f_psi     (d_s,)   what step n+1 sends back to s[n]           (Eq. 229)
    G_c', G_d'   dG_c_*, dG_d_*     from the stored signals, as in :mod:`lrnn.lstm_bptt`

:func:`augmented_bptt_signals` is the Vanilla LSTM's recursion
(:func:`lrnn.lstm_bptt.lstm_bptt_signals`) with ``beta`` in place of ``chi`` where the
readout is concerned, ``alpha_cx`` for the control input gate, and a fifth node in the
sums that go back to the previous step. :func:`augmented_backward` adds the parameter
gradients, Eqs. 230-249; the windows turn each input gradient into one outer product
per tap, ``alpha_*[n] x^T[n+l]`` (zero past the segment end, P10).
:func:`augmented_border_gradients` gives what crosses the cell's border (added to
``augmented_backward``'s results by ``return_inputs=True``): the window's taps
carry ``x[m]`` into the nodes of steps ``m, m-1, ..., m-L+1``, so its gradient gathers them all::

    dE/dx[m]  = sum over * and l of W_x_*[l]^T alpha'_*[m-l]   (m - l >= 0; alpha'_du = g_cx * alpha_du, Eq. 209)
    dE/ds[-1] = f_psi[0],   dE/dv[-1] = f_chi[0]                (Eqs. 229, 228 at n = -1)

Deviations from the printed paper, each kept behind a flag so that the book can show
it failing the gradient check:

- erratum P3: Eq. 222 prints ``W_s_cr alpha_cr[n]``; the gradient needs ``W_s_cr^T alpha_cr[n]``;
- erratum P7: Eq. 246 prints ``dE/dW_x_du[l] = alpha_du[n] x^T[n+l]``; since
  ``a_du = g_cx * xi_x_du + ...`` (Eq. 209) the gradient is ``(alpha_du[n] * g_cx[n]) x^T[n+l]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_flag
from .augmented import AugmentedLSTMParams, AugmentedTrace
from .cell import check_last_gradient, check_signals, check_trace

__all__ = [
    "AugmentedBPTTSignals",
    "augmented_bptt_signals",
    "augmented_backward",
    "augmented_border_gradients",
]


@dataclass(frozen=True)
class AugmentedBPTTSignals:
    """The error-gradient sequences of one Augmented backward pass (Eqs. 217-229).

    Attributes
    ----------
    chi : numpy.ndarray, shaped like ``trace.v``
        ``chi[n] = dE/dv[n]`` (Eq. 217).
    beta, psi : numpy.ndarray, shaped like ``trace.s``
        ``beta[n] = dE/dq[n]`` (Eq. 218) and ``psi[n] = dE/ds[n]`` (Eq. 222).
    alpha_cu, alpha_cs, alpha_cr, alpha_cx, alpha_du : numpy.ndarray, shaped like ``trace.s``
        Accumulation derivatives (Eqs. 221, 223-225, 227), clipped if asked (footnote 25).
    """

    chi: np.ndarray
    beta: np.ndarray
    psi: np.ndarray
    alpha_cu: np.ndarray
    alpha_cs: np.ndarray
    alpha_cr: np.ndarray
    alpha_cx: np.ndarray
    alpha_du: np.ndarray


def augmented_bptt_signals(
    params: AugmentedLSTMParams,
    trace: AugmentedTrace,
    dE_dv,
    *,
    clip: bool = False,
    erratum_p3: bool = False,
    dE_dlast=None,
) -> AugmentedBPTTSignals:
    """The backward recursion of the Augmented LSTM, Eqs. 217-229, from the last step to the first.

    Parameters
    ----------
    params : AugmentedLSTMParams
        The parameters ``trace`` was computed with.
    trace : AugmentedTrace
        Output of :func:`lrnn.augmented.augmented_forward`.
    dE_dv : array_like, same shape as ``trace.v``
        Direct derivative of E w.r.t. each ``v[n]`` (``d_v`` entries), the first term of Eq. 217.
    clip : bool, default False
        Clip every accumulation derivative to [-1, 1] as soon as it is computed (footnote 25).
        A training heuristic; keep it off for gradient checks.
    erratum_p3 : bool, default False
        Use ``W_s_cr alpha_cr[n]`` as printed in Eq. 222 (wrong on purpose, erratum P3).
    dE_dlast : tuple of two array_like, optional
        ``(dE/ds[N-1], dE/dv[N-1])``, shaped like ``trace.last_state``: what a loss on the last
        state, or a later segment starting from it, sends back. The recursion starts from
        ``f_psi[N] = dE/ds[N-1]`` and ``f_chi[N] = dE/dv[N-1]`` instead of zero (P5).

    Returns
    -------
    AugmentedBPTTSignals

    Raises
    ------
    TypeError
        If ``params`` or ``trace`` has the wrong type.
    ValueError
        If ``dE_dv`` has the wrong shape or holds NaN/inf, or ``trace`` does not fit ``params``.

    References
    ----------
    Sherstinsky (2020), Sec. VII-E, Eqs. 216-229.

    Examples
    --------
    The projection carries ``chi`` (``d_v`` entries) to ``beta`` (``d_s`` entries):

    >>> from lrnn.augmented import augmented_forward
    >>> p = AugmentedLSTMParams.init(np.random.default_rng(0), d_x=2, d_s=3, d_v=2, L=3)
    >>> tr = augmented_forward(p, np.ones((4, 2)))
    >>> sig = augmented_bptt_signals(p, tr, np.ones((4, 2)))
    >>> sig.chi.shape, sig.beta.shape, bool(np.allclose(sig.beta, sig.chi @ p.W_q_dr))
    ((4, 2), (4, 3), True)
    """
    p, dE_dv = params, check_trace(params, trace, dE_dv, cell=AugmentedLSTMParams, trace_type=AugmentedTrace,
                                   forward="augmented_forward", name="dE_dv")  # fmt: skip
    x, u, r, g_cu, g_cs, g_cr, g_cx, xi_du = (trace.x, trace.u, trace.r, trace.g_cu, trace.g_cs, trace.g_cr,
                                              trace.g_cx, trace.xi_x_du)  # fmt: skip
    s = np.concatenate([trace.s, trace.s0[None]])  # s[-1] sits at index N, where numpy looks for s[-1]
    W_s_cu, W_s_cs, W_s_cx, W_q_dr = p.W_s_cu, p.W_s_cs, p.W_s_cx, p.W_q_dr
    # Eq. 222 prints W_s_cr alpha_cr; the gradient needs W_s_cr^T alpha_cr, alpha_cr @ W_s_cr in rows (P3)
    W_s_cr = p.W_s_cr.T if erratum_p3 else p.W_s_cr
    bound = (lambda alpha: np.clip(alpha, -1.0, 1.0)) if clip else (lambda alpha: alpha)  # footnote 25, if asked
    chi = np.empty_like(trace.v)
    beta, psi, alpha_cu, alpha_cs, alpha_cr, alpha_cx, alpha_du = (np.empty_like(r) for _ in range(7))
    to_value = ((alpha_cu, p.W_v_cu), (alpha_cs, p.W_v_cs), (alpha_cr, p.W_v_cr), (alpha_cx, p.W_v_cx),
                (alpha_du, p.W_v_du))  # fmt: skip
    f_psi, f_chi = check_last_gradient(trace, dE_dlast)  # f_psi[N], f_chi[N]: zero unless given (P5)
    for n in reversed(range(len(x))):
        dG_c_cu, dG_c_cs, dG_c_cr, dG_c_cx = (g[n] * (1.0 - g[n]) for g in (g_cu, g_cs, g_cr, g_cx))  # Eq. 137
        dG_d_du, dG_d_s = 1.0 - u[n] ** 2, 1.0 - r[n] ** 2  # Eq. 138 at a_du[n] and s[n]
        chi[n] = dE_dv[n] + f_chi  # Eq. 217, with f_chi[n+1] from step n+1
        beta[n] = chi[n] @ W_q_dr  # Eq. 218
        rho = beta[n] * g_cr[n]  # Eq. 219
        gamma_cr = beta[n] * r[n]  # Eq. 220
        alpha_cr[n] = bound(gamma_cr * dG_c_cr)  # Eq. 221
        psi[n] = rho * dG_d_s + alpha_cr[n] @ W_s_cr + f_psi  # Eq. 222, with f_psi[n+1] from step n+1
        alpha_cs[n] = bound(psi[n] * s[n - 1] * dG_c_cs)  # Eq. 223
        alpha_cu[n] = bound(psi[n] * u[n] * dG_c_cu)  # Eq. 224
        alpha_du[n] = bound(psi[n] * g_cu[n] * dG_d_du)  # Eq. 225
        gamma_cx = alpha_du[n] * xi_du[n]  # Eq. 226
        alpha_cx[n] = bound(gamma_cx * dG_c_cx)  # Eq. 227
        f_chi = sum(alpha[n] @ W_v for alpha, W_v in to_value)  # Eq. 228, W_v_*^T alpha_*[n] of the five nodes
        f_psi = alpha_cu[n] @ W_s_cu + alpha_cs[n] @ W_s_cs + alpha_cx[n] @ W_s_cx + g_cs[n] * psi[n]  # Eq. 229
    return AugmentedBPTTSignals(chi=chi, beta=beta, psi=psi, alpha_cu=alpha_cu, alpha_cs=alpha_cs,
                                alpha_cr=alpha_cr, alpha_cx=alpha_cx, alpha_du=alpha_du)  # fmt: skip


def augmented_backward(
    params: AugmentedLSTMParams,
    trace: AugmentedTrace,
    dE_dv,
    *,
    clip: bool = False,
    erratum_p3: bool = False,
    erratum_p7: bool = False,
    return_inputs: bool = False,
    dE_dlast=None,
):
    """Gradients of E w.r.t. all parameters of the Augmented LSTM and the state (Eqs. 216-250).

    Parameters
    ----------
    params : AugmentedLSTMParams
        The parameters ``trace`` was computed with.
    trace : AugmentedTrace
        Output of :func:`lrnn.augmented.augmented_forward`.
    dE_dv : array_like, same shape as ``trace.v``
        Direct derivative of E w.r.t. each ``v[n]`` (``d_v`` entries), the first term of Eq. 217.
    clip : bool, default False
        Clip every accumulation derivative to [-1, 1] as soon as it is computed (footnote 25).
        A training heuristic; keep it off for gradient checks.
    erratum_p3 : bool, default False
        Use ``W_s_cr alpha_cr[n]`` as printed in Eq. 222 (wrong on purpose, erratum P3).
    erratum_p7 : bool, default False
        Use ``dE/dW_x_du[l] = alpha_du[n] x^T[n+l]`` as printed in Eq. 246, without the factor
        ``g_cx[n]`` (wrong on purpose, erratum P7). Only ``W_x_du`` changes.
    return_inputs : bool, default False
        Also return ``dE_dx`` and ``dE_dstate``, the border gradients of :func:`augmented_border_gradients`.
    dE_dlast : tuple of two array_like, optional
        ``(dE/ds[N-1], dE/dv[N-1])``, the gradient arriving on ``trace.last_state``; the
        recursion's starting values ``f_psi[N], f_chi[N]`` (zero by default, P5).

    Returns
    -------
    grads : AugmentedLSTMParams
        ``dE/dTheta`` summed over time (Eq. 250, then Eq. 172) and over the batch.
    psi : numpy.ndarray, same shape as ``trace.s``
        ``psi[n] = dE/ds[n]``, the total derivative.
    dE_dx, dE_dstate
        Only with ``return_inputs=True``: ``dE/dx[m]`` and ``(dE/ds[-1], dE/dv[-1])``.

    Raises
    ------
    TypeError
        If ``params`` or ``trace`` has the wrong type.
    ValueError
        If ``dE_dv`` has the wrong shape or holds NaN/inf, or ``trace`` does not fit ``params``.

    References
    ----------
    Sherstinsky (2020), Sec. VII-E, Eqs. 216-250; errata P3 and P7.

    Examples
    --------
    >>> from lrnn.augmented import augmented_forward
    >>> p = AugmentedLSTMParams.init(np.random.default_rng(0), d_x=2, d_s=3, d_v=2, L=3)
    >>> tr = augmented_forward(p, np.ones((4, 2)))
    >>> grads, psi = augmented_backward(p, tr, np.ones((4, 2)))
    >>> grads.W_x_du.shape, grads.W_q_dr.shape, psi.shape
    ((3, 3, 2), (2, 3), (4, 3))
    """
    sig = augmented_bptt_signals(params, trace, dE_dv, clip=clip, erratum_p3=erratum_p3, dE_dlast=dE_dlast)  # 217-229
    x, L = trace.x, params.L
    steps = np.arange(len(x))
    s = np.concatenate([trace.s, trace.s0[None]])  # index N = -1 holds s[-1], so s[steps - 1] is s[n-1] for all n
    v = np.concatenate([trace.v, trace.v0[None]])
    # one row per step n (and sequence): alpha.T @ s = sum_n alpha[n] s^T[n], the sum of Eq. 172 and over the batch
    s_now, s_prev, v_prev = _rows(trace.s), _rows(s[steps - 1]), _rows(v[steps - 1])
    chi, q = _rows(sig.chi), _rows(trace.q)
    alpha_cu, alpha_cs, alpha_cr, alpha_cx, alpha_du = (sig.alpha_cu, sig.alpha_cs, sig.alpha_cr, sig.alpha_cx,
                                                        sig.alpha_du)  # fmt: skip
    # Eq. 246 prints alpha_du[n] x^T[n+l]; a_du = g_cx * xi_x_du + ... needs the factor g_cx[n] (erratum P7)
    alpha_du_x = alpha_du if erratum_p7 else alpha_du * trace.g_cx
    grads = AugmentedLSTMParams.unchecked(  # a gradient, not user input: no validation
        W_x_cu=_taps(alpha_cu, x, L),  # Eq. 230: alpha_cu[n] x^T[n+l] for each tap l
        W_s_cu=_rows(alpha_cu).T @ s_prev,  # Eq. 231
        W_v_cu=_rows(alpha_cu).T @ v_prev,  # Eq. 232
        b_cu=_rows(alpha_cu).sum(axis=0),  # Eq. 233
        W_x_cs=_taps(alpha_cs, x, L),  # Eq. 234
        W_s_cs=_rows(alpha_cs).T @ s_prev,  # Eq. 235
        W_v_cs=_rows(alpha_cs).T @ v_prev,  # Eq. 236
        b_cs=_rows(alpha_cs).sum(axis=0),  # Eq. 237
        W_x_cr=_taps(alpha_cr, x, L),  # Eq. 238
        W_s_cr=_rows(alpha_cr).T @ s_now,  # Eq. 239: the current state s[n]
        W_v_cr=_rows(alpha_cr).T @ v_prev,  # Eq. 240
        b_cr=_rows(alpha_cr).sum(axis=0),  # Eq. 241
        W_x_cx=_taps(alpha_cx, x, L),  # Eq. 242
        W_s_cx=_rows(alpha_cx).T @ s_prev,  # Eq. 243
        W_v_cx=_rows(alpha_cx).T @ v_prev,  # Eq. 244
        b_cx=_rows(alpha_cx).sum(axis=0),  # Eq. 245
        W_x_du=_taps(alpha_du_x, x, L),  # Eq. 246, with the factor g_cx (erratum P7)
        W_v_du=_rows(alpha_du).T @ v_prev,  # Eq. 247
        b_du=_rows(alpha_du).sum(axis=0),  # Eq. 248
        W_q_dr=chi.T @ q,  # Eq. 249
    )
    if as_flag("return_inputs", return_inputs):  # what crosses the cell's border, for composing cells
        return grads, sig.psi, *augmented_border_gradients(params, trace, sig)
    return grads, sig.psi


def augmented_border_gradients(params: AugmentedLSTMParams, trace: AugmentedTrace, signals: AugmentedBPTTSignals):
    """What crosses the cell's border: ``dE/dx[m]`` for a layer below, ``dE/d(s[-1], v[-1])`` for a segment before.

    Tap ``l`` of a window carries ``x[m]`` into the nodes of step ``n = m - l`` (Eq. 188), and the
    data-update node sees its window through the control input gate, ``a_du = g_cx * xi_x_du + ...``
    (Eq. 209); so, with ``alpha'_du = g_cx * alpha_du`` and the other ``alpha'_* = alpha_*``::

        dE/dx[m]  = sum over * in cu, cs, cr, cx, du and l = 0 .. L-1 with m - l >= 0 of W_x_*[l]^T alpha'_*[m-l]
        dE/ds[-1] = f_psi[0] = W_s_cu^T alpha_cu[0] + W_s_cs^T alpha_cs[0] + W_s_cx^T alpha_cx[0]
                    + g_cs[0] * psi[0]                                                  (Eq. 229 at n = -1)
        dE/dv[-1] = f_chi[0] = sum over the five nodes of W_v_*^T alpha_*[0]           (Eq. 228 at n = -1)

    ``x[m]`` reaches steps up to ``L - 1`` *before* it: the non-causal window sends the gradient back
    in time from later steps' losses and forward from earlier ones.

    Parameters
    ----------
    params : AugmentedLSTMParams
    trace : AugmentedTrace
        Output of :func:`lrnn.augmented.augmented_forward` with ``params``.
    signals : AugmentedBPTTSignals
        Output of :func:`augmented_bptt_signals` on ``trace``.

    Returns
    -------
    dE_dx : numpy.ndarray, shape of ``trace.x``
    dE_dstate : tuple of two numpy.ndarray, shaped like ``trace.s0`` and ``trace.v0``
        ``(dE/ds[-1], dE/dv[-1])``, the structure of ``AugmentedLSTMParams.forward``'s ``state``.

    Raises
    ------
    TypeError, ValueError
        Wrong types, or signals of another shape than ``trace.s``.

    Examples
    --------
    >>> from lrnn.augmented import augmented_forward
    >>> p = AugmentedLSTMParams.init(np.random.default_rng(0), d_x=2, d_s=3, d_v=2, L=3)
    >>> tr = augmented_forward(p, np.ones((4, 2)))
    >>> dE_dx, (dE_ds0, dE_dv0) = augmented_border_gradients(p, tr, augmented_bptt_signals(p, tr, np.ones((4, 2))))
    >>> dE_dx.shape, dE_ds0.shape, dE_dv0.shape
    ((4, 2), (3,), (2,))
    """
    p, sig = params, _signals(params, trace, signals)
    alpha = dict(cu=sig.alpha_cu, cs=sig.alpha_cs, cr=sig.alpha_cr, cx=sig.alpha_cx,
                 du=sig.alpha_du * trace.g_cx)  # fmt: skip  # Eq. 209: the du window enters through g_cx
    N = len(sig.psi)
    dE_dx = np.zeros(np.shape(trace.x))
    for node, a in alpha.items():
        W = getattr(p, f"W_x_{node}")  # (L, d_s, d_x)
        for l in range(min(p.L, N)):
            dE_dx[l:] += a[: N - l] @ W[l]  # W_x_*[l]^T alpha'_*[n] reaches x[n+l] (Eq. 188), n + l < N
    a0 = {node: a[0] for node, a in alpha.items()}
    a0["du"] = sig.alpha_du[0]  # the recurrent and bias terms of a_du are not gated (Eq. 209)
    dE_ds0 = a0["cu"] @ p.W_s_cu + a0["cs"] @ p.W_s_cs + a0["cx"] @ p.W_s_cx + trace.g_cs[0] * sig.psi[0]  # Eq. 229
    dE_dv0 = sum(a0[node] @ getattr(p, f"W_v_{node}") for node in alpha)  # Eq. 228 at n = -1: f_chi[0]
    return dE_dx, (dE_ds0, dE_dv0)


def _taps(alpha: np.ndarray, x: np.ndarray, L: int) -> np.ndarray:
    """``sum_n alpha[n] x^T[n+l]`` for each tap ``l = 0 .. L-1``, shape ``(L, d_s, d_x)``.

    Tap ``l`` met ``x[n+l]``, and only where ``n + l < N``: past the segment end the input was zero (P10).
    """
    N = len(x)
    out = np.zeros((L, alpha.shape[-1], x.shape[-1]))
    for l in range(min(L, N)):
        out[l] = _rows(alpha[: N - l]).T @ _rows(x[l:])  # alpha[n] x^T[n+l] over n < N - l
    return out


def _rows(a: np.ndarray) -> np.ndarray:
    """``(N, d)`` or ``(N, B, d)`` as ``(N B, d)``: one row per step and sequence."""
    return a.reshape(-1, a.shape[-1])


def _signals(params, trace, signals) -> AugmentedBPTTSignals:
    """``signals`` if they are the recursion's on ``trace`` (:func:`lrnn.cell.check_signals`)."""
    return check_signals(
        params,
        trace,
        signals,
        cell=AugmentedLSTMParams,
        trace_type=AugmentedTrace,
        forward="augmented_forward",
        signals_type=AugmentedBPTTSignals,
    )
