"""The canonical and the standard RNN, Sherstinsky (2020) Sec. II, Eqs. 30-33, and BPTT, Sec. IV, Eqs. 78-90.

Canonical RNN (Eqs. 30-31), obtained by sampling the additive model (see :mod:`lrnn.ode`)::

    s[n] = W_s s[n-1] + W_r r[n-1] + W_x x[n] + theta_s      (Eq. 30)
    r[n] = G(s[n])                                           (Eq. 31)

Standard RNN (Eqs. 32-33): the same with ``W_s = 0``.

Backpropagation through time (Eqs. 82-90, with the transpose the printed Eq. 82 lacks,
erratum P1; the ``W_s`` term is the canonical RNN's extra path ``s[n] -> s[n+1]``)::

    chi[n] = dE/dr[n] + W_r^T psi[n+1],   psi[n] = chi[n] * G'(s[n]) + W_s^T psi[n+1],   psi[N] = 0

Symbols (paper -> code -> shape of one step)::

    x[n]      x         (d_x,)      input
    s[n]      s         (d_s,)      state (a pre-activation in the RNN)
    r[n]      r         (d_s,)      readout, r = G(s) with G = tanh
    W_s       W_s       (d_s, d_s)  state-to-state (canonical RNN only; None = standard RNN)
    W_r       W_r       (d_s, d_s)  readout-to-state (recurrent weights)
    W_x       W_x       (d_s, d_x)  input-to-state
    theta_s   theta_s   (d_s,)      bias
    chi[n]    chi       (d_s,)      total dE/dr[n] (Eq. 78)
    psi[n]    psi       (d_s,)      total dE/ds[n] (Eq. 79)

Shapes are time-major: one sequence is ``(N, d_x)``, a batch ``(N, B, d_x)``.
The paper writes ``W @ x`` for one step; batched code computes ``x @ W.T``.
The initial state ``s[-1]`` defaults to zero as in Eq. 73, so ``r[-1] = G(0) = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, as_initial, as_sequence, check_shape
from .activations import _dG_d, _G_d

__all__ = ["RNNParams", "RNNTrace", "rnn_forward", "rnn_backward"]


@dataclass(frozen=True)
class RNNParams:
    """Parameters of the canonical (Eq. 30) or standard (Eq. 32) RNN.

    Parameters
    ----------
    W_r : array_like, shape (d_s, d_s)
        Readout-to-state weights (Eqs. 27, 30, 32).
    W_x : array_like, shape (d_s, d_x)
        Input-to-state weights (Eqs. 28, 30, 32).
    theta_s : array_like, shape (d_s,)
        Bias (Eq. 29).
    W_s : array_like, shape (d_s, d_s), optional
        State-to-state weights of the canonical RNN (Eq. 25). ``None`` gives the
        standard RNN of Eq. 32.

    Raises
    ------
    TypeError, ValueError
        Non-numeric, non-finite or mutually inconsistent shapes.

    Examples
    --------
    >>> p = RNNParams(W_r=np.eye(2), W_x=np.ones((2, 3)), theta_s=np.zeros(2))
    >>> p.d_s, p.d_x, p.canonical
    (2, 3, False)
    """

    W_r: np.ndarray  # (d_s, d_s)  Eq. 27
    W_x: np.ndarray  # (d_s, d_x)  Eq. 28
    theta_s: np.ndarray  # (d_s,)  Eq. 29
    W_s: np.ndarray | None = None  # (d_s, d_s)  Eq. 25; None -> standard RNN (Eq. 32)

    def __post_init__(self):
        W_r = as_float_array("W_r", self.W_r, ndim=2)
        d_s = W_r.shape[0]
        check_shape("W_r", W_r, (d_s, d_s), ("d_s", "d_s"), source="(W_r must be square)")
        W_x = as_float_array("W_x", self.W_x, ndim=2)
        check_shape("W_x", W_x, (d_s, None), ("d_s", "d_x"), source=f"from W_r of shape {W_r.shape}")
        theta_s = as_float_array("theta_s", self.theta_s)
        check_shape("theta_s", theta_s, (d_s,), ("d_s",), source=f"from W_r of shape {W_r.shape}")
        object.__setattr__(self, "W_r", W_r)
        object.__setattr__(self, "W_x", W_x)
        object.__setattr__(self, "theta_s", theta_s)
        if self.W_s is not None:
            W_s = as_float_array("W_s", self.W_s, ndim=2)
            check_shape("W_s", W_s, (d_s, d_s), ("d_s", "d_s"), source=f"from W_r of shape {W_r.shape}")
            object.__setattr__(self, "W_s", W_s)

    @property
    def d_s(self) -> int:
        """State size."""
        return self.W_r.shape[0]

    @property
    def d_x(self) -> int:
        """Input size."""
        return self.W_x.shape[1]

    @property
    def canonical(self) -> bool:
        """True for the canonical RNN (Eq. 30, with ``W_s``), False for the standard RNN (Eq. 32)."""
        return self.W_s is not None

    @classmethod
    def random(cls, rng: np.random.Generator, d_x: int, d_s: int, *, scale: float = 1.0, canonical: bool = False):
        """Gaussian parameters with ``W_r`` scaled by ``scale / sqrt(d_s)`` (spectral radius about ``scale``).

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness (the package never seeds globally).
        d_x, d_s : int
            Input and state sizes.
        scale : float, default 1.0
            Scale of ``W_r``; a random Gaussian matrix scaled this way has spectral radius close to ``scale``.
        canonical : bool, default False
            Also draw a ``W_s`` (canonical RNN, Eq. 30).

        Examples
        --------
        >>> p = RNNParams.random(np.random.default_rng(0), d_x=3, d_s=4)
        >>> p.W_x.shape
        (4, 3)
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng has type {type(rng).__name__}, expected numpy.random.Generator; use np.random.default_rng(seed)."
            )
        W_s = 0.3 * rng.standard_normal((d_s, d_s)) / np.sqrt(d_s) if canonical else None
        return cls(
            W_r=scale * rng.standard_normal((d_s, d_s)) / np.sqrt(d_s),
            W_x=rng.standard_normal((d_s, d_x)) / np.sqrt(d_x),
            theta_s=0.1 * rng.standard_normal(d_s),
            W_s=W_s,
        )


@dataclass(frozen=True)
class RNNTrace:
    """Signals of one forward pass, time-major, kept for the backward pass.

    Attributes
    ----------
    s : numpy.ndarray, shape (N, d_s) or (N, B, d_s)
        States ``s[0..N-1]`` (Eq. 30/32).
    r : numpy.ndarray, same shape as ``s``
        Readouts ``r[n] = G(s[n])`` (Eq. 31/33).
    x : numpy.ndarray, shape (N, d_x) or (N, B, d_x)
        The inputs.
    s0 : numpy.ndarray, shape (d_s,) or (B, d_s)
        The initial state ``s[-1]``.
    """

    s: np.ndarray
    r: np.ndarray
    x: np.ndarray
    s0: np.ndarray

    @property
    def batched(self) -> bool:
        """True when the trace holds a batch, ``(N, B, d)``."""
        return self.s.ndim == 3


def rnn_forward(params: RNNParams, x, s0=None) -> RNNTrace:
    """Run the canonical (Eq. 30) or standard (Eq. 32) RNN over a sequence.

    Parameters
    ----------
    params : RNNParams
        ``params.W_s is None`` selects the standard RNN.
    x : array_like, shape (N, d_x) or (N, B, d_x)
        Inputs, time along axis 0.
    s0 : array_like, shape (d_s,) or (B, d_s), optional
        Initial state ``s[-1]``; zero by default (Eq. 73).

    Returns
    -------
    RNNTrace
        ``s`` and ``r`` with the leading axes of ``x``.

    Raises
    ------
    TypeError
        If ``params`` is not an :class:`RNNParams` or ``x`` is not numeric.
    ValueError
        If ``x`` or ``s0`` has the wrong shape or holds NaN/inf.

    References
    ----------
    Sherstinsky (2020), Eqs. 30-33.

    Examples
    --------
    One step of a scalar standard RNN, by hand: s[0] = 2 * 0 + 3 * 1 + 0.5 = 3.5.

    >>> p = RNNParams(W_r=[[2.0]], W_x=[[3.0]], theta_s=[0.5])
    >>> tr = rnn_forward(p, [[1.0]])
    >>> tr.s, tr.r.round(4)
    (array([[3.5]]), array([[0.9982]]))
    """
    if not isinstance(params, RNNParams):
        raise TypeError(
            f"params has type {type(params).__name__}, expected RNNParams; build one with RNNParams(W_r, W_x, theta_s)."
        )
    X, batched = as_sequence("x", x, params.d_x, "d_x", source=f"from W_x of shape {params.W_x.shape}")
    N, B, _ = X.shape
    S0 = as_initial("s0", s0, B, params.d_s, "d_s", batched)  # s[-1], (B, d_s)
    s_prev, r_prev = S0, _G_d(S0)
    drive = X @ params.W_x.T + params.theta_s  # W_x x[n] + theta_s for all n at once, (N, B, d_s)
    s = np.empty((N, B, params.d_s))
    for n in range(N):
        s_n = r_prev @ params.W_r.T + drive[n]  # Eq. 32
        if params.W_s is not None:
            s_n += s_prev @ params.W_s.T  # Eq. 30: the canonical RNN's extra term
        s[n] = s_n
        s_prev, r_prev = s_n, _G_d(s_n)  # Eq. 31/33
    r = _G_d(s)
    if batched:
        return RNNTrace(s=s, r=r, x=X, s0=S0)
    return RNNTrace(s=s[:, 0], r=r[:, 0], x=X[:, 0], s0=S0[0])


def _backward_inputs(params, trace, dE_dr):
    """Check the arguments of :func:`rnn_backward`; return ``S, S0, X, chi_direct`` as ``(N, B, d)``."""
    if not isinstance(params, RNNParams):
        raise TypeError(f"params has type {type(params).__name__}, expected RNNParams; build one with RNNParams(...).")
    if not isinstance(trace, RNNTrace):
        raise TypeError(f"trace has type {type(trace).__name__}, expected RNNTrace; pass rnn_forward(params, x).")
    axes = ("N", "B", "d_s") if trace.batched else ("N", "d_s")
    lead = trace.s.shape[:-1]
    src = f"from W_r of shape {params.W_r.shape}; run rnn_forward with these params"
    check_shape("trace.s", trace.s, (*lead, params.d_s), axes, source=src)
    check_shape("trace.x", trace.x, (*lead, params.d_x), (*axes[:-1], "d_x"), source=f"from W_x {params.W_x.shape}")
    chi = as_float_array("dE_dr", dE_dr)
    check_shape("dE_dr", chi, trace.r.shape, axes, source="(the shape of trace.r): one dE/dr[n] per step")
    if trace.batched:
        return trace.s, trace.s0, trace.x, chi
    return trace.s[:, None], trace.s0[None], trace.x[:, None], chi[:, None]


def rnn_backward(params: RNNParams, trace: RNNTrace, dE_dr, *, erratum_p1: bool = False):
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

    Returns
    -------
    grads : RNNParams
        ``dE/dW_r``, ``dE/dW_x``, ``dE/dtheta_s`` (Eqs. 87-90), summed over steps and
        the batch; ``dE/dW_s`` iff ``params.W_s`` is set. (``dE/ds[-1]`` is not returned.)
    psi : numpy.ndarray, shape of ``trace.s``
        ``psi[n]`` = total ``dE/ds[n]`` (Eq. 79), with ``psi[N] = 0`` (Eq. 85).

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

    >>> p = RNNParams(W_r=[[0.5]], W_x=[[1.0]], theta_s=[0.0])
    >>> tr = rnn_forward(p, [[1.0], [0.0]])
    >>> grads, psi = rnn_backward(p, tr, np.ones((2, 1)))
    >>> psi.round(4)
    array([[0.6022],
           [0.8679]])
    >>> float(grads.W_x[0, 0].round(4))  # psi[0] x[0] + psi[1] x[1] (Eq. 88)
    0.6022
    """
    S, S0, X, chi_direct = _backward_inputs(params, trace, dE_dr)
    N, B, d_s = S.shape
    W_r_back = params.W_r if erratum_p1 else params.W_r.T  # Eq. 82 prints W_r; the gradient needs W_r.T (erratum P1)
    dG = _dG_d(S)  # G'(s[n]) for all n, (N, B, d_s)
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
    grads = RNNParams(
        W_r=np.einsum("nbi,nbj->ij", psi, _G_d(S_prev)),  # Eqs. 87, 90: sum_n psi[n] r[n-1]^T
        W_x=np.einsum("nbi,nbj->ij", psi, X),  # Eqs. 88, 90: sum_n psi[n] x[n]^T
        theta_s=psi.sum(axis=(0, 1)),  # Eqs. 89, 90
        W_s=None if params.W_s is None else np.einsum("nbi,nbj->ij", psi, S_prev),  # dE/dW_s = sum_n psi[n] s[n-1]^T
    )
    return grads, (psi if trace.batched else psi[:, 0])
