"""Vanilla LSTM backward pass (BPTT), Sherstinsky (2020) Sec. VI-I, Eqs. 137-172.

Symbols (paper -> code -> shape of one step); all are *total* derivatives of E::

    chi[n]       chi        (d_s,)   dE/dv[n]                             (Eqs. 139, 144)
    rho[n]       rho        (d_s,)   dE/dr[n]                             (Eqs. 140, 145)
    gamma_cr[n]  gamma_cr   (d_s,)   dE/dg_cr[n]                          (Eqs. 141, 146)
    alpha_*[n]   alpha_*    (d_s,)   dE/da_*[n], accumulation derivatives  (Eq. 142)
    psi[n]       psi        (d_s,)   dE/ds[n], "the most important error gradient" (Eq. 143)
    f_chi[n+1]   f_chi      (d_s,)   what step n+1 sends back to v[n]     (Eq. 154)
    f_psi[n+1]   f_psi      (d_s,)   what step n+1 sends back to s[n]     (Eq. 155)
    G_c'(a_*)    dG_c_*     (d_s,)   g_* (1 - g_*), from the stored gates  (Eq. 137)
    G_d'(a_du)   dG_d_du    (d_s,)   1 - u^2                              (Eq. 138)
    G_d'(s)      dG_d_s     (d_s,)   1 - r^2                              (Eq. 138)

:func:`lstm_bptt_signals` runs the backward recursion, Eqs. 144-155, one line per
equation; :func:`lstm_backward` turns its accumulation derivatives into the 15
parameter gradients, Eqs. 156-170, summed over the steps (Eq. 172) and the batch.
:func:`lstm_border_gradients` gives what crosses the cell's border, so that cells
stack (the paper's modularity requirement, Sec. I); ``lstm_backward(..., return_inputs=True)``
adds it to its results::

    dE/dx[n]  = sum over * in cu, cs, cr, du of W_x_*^T alpha_*[n]       (from Eqs. 126-129)
    dE/ds[-1] = f_psi[0],   dE/dv[-1] = f_chi[0]                        (Eqs. 155, 154 at n = -1)

In a stack, the layer above reads ``v[n]`` as its input, so its ``dE/dx[n]`` is exactly the
first term of this layer's Eq. 144, the ``(dy/dv)^T dE/dy`` the paper leaves to "the output":
``chi[n]`` of the layer below is its own ``f_chi[n+1]`` plus the ``dE/dx[n]`` of the layer above.

The code keeps one row per sequence, as :mod:`lrnn.lstm` does: the column-vector
product ``W^T alpha`` of the paper reads ``alpha @ W``, and the outer product
``alpha[n] x^T[n]`` summed over all steps and sequences is ``alpha.T @ x`` once the
steps and sequences are laid out as rows.

Deviation from the printed paper (erratum P3): Eqs. 149-150 print ``W_s_cr alpha_cr[n]``;
the gradient needs ``W_s_cr^T alpha_cr[n]``. The printed form is kept behind
``erratum_p3=True`` so that the book can show it failing the gradient check. The paper
states no terminal conditions for the LSTM; we use ``f_chi[N] = f_psi[N] = 0`` (P5, as
Eq. 85 for the RNN), unless a gradient arrives on the last state (``dE_dlast``: a loss on
``(s[N-1], v[N-1])``, or a later segment that starts from it), which then starts the recursion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_flag
from .cell import check_last_gradient, check_signals, check_trace
from .lstm import LSTMParams, LSTMTrace

__all__ = ["LSTMBPTTSignals", "lstm_bptt_signals", "lstm_backward", "lstm_border_gradients"]


@dataclass(frozen=True)
class LSTMBPTTSignals:
    """The error-gradient sequences of one backward pass (Eqs. 144-155), shaped like ``trace.s``.

    Attributes
    ----------
    chi : numpy.ndarray
        ``chi[n] = dE/dv[n]`` (Eq. 144).
    psi : numpy.ndarray
        ``psi[n] = dE/ds[n]`` (Eq. 150).
    alpha_cu, alpha_cs, alpha_cr, alpha_du : numpy.ndarray
        Accumulation derivatives ``dE/da_*[n]`` (Eqs. 147, 151-153), clipped if asked (footnote 25).
    """

    chi: np.ndarray
    psi: np.ndarray
    alpha_cu: np.ndarray
    alpha_cs: np.ndarray
    alpha_cr: np.ndarray
    alpha_du: np.ndarray


def lstm_bptt_signals(
    params: LSTMParams, trace: LSTMTrace, dE_dv, *, clip: bool = False, erratum_p3: bool = False, dE_dlast=None
) -> LSTMBPTTSignals:
    """The backward recursion of the Vanilla LSTM, Eqs. 144-155, from the last step to the first.

    Parameters
    ----------
    params : LSTMParams
        The parameters ``trace`` was computed with.
    trace : LSTMTrace
        Output of :func:`lrnn.lstm.lstm_forward`.
    dE_dv : array_like, same shape as ``trace.v``
        Direct derivative of E w.r.t. each ``v[n]``, the first term of Eq. 144
        (``(dy/dv)^T dE/dy`` for an output layer ``y = W_y v``).
    clip : bool, default False
        Clip every accumulation derivative to [-1, 1] as soon as it is computed (footnote 25);
        the clipped values then flow into ``psi``, ``f_chi``, ``f_psi`` and the gradients.
        A training heuristic: keep it off for gradient checks.
    erratum_p3 : bool, default False
        Use ``W_s_cr alpha_cr[n]`` as printed in Eqs. 149-150 instead of the correct
        ``W_s_cr^T alpha_cr[n]`` (wrong on purpose, to demonstrate erratum P3).
    dE_dlast : tuple of two array_like, optional
        ``(dE/ds[N-1], dE/dv[N-1])``, shaped like ``trace.last_state``: what a loss on the last
        state, or a later segment starting from it, sends back. The recursion starts from
        ``f_psi[N] = dE/ds[N-1]`` and ``f_chi[N] = dE/dv[N-1]`` instead of zero (P5).

    Returns
    -------
    LSTMBPTTSignals
        ``chi``, ``psi`` and the four ``alpha`` sequences, each shaped like ``trace.s``.

    Raises
    ------
    TypeError
        If ``params`` or ``trace`` has the wrong type.
    ValueError
        If ``dE_dv`` has the wrong shape or holds NaN/inf, or ``trace`` does not fit ``params``.

    References
    ----------
    Sherstinsky (2020), Sec. VI-I, Eqs. 137-155; footnote 25 (clipping).

    Examples
    --------
    With E = v[0] for one step, chi[0] = 1 and psi[0] = g_cr G_d'(s[0]) + W_s_cr^T alpha_cr[0]:

    >>> from lrnn.lstm import lstm_forward
    >>> p = LSTMParams.init(np.random.default_rng(0), d_x=2, d_s=3)
    >>> tr = lstm_forward(p, np.ones((1, 2)))
    >>> sig = lstm_bptt_signals(p, tr, np.ones((1, 3)))
    >>> want = tr.g_cr[0] * (1 - tr.r[0] ** 2) + p.W_s_cr.T @ sig.alpha_cr[0]
    >>> sig.chi[0], bool(np.allclose(sig.psi[0], want))
    (array([1., 1., 1.]), True)
    """
    p, dE_dv = params, check_trace(params, trace, dE_dv, cell=LSTMParams, trace_type=LSTMTrace,
                                   forward="lstm_forward", name="dE_dv")  # fmt: skip
    x, u, r, g_cu, g_cs, g_cr = trace.x, trace.u, trace.r, trace.g_cu, trace.g_cs, trace.g_cr
    s = np.concatenate([trace.s, trace.s0[None]])  # s[-1] sits at index N, where numpy looks for s[-1]
    W_s_cu, W_s_cs, W_v_cu, W_v_cs, W_v_cr, W_v_du = p.W_s_cu, p.W_s_cs, p.W_v_cu, p.W_v_cs, p.W_v_cr, p.W_v_du
    # Eqs. 149-150 print W_s_cr alpha_cr; the gradient needs W_s_cr^T alpha_cr, alpha_cr @ W_s_cr in rows (P3)
    W_s_cr = p.W_s_cr.T if erratum_p3 else p.W_s_cr
    bound = (lambda alpha: np.clip(alpha, -1.0, 1.0)) if clip else (lambda alpha: alpha)  # footnote 25, if asked
    chi, psi, alpha_cu, alpha_cs, alpha_cr, alpha_du = (np.empty_like(r) for _ in range(6))
    f_psi, f_chi = check_last_gradient(trace, dE_dlast)  # f_psi[N], f_chi[N]: zero unless given (P5)
    for n in reversed(range(len(x))):
        dG_c_cu, dG_c_cs, dG_c_cr = (g[n] * (1.0 - g[n]) for g in (g_cu, g_cs, g_cr))  # Eq. 137, from the gates
        dG_d_du, dG_d_s = 1.0 - u[n] ** 2, 1.0 - r[n] ** 2  # Eq. 138 at a_du[n] and s[n]
        chi[n] = dE_dv[n] + f_chi  # Eq. 144, with f_chi[n+1] from step n+1
        rho = chi[n] * g_cr[n]  # Eq. 145
        gamma_cr = chi[n] * r[n]  # Eq. 146
        alpha_cr[n] = bound(gamma_cr * dG_c_cr)  # Eq. 147
        psi[n] = rho * dG_d_s + alpha_cr[n] @ W_s_cr + f_psi  # Eqs. 148-150, with f_psi[n+1] from step n+1
        alpha_cs[n] = bound(psi[n] * s[n - 1] * dG_c_cs)  # Eq. 151
        alpha_cu[n] = bound(psi[n] * u[n] * dG_c_cu)  # Eq. 152
        alpha_du[n] = bound(psi[n] * g_cu[n] * dG_d_du)  # Eq. 153
        f_chi = alpha_cu[n] @ W_v_cu + alpha_cs[n] @ W_v_cs + alpha_cr[n] @ W_v_cr + alpha_du[n] @ W_v_du  # Eq. 154
        f_psi = alpha_cu[n] @ W_s_cu + alpha_cs[n] @ W_s_cs + g_cs[n] * psi[n]  # Eq. 155, the carousel last
    return LSTMBPTTSignals(chi=chi, psi=psi, alpha_cu=alpha_cu, alpha_cs=alpha_cs, alpha_cr=alpha_cr, alpha_du=alpha_du)


def lstm_backward(
    params: LSTMParams,
    trace: LSTMTrace,
    dE_dv,
    *,
    clip: bool = False,
    erratum_p3: bool = False,
    return_inputs: bool = False,
    dE_dlast=None,
):
    """Gradients of E w.r.t. all 15 parameter entities and the state (Eqs. 137-172).

    Parameters
    ----------
    params : LSTMParams
        The parameters ``trace`` was computed with.
    trace : LSTMTrace
        Output of :func:`lrnn.lstm.lstm_forward`.
    dE_dv : array_like, same shape as ``trace.v``
        Direct derivative of E w.r.t. each ``v[n]``, the first term of Eq. 144.
    clip : bool, default False
        Clip every accumulation derivative to [-1, 1] (footnote 25); see :func:`lstm_bptt_signals`.
    erratum_p3 : bool, default False
        Use the printed, wrong ``W_s_cr alpha_cr[n]`` of Eqs. 149-150 (erratum P3).
    return_inputs : bool, default False
        Also return ``dE_dx`` and ``dE_dstate``, the border gradients of :func:`lstm_border_gradients`.
    dE_dlast : tuple of two array_like, optional
        ``(dE/ds[N-1], dE/dv[N-1])``, the gradient arriving on ``trace.last_state``; the
        recursion's starting values ``f_psi[N], f_chi[N]`` (zero by default, P5).

    Returns
    -------
    grads : LSTMParams
        ``dE/dTheta`` summed over time (Eq. 172) and over the batch.
    psi : numpy.ndarray, same shape as ``trace.s``
        ``psi[n] = dE/ds[n]``, the total derivative (Eq. 143).
    dE_dx, dE_dstate
        Only with ``return_inputs=True``: ``dE/dx[n]`` and ``(dE/ds[-1], dE/dv[-1])``.

    Raises
    ------
    TypeError
        If ``params`` or ``trace`` has the wrong type.
    ValueError
        If ``dE_dv`` has the wrong shape or holds NaN/inf, or ``trace`` does not fit ``params``.

    References
    ----------
    Sherstinsky (2020), Sec. VI-I, Eqs. 137-172; footnote 25 (clipping).

    Examples
    --------
    >>> from lrnn.lstm import lstm_forward
    >>> p = LSTMParams.init(np.random.default_rng(0), d_x=2, d_s=3)
    >>> tr = lstm_forward(p, np.ones((4, 2)))
    >>> grads, psi = lstm_backward(p, tr, np.ones((4, 3)))
    >>> grads.W_x_cu.shape, grads.W_s_cr.shape, psi.shape
    ((3, 2), (3, 3), (4, 3))
    """
    sig = lstm_bptt_signals(params, trace, dE_dv, clip=clip, erratum_p3=erratum_p3, dE_dlast=dE_dlast)  # Eqs. 144-155
    s_prev = np.concatenate([trace.s0[None], trace.s[:-1]])  # s[n-1] for all n: s[-1], s[0], ..., s[N-2]
    v_prev = np.concatenate([trace.v0[None], trace.v[:-1]])  # v[n-1] for all n
    # one row per step n (and sequence): alpha.T @ x sums alpha[n] x^T[n] (Eq. 171) over n (Eq. 172) and the batch
    x, s_now, s_prev, v_prev = _rows(trace.x), _rows(trace.s), _rows(s_prev), _rows(v_prev)
    alpha_cu, alpha_cs, alpha_cr, alpha_du = map(_rows, (sig.alpha_cu, sig.alpha_cs, sig.alpha_cr, sig.alpha_du))
    grads = LSTMParams.unchecked(  # a gradient, not user input: no validation (an overflow is the trainer's to report)
        W_x_cu=alpha_cu.T @ x,  # Eq. 156
        W_s_cu=alpha_cu.T @ s_prev,  # Eq. 157
        W_v_cu=alpha_cu.T @ v_prev,  # Eq. 158
        b_cu=alpha_cu.sum(axis=0),  # Eq. 159
        W_x_cs=alpha_cs.T @ x,  # Eq. 160
        W_s_cs=alpha_cs.T @ s_prev,  # Eq. 161
        W_v_cs=alpha_cs.T @ v_prev,  # Eq. 162
        b_cs=alpha_cs.sum(axis=0),  # Eq. 163
        W_x_cr=alpha_cr.T @ x,  # Eq. 164
        W_s_cr=alpha_cr.T @ s_now,  # Eq. 165: the current state s[n]
        W_v_cr=alpha_cr.T @ v_prev,  # Eq. 166
        b_cr=alpha_cr.sum(axis=0),  # Eq. 167
        W_x_du=alpha_du.T @ x,  # Eq. 168
        W_v_du=alpha_du.T @ v_prev,  # Eq. 169
        b_du=alpha_du.sum(axis=0),  # Eq. 170
    )
    if as_flag("return_inputs", return_inputs):  # what crosses the cell's border, for composing cells
        return grads, sig.psi, *lstm_border_gradients(params, trace, sig)
    return grads, sig.psi


def lstm_border_gradients(params: LSTMParams, trace: LSTMTrace, signals: LSTMBPTTSignals):
    """What crosses the cell's border: ``dE/dx[n]`` for a layer below, ``dE/d(s[-1], v[-1])`` for a segment before.

    ``x[n]`` enters the four accumulation nodes (Eqs. 126-129) through ``W_x_* x[n]``, and the
    initial conditions enter step 0 as ``s[n-1]`` and ``v[n-1]`` enter step ``n``, so::

        dE/dx[n]  = W_x_cu^T alpha_cu[n] + W_x_cs^T alpha_cs[n] + W_x_cr^T alpha_cr[n] + W_x_du^T alpha_du[n]
        dE/ds[-1] = f_psi[0] = W_s_cu^T alpha_cu[0] + W_s_cs^T alpha_cs[0] + g_cs[0] * psi[0]   (Eq. 155)
        dE/dv[-1] = f_chi[0] = sum over the four nodes of W_v_*^T alpha_*[0]                   (Eq. 154)

    With ``clip=True`` in :func:`lstm_bptt_signals` the clipped ``alpha`` flow through here too.

    Parameters
    ----------
    params : LSTMParams
    trace : LSTMTrace
        Output of :func:`lrnn.lstm.lstm_forward` with ``params``.
    signals : LSTMBPTTSignals
        Output of :func:`lstm_bptt_signals` on ``trace``.

    Returns
    -------
    dE_dx : numpy.ndarray, shape of ``trace.x``
    dE_dstate : tuple of two numpy.ndarray, each shaped like ``trace.s0``
        ``(dE/ds[-1], dE/dv[-1])``, the structure of ``LSTMParams.forward``'s ``state``.

    Raises
    ------
    TypeError, ValueError
        Wrong types, or signals of another shape than ``trace.s``.

    Examples
    --------
    >>> from lrnn.lstm import lstm_forward
    >>> p = LSTMParams.init(np.random.default_rng(0), d_x=2, d_s=3)
    >>> tr = lstm_forward(p, np.ones((4, 2)))
    >>> dE_dx, (dE_ds0, dE_dv0) = lstm_border_gradients(p, tr, lstm_bptt_signals(p, tr, np.ones((4, 3))))
    >>> dE_dx.shape, dE_ds0.shape, dE_dv0.shape
    ((4, 2), (3,), (3,))
    """
    p, sig = params, _signals(params, trace, signals)
    a_cu, a_cs, a_cr, a_du = sig.alpha_cu, sig.alpha_cs, sig.alpha_cr, sig.alpha_du
    dE_dx = a_cu @ p.W_x_cu + a_cs @ p.W_x_cs + a_cr @ p.W_x_cr + a_du @ p.W_x_du  # sum of W_x_*^T alpha_*[n]
    dE_ds0 = a_cu[0] @ p.W_s_cu + a_cs[0] @ p.W_s_cs + trace.g_cs[0] * sig.psi[0]  # Eq. 155 at n = -1: f_psi[0]
    dE_dv0 = a_cu[0] @ p.W_v_cu + a_cs[0] @ p.W_v_cs + a_cr[0] @ p.W_v_cr + a_du[0] @ p.W_v_du  # Eq. 154: f_chi[0]
    return dE_dx, (dE_ds0, dE_dv0)


def _rows(a: np.ndarray) -> np.ndarray:
    """``(N, d)`` or ``(N, B, d)`` as ``(N B, d)``: one row per step and sequence."""
    return a.reshape(-1, a.shape[-1])


def _signals(params, trace, signals) -> LSTMBPTTSignals:
    """``signals`` if they are the recursion's on ``trace`` (:func:`lrnn.cell.check_signals`)."""
    return check_signals(
        params,
        trace,
        signals,
        cell=LSTMParams,
        trace_type=LSTMTrace,
        forward="lstm_forward",
        signals_type=LSTMBPTTSignals,
    )
