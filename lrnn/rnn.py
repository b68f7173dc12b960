"""The canonical and the standard RNN, Sherstinsky (2020) Sec. II, Eqs. 30-33.

Canonical RNN (Eqs. 30-31), obtained by sampling the additive model (see :mod:`lrnn.ode`)::

    s[n] = W_s s[n-1] + W_r r[n-1] + W_x x[n] + theta_s      (Eq. 30)
    r[n] = G(s[n])                                           (Eq. 31)

Standard RNN (Eqs. 32-33): the same with ``W_s = 0``.

The backward pass (BPTT, Sec. IV, Eqs. 78-90) is :func:`lrnn.rnn_bptt.rnn_backward`.

Symbols (paper -> code -> shape of one step)::

    x[n]      x         (d_x,)      input
    s[n]      s         (d_s,)      state (a pre-activation in the RNN)
    r[n]      r         (d_s,)      readout, r = G(s) with G = tanh
    W_s       W_s       (d_s, d_s)  state-to-state (canonical RNN only; None = standard RNN)
    W_r       W_r       (d_s, d_s)  readout-to-state (recurrent weights)
    W_x       W_x       (d_s, d_x)  input-to-state
    theta_s   theta_s   (d_s,)      bias

Shapes are time-major: one sequence is ``(N, d_x)``, a batch ``(N, B, d_x)``.
The paper writes ``W @ x`` for one step; batched code computes ``x @ W.T``.
The initial state ``s[-1]`` defaults to zero as in Eq. 73, so ``r[-1] = G(0) = 0``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, as_initial, as_sequence, check_shape
from .activations import G_d

__all__ = ["RNNParams", "RNNTrace", "rnn_forward"]


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
    s_prev, r_prev = S0, G_d(S0, check=False)
    drive = X @ params.W_x.T + params.theta_s  # W_x x[n] + theta_s for all n at once, (N, B, d_s)
    s = np.empty((N, B, params.d_s))
    for n in range(N):
        s_n = r_prev @ params.W_r.T + drive[n]  # Eq. 32
        if params.W_s is not None:
            s_n += s_prev @ params.W_s.T  # Eq. 30: the canonical RNN's extra term
        s[n] = s_n
        s_prev, r_prev = s_n, G_d(s_n, check=False)  # Eq. 31/33
    r = G_d(s, check=False)
    if batched:
        return RNNTrace(s=s, r=r, x=X, s0=S0)
    return RNNTrace(s=s[:, 0], r=r[:, 0], x=X[:, 0], s0=S0[0])
