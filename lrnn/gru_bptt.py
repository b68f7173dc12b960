"""GRU backward pass (BPTT) for both conventions of :mod:`lrnn.gru`, Eqs. G9-G19.

The chain rule through Eqs. G1-G4 (Chung) or G5-G8 (PyTorch), written as the book writes
the LSTM's (Sherstinsky Sec. VI-I): ``psi[n]`` is the *total* derivative ``dE/ds[n]``; it
gathers the direct term ``dE/ds[n]`` (what a readout of ``s`` sends, the GRU's analogue of
the first term of Eq. 144) and everything step ``n+1`` sends back to ``s[n]``. The
``alpha_*[n] = dE/da_*[n]`` are the derivatives at the pre-activations; ``G_c'(a) = g (1 - g)``
and ``G_d'(a_u) = 1 - u^2`` (Eqs. 137-138) come from the stored signals. Terminal
conditions ``psi[N] = alpha[N] = 0`` (as Eq. 85); ``s[-1] = s0``.

Chung's convention (Eqs. G1-G4)::

    psi[n]     = dE/ds[n] + (1 - g_z[n+1]) * psi[n+1] + W_s_r^T alpha_r[n+1] + W_s_z^T alpha_z[n+1]
                 + g_r[n+1] * rho[n+1]                                      (Eq. G9)
    alpha_u[n] = psi[n] * g_z[n] * (1 - u[n]^2)                             (Eq. G10)
    alpha_z[n] = psi[n] * (u[n] - s[n-1]) * g_z[n] (1 - g_z[n])             (Eq. G11)
    rho[n]     = W_s_u^T alpha_u[n]          (dE/d(g_r * s[n-1]), the reset state)
    alpha_r[n] = rho[n] * s[n-1] * g_r[n] (1 - g_r[n])                      (Eq. G12)
    dE/dW_x_k = sum_n alpha_k[n] x[n]^T,  dE/db_k = sum_n alpha_k[n]        (k = r, z, u)
    dE/dW_s_k = sum_n alpha_k[n] s[n-1]^T (k = r, z),
    dE/dW_s_u = sum_n alpha_u[n] (g_r[n] * s[n-1])^T                        (Eq. G13)

PyTorch's convention (Eqs. G5-G8)::

    psi[n]     = dE/ds[n] + g_z[n+1] * psi[n+1] + W_s_r^T alpha_r[n+1] + W_s_z^T alpha_z[n+1]
                 + W_s_u^T gamma_u[n+1]                                     (Eq. G14)
    alpha_u[n] = psi[n] * (1 - g_z[n]) * (1 - u[n]^2)                       (Eq. G15)
    alpha_z[n] = psi[n] * (s[n-1] - u[n]) * g_z[n] (1 - g_z[n])             (Eq. G16)
    alpha_r[n] = alpha_u[n] * a_s_u[n] * g_r[n] (1 - g_r[n])                (Eq. G17)
    gamma_u[n] = alpha_u[n] * g_r[n]         (dE/da_s_u[n])                 (Eq. G18)
    as Eq. G13 for W_x_*, b_*, W_s_r, W_s_z;  dE/dW_s_u = sum_n gamma_u[n] s[n-1]^T,
    dE/db_s_u = sum_n gamma_u[n]                                            (Eq. G19)

Symbols (book -> code -> shape of one step)::

    psi[n]       psi      (d_s,)   total dE/ds[n]
    alpha_*[n]   alpha    (d_s,)   dE/da_*[n], stacked [r | z | u] as in the forward pass
    rho[n]       rho      (d_s,)   Chung: dE/d(g_r[n] * s[n-1])
    gamma_u[n]   gamma    (d_s,)   PyTorch: dE/da_s_u[n]

Row-vector form: ``W^T alpha`` is ``alpha @ W``; the sums over n and the batch are one
product ``alpha.T @ x`` over all ``N * B`` rows.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, fmt_shape
from .gru import GRUParams, GRUTrace

__all__ = ["gru_backward"]


def gru_backward(params: GRUParams, trace: GRUTrace, dE_ds):
    """Gradients of E with respect to the GRU's parameters and states (Eqs. G9-G19).

    Parameters
    ----------
    params : GRUParams or TorchGRUParams
        The parameters ``trace`` was computed with; the class selects the convention.
    trace : GRUTrace
        Output of :func:`lrnn.gru.gru_forward`.
    dE_ds : array_like, same shape as ``trace.s``
        Direct derivative of E with respect to each ``s[n]``: ``(dy/ds)^T dE/dy`` for a
        readout ``y = W_y s + b_y`` (see :func:`lrnn.losses.readout_loss`); zeros where E
        does not see ``s[n]``.

    Returns
    -------
    grads : GRUParams or TorchGRUParams
        ``dE/dTheta`` summed over time and batch, the class of ``params``.
    psi : numpy.ndarray, same shape as ``trace.s``
        ``psi[n]``, the total ``dE/ds[n]`` (Eq. G9 or G14).

    Raises
    ------
    TypeError
        If ``params`` or ``trace`` has the wrong type.
    ValueError
        If ``dE_ds`` has the wrong shape or holds NaN/inf, or ``trace`` does not fit ``params``.

    References
    ----------
    The chain rule on Eqs. G1-G8 (:mod:`lrnn.gru`); checked against central differences,
    SymPy (:mod:`lrnn.symbolic.gru`) and PyTorch's autograd in the tests.

    Examples
    --------
    E = s[0] after one scalar step from s[-1] = 2 with every weight 0: s[0] = (1 - g_z) 2 + g_z u
    with g_z = 1/2, u = 0, so dE/db_z = (u - s[-1]) g_z (1 - g_z) = -0.5 (Eq. G11).

    >>> from lrnn.gru import gru_forward
    >>> p = GRUParams.zeros(1, 1)
    >>> grads, psi = gru_backward(p, gru_forward(p, [[0.0]], s0=[2.0]), [[1.0]])
    >>> psi, grads.b_z, grads.b_u  # dE/db_u = g_z (1 - u^2) = 0.5 (Eq. G10)
    (array([[1.]]), array([-0.5]), array([0.5]))
    """
    X, S0, sig, dE, batched = _read(params, trace, dE_ds)
    if params.convention == "torch":
        alpha, gamma, psi = _recursion_torch(params, sig, S0, dE)
    else:
        alpha, gamma, psi = _recursion_chung(params, sig, S0, dE)
    grads = _gradient_sums(params, alpha, gamma, X, S0, sig)
    return grads, (psi if batched else psi[:, 0])


def _recursion_chung(p, sig, S0, dE):
    """Eqs. G9-G12 from n = N-1 down to 0; returns ``alpha`` (N, B, 3 d_s), ``gamma = None``, ``psi``."""
    s, g_r, g_z, u = sig["s"], sig["g_r"], sig["g_z"], sig["u"]
    N, B, d = s.shape
    W_s_rz = np.concatenate([p.W_s_r, p.W_s_z])  # (2 d_s, d_s), as in the forward pass
    alpha = np.zeros((N + 1, B, 3 * d))  # alpha[N] = 0
    alpha_r, alpha_z, alpha_u = alpha[..., :d], alpha[..., d : 2 * d], alpha[..., 2 * d :]
    psi, rho = np.zeros((N + 1, B, d)), np.zeros((N + 1, B, d))  # psi[N] = rho[N] = 0
    for n in reversed(range(N)):
        s_prev = s[n - 1] if n else S0
        f_psi = alpha[n + 1, :, : 2 * d] @ W_s_rz  # W_s_r^T alpha_r[n+1] + W_s_z^T alpha_z[n+1]
        if n + 1 < N:
            f_psi += (1.0 - g_z[n + 1]) * psi[n + 1] + g_r[n + 1] * rho[n + 1]  # the direct and the reset path
        psi[n] = dE[n] + f_psi  # Eq. G9
        alpha_u[n] = psi[n] * g_z[n] * (1.0 - u[n] ** 2)  # Eq. G10
        alpha_z[n] = psi[n] * (u[n] - s_prev) * g_z[n] * (1.0 - g_z[n])  # Eq. G11
        rho[n] = alpha_u[n] @ p.W_s_u  # W_s_u^T alpha_u[n] = dE/d(g_r[n] * s[n-1])
        alpha_r[n] = rho[n] * s_prev * g_r[n] * (1.0 - g_r[n])  # Eq. G12
    return alpha[:N], None, psi[:N]


def _recursion_torch(p, sig, S0, dE):
    """Eqs. G14-G18 from n = N-1 down to 0; returns ``alpha`` (N, B, 3 d_s), ``gamma`` and ``psi``."""
    s, g_r, g_z, u, a_s_u = sig["s"], sig["g_r"], sig["g_z"], sig["u"], sig["a_s_u"]
    N, B, d = s.shape
    W_s_rz = np.concatenate([p.W_s_r, p.W_s_z])
    alpha = np.zeros((N + 1, B, 3 * d))  # alpha[N] = 0
    alpha_r, alpha_z, alpha_u = alpha[..., :d], alpha[..., d : 2 * d], alpha[..., 2 * d :]
    psi, gamma = np.zeros((N + 1, B, d)), np.zeros((N + 1, B, d))  # psi[N] = gamma[N] = 0
    for n in reversed(range(N)):
        s_prev = s[n - 1] if n else S0
        f_psi = alpha[n + 1, :, : 2 * d] @ W_s_rz + gamma[n + 1] @ p.W_s_u  # ... + W_s_u^T gamma_u[n+1]
        if n + 1 < N:
            f_psi += g_z[n + 1] * psi[n + 1]  # the direct path: g_z keeps the old state (Eq. G8)
        psi[n] = dE[n] + f_psi  # Eq. G14
        alpha_u[n] = psi[n] * (1.0 - g_z[n]) * (1.0 - u[n] ** 2)  # Eq. G15
        alpha_z[n] = psi[n] * (s_prev - u[n]) * g_z[n] * (1.0 - g_z[n])  # Eq. G16
        alpha_r[n] = alpha_u[n] * a_s_u[n] * g_r[n] * (1.0 - g_r[n])  # Eq. G17
        gamma[n] = alpha_u[n] * g_r[n]  # Eq. G18
    return alpha[:N], gamma[:N], psi[:N]


def _gradient_sums(p, alpha, gamma, X, S0, sig):
    """Eq. G13 (and G19): the outer products summed over n and the batch, one product per block."""
    s, g_r = sig["s"], sig["g_r"]
    N, B, d = s.shape
    al = alpha.reshape(N * B, 3 * d)  # row n * B + b holds alpha[n] of sequence b
    s_prev = np.concatenate([S0[None], s[:-1]]).reshape(N * B, d)  # s[n-1]
    dW_x = al.T @ X.reshape(N * B, -1)  # alpha_*[n] x[n]^T
    dW_s_rz = al[:, : 2 * d].T @ s_prev  # alpha_r[n] s[n-1]^T, alpha_z[n] s[n-1]^T
    db = al.sum(axis=0)  # alpha_*[n]
    r, z, c = slice(0, d), slice(d, 2 * d), slice(2 * d, 3 * d)
    out = dict(W_x_r=dW_x[r], W_s_r=dW_s_rz[r], b_r=db[r], W_x_z=dW_x[z], W_s_z=dW_s_rz[z], b_z=db[z])
    out.update(W_x_u=dW_x[c], b_u=db[c])
    if p.convention == "torch":
        gm = gamma.reshape(N * B, d)
        out.update(W_s_u=gm.T @ s_prev, b_s_u=gm.sum(axis=0))  # Eq. G19
    else:
        out.update(W_s_u=al[:, c].T @ (g_r.reshape(N * B, d) * s_prev))  # Eq. G13: alpha_u (g_r * s[n-1])^T
    return type(p)(**out)


def _read(params, trace, dE_ds):
    """Check types and sizes; return ``X, S0, sig, dE, batched`` with signals as ``(N, B, .)``."""
    if not isinstance(params, GRUParams):
        raise TypeError(f"params has type {type(params).__name__}, expected GRUParams or TorchGRUParams.")
    if not isinstance(trace, GRUTrace):
        raise TypeError(
            f"trace has type {type(trace).__name__}, expected GRUTrace; pass the result of gru_forward(params, x)."
        )
    if trace.s.shape[-1] != params.d_s or trace.x.shape[-1] != params.d_x:
        raise ValueError(
            f"trace has d_s = {trace.s.shape[-1]}, d_x = {trace.x.shape[-1]} but params has "
            f"d_s = {params.d_s}, d_x = {params.d_x}; run gru_forward with these params first."
        )
    if (trace.a_s_u is not None) != (params.convention == "torch"):
        made = "PyTorch's (TorchGRUParams)" if trace.a_s_u is not None else "Chung's (GRUParams)"
        raise ValueError(
            f"trace was computed in {made} convention but params is {type(params).__name__}; "
            "run gru_forward with these params first."
        )
    dE = as_float_array("dE_ds", dE_ds)
    if dE.shape != trace.s.shape:
        raise ValueError(
            f"dE_ds has shape {fmt_shape(dE.shape)}, expected the shape of trace.s, {fmt_shape(trace.s.shape)}; "
            "pass dE/ds[n] for every step n (zeros where E does not depend on s[n])."
        )
    names = ("s", "g_r", "g_z", "u") + (("a_s_u",) if params.convention == "torch" else ())
    if trace.batched:
        return trace.x, trace.s0, {k: getattr(trace, k) for k in names}, dE, True
    return trace.x[:, None], trace.s0[None], {k: getattr(trace, k)[:, None] for k in names}, dE[:, None], False
