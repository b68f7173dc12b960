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

:func:`gru_bptt_signals` runs the recursion (Eqs. G9-G12 or G14-G18), one line per equation;
:func:`gru_backward` sums the outer products into the parameter gradients (Eqs. G13, G19).
:func:`gru_border_gradients` gives what crosses the cell's border, for a layer below and a
segment before (both conventions; ``gru_backward(..., return_inputs=True)`` adds it)::

    dE/dx[n]  = W_x_r^T alpha_r[n] + W_x_z^T alpha_z[n] + W_x_u^T alpha_u[n]
    dE/ds[-1] = Eq. G9 (or G14) at n = -1, without a direct term

Symbols (book -> code -> shape of one step)::

    psi[n]       psi      (d_s,)   total dE/ds[n]
    alpha_*[n]   alpha    (d_s,)   dE/da_*[n], stacked [r | z | u] as in the forward pass
    rho[n]       rho      (d_s,)   Chung: dE/d(g_r[n] * s[n-1])
    gamma_u[n]   gamma    (d_s,)   PyTorch: dE/da_s_u[n]

Row-vector form: ``W^T alpha`` is ``alpha @ W``; the sums over n and the batch are one
product ``alpha.T @ x`` over all ``N * B`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_flag
from .cell import check_last_gradient, check_signals, check_trace
from .gru import GRUParams, GRUTrace, TorchGRUParams

__all__ = ["GRUBPTTSignals", "gru_backward", "gru_border_gradients", "gru_bptt_signals"]


@dataclass(frozen=True)
class GRUBPTTSignals:
    """The error-gradient sequences of one GRU backward pass, each shaped like ``trace.s``.

    Attributes
    ----------
    psi : numpy.ndarray
        ``psi[n]``, the total ``dE/ds[n]`` (Eq. G9 or G14).
    alpha_r, alpha_z, alpha_u : numpy.ndarray
        ``dE/da_*[n]`` at the pre-activations (Eqs. G10-G12 or G15-G17).
    rho : numpy.ndarray or None
        Chung's convention: ``dE/d(g_r[n] * s[n-1])``, the reset state; None for PyTorch's.
    gamma_u : numpy.ndarray or None
        PyTorch's convention: ``dE/da_s_u[n]`` (Eq. G18); None for Chung's.
    """

    psi: np.ndarray
    alpha_r: np.ndarray
    alpha_z: np.ndarray
    alpha_u: np.ndarray
    rho: np.ndarray | None = None
    gamma_u: np.ndarray | None = None


def gru_bptt_signals(params: GRUParams, trace: GRUTrace, dE_ds, *, dE_dlast=None) -> GRUBPTTSignals:
    """The backward recursion of the GRU from the last step to the first: Eqs. G9-G12 or G14-G18.

    Parameters
    ----------
    params : GRUParams or TorchGRUParams
        The parameters ``trace`` was computed with; the class selects the convention.
    trace : GRUTrace
        Output of :func:`lrnn.gru.gru_forward`.
    dE_ds : array_like, same shape as ``trace.s``
        Direct derivative of E with respect to each ``s[n]`` (zeros where E does not see ``s[n]``).
    dE_dlast : tuple of one array_like, optional
        ``(dE/ds[N-1],)``, shaped like ``trace.last_state``: what a later segment starting from
        the last state sends back, the recursion's starting value ``f_psi[N]`` (zero by default,
        P5). The last state is also the last output, so this adds to ``dE_ds[N-1]``.

    Returns
    -------
    GRUBPTTSignals
        Every sequence shaped like ``trace.s``.

    Raises
    ------
    TypeError
        If ``params`` or ``trace`` has the wrong type.
    ValueError
        If ``dE_ds`` has the wrong shape or holds NaN/inf, or ``trace`` does not fit ``params``.

    Examples
    --------
    E = s[1] after two scalar steps with every weight 0 (g_z = 1/2, u = 0): psi[1] = 1 and, by
    Eq. G9, psi[0] = (1 - g_z[1]) psi[1] = 0.5 (the other paths carry zero weights).

    >>> from lrnn.gru import gru_forward
    >>> p = GRUParams.zeros(1, 1)
    >>> gru_bptt_signals(p, gru_forward(p, [[0.0], [0.0]], s0=[2.0]), [[0.0], [1.0]]).psi
    array([[0.5],
           [1. ]])
    """
    dE = check_trace(params, trace, dE_ds, cell=(GRUParams, TorchGRUParams), trace_type=GRUTrace,
                     forward="gru_forward", name="dE_ds")  # fmt: skip
    if (trace.a_s_u is not None) != (params.convention == "torch"):
        made = "PyTorch's (TorchGRUParams)" if trace.a_s_u is not None else "Chung's (GRUParams)"
        raise ValueError(
            f"trace was computed in {made} convention but params is {type(params).__name__}; "
            "run gru_forward with these params first."
        )
    (f_psi_N,) = check_last_gradient(trace, dE_dlast)  # f_psi[N]: zero unless given (P5)
    dE = dE if trace.batched else dE[:, None]
    p, (S0, s, g_r, g_z, u) = params, trace.as_batch("s0", "s", "g_r", "g_z", "u")  # (B, d_s), (N, B, d_s) ...
    N, B, d = s.shape
    W_s_rz = np.concatenate([p.W_s_r, p.W_s_z])  # (2 d_s, d_s): W_s_r^T alpha_r + W_s_z^T alpha_z in one product
    alpha = np.zeros((N + 1, B, 3 * d))  # alpha[N] = 0; stacked [r | z | u] as in the forward pass
    alpha_r, alpha_z, alpha_u = alpha[..., :d], alpha[..., d : 2 * d], alpha[..., 2 * d :]
    psi, carry = np.zeros((N + 1, B, d)), np.zeros((N + 1, B, d))  # psi[N] = 0; rho[N] (Chung), gamma_u[N] = 0
    if p.convention == "chung":
        rho = carry
        for n in reversed(range(N)):
            s_prev = s[n - 1] if n else S0
            f_psi = alpha[n + 1, :, : 2 * d] @ W_s_rz  # W_s_r^T alpha_r[n+1] + W_s_z^T alpha_z[n+1]
            if n + 1 < N:
                f_psi += (1.0 - g_z[n + 1]) * psi[n + 1] + g_r[n + 1] * rho[n + 1]  # the direct and the reset path
            if n + 1 == N:
                f_psi += f_psi_N  # what comes back past the last step
            psi[n] = dE[n] + f_psi  # Eq. G9
            alpha_u[n] = psi[n] * g_z[n] * (1.0 - u[n] ** 2)  # Eq. G10
            alpha_z[n] = psi[n] * (u[n] - s_prev) * g_z[n] * (1.0 - g_z[n])  # Eq. G11
            rho[n] = alpha_u[n] @ p.W_s_u  # W_s_u^T alpha_u[n] = dE/d(g_r[n] * s[n-1])
            alpha_r[n] = rho[n] * s_prev * g_r[n] * (1.0 - g_r[n])  # Eq. G12
    else:
        gamma_u, (a_s_u,) = carry, trace.as_batch("a_s_u")
        for n in reversed(range(N)):
            s_prev = s[n - 1] if n else S0
            f_psi = alpha[n + 1, :, : 2 * d] @ W_s_rz + gamma_u[n + 1] @ p.W_s_u  # ... + W_s_u^T gamma_u[n+1]
            if n + 1 < N:
                f_psi += g_z[n + 1] * psi[n + 1]  # the direct path: g_z keeps the old state (Eq. G8)
            if n + 1 == N:
                f_psi += f_psi_N  # what comes back past the last step
            psi[n] = dE[n] + f_psi  # Eq. G14
            alpha_u[n] = psi[n] * (1.0 - g_z[n]) * (1.0 - u[n] ** 2)  # Eq. G15
            alpha_z[n] = psi[n] * (s_prev - u[n]) * g_z[n] * (1.0 - g_z[n])  # Eq. G16
            alpha_r[n] = alpha_u[n] * a_s_u[n] * g_r[n] * (1.0 - g_r[n])  # Eq. G17
            gamma_u[n] = alpha_u[n] * g_r[n]  # Eq. G18
    shape = trace.s.shape  # (N, d_s) or (N, B, d_s)
    out = dict(psi=psi, alpha_r=alpha_r, alpha_z=alpha_z, alpha_u=alpha_u)
    out["rho" if p.convention == "chung" else "gamma_u"] = carry
    return GRUBPTTSignals(**{k: a[:N].reshape(shape) for k, a in out.items()})


def gru_backward(params: GRUParams, trace: GRUTrace, dE_ds, *, return_inputs: bool = False, dE_dlast=None):
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
    return_inputs : bool, default False
        Also return ``dE_dx`` and ``dE_dstate``, the border gradients of :func:`gru_border_gradients`.
    dE_dlast : tuple of one array_like, optional
        ``(dE/ds[N-1],)``, the gradient arriving on ``trace.last_state``: the recursion's
        starting value ``f_psi[N]`` (zero by default, P5).

    Returns
    -------
    grads : GRUParams or TorchGRUParams
        ``dE/dTheta`` summed over time and batch, the class of ``params``.
    psi : numpy.ndarray, same shape as ``trace.s``
        ``psi[n]``, the total ``dE/ds[n]`` (Eq. G9 or G14).
    dE_dx, dE_dstate
        Only with ``return_inputs=True``: ``dE/dx[n]`` and ``(dE/ds[-1],)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`gru_bptt_signals`.

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
    sig = gru_bptt_signals(params, trace, dE_ds, dE_dlast=dE_dlast)  # Eqs. G9-G12 or G14-G18
    rows = lambda a: a.reshape(-1, a.shape[-1])  # noqa: E731  (N, B, k) -> (N B, k): one row per step and sequence
    x, s0 = trace.x, trace.s0
    s_prev = rows(np.concatenate([s0[None], trace.s[:-1]]))  # s[n-1], with s[-1] = s0
    alpha_r, alpha_z, alpha_u = rows(sig.alpha_r), rows(sig.alpha_z), rows(sig.alpha_u)
    grads = dict(
        W_x_r=alpha_r.T @ rows(x),  # Eq. G13: sum_n alpha_r[n] x[n]^T
        W_s_r=alpha_r.T @ s_prev,  # Eq. G13: sum_n alpha_r[n] s[n-1]^T
        b_r=alpha_r.sum(axis=0),  # Eq. G13
        W_x_z=alpha_z.T @ rows(x),  # Eq. G13
        W_s_z=alpha_z.T @ s_prev,  # Eq. G13
        b_z=alpha_z.sum(axis=0),  # Eq. G13
        W_x_u=alpha_u.T @ rows(x),  # Eq. G13
        b_u=alpha_u.sum(axis=0),  # Eq. G13
    )
    if params.convention == "torch":
        gamma_u = rows(sig.gamma_u)
        grads.update(W_s_u=gamma_u.T @ s_prev, b_s_u=gamma_u.sum(axis=0))  # Eq. G19
    else:
        grads.update(W_s_u=alpha_u.T @ (rows(trace.g_r) * s_prev))  # Eq. G13: sum_n alpha_u[n] (g_r[n] * s[n-1])^T
    grads = type(params).unchecked(**grads)  # a gradient, not user input: no validation
    if as_flag("return_inputs", return_inputs):  # what crosses the cell's border, for composing cells
        return grads, sig.psi, *gru_border_gradients(params, trace, sig)
    return grads, sig.psi


def gru_border_gradients(params: GRUParams, trace: GRUTrace, signals: GRUBPTTSignals):
    """What crosses the cell's border: ``dE/dx[n]`` for a layer below, ``dE/ds[-1]`` for a segment before.

    ``x[n]`` enters the three pre-activations through ``W_x_* x[n]`` (Eqs. G1-G3 or G5-G7), and
    ``s[-1]`` enters step 0 as ``s[n]`` enters step ``n + 1``, so ``dE/ds[-1]`` is Eq. G9 (Chung) or
    Eq. G14 (PyTorch) one step before the first, with no direct term::

        dE/dx[n]  = W_x_r^T alpha_r[n] + W_x_z^T alpha_z[n] + W_x_u^T alpha_u[n]
        dE/ds[-1] = (1 - g_z[0]) * psi[0] + W_s_r^T alpha_r[0] + W_s_z^T alpha_z[0] + g_r[0] * rho[0]  (G9)
        dE/ds[-1] = g_z[0] * psi[0] + W_s_r^T alpha_r[0] + W_s_z^T alpha_z[0] + W_s_u^T gamma_u[0]     (G14)

    Parameters
    ----------
    params : GRUParams or TorchGRUParams
    trace : GRUTrace
        Output of :func:`lrnn.gru.gru_forward` with ``params``.
    signals : GRUBPTTSignals
        Output of :func:`gru_bptt_signals` on ``trace``.

    Returns
    -------
    dE_dx : numpy.ndarray, shape of ``trace.x``
    dE_dstate : tuple of one numpy.ndarray, shaped like ``trace.s0``
        ``(dE/ds[-1],)``, the structure of ``forward``'s ``state``.

    Raises
    ------
    TypeError, ValueError
        Wrong types, or signals of another shape than ``trace.s``.

    Examples
    --------
    One scalar step from ``s[-1] = 2``, every weight 0, ``E = s[0]``: ``s[0] = (1 - g_z) s[-1] + g_z u``
    with ``g_z = 1/2``, so ``dE/ds[-1] = 1/2`` and, with ``W_x_u = 1``, ``dE/dx[0] = g_z (1 - u^2) = 1/2``.

    >>> from lrnn.gru import gru_forward
    >>> p = GRUParams(**{**GRUParams.zeros(1, 1).arrays(), "W_x_u": [[1.0]]})
    >>> tr = gru_forward(p, [[0.0]], s0=[2.0])
    >>> gru_border_gradients(p, tr, gru_bptt_signals(p, tr, [[1.0]]))
    (array([[0.5]]), (array([0.5]),))
    """
    p, sig = params, _check_signals(params, trace, signals)
    dE_dx = sig.alpha_r @ p.W_x_r + sig.alpha_z @ p.W_x_z + sig.alpha_u @ p.W_x_u  # sum of W_x_*^T alpha_*[n]
    through_gates = sig.alpha_r[0] @ p.W_s_r + sig.alpha_z[0] @ p.W_s_z  # W_s_r^T alpha_r[0] + W_s_z^T alpha_z[0]
    if p.convention == "chung":
        dE_ds0 = (1.0 - trace.g_z[0]) * sig.psi[0] + through_gates + trace.g_r[0] * sig.rho[0]  # Eq. G9 at n = -1
    else:
        dE_ds0 = trace.g_z[0] * sig.psi[0] + through_gates + sig.gamma_u[0] @ p.W_s_u  # Eq. G14 at n = -1
    return dE_dx, (dE_ds0,)


def _check_signals(params, trace, signals) -> GRUBPTTSignals:
    """``signals`` of ``trace`` (:func:`lrnn.cell.check_signals`), in the convention of ``params``."""
    check_signals(params, trace, signals, cell=(GRUParams, TorchGRUParams), trace_type=GRUTrace,
                  forward="gru_forward", signals_type=GRUBPTTSignals)  # fmt: skip
    if (signals.rho is None) != (params.convention == "torch"):
        raise ValueError(
            f"signals were computed in the other convention than params ({type(params).__name__}); "
            "pass gru_bptt_signals(params, trace, dE_ds)."
        )
    return signals
