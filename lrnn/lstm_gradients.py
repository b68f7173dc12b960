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
story and reproduces :func:`lrnn.lstm_bptt.lstm_backward` exactly.

Symbols (paper -> code -> shape of one sequence)::

    dpsi[k-1]/dpsi[k]   J = Q + diag(g_cs)   (d_s, d_s)
    Q(k-1, k; Theta~)   Q                    (d_s, d_s)
    dpsi[n]/dpsi[l]     P                    (d_s, d_s)
    ||.||               spectral norm (largest singular value)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import check_type
from .lstm import LSTMParams, LSTMTrace

__all__ = ["StepJacobian", "GradientProfile", "lstm_step_jacobian", "lstm_psi_jacobian", "lstm_gradient_profile"]


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
    check_type("params", params, LSTMParams)
    check_type("trace", trace, LSTMTrace, "pass lstm_forward(params, x)")
    if trace.s.shape[-1] != params.d_s or trace.x.shape[-1] != params.d_x:
        raise ValueError(
            f"trace has d_s = {trace.s.shape[-1]}, d_x = {trace.x.shape[-1]} but params has "
            f"d_s = {params.d_s}, d_x = {params.d_x}; run lstm_forward with these params first."
        )
    names, batched = ("s", "r", "u", "g_cu", "g_cs", "g_cr"), trace.batched
    sig = {k: getattr(trace, k) if batched else getattr(trace, k)[:, None] for k in names}
    return (trace.s0 if batched else trace.s0[None]), sig, batched


def _Q(p: LSTMParams, sig, S0, k: int) -> np.ndarray:
    """``Q_k`` of Eq. 179 as ``(B, d_s, d_s)``, for ``1 <= k <= N-1``."""
    s, r, u, g_cu, g_cs, g_cr = (sig[n] for n in ("s", "r", "u", "g_cu", "g_cs", "g_cr"))
    s_prev = s[k - 1] if k else S0
    D_cu = u[k] * g_cu[k] * (1.0 - g_cu[k])  # Eq. 152: alpha_cu[k] = D_cu psi[k]
    D_cs = s_prev * g_cs[k] * (1.0 - g_cs[k])  # Eq. 151
    D_du = g_cu[k] * (1.0 - u[k] ** 2)  # Eq. 153
    # f_psi[k] (Eq. 155) without its carousel term: W_s_cu^T D_cu + W_s_cs^T D_cs
    Q = p.W_s_cu.T[None] * D_cu[:, None, :] + p.W_s_cs.T[None] * D_cs[:, None, :]
    # f_chi[k] (Eq. 154) terms that depend on psi[k] ...
    F = p.W_v_cu.T[None] * D_cu[:, None, :] + p.W_v_cs.T[None] * D_cs[:, None, :] + p.W_v_du.T[None] * D_du[:, None, :]
    # ... reach psi[k-1] through chi[k-1] (Eqs. 145-150, with W_s_cr^T: erratum P3)
    R = (g_cr[k - 1] * (1.0 - r[k - 1] ** 2))[:, :, None] * np.eye(len(p.b_cu)) + p.W_s_cr.T[None] * (
        r[k - 1] * g_cr[k - 1] * (1.0 - g_cr[k - 1])
    )[:, None, :]
    return Q + R @ F  # Eq. 179 (Q part)


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
        paper's estimate for large lags, Eq. 182.
    triangle : numpy.ndarray
        ``prod (||Q_k||_2 + ||diag g_cs[k]||_2)``, a rigorous upper bound of ``norm`` (Eq. 181
        applied at every step, then submultiplicativity).
    q_norm : numpy.ndarray
        ``||Q_k||_2`` of the factor added at this lag, ``k = N - lag`` (``q_norm[0] = 0``).
    """

    norm: np.ndarray
    carousel: np.ndarray
    triangle: np.ndarray
    q_norm: np.ndarray


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
    norm, carousel, triangle, q_norm = np.ones((N, B)), np.ones((N, B)), np.ones((N, B)), np.zeros((N, B))
    for lag in range(1, N):
        k = N - lag
        Q, g = _Q(params, sig, S0, k), sig["g_cs"][k]
        P = (Q + g[:, :, None] * np.eye(d)) @ P  # Eq. 180, one more factor on the left
        q_norm[lag] = _spectral(Q)
        norm[lag] = _spectral(P)
        carousel[lag] = carousel[lag - 1] * g.max(axis=-1)  # Eq. 182
        triangle[lag] = triangle[lag - 1] * (q_norm[lag] + g.max(axis=-1))  # Eq. 181
    out = (norm, carousel, triangle, q_norm)
    return GradientProfile(*(out if batched else (a[:, 0] for a in out)))
