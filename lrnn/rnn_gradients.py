"""Vanishing and exploding gradients of the RNN, Sherstinsky (2020) Sec. IV, Eqs. 91-93.

BPTT (Eqs. 82-84, with erratum P1) makes ``psi[n]`` depend on ``psi[n+1]`` through
one Jacobian per step; over ``l - n`` steps they multiply as an *ordered* product
(pitfall P2; Eq. 91 prints a schematic version without transpose or order)::

    dpsi[n]/dpsi[n+1] = diag(G'(s[n])) W_r^T                                   (+ W_s^T, canonical RNN)
    dpsi[n]/dpsi[l]   = prod_{k=n+1}^{l} diag(G'(s[k-1])) W_r^T   (k increasing left to right)

The paper bounds its norm schematically by ``(||W_r|| max|G'|)^(l-n)`` (Eqs. 92-93). In the
linear regime (``G' = 1``) the product is ``(W_r^T)^(l-n)``, whose norm decays or grows
at the rate of the spectral radius ``rho(W_r)`` asymptotically, but can first grow
(transient amplification) when ``W_r`` is not normal, even with ``rho(W_r) < 1``: the
paper's "eigenvalues < 1 implies ||W_r|| < 1" holds only for normal ``W_r``.

Saturation (``G' < 1``) does not settle the question either. The backward product is the
transpose of the forward tangent map, ``dpsi[n]/dpsi[l] = (ds[l]/ds[n])^T``, so the gradient
grows or fades at the rate at which nearby trajectories of the network separate: the largest
Lyapunov exponent ``lambda_1`` (:func:`lyapunov_exponents`). For a symmetric ``W_r`` the state
settles and ``lambda_1 < 0`` whatever the gain; for a generic (Gaussian) ``W_r`` of gain above
about 1.5 the saturated network is chaotic, ``lambda_1 > 0``, and the gradient explodes
(erratum P16 of the book). :func:`recurrent_matrix` draws the four families the book compares.

Symbols (paper -> code -> shape)::

    psi[n]              psi         (d_s,)       total dE/ds[n] (Eq. 79)
    dpsi[n]/dpsi[l]     J           (d_s, d_s)   psi_jacobian(params, trace, n, l)
    l - n               lag         int          distance back in time
    G'(s[k])            dG          (d_s,)       tanh'(s[k]) = 1 - tanh(s[k])^2 (Eq. 138)
    mu_i                            complex      eigenvalues of W_r (small-signal modes, Sec. II)
    ds[n+1]/ds[n]       A           (d_s, d_s)   W_r diag(G'(s[n])) (+ W_s): the forward tangent map
    lambda_i            lam         (k,)         Lyapunov exponents, nats per step
"""

from __future__ import annotations

import numpy as np

from ._validation import check_rng, check_shape, check_type
from .activations import dG_d
from .initializers import orthogonal
from .rnn import RNNParams, RNNTrace

__all__ = [
    "psi_jacobian",
    "gradient_norm_profile",
    "schematic_bound",
    "theoretical_rate",
    "lyapunov_exponents",
    "make_recurrent_matrix",
    "recurrent_matrix",
    "FAMILIES",
]

#: The matrix families of :func:`recurrent_matrix`, the generic one first.
FAMILIES = ("gaussian", "symmetric", "orthogonal", "non-normal")


def _derivatives(params, trace) -> np.ndarray:
    """Check ``params`` and ``trace``; return ``G'(s[n])`` as ``(N, B, d_s)``."""
    check_type("params", params, RNNParams)
    check_type("trace", trace, RNNTrace, "pass rnn_forward(params, x)")
    axes = ("N", "B", "d_s") if trace.batched else ("N", "d_s")
    check_shape("trace.s", trace.s, (*trace.s.shape[:-1], params.d_s), axes, source=f"from W_r {params.W_r.shape}")
    dG = dG_d(trace.s, check=False)
    return dG if trace.batched else dG[:, None]


def _step_back(params: RNNParams, dG_n: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Left-multiply ``P`` (B, d_s, d_s) by the one-step Jacobian ``dpsi[n]/dpsi[n+1]``."""
    JP = dG_n[:, :, None] * (params.W_r.T @ P)  # diag(G'(s[n])) W_r^T P (erratum P1, pitfall P2)
    if params.W_s is not None:
        JP += params.W_s.T @ P  # canonical RNN: psi[n] also receives W_s^T psi[n+1]
    return JP


def psi_jacobian(params: RNNParams, trace: RNNTrace, n: int, l: int) -> np.ndarray:
    """Exact ``dpsi[n]/dpsi[l]`` as the ordered product of one-step Jacobians (pitfall P2).

    Parameters
    ----------
    params : RNNParams
    trace : RNNTrace
        Result of ``rnn_forward(params, x)``.
    n, l : int
        Steps with ``0 <= n <= l <= N - 1``; ``n = l`` gives the identity.

    Returns
    -------
    numpy.ndarray, shape (d_s, d_s) or (B, d_s, d_s)
        ``prod_{k=n+1}^{l} diag(G'(s[k-1])) W_r^T`` (plus ``W_s^T`` inside each factor
        for the canonical RNN), the matrix ``M`` with ``psi[n] = M psi[l] + ...`` for
        the terms that do not pass through ``psi[l]``.

    Raises
    ------
    ValueError
        If the steps are out of range or ``n > l``.

    References
    ----------
    Sherstinsky (2020), Eq. 91 (schematic form), corrected per pitfall P2.

    Examples
    --------
    >>> from lrnn.rnn import rnn_forward
    >>> p = RNNParams(W_r=[[0.5]], W_x=[[1.0]], theta_s=[0.0])
    >>> tr = rnn_forward(p, [[1.0], [0.0], [0.0]])
    >>> float(psi_jacobian(p, tr, 0, 2)[0, 0].round(4))  # 0.5 G'(s[0]) * 0.5 G'(s[1])
    0.0911
    """
    dG = _derivatives(params, trace)
    N, B, d_s = dG.shape
    if not (0 <= int(n) <= int(l) <= N - 1):
        raise ValueError(f"n = {n}, l = {l}, expected 0 <= n <= l <= N - 1 = {N - 1} (psi[n] depends on later psi[l]).")
    P = np.broadcast_to(np.eye(d_s), (B, d_s, d_s)).copy()
    for k in range(int(l), int(n), -1):  # build J(n) J(n+1) ... J(l-1) from the right
        P = _step_back(params, dG[k - 1], P)
    return P if trace.batched else P[0]


def gradient_norm_profile(params: RNNParams, trace: RNNTrace, *, ord: str | int = "fro") -> np.ndarray:
    """``||dpsi[N-1-lag]/dpsi[N-1]||`` for ``lag = 0, ..., N-1``: how a gradient fades going back.

    One backward sweep carries the product ``P_lag = dpsi[N-1-lag]/dpsi[N-1]`` and updates it
    with one Jacobian per step, ``P_{lag+1} = diag(G'(s[N-2-lag])) W_r^T P_lag``: ``N`` products of
    ``d_s x d_s`` matrices (``O(N d_s^3)`` flops, exact), instead of the ``O(N^2)`` products of
    forming each ``P_lag`` from scratch with :func:`psi_jacobian`. About 4 ms for ``"fro"`` and
    30 ms for ``ord=2`` at ``N = 200, d_s = 64`` (``benchmarks/bench_explorer.py``).

    Parameters
    ----------
    params : RNNParams
    trace : RNNTrace
    ord : {"fro", 2}, default "fro"
        Frobenius norm, or spectral 2-norm (largest singular value, from one batched
        symmetric eigensolve at the end). ``||P||_2 <= ||P||_F <= sqrt(d_s) ||P||_2``.

    Returns
    -------
    numpy.ndarray, shape (N,) or (N, B)
        Entry ``lag``; entry 0 is ``||I||`` (1 for ``ord=2``, ``sqrt(d_s)`` for ``"fro"``).

    Raises
    ------
    ValueError
        If ``ord`` is not ``"fro"`` or ``2``.

    Examples
    --------
    A linear-regime scalar RNN: the profile is ``|w_r G'|^lag`` with ``G'`` close to 1.

    >>> from lrnn.rnn import rnn_forward
    >>> p = RNNParams(W_r=[[0.5]], W_x=[[0.0]], theta_s=[0.0])
    >>> gradient_norm_profile(p, rnn_forward(p, np.zeros((4, 1))), ord=2)
    array([1.   , 0.5  , 0.25 , 0.125])
    """
    if ord not in ("fro", 2):
        raise ValueError(f"ord = {ord!r}, expected 'fro' (Frobenius) or 2 (spectral norm).")
    dG = _derivatives(params, trace)
    N, B, d_s = dG.shape
    P = np.empty((N, B, d_s, d_s))
    P[0] = np.eye(d_s)  # lag 0: dpsi[N-1]/dpsi[N-1]
    for lag in range(1, N):
        P[lag] = _step_back(params, dG[N - 1 - lag], P[lag - 1])
    norms = np.sqrt(np.einsum("nbij,nbij->nb", P, P))  # Frobenius
    if ord == 2:  # sigma_max = ||P||_F sqrt(lambda_max(U U^T)), U = P / ||P||_F: no underflow in the square
        U = P / np.where(norms > 0, norms, 1.0)[..., None, None]
        norms = norms * np.sqrt(np.clip(np.linalg.eigvalsh(U @ np.swapaxes(U, -1, -2))[..., -1], 0.0, None))
    return norms if trace.batched else norms[:, 0]


def schematic_bound(params: RNNParams, n_lags: int, *, trace: RNNTrace | None = None) -> np.ndarray:
    """The paper's estimate ``(||W_r|| max|G'|)^lag`` for ``lag = 0, ..., n_lags - 1`` (Eqs. 92-93).

    With the spectral norm ``||W_r||_2`` and ``max|G'|`` over the steps that enter the
    products, it is a true upper bound on the ``ord=2`` profile of the standard RNN
    (submultiplicativity); for ``ord="fro"`` multiply it by ``sqrt(d_s)``.

    Parameters
    ----------
    params : RNNParams
    n_lags : int
    trace : RNNTrace, optional
        Take ``max|G'|`` over ``s[0..N-2]`` of this trace; otherwise use ``max|tanh'| = 1``.

    Returns
    -------
    numpy.ndarray, shape (n_lags,)

    Examples
    --------
    >>> p = RNNParams(W_r=[[0.5, 0.0], [0.0, -0.25]], W_x=[[1.0], [1.0]], theta_s=[0.0, 0.0])
    >>> schematic_bound(p, 3)
    array([1.  , 0.5 , 0.25])
    """
    g_max = 1.0 if trace is None else float(_derivatives(params, trace)[:-1].max(initial=0.0))
    return (np.linalg.norm(params.W_r, 2) * g_max) ** np.arange(int(n_lags))  # Eqs. 92-93


def theoretical_rate(params: RNNParams, kind: str = "radius") -> float:
    """Per-step rate of the linear-regime (``G' = 1``) product ``(W^T)^lag``, ``W = W_r (+ W_s)``.

    Parameters
    ----------
    params : RNNParams
        For the canonical RNN the small-signal matrix is ``W_s + W_r`` (Sec. II).
    kind : {"radius", "norm"}, default "radius"
        ``"radius"``: spectral radius ``max |mu_i|``, the asymptotic rate
        ``lim ||W^lag||^(1/lag)`` (Gelfand's formula). ``"norm"``: spectral norm ``||W||_2``,
        the rate of the upper bound; equal to the radius iff ``W`` is normal.

    Returns
    -------
    float

    Examples
    --------
    >>> p = RNNParams(W_r=[[0.5, 4.0], [0.0, 0.5]], W_x=[[1.0], [1.0]], theta_s=[0.0, 0.0])
    >>> theoretical_rate(p), round(theoretical_rate(p, "norm"), 3)  # non-normal: norm > radius
    (0.5, 4.062)
    """
    W = params.W_r if params.W_s is None else params.W_r + params.W_s
    if kind == "radius":
        return float(np.abs(np.linalg.eigvals(W)).max())
    if kind == "norm":
        return float(np.linalg.norm(W, 2))
    raise ValueError(f"kind = {kind!r}, expected 'radius' or 'norm'.")


def lyapunov_exponents(params: RNNParams, trace: RNNTrace, k: int = 1, *, skip: int = 0) -> np.ndarray:
    """The ``k`` largest Lyapunov exponents along a trajectory, from its Jacobian products (QR method).

    The tangent map of one step is ``A[n] = ds[n+1]/ds[n] = W_r diag(G'(s[n]))`` (``+ W_s`` for the
    canonical RNN), and BPTT multiplies by its transpose: ``dpsi[n]/dpsi[l] = (A[l-1] ... A[n])^T``
    (pitfall P2). Its singular values grow or shrink like ``exp(lambda_i * (l - n))``. The product
    itself over- or underflows within a few hundred steps, so it is never formed: an orthonormal
    frame ``Q`` of ``k`` tangent vectors is carried along and re-orthonormalised at every step,
    ``A[n] Q[n] = Q[n+1] R[n+1]``, and ``lambda_i = mean_n log |R[n]_ii|`` (Benettin et al. 1980).
    For ``k = 1`` this is the renormalised product ``||A[n] q|| / ||q||``.

    Parameters
    ----------
    params : RNNParams
    trace : RNNTrace
        Result of ``rnn_forward(params, x)``, one sequence ``(N, d_s)`` or a batch ``(N, B, d_s)``.
    k : int, default 1
        How many exponents, ``1 <= k <= d_s``.
    skip : int, default 0
        Steps at the start of the trace left out (the transient before the state reaches its
        attractor); the estimate averages the ``N - 1 - skip`` maps ``A[skip], ..., A[N-2]``.

    Returns
    -------
    numpy.ndarray, shape (k,) or (B, k)
        Exponents in nats per step, largest first (to within the estimate's noise). A product that
        reaches exactly zero (every ``G' = 0`` in float64) gives ``-inf``. ``lambda_1 > 0`` means
        nearby trajectories separate (chaos) and the gradient explodes at the rate ``exp(lambda_1)``
        per step; ``lambda_1 < 0`` means it vanishes.

    Raises
    ------
    ValueError
        If ``k`` is not in ``1..d_s`` or fewer than one step is left after ``skip``.

    References
    ----------
    G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, Meccanica 15 (1980) 21-30 (the QR method);
    Sherstinsky (2020), Eq. 91, corrected per pitfall P2.

    Examples
    --------
    In the linear regime (``s = 0``, ``G' = 1``) the exponents are ``log |mu_i|``, here
    ``log 0.5`` and ``log 0.25`` (a finite average approaches them like ``1 / N``):

    >>> from lrnn.rnn import rnn_forward
    >>> p = RNNParams(W_r=[[0.5, 0.3], [0.0, 0.25]], W_x=[[0.0], [0.0]], theta_s=[0.0, 0.0])
    >>> lam = lyapunov_exponents(p, rnn_forward(p, np.zeros((400, 1))), k=2)
    >>> np.round(lam, 2), np.round(np.log([0.5, 0.25]), 2)
    (array([-0.69, -1.39]), array([-0.69, -1.39]))
    """
    dG = _derivatives(params, trace)  # (N, B, d_s)
    N, B, d_s = dG.shape
    k, skip = int(k), int(skip)
    if not 1 <= k <= d_s or not 0 <= skip <= N - 2:
        raise ValueError(
            f"k = {k}, skip = {skip} with N = {N}, d_s = {d_s}: expected 1 <= k <= d_s and "
            "0 <= skip <= N - 2 (at least one step to average over); pass a longer trace or a smaller skip."
        )
    # a fixed, generic starting frame: the first k cosine (DCT-II) vectors, orthonormal
    i = np.arange(d_s)[:, None] + 0.5
    Q = np.cos(np.pi * i * np.arange(k) / d_s)
    Q = np.broadcast_to(Q / np.linalg.norm(Q, axis=0), (B, d_s, k)).copy()
    log_growth = np.zeros((B, k))
    with np.errstate(divide="ignore"):  # log(0) = -inf: the product is exactly zero
        for n in range(skip, N - 1):
            AQ = params.W_r @ (dG[n][:, :, None] * Q)  # A[n] Q = W_r diag(G'(s[n])) Q, for the batch
            if params.W_s is not None:
                AQ += params.W_s @ Q  # canonical RNN: s[n+1] also receives W_s s[n]
            if k == 1:  # the renormalised product: R is the length of the one vector
                R_diag = np.linalg.norm(AQ, axis=1)  # (B, 1)
                Q = AQ / np.where(R_diag > 0, R_diag, 1.0)[:, None, :]
            else:
                Q, R = np.linalg.qr(AQ)
                R_diag = np.diagonal(R, axis1=-2, axis2=-1)
            log_growth += np.log(np.abs(R_diag))
    lam = log_growth / (N - 1 - skip)
    return lam if trace.batched else lam[0]


def make_recurrent_matrix(
    rng: np.random.Generator, d: int, spectral_radius: float, normal: bool = True, *, nonnormality: float = 2.0
) -> np.ndarray:
    """A random ``W_r`` with real eigenvalues and a prescribed spectral radius, normal or not.

    The eigenvalues are ``spectral_radius`` and ``d - 1`` draws from
    ``U(-spectral_radius, spectral_radius)``. With ``normal=True``, ``W = Q diag(mu) Q^T``
    (symmetric, so ``||W||_2 = spectral_radius``, the paper's "best case" ``B = B^T``).
    With ``normal=False``, ``W = Q (diag(mu) + T) Q^T``, a real Schur form whose strictly
    upper-triangular part ``T`` has ``||T||_2 = nonnormality``: the same eigenvalues, but
    ``||W||_2 > spectral_radius`` and powers ``W^k`` that grow before they decay.

    Parameters
    ----------
    rng : numpy.random.Generator
    d : int
        Size, >= 1.
    spectral_radius : float
        ``max |mu_i|``, >= 0.
    normal : bool, default True
    nonnormality : float, default 2.0
        ``||T||_2`` of the non-normal part (ignored when ``normal=True``).

    Returns
    -------
    numpy.ndarray, shape (d, d)

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``.
    ValueError
        If ``d < 1`` or ``spectral_radius < 0`` or ``nonnormality < 0``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W = make_recurrent_matrix(rng, 8, 0.9, normal=False)
    >>> round(float(np.abs(np.linalg.eigvals(W)).max()), 6), bool(np.linalg.norm(W, 2) > 1.5)
    (0.9, True)
    """
    check_rng(rng)
    if int(d) != d or d < 1 or not spectral_radius >= 0 or not nonnormality >= 0:
        raise ValueError(
            f"d = {d}, spectral_radius = {spectral_radius}, nonnormality = {nonnormality}: "
            "expected an integer d >= 1 and non-negative spectral_radius and nonnormality."
        )
    d = int(d)
    mu = spectral_radius * rng.uniform(-1.0, 1.0, d)
    mu[0] = spectral_radius  # attains the prescribed radius exactly
    Q = orthogonal(rng, d)  # Haar-distributed
    T = np.zeros((d, d))
    if not normal and d > 1:
        T = np.triu(rng.standard_normal((d, d)), 1)
        T *= nonnormality / np.linalg.norm(T, 2)
    return Q @ (np.diag(mu) + T) @ Q.T


def recurrent_matrix(
    rng: np.random.Generator, d: int, gain: float, family: str = "gaussian", *, nonnormality: float = 3.5
) -> np.ndarray:
    """A random ``W_r`` of gain ``gain`` from one of the four families the book compares.

    ============  ==================================================================================
    family        ``W_r``
    ============  ==================================================================================
    gaussian      ``gain * G / sqrt(d)`` with ``G`` i.i.d. standard normal: the generic case, and the
                  same draw as ``RNNParams.init(rng, d_x, d, recurrent="gaussian", scale=gain).W_r``.
                  Its eigenvalues fill the disc of radius ``gain`` as ``d`` grows (circular law);
                  at ``d = 64`` the spectral radius is usually within ten percent of ``gain``, and
                  ``||W_r||_2`` is about ``2 gain``.
    symmetric     :func:`make_recurrent_matrix` with ``normal=True``: real eigenvalues, spectral
                  radius exactly ``gain`` (the paper's "best case" ``B = B^T``).
    orthogonal    ``gain * Q`` with ``Q`` Haar-distributed orthogonal: every ``|mu_i| = gain``; the
                  same draw as ``RNNParams.init(..., recurrent="orthogonal", scale=gain).W_r``.
    non-normal    :func:`make_recurrent_matrix` with ``normal=False``: the symmetric family's
                  eigenvalues plus a strictly upper-triangular Schur part of norm ``nonnormality``.
    ============  ==================================================================================

    Parameters
    ----------
    rng : numpy.random.Generator
    d : int
        Size, >= 1.
    gain : float
        >= 0; the spectral radius (exactly, except for ``"gaussian"``, see above).
    family : {"gaussian", "symmetric", "orthogonal", "non-normal"}, default "gaussian"
    nonnormality : float, default 3.5
        Used by ``"non-normal"`` only.

    Returns
    -------
    numpy.ndarray, shape (d, d)

    Raises
    ------
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``.
    ValueError
        If ``family`` is unknown, ``d < 1`` or ``gain < 0``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W = recurrent_matrix(rng, 3, 2.0, "orthogonal")
    >>> np.round(np.abs(np.linalg.eigvals(W)), 6)
    array([2., 2., 2.])
    """
    if family not in FAMILIES:
        raise ValueError(f"family = {family!r}, expected one of {FAMILIES}.")
    if family in ("symmetric", "non-normal"):
        return make_recurrent_matrix(rng, d, gain, family == "symmetric", nonnormality=nonnormality)
    check_rng(rng)
    if int(d) != d or d < 1 or not gain >= 0:
        raise ValueError(f"d = {d}, gain = {gain}: expected an integer d >= 1 and gain >= 0.")
    d = int(d)
    if family == "gaussian":
        return gain * rng.standard_normal((d, d)) / np.sqrt(d)
    return orthogonal(rng, d, gain)  # Haar-distributed, times the gain
