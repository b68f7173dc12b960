"""Error-gradient sequences of the Vanilla LSTM, Sherstinsky (2020) Sec. VI-J, Eqs. 173-182.

Substituting ``chi[n]`` (Eq. 144) into ``psi[n]`` (Eq. 150) and differentiating with
respect to ``psi[k]`` gives the one-step Jacobian of Eq. 179 (written here with the
transposes that the printed Eq. 178 omits, pitfall P3), for ``1 <= k <= N-1``::

    dpsi[k-1]/dpsi[k] = Q_k + diag(g_cs[k])                                         (Eq. 179)
    Q_k = W_s_cu^T D_cu + W_s_cs^T D_cs
          + R_{k-1} (W_v_cu^T D_cu + W_v_cs^T D_cs + W_v_du^T D_du)
    D_cu = diag(u[k] G_c'(a_cu[k]))      (alpha_cu[k] = D_cu psi[k], Eq. 152)
    D_cs = diag(s[k-1] G_c'(a_cs[k]))    (alpha_cs[k] = D_cs psi[k], Eq. 151)
    D_du = diag(g_cu[k] G_d'(a_du[k]))   (alpha_du[k] = D_du psi[k], Eq. 153)
    R_{k-1} = diag(g_cr[k-1] G_d'(s[k-1])) + W_s_cr^T diag(r[k-1] G_c'(a_cr[k-1]))
              (psi[k-1] receives R_{k-1} chi[k-1], Eqs. 145-150)

``Q_k`` depends on ``Theta~ = {W_s_cu, W_v_cu, W_s_cs, W_v_cs, W_s_cr, W_v_du}`` as the
paper says; ``diag(g_cs[k])`` is the carousel term ``g_cs[k] psi[k]`` of Eq. 155, with no
attenuating weight. The transpose ``J_k^T`` is the forward Jacobian ``ds[k]/ds[k-1]`` with
``v[k-1]`` recomputed from ``s[k-1]``. Over several steps (Eq. 180) the factors multiply
in order, ``dpsi[n]/dpsi[l] = J_{n+1} J_{n+2} ... J_l``.

The Jacobian is a partial derivative at fixed ``chi[k]``, as in the paper: the backward
pass also carries ``chi`` from step to step through ``W_v_cr^T alpha_cr[k]`` (Eq. 154),
a path that does not pass through ``psi``. With ``W_v_cr = 0`` the product is the whole
story and reproduces :func:`lrnn.lstm_bptt.lstm_backward` exactly. In general the backward
recursion runs on the pair ``(psi, chi)``, and :func:`lstm_pair_jacobian` gives its exact
one-step matrix (erratum P21)::

    [psi[k-1]]   [ J_k   R_{k-1} C_k ] [psi[k]]      C_k = W_v_cr^T diag(r[k] G_c'(a_cr[k]))
    [chi[k-1]] = [ F_k   C_k         ] [chi[k]]      F_k = W_v_cu^T D_cu + W_v_cs^T D_cs + W_v_du^T D_du

(for steps ``k - 1`` where the loss has no direct term).

Symbols (paper -> code -> shape of one sequence)::

    dpsi[k-1]/dpsi[k]   J = Q + diag(g_cs)   (d_s, d_s)
    Q(k-1, k; Theta~)   Q                    (d_s, d_s)
    dpsi[n]/dpsi[l]     P                    (d_s, d_s)
    d(psi,chi)[k-1]/d(psi,chi)[k]   M        (2 d_s, 2 d_s)
    ||.||               spectral norm (largest singular value)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .cell import check_trace
from .lstm import LSTMParams, LSTMTrace

__all__ = [
    "StepJacobian",
    "GradientProfile",
    "lstm_step_jacobian",
    "lstm_psi_jacobian",
    "lstm_pair_jacobian",
    "lstm_gradient_profile",
]


@dataclass(frozen=True)
class StepJacobian:
    """The two parts of Eq. 179, ``dpsi[k-1]/dpsi[k] = Q + diag(g_cs[k])``.

    Attributes
    ----------
    Q : numpy.ndarray, shape (d_s, d_s) or (B, d_s, d_s)
        Every term that goes through a weight matrix of ``Theta~``.
    g_cs : numpy.ndarray, shape (d_s,) or (B, d_s)
        The control state gate ``g_cs[k]``.
    """

    Q: np.ndarray
    g_cs: np.ndarray

    @property
    def J(self) -> np.ndarray:
        """The full Jacobian ``Q + diag(g_cs[k])``."""
        return self.Q + self.g_cs[..., :, None] * np.eye(self.g_cs.shape[-1])


def _signals(params, trace):
    """``(s[-1], signals, batched)``: the trace's signals as ``(N, B, d_s)`` arrays, checked against ``params``."""
    check_trace(params, trace, None, cell=LSTMParams, trace_type=LSTMTrace, forward="lstm_forward")
    names = ("s", "r", "u", "g_cu", "g_cs", "g_cr")
    return trace.as_batch("s0")[0], dict(zip(names, trace.as_batch(*names))), trace.batched


def _parts(p: LSTMParams, sig, S0, k: int):
    """``(P, R, F)`` of step ``k`` as ``(B, d_s, d_s)``: ``Q_k = P + R F`` (Eq. 179), for ``1 <= k <= N-1``."""
    s, r, u, g_cu, g_cs, g_cr = (sig[n] for n in ("s", "r", "u", "g_cu", "g_cs", "g_cr"))
    s_prev = s[k - 1] if k else S0
    D_cu = u[k] * g_cu[k] * (1.0 - g_cu[k])  # Eq. 152: alpha_cu[k] = D_cu psi[k]
    D_cs = s_prev * g_cs[k] * (1.0 - g_cs[k])  # Eq. 151
    D_du = g_cu[k] * (1.0 - u[k] ** 2)  # Eq. 153
    # f_psi[k] (Eq. 155) without its carousel term: W_s_cu^T D_cu + W_s_cs^T D_cs
    P = p.W_s_cu.T[None] * D_cu[:, None, :] + p.W_s_cs.T[None] * D_cs[:, None, :]
    # f_chi[k] (Eq. 154) terms that depend on psi[k] ...
    F = p.W_v_cu.T[None] * D_cu[:, None, :] + p.W_v_cs.T[None] * D_cs[:, None, :] + p.W_v_du.T[None] * D_du[:, None, :]
    # ... reach psi[k-1] through chi[k-1] (Eqs. 145-150, with W_s_cr^T: erratum P3)
    R = (g_cr[k - 1] * (1.0 - r[k - 1] ** 2))[:, :, None] * np.eye(len(p.b_cu)) + p.W_s_cr.T[None] * (
        r[k - 1] * g_cr[k - 1] * (1.0 - g_cr[k - 1])
    )[:, None, :]
    return P, R, F


def _Q(p: LSTMParams, sig, S0, k: int) -> np.ndarray:
    """``Q_k`` of Eq. 179 as ``(B, d_s, d_s)``, for ``1 <= k <= N-1``."""
    P, R, F = _parts(p, sig, S0, k)
    return P + R @ F  # Eq. 179 (Q part)


def _check_step(k, N, lo=1):
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or not lo <= k <= N - 1:
        raise ValueError(
            f"k = {k!r}, expected an integer step with {lo} <= k <= N - 1 = {N - 1}; "
            "dpsi[k-1]/dpsi[k] needs both steps inside the sequence."
        )
    return int(k)


def lstm_step_jacobian(params: LSTMParams, trace: LSTMTrace, k: int) -> StepJacobian:
    """The one-step Jacobian ``dpsi[k-1]/dpsi[k] = Q + diag(g_cs[k])`` (Eq. 179).

    Parameters
    ----------
    params : LSTMParams
    trace : LSTMTrace
        Result of ``lstm_forward(params, x)``, one sequence or a batch.
    k : int
        Step with ``1 <= k <= N - 1``.

    Returns
    -------
    StepJacobian
        ``Q`` and ``g_cs[k]``; ``.J`` is their sum.

    Raises
    ------
    TypeError
        If ``params`` or ``trace`` has the wrong type.
    ValueError
        If ``k`` is out of range or ``trace`` does not fit ``params``.

    References
    ----------
    Sherstinsky (2020), Sec. VI-J, Eqs. 173-179 (transposes restored).

    Examples
    --------
    With every weight zero, ``Q = 0`` and the Jacobian is the carousel ``diag(g_cs[k])``:

    >>> from lrnn.lstm import lstm_forward
    >>> p = LSTMParams.zeros(d_x=1, d_s=2)
    >>> jac = lstm_step_jacobian(p, lstm_forward(p, np.zeros((3, 1))), k=2)
    >>> jac.J
    array([[0.5, 0. ],
           [0. , 0.5]])
    """
    S0, sig, batched = _signals(params, trace)
    k = _check_step(k, sig["s"].shape[0])
    jac = StepJacobian(Q=_Q(params, sig, S0, k), g_cs=sig["g_cs"][k].copy())
    return jac if batched else StepJacobian(Q=jac.Q[0], g_cs=jac.g_cs[0])


def lstm_psi_jacobian(params: LSTMParams, trace: LSTMTrace, n: int, l: int) -> np.ndarray:
    """The ordered product ``dpsi[n]/dpsi[l] = J_{n+1} J_{n+2} ... J_l`` (Eq. 180).

    Parameters
    ----------
    params : LSTMParams
    trace : LSTMTrace
    n, l : int
        Steps with ``0 <= n <= l <= N - 1``; ``n = l`` gives the identity.

    Returns
    -------
    numpy.ndarray, shape (d_s, d_s) or (B, d_s, d_s)

    Raises
    ------
    ValueError
        If the steps are out of range or ``n > l``.

    Examples
    --------
    >>> from lrnn.lstm import lstm_forward
    >>> p = LSTMParams.zeros(d_x=1, d_s=1)
    >>> lstm_psi_jacobian(p, lstm_forward(p, np.zeros((4, 1))), 0, 3)  # (1/2)^3
    array([[0.125]])
    """
    S0, sig, batched = _signals(params, trace)
    N, B, d = sig["s"].shape
    if not (0 <= int(n) <= int(l) <= N - 1):
        raise ValueError(f"n = {n}, l = {l}, expected 0 <= n <= l <= N - 1 = {N - 1} (psi[n] depends on later psi[l]).")
    P = np.broadcast_to(np.eye(d), (B, d, d)).copy()
    for k in range(int(l), int(n), -1):  # J_{n+1} ... J_l, built from the right
        J = _Q(params, sig, S0, k) + sig["g_cs"][k][:, :, None] * np.eye(d)  # Eq. 179
        P = J @ P  # Eq. 180
    return P if batched else P[0]


def lstm_pair_jacobian(params: LSTMParams, trace: LSTMTrace, k: int) -> np.ndarray:
    """The exact one-step matrix of the backward pass on the pair ``(psi, chi)`` (erratum P21).

    Eq. 179 differentiates ``psi[k-1]`` with ``chi[k]`` held fixed. The backward pass also
    carries ``chi`` back through ``W_v_cr^T alpha_cr[k]`` (Eq. 154), so where the loss has no
    direct term at step ``k - 1`` the recursion is linear in the pair::

        (psi[k-1], chi[k-1]) = M_k (psi[k], chi[k]),   M_k = [[J_k, R_{k-1} C_k], [F_k, C_k]]

    with ``J_k`` of Eq. 179, ``C_k = W_v_cr^T diag(r[k] G_c'(a_cr[k]))`` and ``F_k`` the
    ``psi[k]``-terms of ``f_chi[k]``. With ``W_v_cr = 0``, ``C_k = 0`` and ``psi`` alone is
    closed: ``psi[k-1] = J_k psi[k]``.

    Parameters
    ----------
    params : LSTMParams
    trace : LSTMTrace
        Result of ``lstm_forward(params, x)``, one sequence or a batch.
    k : int
        Step with ``1 <= k <= N - 1``.

    Returns
    -------
    numpy.ndarray, shape (2 d_s, 2 d_s) or (B, 2 d_s, 2 d_s)
        Rows and columns ordered ``(psi, chi)``.

    Raises
    ------
    TypeError
        If ``params`` or ``trace`` has the wrong type.
    ValueError
        If ``k`` is out of range or ``trace`` does not fit ``params``.

    References
    ----------
    Sherstinsky (2020), Sec. VI-I, Eqs. 144-155; Sec. VI-J, Eqs. 179-180.

    Examples
    --------
    Without ``W_v_cr`` the ``chi`` channel does not reach ``psi``: the upper right block is zero
    and the upper left block is Eq. 179.

    >>> from lrnn.lstm import lstm_forward
    >>> p = LSTMParams.init(np.random.default_rng(0), d_x=2, d_s=3)
    >>> p0 = LSTMParams(**{**p.__dict__, "W_v_cr": np.zeros((3, 3))})
    >>> tr = lstm_forward(p0, np.ones((4, 2)))
    >>> M = lstm_pair_jacobian(p0, tr, k=2)
    >>> M.shape, bool(np.all(M[:3, 3:] == 0)), bool(np.allclose(M[:3, :3], lstm_step_jacobian(p0, tr, 2).J))
    ((6, 6), True, True)
    """
    S0, sig, batched = _signals(params, trace)
    k = _check_step(k, sig["s"].shape[0])
    d = params.d_s
    P, R, F = _parts(params, sig, S0, k)
    g_cr, r = sig["g_cr"][k], sig["r"][k]
    C = params.W_v_cr.T[None] * (r * g_cr * (1.0 - g_cr))[:, None, :]  # W_v_cr^T alpha_cr[k], Eqs. 147, 154
    J = P + R @ F + sig["g_cs"][k][:, :, None] * np.eye(d)  # Eq. 179
    M = np.concatenate([np.concatenate([J, R @ C], axis=2), np.concatenate([F, C], axis=2)], axis=1)
    return M if batched else M[0]


@dataclass(frozen=True)
class GradientProfile:
    """How ``dpsi[n]/dpsi[N-1]`` fades (or not) going back ``lag = N-1-n`` steps.

    Every array is indexed by ``lag = 0, ..., N-1`` (shape ``(N,)``, or ``(N, B)`` for a batch).

    Attributes
    ----------
    norm : numpy.ndarray
        ``||dpsi[N-1-lag]/dpsi[N-1]||_2``, the exact product of Eq. 180; ``norm[0] = 1``.
    carousel : numpy.ndarray
        ``prod ||diag g_cs[k]||_2 = prod_k max_i g_cs_i[k]`` over the same steps: the
        paper's estimate for large lags, Eq. 182. It describes ``norm`` only while
        ``coupling`` is small (erratum P18).
    triangle : numpy.ndarray
        ``prod (||Q_k||_2 + ||diag g_cs[k]||_2)``, a rigorous upper bound of ``norm`` (Eq. 181
        applied at every step, then submultiplicativity).
    q_norm : numpy.ndarray
        ``||Q_k||_2`` of the factor added at this lag, ``k = N - lag`` (``q_norm[0] = 0``).
    coupling : numpy.ndarray
        ``c = sum ||Q_k||_2 / max_i g_cs_i[k]`` over the same steps (``inf`` once a gate is 0).
        Expanding the product of the sums ``diag g_cs[k] + Q_k`` bounds its distance from the
        carousel's product: ``||dpsi[n]/dpsi[N-1] - prod diag g_cs[k]||_2 <= triangle - carousel
        <= carousel (e^c - 1)``: ``norm <= e^c carousel``, and Eq. 182 describes ``norm`` while ``c`` is small.
    """

    norm: np.ndarray
    carousel: np.ndarray
    triangle: np.ndarray
    q_norm: np.ndarray
    coupling: np.ndarray


def _spectral(M: np.ndarray) -> np.ndarray:
    return np.linalg.svd(M, compute_uv=False)[..., 0]


def lstm_gradient_profile(params: LSTMParams, trace: LSTMTrace) -> GradientProfile:
    """Measure Eqs. 180-182 along a whole sequence in one backward sweep.

    Parameters
    ----------
    params : LSTMParams
    trace : LSTMTrace

    Returns
    -------
    GradientProfile

    References
    ----------
    Sherstinsky (2020), Sec. VI-J, Eqs. 180-182.

    Examples
    --------
    All weights zero: ``Q = 0`` and every gate is 1/2, so the norm halves per step and
    equals the carousel estimate of Eq. 182.

    >>> from lrnn.lstm import lstm_forward
    >>> p = LSTMParams.zeros(d_x=1, d_s=2)
    >>> prof = lstm_gradient_profile(p, lstm_forward(p, np.zeros((4, 1))))
    >>> prof.norm, prof.carousel
    (array([1.   , 0.5  , 0.25 , 0.125]), array([1.   , 0.5  , 0.25 , 0.125]))
    """
    S0, sig, batched = _signals(params, trace)
    N, B, d = sig["s"].shape
    P = np.broadcast_to(np.eye(d), (B, d, d)).copy()
    norm, carousel, triangle = np.ones((N, B)), np.ones((N, B)), np.ones((N, B))
    q_norm, coupling = np.zeros((N, B)), np.zeros((N, B))
    for lag in range(1, N):
        k = N - lag
        Q, g = _Q(params, sig, S0, k), sig["g_cs"][k]
        P = (Q + g[:, :, None] * np.eye(d)) @ P  # Eq. 180, one more factor on the left
        q_norm[lag] = _spectral(Q)
        norm[lag] = _spectral(P)
        carousel[lag] = carousel[lag - 1] * g.max(axis=-1)  # Eq. 182
        triangle[lag] = triangle[lag - 1] * (q_norm[lag] + g.max(axis=-1))  # Eq. 181
        with np.errstate(divide="ignore", invalid="ignore"):  # a shut gate: no carousel to compare with
            ratio = np.where(g.max(axis=-1) > 0, q_norm[lag] / g.max(axis=-1), np.inf)
        coupling[lag] = coupling[lag - 1] + ratio
    out = (norm, carousel, triangle, q_norm, coupling)
    return GradientProfile(*(out if batched else (a[:, 0] for a in out)))
