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

    x[n]                      x        (d_x,)          input
    xi_x_*[n] = W_x_*[n]*x[n] xi["*"]  (d_s,)          windowed (convolved) input of node * (Eq. 188)
    s[n], r[n], u[n]          s, r, u  (d_s,)          state, readout, update candidate
    q[n] = g_cr r             q        (d_s,)          qualifier (Eq. 213)
    v[n] = W_q_dr q[n]        v        (d_v,)          value, the observable output (Eq. 214)
    a_*, g_*                  a_*, g_* (d_s,)          nodes cu, cs, cr, cx (gates) and du
    W_x_*                     W_x_*    (L, d_s, d_x)   context-window taps; tap l multiplies x[n+l]
    W_s_*                     W_s_*    (d_s, d_s)      state -> gate (cu, cs, cx see s[n-1]; cr sees s[n])
    W_v_*                     W_v_*    (d_s, d_v)      value -> node
    b_*                       b_*      (d_s,)          biases
    W_q_dr                    W_q_dr   (d_v, d_s)      recurrent projection

:func:`context_window` computes the windowed inputs of a whole segment (Eq. 188);
:func:`augmented_step` is one step, Eqs. 196-214 in the order they must be evaluated,
written line for line as :func:`lrnn.lstm.lstm_step` so that the two differ only by the
three additions (``lrnn.rnn_to_lstm.stage_diff(lstm_step, augmented_step)`` shows them).
The backward pass (Eqs. 216-250) is :func:`lrnn.augmented_bptt.augmented_backward`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

from ._validation import as_float_array, as_initial, as_sequence, check_rng, check_type, fmt_shape, type_error
from .activations import G_c, G_d
from .cell import Parameters, TraceFields, check_options, check_return_inputs
from .initializers import chrono_bias, orthogonal
from .lstm import LSTMParams

__all__ = [
    "AugmentedLSTMParams",
    "AugmentedTrace",
    "augmented_forward",
    "augmented_n_params",
    "augmented_step",
    "context_window",
    "NODES",
    "OPEN_GATE_BIAS",
]

OPEN_GATE_BIAS = 40.0  # G_c(40) = 1 - 4e-18 rounds to exactly 1.0 in float64: a gate held open

NODES = ("cu", "cs", "cr", "cx", "du")  #: the five accumulation nodes, in the paper's order (Eqs. 196-209)


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
class AugmentedLSTMParams(Parameters):
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
    >>> p.L, p.d_x, p.d_s, p.d_v, p.d_out, p.W_x_du.shape, p.W_v_cx.shape, p.W_q_dr.shape
    (3, 3, 4, 2, 2, (3, 4, 3), (4, 2), (2, 4))
    >>> p.n_params == augmented_n_params(3, 4, 2, L=3) == 5*3*4*3 + 4*16 + 5*4*2 + 5*4 + 2*4
    True
    """

    SHAPES: ClassVar = {
        **{
            f"{kind}_{node}": axes
            for node in NODES
            for kind, axes in (
                ("W_x", ("L", "d_s", "d_x")),
                ("W_s", ("d_s", "d_s")),
                ("W_v", ("d_s", "d_v")),
                ("b", ("d_s",)),
            )
            if not (node == "du" and kind == "W_s")  # the data update has no state term (Eq. 209)
        },
        "W_q_dr": ("d_v", "d_s"),
    }
    SHAPE_HINTS: ClassVar = {
        f"W_x_{node}": "(one (d_s, d_x) matrix per context-window tap; for L = 1 pass W[None] or use from_vanilla)"
        for node in NODES
    }
    STATE_SIZES: ClassVar = ("d_s", "d_v")
    STATE_NAMES: ClassVar = ("s[-1]", "v[-1]")
    OUTPUT_SIZE: ClassVar = "d_v"

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

    @property
    def L(self) -> int:
        """Context-window length (number of taps)."""
        return self.W_x_cu.shape[0]

    @property
    def d_v(self) -> int:
        """Value (projected output) size."""
        return self.W_q_dr.shape[0]

    @classmethod
    def zeros(cls, d_x: int, d_s: int, d_v: int | None = None, L: int = 1) -> AugmentedLSTMParams:
        """All-zero parameters (a template to fill in, or zero gradients); ``d_v`` defaults to ``d_s``."""
        return super().zeros(d_x, d_s, d_v=d_s if d_v is None else d_v, L=L)

    @classmethod
    def init(
        cls,
        rng: np.random.Generator,
        d_x: int,
        d_s: int,
        d_v: int | None = None,
        L: int = 1,
        *,
        recurrent: str = "gaussian",
        scale: float = 1.0,
        pinholes: bool = True,
        forget_bias: float = 0.0,
        chrono: float | None = None,
    ) -> AugmentedLSTMParams:
        """Random parameters, drawn as :meth:`lrnn.lstm.LSTMParams.init` draws them.

        Every weight from ``N(0, scale^2 / fan_in)`` with ``fan_in = L d_x`` for the taps
        ``W_x_*`` (the window's whole input), ``d_s`` for ``W_s_*`` and ``W_q_dr``, ``d_v`` for
        ``W_v_*``; every bias from ``N(0, 0.1^2)``; then ``forget_bias`` is added to ``b_cs`` or,
        with ``chrono = T_max``, ``b_cs ~ log(U(1, T_max - 1))`` and ``b_cu = -b_cs`` (Tallec and
        Ollivier 2018). The control input gate ``g_cx`` starts like the other gates, half open.

        Parameters
        ----------
        rng : numpy.random.Generator
        d_x, d_s : int
            Input and state sizes.
        d_v : int, optional
            Value size, ``d_s`` by default.
        L : int, default 1
            Context-window length.
        recurrent, scale, pinholes, forget_bias, chrono
            As in :meth:`lrnn.lstm.LSTMParams.init`. ``recurrent="orthogonal"`` draws each ``W_v_*``
            (``d_s x d_v``, ``d_v <= d_s``) with orthonormal columns, times ``scale``;
            ``pinholes=False`` sets the four ``W_s_*`` to zero.

        Returns
        -------
        AugmentedLSTMParams

        Raises
        ------
        TypeError, ValueError
            As :meth:`lrnn.lstm.LSTMParams.init`.

        Examples
        --------
        >>> p = AugmentedLSTMParams.init(np.random.default_rng(0), d_x=2, d_s=3, d_v=2, L=4)
        >>> p.W_x_cx.shape, p.W_q_dr.shape
        ((4, 3, 2), (2, 3))
        """
        check_rng(rng)
        shapes = cls.shapes(d_x=d_x, d_s=d_s, d_v=d_s if d_v is None else d_v, L=L)
        scale = float(as_float_array("scale", scale, ndim=0))
        forget_bias = float(as_float_array("forget_bias", forget_bias, ndim=0))
        if recurrent not in ("gaussian", "orthogonal"):
            raise ValueError(f"recurrent = {recurrent!r}, expected 'gaussian' or 'orthogonal'.")
        if chrono is not None and forget_bias != 0.0:
            raise ValueError("pass either forget_bias or chrono: the chrono initialisation sets b_cs itself.")
        draws = {}
        for name, shape in shapes.items():  # in the order of the fields, so that seeded results stay as they were
            if name.startswith("b_"):
                draws[name] = 0.1 * rng.standard_normal(shape)
            else:  # fan_in: L d_x for the taps (the window's whole input), the last axis otherwise
                fan_in = shape[0] * shape[2] if name.startswith("W_x") else shape[1]
                draws[name] = scale * rng.standard_normal(shape) / np.sqrt(fan_in)
        d_s, d_v = shapes["W_v_cu"]
        if recurrent == "orthogonal":
            if d_v > d_s:
                raise ValueError(f"recurrent = 'orthogonal' needs d_v <= d_s, as the paper has; d_v = {d_v} > {d_s}.")
            draws.update({f"W_v_{node}": orthogonal(rng, d_s, scale, cols=d_v) for node in NODES})
        if not pinholes:
            draws.update({f"W_s_{node}": np.zeros((d_s, d_s)) for node in ("cu", "cs", "cr", "cx")})
        draws["b_cs"] = draws["b_cs"] + forget_bias
        if chrono is not None:
            draws["b_cs"] = chrono_bias(rng, chrono, d_s)
            draws["b_cu"] = -draws["b_cs"]
        return cls(**draws)

    @classmethod
    def from_vanilla(cls, params: LSTMParams, *, open_gate_bias: float = OPEN_GATE_BIAS) -> AugmentedLSTMParams:
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
        >>> van = LSTMParams.init(np.random.default_rng(0), d_x=2, d_s=3)
        >>> aug = AugmentedLSTMParams.from_vanilla(van)
        >>> aug.L, aug.d_v, bool(np.all(aug.W_q_dr == np.eye(3)))
        (1, 3, True)
        """
        if not isinstance(params, LSTMParams):
            raise type_error("params", params, "LSTMParams (a Vanilla LSTM)")
        d_s, d_x = params.d_s, params.d_x
        taps = {f.name: getattr(params, f.name)[None] for f in fields(LSTMParams) if f.name.startswith("W_x")}
        rest = {f.name: getattr(params, f.name) for f in fields(LSTMParams) if not f.name.startswith("W_x")}
        gate = dict(W_x_cx=np.zeros((1, d_s, d_x)), W_s_cx=np.zeros((d_s, d_s)), W_v_cx=np.zeros((d_s, d_s)))
        gate["b_cx"] = np.full(d_s, float(open_gate_bias))  # g_cx = G_c(b_cx) = 1: the gate held open
        return cls(**taps, **rest, **gate, W_q_dr=np.eye(d_s))  # W_q_dr = I: v = q, no projection

    def forward(self, x, state=None) -> AugmentedTrace:
        """Run :func:`augmented_forward` from ``state = (s[-1], v[-1])`` (None: zeros), e.g. ``trace.last_state``."""
        return augmented_forward(self, x, *self.parse_state(state))

    def backward(self, trace: AugmentedTrace, dE_dout, return_inputs: bool = False, **options):
        """The gradients of :func:`lrnn.augmented_bptt.augmented_backward` (options ``clip``, ``erratum_p3/p7``).

        With ``return_inputs=True``, ``(grads, dE_dx, (dE/ds[-1], dE/dv[-1]))``, the border gradients
        of :func:`lrnn.augmented_bptt.augmented_border_gradients` (the window's taps included).
        """
        from .augmented_bptt import augmented_backward  # augmented_bptt imports this module

        check_options(self, options, ("clip", "erratum_p3", "erratum_p7"))
        if not check_return_inputs(self, return_inputs):
            return augmented_backward(self, trace, dE_dout, **options)[0]
        grads, _, dE_dx, dE_dstate = augmented_backward(self, trace, dE_dout, return_inputs=True, **options)
        return grads, dE_dx, dE_dstate


def context_window(W: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The external input context window of Eq. 188, ``xi[n] = sum_l W[l] x[n+l]``, for every step.

    Parameters
    ----------
    W : numpy.ndarray, shape (L, d_s, d_x)
        The taps; tap ``l`` multiplies ``x[n+l]``.
    x : numpy.ndarray, shape (N, d_x) or (N, B, d_x)
        One segment (or a batch), time along axis 0.

    Returns
    -------
    numpy.ndarray, shape (N, d_s) or (N, B, d_s)
        Inputs past the segment end count as zero (P10), so tap ``l`` reaches only ``n < N - l``.

    Examples
    --------
    Two taps that copy: step 0 sees ``x[0] + x[1]``, the last step ``x[1]`` and the padding.

    >>> context_window(np.ones((2, 1, 1)), np.array([[1.0], [10.0]]))
    array([[11.],
           [10.]])
    """
    N = len(x)
    xi = x @ W[0].T  # tap 0: W[0] x[n]
    for l in range(1, min(len(W), N)):
        xi[: N - l] += x[l:] @ W[l].T  # tap l: W[l] x[n+l], where n + l < N (zero padding, P10)
    return xi


def augmented_step(p: AugmentedLSTMParams, xi: dict, s_prev, v_prev) -> dict:
    """One step of the Augmented LSTM, Eqs. 196-214, in the order they must be evaluated.

    Parameters
    ----------
    p : AugmentedLSTMParams
    xi : dict of numpy.ndarray
        The windowed inputs ``xi_x_*[n]`` of the five nodes (keys ``"cu", "cs", "cr", "cx", "du"``),
        shape ``(d_s,)`` or ``(B, d_s)``, from :func:`context_window` (Eqs. 196, 199, 202, 205, 208).
    s_prev : numpy.ndarray, shape (d_s,) or (B, d_s)
        The previous state ``s[n-1]``.
    v_prev : numpy.ndarray, shape (d_v,) or (B, d_v)
        The previous value ``v[n-1]``.

    Returns
    -------
    dict
        ``a_cu, a_cs, a_cr, a_cx, a_du, g_cu, g_cs, g_cr, g_cx, u, s, r, q, v`` at step ``n``.

    Notes
    -----
    No argument checks: this is the inner loop of :func:`augmented_forward`, which checks its
    inputs once.

    Examples
    --------
    All weights zero: every gate is ``G_c(0) = 1/2`` and ``u = 0``, so the state halves.

    >>> p, zero = AugmentedLSTMParams.zeros(1, 1), np.zeros(1)
    >>> augmented_step(p, dict.fromkeys(NODES, zero), np.array([2.0]), zero)["s"]
    array([1.])
    """
    a_cu = xi["cu"] + s_prev @ p.W_s_cu.T + v_prev @ p.W_v_cu.T + p.b_cu  # Eq. 197
    a_cs = xi["cs"] + s_prev @ p.W_s_cs.T + v_prev @ p.W_v_cs.T + p.b_cs  # Eq. 200
    a_cx = xi["cx"] + s_prev @ p.W_s_cx.T + v_prev @ p.W_v_cx.T + p.b_cx  # Eq. 206
    g_cx = G_c(a_cx, check=False)  # Eq. 207
    a_du = g_cx * xi["du"] + v_prev @ p.W_v_du.T + p.b_du  # Eq. 209
    u = G_d(a_du, check=False)  # Eq. 210
    g_cu = G_c(a_cu, check=False)  # Eq. 198
    g_cs = G_c(a_cs, check=False)  # Eq. 201
    s = g_cs * s_prev + g_cu * u  # Eq. 211
    a_cr = xi["cr"] + s @ p.W_s_cr.T + v_prev @ p.W_v_cr.T + p.b_cr  # Eq. 203: the current state s[n]
    g_cr = G_c(a_cr, check=False)  # Eq. 204
    r = G_d(s, check=False)  # Eq. 212
    q = g_cr * r  # Eq. 213
    v = q @ p.W_q_dr.T  # Eq. 214
    return dict(a_cu=a_cu, a_cs=a_cs, a_cr=a_cr, a_cx=a_cx, a_du=a_du, g_cu=g_cu, g_cs=g_cs, g_cr=g_cr, g_cx=g_cx,
                u=u, s=s, r=r, q=q, v=v)  # fmt: skip


@dataclass(frozen=True)
class AugmentedTrace(TraceFields):
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

    OUTPUT: ClassVar = "v"  # what a readout sees
    STATE: ClassVar = ("s", "v")  # last_state = (s[N-1], v[N-1])

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
    check_type("params", params, AugmentedLSTMParams, "build one with AugmentedLSTMParams.init(rng, d_x, d_s, "
               "d_v, L) or AugmentedLSTMParams.from_vanilla(lstm_params)")  # fmt: skip
    src = f"from W_x_cu of shape {fmt_shape(params.W_x_cu.shape)}"
    x, batched = as_sequence("x", x, params.d_x, "d_x", source=src)  # (N, B, d_x)
    B = x.shape[1]
    s_prev = as_initial("s0", s0, B, params.d_s, "d_s", batched)  # s[-1]: zero unless given (P5)
    v_prev = as_initial("v0", v0, B, params.d_v, "d_v", batched)  # v[-1]
    xi = {k: context_window(getattr(params, f"W_x_{k}"), x) for k in NODES}  # Eqs. 196, 199, 202, 205, 208
    s0, v0, N = s_prev, v_prev, len(x)
    for n in range(N):
        step = augmented_step(params, {k: xi[k][n] for k in NODES}, s_prev, v_prev)  # Eqs. 197-214
        if n == 0:
            signals = {name: np.empty((N, *a.shape)) for name, a in step.items()}  # (N, B, .) each
        for name, a in step.items():
            signals[name][n] = a
        s_prev, v_prev = step["s"], step["v"]
    signals.update({f"xi_x_{k}": xi[k] for k in NODES})
    if batched:
        return AugmentedTrace(**signals, x=x, s0=s0, v0=v0)
    return AugmentedTrace(**{k: a[:, 0] for k, a in signals.items()}, x=x[:, 0], s0=s0[0], v0=v0[0])
