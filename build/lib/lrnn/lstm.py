"""Vanilla LSTM forward pass, Sherstinsky (2020) Sec. VI-F to VI-H, Eqs. 123-136.

Symbols (paper -> code -> shape of one step)::

    x[n]                    x       (d_x,)       input
    s[n]                    s       (d_s,)       cell state
    v[n]                    v       (d_s,)       value (observable output; PyTorch's h_t)
    r[n] = G_d(s[n])        r       (d_s,)       readout candidate
    u[n] = G_d(a_du[n])     u       (d_s,)       update candidate (PyTorch's g_t)
    a_cu, a_cs, a_cr, a_du  a_*     (d_s,)       accumulation nodes (pre-activations)
    g_cu, g_cs, g_cr        g_*     (d_s,)       control update / state / readout gates
                                                 (PyTorch's input, forget, output gates)
    W_x_*                   W_x_*   (d_s, d_x)   input -> node
    W_s_*                   W_s_*   (d_s, d_s)   state -> gate, the "pinhole" connections (P4)
    W_v_*                   W_v_*   (d_s, d_s)   value -> node (recurrent weights)
    b_*                     b_*     (d_s,)       biases

The gates cu and cs see the previous state s[n-1]; the readout gate cr sees the
*current* state s[n] (Eq. 128), so a_cr is completed only after Eq. 134. The
data-update node du has no state term. The paper does not state the initial
conditions; we use s[-1] = v[-1] = 0 as in Eq. 73 (erratum list, P5).

Shapes are time-major: one sequence is ``(N, d_x)``, a batch ``(N, B, d_x)``; the
paper writes ``W @ x`` for one step, batched code computes ``x @ W.T``. Internally
the four nodes are stacked in the order ``[cu | cs | du | cr]`` (PyTorch's
``[i | f | g | o]``) so that each time step needs one product for all ``W_v_*``;
the input products ``W_x_* x[n]`` for all n are one product before the loop.
The time loop (``_recurrence``) is shared with the Augmented LSTM (:mod:`lrnn.augmented`,
Sec. VII); its additions are the lines whose equation numbers stand in brackets.
The backward pass (Eqs. 137-172) is :func:`lrnn.lstm_bptt.lstm_backward`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ._validation import _fmt, as_float_array, as_initial, as_sequence, check_shape
from .activations import _G_c_tanh

__all__ = ["LSTMParams", "LSTMTrace", "lstm_forward"]


@dataclass(frozen=True)
class LSTMParams:
    """The 15 parameter entities of the Vanilla LSTM (Sherstinsky Eq. 123).

    Parameters
    ----------
    W_x_cu, W_x_cs, W_x_cr, W_x_du : array_like, shape (d_s, d_x)
        Input weights of the four accumulation nodes.
    W_s_cu, W_s_cs, W_s_cr : array_like, shape (d_s, d_s)
        State-to-gate ("pinhole") weights; full matrices, not diagonal peepholes (P4).
    W_v_cu, W_v_cs, W_v_cr, W_v_du : array_like, shape (d_s, d_s)
        Value-to-node (recurrent) weights.
    b_cu, b_cs, b_cr, b_du : array_like, shape (d_s,)
        Biases.

    Raises
    ------
    TypeError, ValueError
        Non-numeric or non-finite entries, or a shape that disagrees with ``W_x_cu``.

    References
    ----------
    Sherstinsky (2020), Sec. VI-F, Eqs. 123-124; Sec. VI-G, Eq. 125 (shapes).

    Examples
    --------
    >>> p = LSTMParams.zeros(d_x=3, d_s=2)
    >>> p.d_s, p.d_x, p.n_params  # 4 d_s d_x + 7 d_s^2 + 4 d_s
    (2, 3, 60)
    """

    W_x_cu: np.ndarray  # (d_s, d_x)  Eq. 126
    W_s_cu: np.ndarray  # (d_s, d_s)  Eq. 126, from s[n-1]
    W_v_cu: np.ndarray  # (d_s, d_s)  Eq. 126, from v[n-1]
    b_cu: np.ndarray  # (d_s,)  Eq. 126
    W_x_cs: np.ndarray  # (d_s, d_x)  Eq. 127
    W_s_cs: np.ndarray  # (d_s, d_s)  Eq. 127, from s[n-1]
    W_v_cs: np.ndarray  # (d_s, d_s)  Eq. 127
    b_cs: np.ndarray  # (d_s,)  Eq. 127
    W_x_cr: np.ndarray  # (d_s, d_x)  Eq. 128
    W_s_cr: np.ndarray  # (d_s, d_s)  Eq. 128, from the current s[n]
    W_v_cr: np.ndarray  # (d_s, d_s)  Eq. 128
    b_cr: np.ndarray  # (d_s,)  Eq. 128
    W_x_du: np.ndarray  # (d_s, d_x)  Eq. 129
    W_v_du: np.ndarray  # (d_s, d_s)  Eq. 129 (no state term)
    b_du: np.ndarray  # (d_s,)  Eq. 129

    def __post_init__(self):
        W = as_float_array("W_x_cu", self.W_x_cu, ndim=2)
        d_s, d_x = W.shape
        if d_s < 1 or d_x < 1:
            raise ValueError(f"W_x_cu has shape {_fmt(W.shape)}; d_s and d_x must both be at least 1.")
        src = f"from W_x_cu of shape {_fmt(W.shape)}"
        for f in fields(self):
            a = as_float_array(f.name, getattr(self, f.name))
            if f.name.startswith("W_x"):
                check_shape(f.name, a, (d_s, d_x), ("d_s", "d_x"), source=src)
            elif f.name.startswith("W_"):
                check_shape(f.name, a, (d_s, d_s), ("d_s", "d_s"), source=src)
            else:
                check_shape(f.name, a, (d_s,), ("d_s",), source=src)
            object.__setattr__(self, f.name, a)

    @property
    def d_s(self) -> int:
        """State size."""
        return self.W_x_cu.shape[0]

    @property
    def d_x(self) -> int:
        """Input size."""
        return self.W_x_cu.shape[1]

    @property
    def n_params(self) -> int:
        """Number of scalar parameters, ``4 d_s d_x + 7 d_s^2 + 4 d_s``."""
        return sum(getattr(self, f.name).size for f in fields(self))

    @classmethod
    def random(cls, rng: np.random.Generator, d_x: int, d_s: int, *, peepholes: bool = True, scale: float = 1.0):
        """Gaussian parameters: weights ``N(0, scale^2 / fan_in)``, biases ``N(0, 0.1^2)``.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness (the package never seeds globally).
        d_x, d_s : int
            Input and state sizes.
        peepholes : bool, default True
            False sets the three "pinhole" matrices ``W_s_*`` to zero (P4), which is
            PyTorch's ``nn.LSTM``. The other entries are the same draws either way.
        scale : float, default 1.0
            Multiplies every weight; ``fan_in`` is ``d_x`` for ``W_x_*`` and ``d_s`` otherwise.

        Examples
        --------
        >>> p = LSTMParams.random(np.random.default_rng(0), d_x=3, d_s=4, peepholes=False)
        >>> p.W_x_du.shape, float(np.abs(p.W_s_cr).max())
        ((4, 3), 0.0)
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng has type {type(rng).__name__}, expected numpy.random.Generator; use np.random.default_rng(seed)."
            )
        d_x, d_s = _positive_int("d_x", d_x), _positive_int("d_s", d_s)
        draws = {}
        for f in fields(cls):
            if f.name.startswith("W_x"):
                draws[f.name] = scale * rng.standard_normal((d_s, d_x)) / np.sqrt(d_x)
            elif f.name.startswith("W_"):
                draws[f.name] = scale * rng.standard_normal((d_s, d_s)) / np.sqrt(d_s)
            else:
                draws[f.name] = 0.1 * rng.standard_normal(d_s)
        if not peepholes:
            draws.update(W_s_cu=np.zeros((d_s, d_s)), W_s_cs=np.zeros((d_s, d_s)), W_s_cr=np.zeros((d_s, d_s)))
        return cls(**draws)

    @classmethod
    def zeros(cls, d_x: int, d_s: int):
        """All-zero parameters (a template to fill in by hand, or zero gradients).

        Examples
        --------
        >>> LSTMParams.zeros(1, 1).b_du
        array([0.])
        """
        d_x, d_s = _positive_int("d_x", d_x), _positive_int("d_s", d_s)
        shape = {"W_x": (d_s, d_x), "W_s": (d_s, d_s), "W_v": (d_s, d_s)}
        return cls(**{f.name: np.zeros(shape.get(f.name[:3], (d_s,))) for f in fields(cls)})


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{name} = {value!r}, expected a positive integer size.")
    return int(value)


def _stacked(p: LSTMParams):
    """The weights fused by node, order ``[cu | cs | du | cr]`` (PyTorch's ``[i | f | g | o]``).

    Returns ``W_x (4 d_s, d_x)``, ``W_s (2 d_s, d_s)`` (cu, cs: the gates fed by
    ``s[n-1]``), ``W_v (4 d_s, d_s)`` and ``b (4 d_s,)``.
    """
    W_x = np.concatenate([p.W_x_cu, p.W_x_cs, p.W_x_du, p.W_x_cr])
    W_v = np.concatenate([p.W_v_cu, p.W_v_cs, p.W_v_du, p.W_v_cr])
    b = np.concatenate([p.b_cu, p.b_cs, p.b_du, p.b_cr])
    return W_x, np.concatenate([p.W_s_cu, p.W_s_cs]), W_v, b


def _unstacked(W_x, W_s, W_s_cr, W_v, b) -> LSTMParams:
    """Inverse of :func:`_stacked` (``W_s`` holds cu and cs; ``W_s_cr`` comes separately)."""
    cu, cs, du, cr = (slice(k * len(W_s_cr), (k + 1) * len(W_s_cr)) for k in range(4))
    return LSTMParams(
        W_x_cu=W_x[cu], W_s_cu=W_s[cu], W_v_cu=W_v[cu], b_cu=b[cu],
        W_x_cs=W_x[cs], W_s_cs=W_s[cs], W_v_cs=W_v[cs], b_cs=b[cs],
        W_x_cr=W_x[cr], W_s_cr=W_s_cr, W_v_cr=W_v[cr], b_cr=b[cr],
        W_x_du=W_x[du], W_v_du=W_v[du], b_du=b[du],
    )  # fmt: skip


def _windowed_inputs(X: np.ndarray, W_x: np.ndarray) -> np.ndarray:
    """``sum_l W_x[l] x[n+l]`` for every ``n``: the input terms of all nodes at once.

    ``X`` is ``(N, B, d_x)`` and ``W_x`` is ``(L, m, d_x)`` (the ``m`` stacked rows of the
    nodes); returns ``(N, B, m)``. With ``L = 1`` this is ``W_x x[n]`` (Eqs. 126-129); with
    ``L > 1`` it is the Augmented LSTM's context window (Eq. 188), where inputs past the
    segment end count as zero (P10), so tap ``l`` reaches only ``n < N - l``.
    """
    N, B, d_x = X.shape
    out = (X.reshape(N * B, d_x) @ W_x[0].T).reshape(N, B, -1)  # tap 0: W_x[0] x[n]
    for l in range(1, min(len(W_x), N)):
        out[: N - l] += (X[l:].reshape((N - l) * B, d_x) @ W_x[l].T).reshape(N - l, B, -1)  # + W_x[l] x[n+l]
    return out


def _recurrence(A, S0, V0, W_s, W_v, W_s_cr, *, xi_du=None, W_q=None):
    """The time loop shared by the Vanilla and the Augmented LSTM, on ``(N, B, .)`` arrays.

    On entry ``A`` (N, B, K) holds the input and bias terms of the accumulation nodes,
    stacked ``[cu | cs | du | cr]`` (Vanilla) or ``[cu | cs | cx | du | cr]`` (Augmented);
    the recurrent terms are added in place. ``W_s`` stacks the gates fed by ``s[n-1]``
    (cu, cs, and cx), ``W_v`` all nodes. Augmented only (Sec. VII, equation numbers in
    brackets): ``xi_du`` (N, B, d_s), the windowed input that ``g_cx`` throttles, and
    ``W_q`` (d_v, d_s), the recurrent projection. Returns ``G`` (the gates, with ``u`` in
    the du block) and ``s, r, q, v``; without ``W_q``, ``v`` is ``q``.
    """
    N, B, K = A.shape
    d = W_s_cr.shape[0]
    k = W_s.shape[0] // d  # number of gates fed by s[n-1]: 2 (cu, cs) or 3 (cu, cs, cx)
    gates, du, cr = slice(0, k * d), slice(k * d, (k + 1) * d), slice((k + 1) * d, (k + 2) * d)
    G = np.empty_like(A)
    s, r, q = np.empty((N, B, d)), np.empty((N, B, d)), np.empty((N, B, d))
    v = q if W_q is None else np.empty((N, B, len(W_q)))
    a_du, a_cr, u, g_cr = A[..., du], A[..., cr], G[..., du], G[..., cr]
    g_cu, g_cs, g_cx = G[..., :d], G[..., d : 2 * d], G[..., 2 * d : 3 * d]
    Pv, Ps, P1 = np.empty((B, K)), np.empty((B, k * d)), np.empty((B, d))  # product buffers: no allocation
    s_prev, v_prev = S0, V0
    for n in range(N):
        A[n] += np.matmul(v_prev, W_v.T, out=Pv)  # + W_v_* v[n-1] in Eqs. 126-129 [197-209], one product
        A[n, :, gates] += np.matmul(s_prev, W_s.T, out=Ps)  # + W_s_* s[n-1] in Eqs. 126-127 [197, 200, 206]
        _G_c_tanh(A[n, :, gates], out=G[n, :, gates])  # Eqs. 131-132 (g_cu, g_cs) [198, 201; g_cx: 207]
        if xi_du is not None:
            a_du[n] += g_cx[n] * xi_du[n]  # [Eq. 209] the control input gate throttles the windowed input
        np.tanh(a_du[n], out=u[n])  # Eq. 130 [210]
        s[n] = g_cs[n] * s_prev + g_cu[n] * u[n]  # Eq. 134 [211]
        a_cr[n] += np.matmul(s[n], W_s_cr.T, out=P1)  # Eq. 128 [203] needs the current s[n]: completed here
        _G_c_tanh(a_cr[n], out=g_cr[n])  # Eq. 133 [204]
        np.tanh(s[n], out=r[n])  # Eq. 135 [212]
        np.multiply(g_cr[n], r[n], out=q[n])  # Eq. 136 (v = q) [213: the qualifier q]
        if W_q is not None:
            np.matmul(q[n], W_q.T, out=v[n])  # [Eq. 214] the recurrent projection v = W_q_dr q
        s_prev, v_prev = s[n], v[n]
    return G, s, r, q, v


@dataclass(frozen=True)
class LSTMTrace:
    """Signals of one forward pass, time-major, kept for the backward pass.

    Every signal has the leading axes of ``x``: ``(N, d_s)`` for one sequence,
    ``(N, B, d_s)`` for a batch. ``s0`` and ``v0`` are ``s[-1]`` and ``v[-1]``,
    shape ``(d_s,)`` or ``(B, d_s)``.

    Attributes
    ----------
    a_cu, a_cs, a_cr, a_du : numpy.ndarray
        Accumulation nodes (Eqs. 126-129).
    g_cu, g_cs, g_cr : numpy.ndarray
        Gates (Eqs. 131-133).
    u, s, r, v : numpy.ndarray
        Update candidate (130), state (134), readout (135), value (136).
    x, s0, v0 : numpy.ndarray
        Inputs and initial conditions.
    """

    a_cu: np.ndarray
    a_cs: np.ndarray
    a_cr: np.ndarray
    a_du: np.ndarray
    g_cu: np.ndarray
    g_cs: np.ndarray
    g_cr: np.ndarray
    u: np.ndarray
    s: np.ndarray
    r: np.ndarray
    v: np.ndarray
    x: np.ndarray
    s0: np.ndarray
    v0: np.ndarray

    @property
    def batched(self) -> bool:
        """True when the trace holds a batch, ``(N, B, d)``."""
        return self.s.ndim == 3


def lstm_forward(params: LSTMParams, x, s0=None, v0=None) -> LSTMTrace:
    """Run the Vanilla LSTM over a sequence (Sherstinsky Eqs. 126-136).

    Parameters
    ----------
    params : LSTMParams
    x : array_like, shape (N, d_x) or (N, B, d_x)
        Inputs, time along axis 0.
    s0, v0 : array_like, shape (d_s,) or (B, d_s), optional
        Initial state ``s[-1]`` and value ``v[-1]``; zero by default (P5, after Eq. 73).

    Returns
    -------
    LSTMTrace
        All signals with the leading axes of ``x``.

    Raises
    ------
    TypeError
        If ``params`` is not an :class:`LSTMParams` or ``x`` is not numeric.
    ValueError
        If ``x``, ``s0`` or ``v0`` has the wrong shape or holds NaN/inf.

    References
    ----------
    Sherstinsky (2020), Sec. VI-H, Eqs. 126-136; Figs. 7-9.

    Examples
    --------
    One step with d_s = d_x = 1, every weight 0 and x[0] = 0: all gates are
    G_c(0) = 1/2 and u = G_d(0) = 0, so with s[-1] = 2 the state halves.

    >>> tr = lstm_forward(LSTMParams.zeros(1, 1), [[0.0]], s0=[2.0])
    >>> tr.g_cs, tr.s, tr.v.round(4)
    (array([[0.5]]), array([[1.]]), array([[0.3808]]))
    """
    if not isinstance(params, LSTMParams):
        raise TypeError(
            f"params has type {type(params).__name__}, expected LSTMParams; "
            "build one with LSTMParams.random(rng, d_x, d_s) or LSTMParams(...)."
        )
    X, batched = as_sequence("x", x, params.d_x, "d_x", source=f"from W_x_cu of shape {_fmt(params.W_x_cu.shape)}")
    N, B, _ = X.shape
    d = params.d_s
    S0 = as_initial("s0", s0, B, d, "d_s", batched)  # s[-1], (B, d_s)
    V0 = as_initial("v0", v0, B, d, "d_s", batched)  # v[-1], (B, d_s)
    W_x, W_s, W_v, b = _stacked(params)
    A = _windowed_inputs(X, W_x[None])  # W_x_* x[n] of Eqs. 126-129, all n in one product (a window of L = 1)
    A += b  # + b_* of Eqs. 126-129
    G, s, r, _, v = _recurrence(A, S0, V0, W_s, W_v, params.W_s_cr)  # Eqs. 126-136, step by step
    a_cu, a_cs, a_du, a_cr = (A[..., k * d : (k + 1) * d] for k in range(4))
    g_cu, g_cs, u, g_cr = (G[..., k * d : (k + 1) * d] for k in range(4))
    out = dict(a_cu=a_cu, a_cs=a_cs, a_cr=a_cr, a_du=a_du, g_cu=g_cu, g_cs=g_cs, g_cr=g_cr, u=u, s=s, r=r, v=v)
    if batched:
        return LSTMTrace(**out, x=X, s0=S0, v0=V0)
    return LSTMTrace(**{k: a[:, 0] for k, a in out.items()}, x=X[:, 0], s0=S0[0], v0=V0[0])
