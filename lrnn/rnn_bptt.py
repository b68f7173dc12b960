"""Backpropagation through time for the canonical and standard RNN, Sherstinsky (2020) Sec. IV, Eqs. 78-90.

With the transpose the printed Eq. 82 lacks (erratum P1); the ``W_s`` term is the
canonical RNN's extra path ``s[n] -> s[n+1]``::

    chi[n] = dE/dr[n] + W_r^T psi[n+1],   psi[n] = chi[n] * G'(s[n]) + W_s^T psi[n+1],   psi[N] = 0

What crosses the cell's border (:func:`rnn_border_gradients`; ``rnn_backward(..., return_inputs=True)``
adds it), for a layer below and a segment before::

    dE/dx[n]  = W_x^T psi[n]                                    (from Eq. 32, as Eq. 88)
    dE/ds[-1] = (W_r^T psi[0]) * G'(s[-1]) + W_s^T psi[0]       (Eqs. 82-84 at n = -1)

Symbols (paper -> code -> shape of one step)::

    chi[n]    chi       (d_s,)      total dE/dr[n] (Eq. 78)
    psi[n]    psi       (d_s,)      total dE/ds[n] (Eq. 79)

The forward pass (Eqs. 30-33) is :func:`lrnn.rnn.rnn_forward`.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_flag, as_float_array, check_shape
from .activations import G_d, dG_d
from .cell import check_trace
from .rnn import RNNParams, RNNTrace

__all__ = ["rnn_backward", "rnn_border_gradients"]


def rnn_backward(params: RNNParams, trace: RNNTrace, dE_dr, *, erratum_p1: bool = False, return_inputs: bool = False):
    """Backpropagation through time for the canonical or standard RNN (Eqs. 78-90).

    Parameters
    ----------
    params : RNNParams
        The parameters ``trace`` was computed with.
    trace : RNNTrace
        Result of :func:`rnn_forward`.
    dE_dr : array_like, same shape as ``trace.r``
        Direct (partial) derivative of the loss with respect to each ``r[n]``,
        ``dE(r[n])/dr[n]`` in Eq. 82; the recursion adds the paths through later steps.
    erratum_p1 : bool, default False
        Reproduce Eq. 82 *as printed*, ``W_r psi[n+1]`` instead of ``W_r^T psi[n+1]``.
        The result is wrong whenever ``W_r`` is not symmetric; it exists only so the
        book can demonstrate erratum P1 numerically.
    return_inputs : bool, default False
        Also return ``dE_dx`` and ``dE_dstate``, the border gradients of :func:`rnn_border_gradients`.

    Returns
    -------
    grads : RNNParams
        ``dE/dW_r``, ``dE/dW_x``, ``dE/dtheta_s`` (Eqs. 87-90), summed over steps and
        the batch; ``dE/dW_s`` iff ``params.W_s`` is set. (``dE/dx`` and ``dE/ds[-1]``:
        :func:`rnn_border_gradients`.)
    psi : numpy.ndarray, shape of ``trace.s``
        ``psi[n]`` = total ``dE/ds[n]`` (Eq. 79), with ``psi[N] = 0`` (Eq. 85).
    dE_dx, dE_dstate
        Only with ``return_inputs=True``: ``dE/dx[n]`` and ``(dE/ds[-1],)``.

    Raises
    ------
    TypeError, ValueError
        Wrong types; ``dE_dr`` not of the shape of ``trace.r`` or holding NaN/inf;
        ``trace`` not computed with ``params``' sizes.

    References
    ----------
    Sherstinsky (2020), Eqs. 78-90; erratum P1 (Eqs. 82, 84 need ``W_r^T``).

    Examples
    --------
    A scalar RNN over two steps with ``E = r[0] + r[1]``: ``psi[1] = G'(s[1])`` and
    ``psi[0] = (1 + W_r psi[1]) G'(s[0])``.

    >>> from lrnn.rnn import rnn_forward
    >>> p = RNNParams(W_r=[[0.5]], W_x=[[1.0]], theta_s=[0.0])
    >>> tr = rnn_forward(p, [[1.0], [0.0]])
    >>> grads, psi = rnn_backward(p, tr, np.ones((2, 1)))
    >>> psi.round(4)
    array([[0.6022],
           [0.8679]])
    >>> float(grads.W_x[0, 0].round(4))  # psi[0] x[0] + psi[1] x[1] (Eq. 88)
    0.6022
    """
    chi_direct = check_trace(params, trace, dE_dr, cell=RNNParams, trace_type=RNNTrace, forward="rnn_forward",
                             name="dE_dr")  # fmt: skip
    S, S0, X = trace.as_batch("s", "s0", "x")  # (N, B, d_s), (B, d_s), (N, B, d_x)
    chi_direct = chi_direct if trace.batched else chi_direct[:, None]
    N, B, d_s = S.shape
    W_r_back = params.W_r if erratum_p1 else params.W_r.T  # Eq. 82 prints W_r; the gradient needs W_r.T (erratum P1)
    dG = dG_d(S, check=False)  # G'(s[n]) for all n, (N, B, d_s)
    psi = np.empty((N, B, d_s))
    psi_next = np.zeros((B, d_s))  # Eq. 85: psi[N] = 0
    for n in reversed(range(N)):
        chi = chi_direct[n] + psi_next @ W_r_back.T  # Eq. 82 (row vectors: W_r^T psi = psi @ W_r)
        psi_n = chi * dG[n]  # Eq. 83-84
        if params.W_s is not None:
            psi_n += psi_next @ params.W_s  # canonical RNN (Eq. 30): the direct path s[n] -> s[n+1]
        psi[n] = psi_n
        psi_next = psi_n
    S_prev = np.concatenate([S0[None], S[:-1]])  # s[n-1], with s[-1] = s0
    outer_sum = lambda a, b: np.tensordot(a, b, axes=([0, 1], [0, 1]))  # sum over n and b of a[n] b[n]^T (BLAS)
    grads = RNNParams.unchecked(  # a gradient, not user input: no validation (an overflow is the trainer's to report)
        W_r=outer_sum(psi, G_d(S_prev, check=False)),  # Eqs. 87, 90: sum_n psi[n] r[n-1]^T
        W_x=outer_sum(psi, X),  # Eqs. 88, 90: sum_n psi[n] x[n]^T
        theta_s=psi.sum(axis=(0, 1)),  # Eqs. 89, 90
        W_s=None if params.W_s is None else outer_sum(psi, S_prev),  # dE/dW_s = sum_n psi[n] s[n-1]^T
    )
    psi = psi if trace.batched else psi[:, 0]
    if as_flag("return_inputs", return_inputs):  # what crosses the cell's border, for composing cells
        return grads, psi, *rnn_border_gradients(params, trace, psi)
    return grads, psi


def rnn_border_gradients(params: RNNParams, trace: RNNTrace, psi):
    """What crosses the cell's border: ``dE/dx[n]`` for a layer below, ``dE/ds[-1]`` for a segment before.

    The input enters Eq. 32 through ``W_x x[n]`` and the initial state through ``r[-1] = G(s[-1])``
    (and ``W_s s[-1]`` in the canonical RNN), so::

        dE/dx[n]  = W_x^T psi[n]
        dE/ds[-1] = (W_r^T psi[0]) * G'(s[-1]) + W_s^T psi[0]

    the second being Eqs. 82-84 one step before the first, with no direct term (``s[-1]`` is no output).

    Parameters
    ----------
    params : RNNParams
    trace : RNNTrace
        Result of :func:`lrnn.rnn.rnn_forward` with ``params``.
    psi : array_like, shape of ``trace.s``
        The total ``dE/ds[n]``, the second result of :func:`rnn_backward`.

    Returns
    -------
    dE_dx : numpy.ndarray, shape of ``trace.x``
    dE_dstate : tuple of one numpy.ndarray, shape of ``trace.s0``
        ``(dE/ds[-1],)``, the structure of ``RNNParams.forward``'s ``state``.

    Raises
    ------
    TypeError, ValueError
        Wrong types, a trace of other sizes, ``psi`` of the wrong shape or with NaN/inf.

    Examples
    --------
    Scalar, one step, ``E = r[0]``: ``dE/dx[0] = W_x G'(s[0])`` and ``dE/ds[-1] = W_r G'(s[0]) G'(s[-1])``.

    >>> from lrnn.rnn import rnn_forward
    >>> p = RNNParams(W_r=[[0.5]], W_x=[[2.0]], theta_s=[0.0])
    >>> tr = rnn_forward(p, [[0.0]], s0=[0.0])
    >>> dE_dx, (dE_ds0,) = rnn_border_gradients(p, tr, rnn_backward(p, tr, [[1.0]])[1])
    >>> dE_dx, dE_ds0
    (array([[2.]]), array([0.5]))
    """
    check_trace(params, trace, None, cell=RNNParams, trace_type=RNNTrace, forward="rnn_forward")
    psi = as_float_array("psi", psi)
    check_shape("psi", psi, trace.s.shape, source="(the shape of trace.s); pass rnn_backward(...)[1]")
    dE_dx = psi @ params.W_x  # W_x^T psi[n] for every n (rows): what the layer below receives
    dE_ds0 = (psi[0] @ params.W_r) * dG_d(trace.s0, check=False)  # Eqs. 82-84 at n = -1: through r[-1] = G(s[-1])
    if params.W_s is not None:
        dE_ds0 = dE_ds0 + psi[0] @ params.W_s  # the canonical RNN's direct path s[-1] -> s[0] (Eq. 30)
    return dE_dx, (dE_ds0,)
