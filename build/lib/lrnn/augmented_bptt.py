"""Augmented LSTM backward pass (BPTT), Sherstinsky (2020) Sec. VII-E, Eqs. 216-250.

Symbols (paper -> code -> shape of one step); all are *total* derivatives of E::

    chi[n]       chi      (d_v,)   dE/dv[n]                                   (Eq. 217)
    beta[n]      beta     (d_s,)   dE/dq[n] = W_q_dr^T chi[n], the new one     (Eqs. 216, 218)
    alpha_*[n]   alpha_*  (d_s,)   dE/da_*[n] for * in cu, cs, cr, cx, du      (Eqs. 221-227)
    psi[n]       psi      (d_s,)   dE/ds[n]                                    (Eq. 222)
    gamma_cx[n]  -        (d_s,)   dE/dg_cx[n] = alpha_du xi_x_du              (Eq. 226)

Everything from ``chi`` to ``psi`` and the alphas of cu, cs, du is the Vanilla LSTM's
recursion (``lrnn.lstm_bptt._recursion``, whose Augmented lines carry bracketed
equation numbers) with ``beta`` in place of ``chi``; the projection adds ``beta``, the
control input gate adds ``alpha_cx``, and the windows turn each input gradient into
one outer product per tap, ``alpha_*[n] x^T[n+l]`` (zero past the segment end, P10).

Deviations from the printed paper, each kept behind a flag so that the book can show
it failing the gradient check:

- erratum P3: Eq. 222 prints ``W_s_cr alpha_cr[n]``; the gradient needs ``W_s_cr^T alpha_cr[n]``;
- erratum P7: Eq. 246 prints ``dE/dW_x_du[l] = alpha_du[n] x^T[n+l]``; since
  ``a_du = g_cx * xi_x_du + ...`` (Eq. 209) the gradient is ``(alpha_du[n] * g_cx[n]) x^T[n+l]``.
"""

from __future__ import annotations

from .augmented import _NODES, AugmentedLSTMParams, AugmentedTrace, _stacked, _unstacked
from .lstm_bptt import _as_dE, _gradient_sums, _recursion, _signals

__all__ = ["augmented_backward"]

_SIGNALS = ("s", "r", "u", "q", "v", "g_cu", "g_cs", "g_cr", "g_cx", "xi_x_du")


def augmented_backward(
    params: AugmentedLSTMParams,
    trace: AugmentedTrace,
    dE_dv,
    *,
    clip: bool = False,
    erratum_p3: bool = False,
    erratum_p7: bool = False,
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

    Returns
    -------
    grads : AugmentedLSTMParams
        ``dE/dTheta`` summed over time (Eq. 250, then Eq. 172) and over the batch.
    psi : numpy.ndarray, same shape as ``trace.s``
        ``psi[n] = dE/ds[n]``, the total derivative.

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
    >>> import numpy as np
    >>> from lrnn.augmented import augmented_forward
    >>> p = AugmentedLSTMParams.random(np.random.default_rng(0), d_x=2, d_s=3, d_v=2, L=3)
    >>> tr = augmented_forward(p, np.ones((4, 2)))
    >>> grads, psi = augmented_backward(p, tr, np.ones((4, 2)))
    >>> grads.W_x_du.shape, grads.W_q_dr.shape, psi.shape
    ((3, 3, 2), (2, 3), (4, 3))
    """
    X, S0, V0, sig, batched = _read(params, trace)
    dE = _as_dE(dE_dv, trace.v, batched)
    _, W_s, W_v, _ = _stacked(params)
    alpha, psi, chi = _recursion(
        sig, S0, dE, W_s, W_v, params.W_s_cr, W_q=params.W_q_dr, xi_du=sig["xi_x_du"], clip=clip, erratum_p3=erratum_p3
    )  # Eqs. 217-229
    d = params.d_s
    du = slice(_NODES.index("du") * d, (_NODES.index("du") + 1) * d)
    alpha_x = alpha.copy()  # what multiplies x[n+l] in each node's input gradient
    if not erratum_p7:
        # Eq. 246 prints alpha_du[n] x^T[n+l]; a_du = g_cx * xi_x_du + ... needs the factor g_cx (erratum P7)
        alpha_x[..., du] *= sig["g_cx"]
    dW_x, dW_s, dW_s_cr, dW_v, db = _gradient_sums(alpha, alpha_x, X, params.L, 3, sig, S0, V0)  # Eqs. 230-248
    N, B, _ = chi.shape
    dW_q = chi.reshape(N * B, -1).T @ sig["q"].reshape(N * B, d)  # Eq. 249: chi[n] q^T[n]
    return _unstacked(dW_x, dW_s, dW_s_cr, dW_v, db, dW_q), (psi if batched else psi[:, 0])


def _read(params, trace):
    """Check types and sizes; return the trace's signals as ``(N, B, .)`` arrays."""
    if not isinstance(params, AugmentedLSTMParams):
        raise TypeError(f"params has type {type(params).__name__}, expected AugmentedLSTMParams.")
    if not isinstance(trace, AugmentedTrace):
        raise TypeError(
            f"trace has type {type(trace).__name__}, expected AugmentedTrace; "
            "pass the result of augmented_forward(params, x)."
        )
    sizes = (trace.s.shape[-1], trace.x.shape[-1], trace.v.shape[-1])
    if sizes != (params.d_s, params.d_x, params.d_v):
        raise ValueError(
            "trace has d_s = {}, d_x = {}, d_v = {} but params has d_s = {}, d_x = {}, d_v = {}; ".format(
                *sizes, params.d_s, params.d_x, params.d_v
            )
            + "run augmented_forward with these params first."
        )
    return _signals(trace, _SIGNALS)
