"""Augmented LSTM forward pass, Sherstinsky (2020) Sec. VII-A to VII-D, Eqs. 183-215.

The paper extends the Vanilla LSTM (:mod:`lrnn.lstm`) in exactly three ways:

1. external input context windows (Eqs. 183-188): every ``W_x_* x[n]`` becomes a
   non-causal, matrix-valued FIR filter ``sum_l W_x_*[l] x[n+l]``, ``l = 0 .. L-1``,
   that looks ``L - 1`` steps *ahead*; past the segment end ``x[n+l] = 0`` (P10);
2. a recurrent projection layer (Eqs. 189-190, after Sak et al. 2014): the gated
   readout becomes the "qualifier" ``q[n]`` and ``v[n] = W_q_dr q[n]`` has ``d_v <= d_s``
   entries;
3. a control input gate ``g_cx`` (Eqs. 191-195) that throttles the windowed input of
   the data-update node du.

Symbols (paper -> code -> shape of one step)::

    x[n]                     x        (d_x,)          input
    xi_x_*[n] = W_x_*[n]*x[n] xi_x_*  (d_s,)          windowed (convolved) input of node * (Eq. 188)
    s[n], r[n], u[n]         s, r, u  (d_s,)          state, readout, update candidate
    q[n] = g_cr r            q        (d_s,)          qualifier (Eq. 213)
    v[n] = W_q_dr q[n]       v        (d_v,)          value, the observable output (Eq. 214)
    a_*, g_*                 a_*, g_* (d_s,)          nodes cu, cs, cr, cx (gates) and du
    W_x_*                    W_x_*    (L, d_s, d_x)   context-window taps; tap l multiplies x[n+l]
    W_s_*                    W_s_*    (d_s, d_s)      state -> gate (cu, cs, cx see s[n-1]; cr sees s[n])
    W_v_*                    W_v_*    (d_s, d_v)      value -> node
    b_*                      b_*      (d_s,)          biases
    W_q_dr                   W_q_dr   (d_v, d_s)      recurrent projection

The time loop is the Vanilla LSTM's own (``lrnn.lstm._recurrence``, whose Augmented
lines carry bracketed equation numbers); this module adds the windows, the stacking
``[cu | cs | cx | du | cr]`` and the trace. The backward pass (Eqs. 216-250) is
:func:`lrnn.augmented_bptt.augmented_backward`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ._validation import _fmt, as_float_array, as_initial, as_sequence, check_shape
from .lstm import LSTMParams, _positive_int, _recurrence, _windowed_inputs

__all__ = ["AugmentedLSTMParams", "AugmentedTrace", "augmented_forward", "augmented_n_params", "OPEN_GATE_BIAS"]

OPEN_GATE_BIAS = 40.0  # G_c(40) = 1 - 4e-18 rounds to exactly 1.0 in float64: a gate held open

_NODES = ("cu", "cs", "cx", "du", "cr")  # the stacking order; cu, cs, cx see s[n-1] (Eqs. 197, 200, 206)


def augmented_n_params(d_x: int, d_s: int, d_v: int | None = None, L: int = 1) -> int:
    """Number of scalar parameters, ``5 L d_s d_x + 4 d_s^2 + 5 d_s d_v + 5 d_s + d_v d_s``.

    Five nodes have ``L`` input taps, a recurrent matrix and a bias each; four of them
    (cu, cs, cr, cx) have a state matrix; ``W_q_dr`` adds ``d_v d_s`` (Eq. 215).

    Examples
    --------
    With ``L = 1`` and ``d_v = d_s`` the Augmented LSTM has the Vanilla LSTM's parameters plus
    the control input gate (``d_s d_x + 2 d_s^2 + d_s``) and ``W_q_dr`` (``d_s^2``):

    >>> augmented_n_params(d_x=3, d_s=2, L=1) - LSTMParams.zeros(3, 2).n_params
    20
    """
    d_v = d_s if d_v is None else d_v
    return 5 * L * d_s * d_x + 4 * d_s**2 + 5 * d_s * d_v + 5 * d_s + d_v * d_s


@dataclass(frozen=True)
class AugmentedLSTMParams:
    """The parameters Theta of the Augmented LSTM (Sherstinsky Eq. 215).

    Parameters
    ----------
    W_x_cu, W_x_cs, W_x_cr, W_x_cx, W_x_du : array_like, shape (L, d_s, d_x)
        Context-window taps; tap ``l`` multiplies ``x[n+l]`` (Eq. 188).
    W_s_cu, W_s_cs, W_s_cr, W_s_cx : array_like, shape (d_s, d_s)
        State-to-gate ("pinhole") weights; cr sees the current ``s[n]``.
    W_v_cu, W_v_cs, W_v_cr, W_v_cx, W_v_du : array_like, shape (d_s, d_v)
        Value-to-node (recurrent) weights.
    b_cu, b_cs, b_cr, b_cx, b_du : array_like, shape (d_s,)
    W_q_dr : array_like, shape (d_v, d_s)
        Recurrent projection (Eq. 190); the paper takes ``d_v <= d_s``.

    Raises
    ------
    TypeError, ValueError
        Non-numeric or non-finite entries, or a shape that disagrees with ``W_x_cu`` and ``W_q_dr``.

    References
    ----------
    Sherstinsky (2020), Sec. VII, Eqs. 183-195 and 215; Sak et al. (2014) for ``W_q_dr``.

    Examples
    --------
    >>> p = AugmentedLSTMParams.zeros(d_x=3, d_s=4, d_v=2, L=3)
    >>> p.L, p.d_x, p.d_s, p.d_v, p.W_x_du.shape, p.W_v_cx.shape, p.W_q_dr.shape
    (3, 3, 4, 2, (3, 4, 3), (4, 2), (2, 4))
    >>> p.n_params == augmented_n_params(3, 4, 2, L=3) == 5*3*4*3 + 4*16 + 5*4*2 + 5*4 + 2*4
    True
    """

    W_x_cu: np.ndarray  # (L, d_s, d_x)  Eqs. 196-197
    W_s_cu: np.ndarray  # (d_s, d_s)     Eq. 197, from s[n-1]
    W_v_cu: np.ndarray  # (d_s, d_v)     Eq. 197
    b_cu: np.ndarray  # (d_s,)           Eq. 197
    W_x_cs: np.ndarray  # (L, d_s, d_x)  Eqs. 199-200
    W_s_cs: np.ndarray  # (d_s, d_s)     Eq. 200, from s[n-1]
    W_v_cs: np.ndarray  # (d_s, d_v)     Eq. 200
    b_cs: np.ndarray  # (d_s,)           Eq. 200
    W_x_cr: np.ndarray  # (L, d_s, d_x)  Eqs. 202-203
    W_s_cr: np.ndarray  # (d_s, d_s)     Eq. 203, from the current s[n]
    W_v_cr: np.ndarray  # (d_s, d_v)     Eq. 203
    b_cr: np.ndarray  # (d_s,)           Eq. 203
    W_x_cx: np.ndarray  # (L, d_s, d_x)  Eqs. 191, 205-206
    W_s_cx: np.ndarray  # (d_s, d_s)     Eqs. 192, 206, from s[n-1]
    W_v_cx: np.ndarray  # (d_s, d_v)     Eqs. 192, 206
    b_cx: np.ndarray  # (d_s,)           Eqs. 192, 206
    W_x_du: np.ndarray  # (L, d_s, d_x)  Eqs. 194, 208
    W_v_du: np.ndarray  # (d_s, d_v)     Eq. 209 (no state term)
    b_du: np.ndarray  # (d_s,)           Eq. 209
    W_q_dr: np.ndarray  # (d_v, d_s)     Eqs. 190, 214

    def __post_init__(self):
        W = as_float_array("W_x_cu", self.W_x_cu)
        if W.ndim != 3 or 0 in W.shape:
            raise ValueError(
                f"W_x_cu has shape {_fmt(W.shape)}, expected (L, d_s, d_x) with every size >= 1: one "
                "(d_s, d_x) matrix per context-window tap; for L = 1 pass W[None] or use from_vanilla."
            )
        Q = as_float_array("W_q_dr", self.W_q_dr, ndim=2)
        L, d_s, d_x = W.shape
        d_v = Q.shape[0]
        src = f"from W_x_cu of shape {_fmt(W.shape)} and W_q_dr of shape {_fmt(Q.shape)}"
        expected = {"W_x": ((L, d_s, d_x), ("L", "d_s", "d_x")), "W_s": ((d_s, d_s), ("d_s", "d_s")),
                    "W_v": ((d_s, d_v), ("d_s", "d_v")), "W_q": ((d_v, d_s), ("d_v", "d_s"))}  # fmt: skip
        for f in fields(self):
            a = as_float_array(f.name, getattr(self, f.name))
            shape, symbols = expected.get(f.name[:3], ((d_s,), ("d_s",)))
            check_shape(f.name, a, shape, symbols, source=src)
            object.__setattr__(self, f.name, a)

    @property
    def L(self) -> int:
        """Context-window length (number of taps)."""
        return self.W_x_cu.shape[0]

    @property
    def d_s(self) -> int:
        """State size."""
        return self.W_x_cu.shape[1]

    @property
    def d_x(self) -> int:
        """Input size."""
        return self.W_x_cu.shape[2]

    @property
    def d_v(self) -> int:
        """Value (projected output) size."""
        return self.W_q_dr.shape[0]

    @property
    def n_params(self) -> int:
        """Number of scalar parameters; equals :func:`augmented_n_params` ``(d_x, d_s, d_v, L)``."""
        return sum(getattr(self, f.name).size for f in fields(self))

    @classmethod
    def random(cls, rng, d_x: int, d_s: int, d_v: int | None = None, L: int = 1, *, scale: float = 1.0):
        """Gaussian parameters: weights ``N(0, scale^2 / fan_in)``, biases ``N(0, 0.1^2)``.

        ``fan_in`` is ``L d_x`` for the taps ``W_x_*``, ``d_s`` for ``W_s_*`` and ``W_q_dr``,
        ``d_v`` for ``W_v_*``. ``d_v`` defaults to ``d_s``.

        Examples
        --------
        >>> p = AugmentedLSTMParams.random(np.random.default_rng(0), d_x=2, d_s=3, d_v=2, L=4)
        >>> p.W_x_cx.shape, p.W_q_dr.shape
        ((4, 3, 2), (2, 3))
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                f"rng has type {type(rng).__name__}, expected numpy.random.Generator; use np.random.default_rng(seed)."
            )
        shapes, fan_in = cls._shapes(d_x, d_s, d_v, L)
        draws = {}
        for f in fields(cls):
            if f.name.startswith("b_"):
                draws[f.name] = 0.1 * rng.standard_normal(shapes["b"])
            else:
                draws[f.name] = scale * rng.standard_normal(shapes[f.name[:3]]) / np.sqrt(fan_in[f.name[:3]])
        return cls(**draws)

    @classmethod
    def zeros(cls, d_x: int, d_s: int, d_v: int | None = None, L: int = 1):
        """All-zero parameters (a template to fill in, or zero gradients)."""
        shapes, _ = cls._shapes(d_x, d_s, d_v, L)
        return cls(**{f.name: np.zeros(shapes.get(f.name[:3], shapes["b"])) for f in fields(cls)})

    @classmethod
    def from_vanilla(cls, params: LSTMParams, *, open_gate_bias: float = OPEN_GATE_BIAS):
        """The Augmented LSTM that computes exactly what a Vanilla LSTM computes.

        ``L = 1`` (each ``W_x_*`` becomes its only tap), the control input gate held open
        (``W_x_cx = W_s_cx = W_v_cx = 0`` and ``b_cx = open_gate_bias``, so that
        ``g_cx = G_c(40) = 1`` in float64) and ``W_q_dr = I`` (``d_v = d_s``).

        Raises
        ------
        TypeError
            If ``params`` is not an :class:`lrnn.lstm.LSTMParams`.

        Examples
        --------
        >>> van = LSTMParams.random(np.random.default_rng(0), d_x=2, d_s=3)
        >>> aug = AugmentedLSTMParams.from_vanilla(van)
        >>> aug.L, aug.d_v, bool(np.all(aug.W_q_dr == np.eye(3)))
        (1, 3, True)
        """
        if not isinstance(params, LSTMParams):
            raise TypeError(f"params has type {type(params).__name__}, expected LSTMParams (a Vanilla LSTM).")
        d_s, d_x = params.d_s, params.d_x
        taps = {f.name: getattr(params, f.name)[None] for f in fields(LSTMParams) if f.name.startswith("W_x")}
        rest = {f.name: getattr(params, f.name) for f in fields(LSTMParams) if not f.name.startswith("W_x")}
        gate = dict(W_x_cx=np.zeros((1, d_s, d_x)), W_s_cx=np.zeros((d_s, d_s)), W_v_cx=np.zeros((d_s, d_s)))
        gate["b_cx"] = np.full(d_s, float(open_gate_bias))  # g_cx = G_c(b_cx) = 1: the gate held open
        return cls(**taps, **rest, **gate, W_q_dr=np.eye(d_s))  # W_q_dr = I: v = q, no projection

    @staticmethod
    def _shapes(d_x, d_s, d_v, L):
        d_x, d_s, L = _positive_int("d_x", d_x), _positive_int("d_s", d_s), _positive_int("L", L)
        d_v = d_s if d_v is None else _positive_int("d_v", d_v)
        shapes = {"W_x": (L, d_s, d_x), "W_s": (d_s, d_s), "W_v": (d_s, d_v), "W_q": (d_v, d_s), "b": (d_s,)}
        return shapes, {"W_x": L * d_x, "W_s": d_s, "W_v": d_v, "W_q": d_s}


def _stacked(p: AugmentedLSTMParams):
    """Weights fused by node, order ``[cu | cs | cx | du | cr]``.

    Returns ``W_x (L, 5 d_s, d_x)``, ``W_s (3 d_s, d_s)`` (cu, cs, cx: the gates fed by
    ``s[n-1]``), ``W_v (5 d_s, d_v)`` and ``b (5 d_s,)``.
    """
    W_x = np.concatenate([getattr(p, f"W_x_{k}") for k in _NODES], axis=1)
    W_v = np.concatenate([getattr(p, f"W_v_{k}") for k in _NODES])
    b = np.concatenate([getattr(p, f"b_{k}") for k in _NODES])
    return W_x, np.concatenate([p.W_s_cu, p.W_s_cs, p.W_s_cx]), W_v, b


def _unstacked(W_x, W_s, W_s_cr, W_v, b, W_q_dr) -> AugmentedLSTMParams:
    """Inverse of :func:`_stacked`."""
    d = len(W_s_cr)
    blk = {k: slice(i * d, (i + 1) * d) for i, k in enumerate(_NODES)}
    out = {f"W_x_{k}": W_x[:, blk[k]] for k in _NODES}
    out.update({f"W_v_{k}": W_v[blk[k]] for k in _NODES})
    out.update({f"b_{k}": b[blk[k]] for k in _NODES})
    out.update(W_s_cu=W_s[blk["cu"]], W_s_cs=W_s[blk["cs"]], W_s_cx=W_s[blk["cx"]], W_s_cr=W_s_cr, W_q_dr=W_q_dr)
    return AugmentedLSTMParams(**out)


@dataclass(frozen=True)
class AugmentedTrace:
    """Signals of one Augmented LSTM forward pass, time-major, kept for the backward pass.

    Every signal has the leading axes of ``x``; ``v`` has ``d_v`` entries per step, all
    others ``d_s``. ``s0`` and ``v0`` are ``s[-1]`` (d_s) and ``v[-1]`` (d_v).

    Attributes
    ----------
    a_cu, a_cs, a_cr, a_cx, a_du : numpy.ndarray
        Accumulation nodes (Eqs. 197, 200, 203, 206, 209).
    g_cu, g_cs, g_cr, g_cx : numpy.ndarray
        Gates (Eqs. 198, 201, 204, 207).
    u, s, r, q, v : numpy.ndarray
        Update candidate (210), state (211), readout (212), qualifier (213), value (214).
    xi_x_cu, xi_x_cs, xi_x_cr, xi_x_cx, xi_x_du : numpy.ndarray
        Windowed inputs ``W_x_*[n] * x[n]`` (Eqs. 188, 191, 194).
    x, s0, v0 : numpy.ndarray
        Inputs and initial conditions.
    """

    a_cu: np.ndarray
    a_cs: np.ndarray
    a_cr: np.ndarray
    a_cx: np.ndarray
    a_du: np.ndarray
    g_cu: np.ndarray
    g_cs: np.ndarray
    g_cr: np.ndarray
    g_cx: np.ndarray
    u: np.ndarray
    s: np.ndarray
    r: np.ndarray
    q: np.ndarray
    v: np.ndarray
    xi_x_cu: np.ndarray
    xi_x_cs: np.ndarray
    xi_x_cr: np.ndarray
    xi_x_cx: np.ndarray
    xi_x_du: np.ndarray
    x: np.ndarray
    s0: np.ndarray
    v0: np.ndarray

    @property
    def batched(self) -> bool:
        """True when the trace holds a batch, ``(N, B, d)``."""
        return self.s.ndim == 3


def augmented_forward(params: AugmentedLSTMParams, x, s0=None, v0=None) -> AugmentedTrace:
    """Run the Augmented LSTM over a segment (Sherstinsky Eqs. 196-214).

    Parameters
    ----------
    params : AugmentedLSTMParams
    x : array_like, shape (N, d_x) or (N, B, d_x)
        Inputs, time along axis 0. The window of step ``n`` reads ``x[n], ..., x[n+L-1]``;
        inputs past ``x[N-1]`` are zero (P10).
    s0 : array_like, shape (d_s,) or (B, d_s), optional
    v0 : array_like, shape (d_v,) or (B, d_v), optional
        Initial state ``s[-1]`` and value ``v[-1]``; zero by default (P5).

    Returns
    -------
    AugmentedTrace

    Raises
    ------
    TypeError
        If ``params`` is not an :class:`AugmentedLSTMParams` or ``x`` is not numeric.
    ValueError
        If ``x``, ``s0`` or ``v0`` has the wrong shape or holds NaN/inf.

    References
    ----------
    Sherstinsky (2020), Sec. VII-D, Eqs. 196-214; Fig. 10.

    Examples
    --------
    With every weight 0 except the last tap of ``W_x_du`` (L = 2), ``a_du[n]`` is
    ``g_cx x[n+1]`` with ``g_cx = G_c(0) = 1/2``: step 0 sees ``x[1]``, the last step sees
    the zero padding.

    >>> p = AugmentedLSTMParams.zeros(d_x=1, d_s=1, L=2)
    >>> p.W_x_du[1] = 1.0
    >>> augmented_forward(p, [[2.0], [4.0]]).a_du[:, 0]
    array([2., 0.])
    """
    if not isinstance(params, AugmentedLSTMParams):
        raise TypeError(
            f"params has type {type(params).__name__}, expected AugmentedLSTMParams; build one with "
            "AugmentedLSTMParams.random(rng, d_x, d_s, d_v, L) or AugmentedLSTMParams.from_vanilla(lstm_params)."
        )
    src = f"from W_x_cu of shape {_fmt(params.W_x_cu.shape)}"
    X, batched = as_sequence("x", x, params.d_x, "d_x", source=src)
    B, d = X.shape[1], params.d_s
    S0 = as_initial("s0", s0, B, d, "d_s", batched)  # s[-1], (B, d_s)
    V0 = as_initial("v0", v0, B, params.d_v, "d_v", batched)  # v[-1], (B, d_v)
    W_x, W_s, W_v, b = _stacked(params)
    Xi = _windowed_inputs(X, W_x)  # xi_x_*[n] = sum_l W_x_*[l] x[n+l], Eqs. 188, 191, 194, all nodes at once
    blk = {k: slice(i * d, (i + 1) * d) for i, k in enumerate(_NODES)}
    A = Xi + b  # xi_x_* + b_* of Eqs. 197, 200, 203, 206 ...
    A[..., blk["du"]] = params.b_du  # ... but du takes its windowed input through g_cx, in the loop (Eq. 209)
    G, s, r, q, v = _recurrence(A, S0, V0, W_s, W_v, params.W_s_cr, xi_du=Xi[..., blk["du"]], W_q=params.W_q_dr)
    out = {f"a_{k}": A[..., blk[k]] for k in _NODES}
    out.update({f"g_{k}": G[..., blk[k]] for k in ("cu", "cs", "cx", "cr")}, u=G[..., blk["du"]])
    out.update({f"xi_x_{k}": Xi[..., blk[k]] for k in _NODES}, s=s, r=r, q=q, v=v)
    if batched:
        return AugmentedTrace(**out, x=X, s0=S0, v0=V0)
    return AugmentedTrace(**{k: a[:, 0] for k, a in out.items()}, x=X[:, 0], s0=S0[0], v0=V0[0])
