"""Vanilla LSTM backward pass (BPTT), Sherstinsky (2020) Sec. VI-I, Eqs. 137-172.

Symbols (paper -> code -> shape of one step); all are *total* derivatives of E:
    chi[n]      chi      (d_s,)   dE/dv[n]                      (Eq. 139, 144)
    rho[n]      -        (d_s,)   dE/dr[n] = chi g_cr            (Eq. 140, 145)
    alpha_*[n]  alpha_*  (d_s,)   dE/da_*[n], accumulation derivatives (Eq. 142)
    psi[n]      psi      (d_s,)   dE/ds[n], "the most important error gradient" (Eq. 143)
    f_chi[n+1]  f_chi    (d_s,)   what step n+1 sends back to v[n] (Eq. 154)
    f_psi[n+1]  f_psi    (d_s,)   what step n+1 sends back to s[n] (Eq. 155)
    G_c', G_d'  -                 from the stored signals: G_c'(a) = g (1 - g) (Eq. 137),
                                  G_d'(a_du) = 1 - u^2, G_d'(s) = 1 - r^2 (Eq. 138)

Deviation from the printed paper (erratum P3): Eqs. 149-150 print ``W_s_cr alpha_cr[n]``;
the gradient needs ``W_s_cr^T alpha_cr[n]``. The printed form is kept behind
``erratum_p3=True`` so that the book can show it failing the gradient check.
The terminal conditions are ``alpha[N] = psi[N] = 0`` (P5, as Eq. 85 for the RNN).

Row-vector form: a column-vector product ``W^T alpha`` is ``alpha @ W`` here, and the
outer products of Eqs. 156-170 summed over n (Eq. 172) and the batch are
``alpha.T @ x`` over all ``N * B`` rows at once.
"""

from __future__ import annotations

import numpy as np

from ._validation import _fmt, as_float_array
from .lstm import LSTMParams, LSTMTrace, _stacked, _unstacked

__all__ = ["lstm_backward"]


def lstm_backward(params: LSTMParams, trace: LSTMTrace, dE_dv, *, clip: bool = False, erratum_p3: bool = False):
    """Gradients of E w.r.t. all 15 parameter entities and the state (Eqs. 137-172).

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
        Clip every accumulation derivative ``alpha`` to [-1, 1] as soon as it is
        computed (footnote 25); the clipped values then flow into ``psi``, ``f_chi``,
        ``f_psi`` and the parameter gradients. A training heuristic: the result is
        no longer the exact gradient, so keep it off for gradient checks.
    erratum_p3 : bool, default False
        Use ``W_s_cr alpha_cr[n]`` as printed in Eqs. 149-150 instead of the correct
        ``W_s_cr^T alpha_cr[n]``, to demonstrate erratum P3. Wrong on purpose.

    Returns
    -------
    grads : LSTMParams
        ``dE/dTheta`` summed over time (Eq. 172) and over the batch.
    psi : numpy.ndarray, same shape as ``trace.s``
        ``psi[n] = dE/ds[n]``, the total derivative (Eq. 143).

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
    With E = v[0] for one step from rest, psi[0] = dE/ds[0] = g_cr G_d'(s[0]) + W_s_cr^T alpha_cr[0].

    >>> from lrnn.lstm import lstm_forward
    >>> p = LSTMParams.random(np.random.default_rng(0), d_x=2, d_s=3)
    >>> tr = lstm_forward(p, np.ones((1, 2)))
    >>> grads, psi = lstm_backward(p, tr, np.ones((1, 3)))
    >>> grads.W_x_cu.shape, psi.shape
    ((3, 2), (1, 3))
    """
    X, S0, V0, sig, batched = _read(params, trace)
    dE = as_float_array("dE_dv", dE_dv)
    if dE.shape != trace.v.shape:
        raise ValueError(
            f"dE_dv has shape {_fmt(dE.shape)}, expected the shape of trace.v, {_fmt(trace.v.shape)}; "
            "pass dE/dv[n] for every step n (zeros where E does not depend on v[n])."
        )
    dE = dE if batched else dE[:, None]
    alpha, psi = _bptt(params, sig, S0, dE, clip=clip, erratum_p3=erratum_p3)
    grads = _parameter_gradients(alpha, X, sig["s"], S0, V0, sig["v"])
    return grads, (psi if batched else psi[:, 0])


def _bptt(params, sig, S0, dE, *, clip=False, erratum_p3=False):
    """The backward recursion, Eqs. 144-155, on ``(N, B, .)`` arrays; returns ``alpha`` and ``psi``.

    ``alpha`` has shape ``(N, B, 4 d_s)``, blocks ``[cu | cs | du | cr]``.
    """
    s, r, u, g_cu, g_cs, g_cr = sig["s"], sig["r"], sig["u"], sig["g_cu"], sig["g_cs"], sig["g_cr"]
    N, B, d = s.shape
    _, W_s, W_v, _ = _stacked(params)
    W_s_cr = params.W_s_cr.T if erratum_p3 else params.W_s_cr  # row form: alpha @ W_s_cr == W_s_cr^T alpha
    alpha = np.zeros((N + 1, B, 4 * d))  # alpha[N] = 0, terminal condition (P5)
    psi = np.zeros((N + 1, B, d))  # psi[N] = 0 (P5)
    alpha_cu, alpha_cs, alpha_du, alpha_cr = (alpha[..., k * d : (k + 1) * d] for k in range(4))
    gates = slice(0, 2 * d)  # the cu and cs blocks, fed by s[n-1] through W_s_cu, W_s_cs
    for n in reversed(range(N)):
        s_prev = s[n - 1] if n else S0
        f_chi = alpha[n + 1] @ W_v  # Eq. 154 (the four W_v_*^T alpha_*[n+1] in one product)
        f_psi = alpha[n + 1, :, gates] @ W_s  # Eq. 155, W_s_cu^T alpha_cu[n+1] + W_s_cs^T alpha_cs[n+1] ...
        if n + 1 < N:
            f_psi += g_cs[n + 1] * psi[n + 1]  # ... + g_cs[n+1] psi[n+1] (Eq. 155)
        chi = dE[n] + f_chi  # Eq. 144
        rho = chi * g_cr[n]  # Eq. 145
        gamma_cr = chi * r[n]  # Eq. 146
        alpha_cr[n] = gamma_cr * g_cr[n] * (1.0 - g_cr[n])  # Eq. 147, G_c'(a_cr) = g_cr (1 - g_cr)
        if clip:
            np.clip(alpha_cr[n], -1.0, 1.0, out=alpha_cr[n])  # footnote 25
        # Eqs. 149-150 print W_s_cr; the gradient needs W_s_cr.T (erratum P3)
        psi[n] = rho * (1.0 - r[n] ** 2) + alpha_cr[n] @ W_s_cr + f_psi  # Eqs. 148-150
        alpha_cs[n] = psi[n] * s_prev * g_cs[n] * (1.0 - g_cs[n])  # Eq. 151
        alpha_cu[n] = psi[n] * u[n] * g_cu[n] * (1.0 - g_cu[n])  # Eq. 152
        alpha_du[n] = psi[n] * g_cu[n] * (1.0 - u[n] ** 2)  # Eq. 153
        if clip:
            np.clip(alpha[n, :, : 3 * d], -1.0, 1.0, out=alpha[n, :, : 3 * d])  # footnote 25
    return alpha[:N], psi[:N]


def _parameter_gradients(alpha, X, s, S0, V0, v) -> LSTMParams:
    """Eqs. 156-170 summed over n (Eq. 172) and the batch: one product per fused block."""
    N, B, d = s.shape
    al = alpha.reshape(N * B, 4 * d)  # row n * B + b holds alpha[n] of sequence b
    x_ = X.reshape(N * B, -1)
    s_prev = np.concatenate([S0[None], s[:-1]]).reshape(N * B, d)  # s[n-1]
    v_prev = np.concatenate([V0[None], v[:-1]]).reshape(N * B, d)  # v[n-1]
    dW_x = al.T @ x_  # alpha_*[n] x^T[n]
    dW_v = al.T @ v_prev  # alpha_*[n] v^T[n-1]
    dW_s = al[:, : 2 * d].T @ s_prev  # alpha_cu[n] s^T[n-1], alpha_cs[n] s^T[n-1]
    dW_s_cr = al[:, 3 * d :].T @ s.reshape(N * B, d)  # alpha_cr[n] s^T[n]: the current state
    db = al.sum(axis=0)  # alpha_*[n]
    return _unstacked(dW_x, dW_s, dW_s_cr, dW_v, db)


def _read(params, trace):
    """Check types and sizes; return the trace's signals as ``(N, B, .)`` arrays."""
    if not isinstance(params, LSTMParams):
        raise TypeError(f"params has type {type(params).__name__}, expected LSTMParams.")
    if not isinstance(trace, LSTMTrace):
        raise TypeError(
            f"trace has type {type(trace).__name__}, expected LSTMTrace; pass the result of lstm_forward(params, x)."
        )
    if trace.s.shape[-1] != params.d_s or trace.x.shape[-1] != params.d_x:
        raise ValueError(
            f"trace has d_s = {trace.s.shape[-1]}, d_x = {trace.x.shape[-1]} but params has "
            f"d_s = {params.d_s}, d_x = {params.d_x}; run lstm_forward with these params first."
        )
    batched = trace.batched
    names = ("s", "r", "u", "v", "g_cu", "g_cs", "g_cr")
    sig = {k: (getattr(trace, k) if batched else getattr(trace, k)[:, None]) for k in names}
    if batched:
        return trace.x, trace.s0, trace.v0, sig, True
    return trace.x[:, None], trace.s0[None], trace.v0[None], sig, False
