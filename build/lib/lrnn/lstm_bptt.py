"""Vanilla LSTM backward pass (BPTT), Sherstinsky (2020) Sec. VI-I, Eqs. 137-172.

Symbols (paper -> code -> shape of one step); all are *total* derivatives of E::

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

The recursion (``_recursion``) and the gradient sums (``_gradient_sums``) are shared with the
Augmented LSTM (:mod:`lrnn.augmented_bptt`, Sec. VII-E); its additions are the lines whose
equation numbers stand in brackets.
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
    dE = _as_dE(dE_dv, trace.v, batched)
    alpha, psi = _bptt(params, sig, S0, dE, clip=clip, erratum_p3=erratum_p3)
    dW_x, dW_s, dW_s_cr, dW_v, db = _gradient_sums(alpha, alpha, X, 1, 2, sig, S0, V0)  # L = 1; cu, cs see s[n-1]
    return _unstacked(dW_x[0], dW_s, dW_s_cr, dW_v, db), (psi if batched else psi[:, 0])


def _as_dE(dE_dv, v: np.ndarray, batched: bool) -> np.ndarray:
    """``dE_dv`` checked against the trace's ``v`` and returned as ``(N, B, d_v)``."""
    dE = as_float_array("dE_dv", dE_dv)
    if dE.shape != v.shape:
        raise ValueError(
            f"dE_dv has shape {_fmt(dE.shape)}, expected the shape of trace.v, {_fmt(v.shape)}; "
            "pass dE/dv[n] for every step n (zeros where E does not depend on v[n])."
        )
    return dE if batched else dE[:, None]


def _bptt(params, sig, S0, dE, *, clip=False, erratum_p3=False):
    """The backward recursion of the Vanilla LSTM, Eqs. 144-155; returns ``alpha`` and ``psi``.

    ``alpha`` has shape ``(N, B, 4 d_s)``, blocks ``[cu | cs | du | cr]``.
    """
    _, W_s, W_v, _ = _stacked(params)
    alpha, psi, _ = _recursion(sig, S0, dE, W_s, W_v, params.W_s_cr, clip=clip, erratum_p3=erratum_p3)
    return alpha, psi


def _recursion(sig, S0, dE, W_s, W_v, W_s_cr, *, W_q=None, xi_du=None, clip=False, erratum_p3=False):
    """The backward recursion shared by the Vanilla and the Augmented LSTM, on ``(N, B, .)`` arrays.

    Blocks and weights are stacked as in :func:`lrnn.lstm._recurrence`: ``[cu | cs | du | cr]``
    or, Augmented, ``[cu | cs | cx | du | cr]``. Augmented only (Sec. VII-E, equation numbers in
    brackets): ``W_q`` (d_v, d_s) is the recurrent projection and ``xi_du`` the windowed input
    of du; ``sig`` then also holds ``g_cx``. Returns ``alpha`` (N, B, K), ``psi`` (N, B, d_s)
    and ``chi`` (N, B, d_v), the total ``dE/dv[n]``.
    """
    s, r, u, g_cu, g_cs, g_cr = sig["s"], sig["r"], sig["u"], sig["g_cu"], sig["g_cs"], sig["g_cr"]
    N, B, d = s.shape
    k = len(W_s) // d  # gates fed by s[n-1]: 2 (cu, cs) or 3 (cu, cs, cx)
    W_s_cr = W_s_cr.T if erratum_p3 else W_s_cr  # row form: alpha @ W_s_cr == W_s_cr^T alpha
    alpha = np.zeros((N + 1, B, len(W_v)))  # alpha[N] = 0, terminal condition (P5)
    psi = np.zeros((N + 1, B, d))  # psi[N] = 0 (P5)
    chi = np.empty(dE.shape)
    alpha_cu, alpha_cs, alpha_cx = alpha[..., :d], alpha[..., d : 2 * d], alpha[..., 2 * d : 3 * d]
    alpha_du, alpha_cr = alpha[..., k * d : (k + 1) * d], alpha[..., (k + 1) * d :]
    gates = slice(0, k * d)  # the blocks fed by s[n-1] through W_s_cu, W_s_cs (and W_s_cx)
    for n in reversed(range(N)):
        s_prev = s[n - 1] if n else S0
        f_chi = alpha[n + 1] @ W_v  # Eq. 154 [228] (all W_v_*^T alpha_*[n+1] in one product)
        f_psi = alpha[n + 1, :, gates] @ W_s  # Eq. 155 [229], W_s_cu^T alpha_cu[n+1] + W_s_cs^T alpha_cs[n+1] ...
        if n + 1 < N:
            f_psi += g_cs[n + 1] * psi[n + 1]  # ... + g_cs[n+1] psi[n+1] (Eq. 155)
        np.add(dE[n], f_chi, out=chi[n])  # Eq. 144 [217]
        beta = chi[n] if W_q is None else chi[n] @ W_q  # [Eq. 218] dE/dq = W_q_dr^T chi; Vanilla: q = v
        rho = beta * g_cr[n]  # Eq. 145 [219]
        gamma_cr = beta * r[n]  # Eq. 146 [220]
        alpha_cr[n] = gamma_cr * g_cr[n] * (1.0 - g_cr[n])  # Eq. 147 [221], G_c'(a_cr) = g_cr (1 - g_cr)
        if clip:
            np.clip(alpha_cr[n], -1.0, 1.0, out=alpha_cr[n])  # footnote 25
        # Eqs. 149-150 [and 222] print W_s_cr; the gradient needs W_s_cr.T (erratum P3)
        psi[n] = rho * (1.0 - r[n] ** 2) + alpha_cr[n] @ W_s_cr + f_psi  # Eqs. 148-150 [222]
        alpha_cs[n] = psi[n] * s_prev * g_cs[n] * (1.0 - g_cs[n])  # Eq. 151 [223]
        alpha_cu[n] = psi[n] * u[n] * g_cu[n] * (1.0 - g_cu[n])  # Eq. 152 [224]
        alpha_du[n] = psi[n] * g_cu[n] * (1.0 - u[n] ** 2)  # Eq. 153 [225]
        if clip:
            np.clip(alpha[n], -1.0, 1.0, out=alpha[n])  # footnote 25
        if xi_du is not None:
            g_cx = sig["g_cx"][n]
            alpha_cx[n] = alpha_du[n] * xi_du[n] * g_cx * (1.0 - g_cx)  # [Eqs. 226-227] gamma_cx G_c'(a_cx)
            if clip:
                np.clip(alpha_cx[n], -1.0, 1.0, out=alpha_cx[n])  # footnote 25
    return alpha[:N], psi[:N], chi


def _gradient_sums(alpha, alpha_x, X, L: int, k: int, sig, S0, V0):
    """Eqs. 156-170 [230-248] summed over n (Eq. 172) and the batch: one product per fused block.

    ``alpha`` (N, B, K) are the accumulation derivatives; ``alpha_x`` is what multiplies the
    input, ``alpha`` itself except in the Augmented LSTM's du block (erratum P7). ``X`` is
    ``(N, B, d_x)``, ``L`` the window length, ``k`` the number of gates fed by ``s[n-1]``.
    Returns ``dW_x (L, K, d_x)``, ``dW_s (k d_s, d_s)``, ``dW_s_cr``, ``dW_v (K, d_v)``, ``db``.
    """
    s, v = sig["s"], sig["v"]
    N, B, d = s.shape
    al = alpha.reshape(N * B, -1)  # row n * B + b holds alpha[n] of sequence b
    s_prev = np.concatenate([S0[None], s[:-1]]).reshape(N * B, d)  # s[n-1]
    v_prev = np.concatenate([V0[None], v[:-1]]).reshape(N * B, -1)  # v[n-1]
    dW_x = np.zeros((L, al.shape[1], X.shape[-1]))
    for l in range(min(L, N)):  # alpha_*[n] x^T[n+l]; x past the segment end is zero (P10)
        np.matmul(alpha_x[: N - l].reshape((N - l) * B, -1).T, X[l:].reshape((N - l) * B, -1), out=dW_x[l])
    dW_v = al.T @ v_prev  # alpha_*[n] v^T[n-1]
    dW_s = al[:, : k * d].T @ s_prev  # alpha_cu[n] s^T[n-1], alpha_cs[n] s^T[n-1] (and alpha_cx)
    dW_s_cr = al[:, (k + 1) * d :].T @ s.reshape(N * B, d)  # alpha_cr[n] s^T[n]: the current state
    db = al.sum(axis=0)  # alpha_*[n]
    return dW_x, dW_s, dW_s_cr, dW_v, db


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
    return _signals(trace, ("s", "r", "u", "v", "g_cu", "g_cs", "g_cr"))


def _signals(trace, names):
    """``(X, S0, V0, sig, batched)``: the trace's input, initial conditions and signals as ``(N, B, .)``."""
    batched = trace.batched
    sig = {k: (getattr(trace, k) if batched else getattr(trace, k)[:, None]) for k in names}
    if batched:
        return trace.x, trace.s0, trace.v0, sig, True
    return trace.x[:, None], trace.s0[None], trace.v0[None], sig, False
