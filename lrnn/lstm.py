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

:func:`lstm_step` is one step, Eqs. 126-136 in the order they must be evaluated: the
gates cu and cs see the previous state ``s[n-1]``, the readout gate cr the *current*
state ``s[n]`` (Eq. 128), so ``a_cr`` waits for Eq. 134. :func:`lstm_forward` runs it
over a sequence from ``s[-1] = v[-1] = 0`` unless told otherwise (the paper leaves the
initial conditions open; we follow Eq. 73, erratum list P5). The input terms
``W_x_* x[n]`` do not depend on the recurrence: :func:`lstm_forward` computes them for the
whole sequence before its loop (:func:`lstm_inputs`) and hands each step its own.

Shapes are time-major: one sequence is ``(N, d_x)``, a batch ``(N, B, d_x)``. The paper
writes column vectors, ``W_x_cu x[n]``; the code keeps one row per sequence, so the same
product reads ``x @ W_x_cu.T`` and works for one step ``(d_x,)`` and a batch ``(B, d_x)``
alike. The backward pass (Eqs. 137-172) is :func:`lrnn.lstm_bptt.lstm_backward`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._validation import as_float_array, as_initial, as_sequence, check_rng, check_type, fmt_shape
from .activations import G_c, G_d
from .cell import Parameters, TraceFields, check_options, check_return_inputs
from .initializers import chrono_bias, orthogonal

__all__ = ["NODES", "LSTMParams", "LSTMTrace", "chrono_bias", "lstm_inputs", "lstm_step", "lstm_forward"]

NODES = ("cu", "cs", "cr", "du")  #: the four accumulation nodes, in the paper's order (Eqs. 126-129)


@dataclass(frozen=True)
class LSTMParams(Parameters):
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
    >>> p.d_s, p.d_x, p.d_out, p.n_params  # 4 d_s d_x + 7 d_s^2 + 4 d_s
    (2, 3, 2, 60)
    """

    SHAPES: ClassVar = {
        f"{kind}_{node}": axes
        for node in NODES
        for kind, axes in (("W_x", ("d_s", "d_x")), ("W_s", ("d_s", "d_s")), ("W_v", ("d_s", "d_s")), ("b", ("d_s",)))
        if not (node == "du" and kind == "W_s")  # the data update has no state term (Eq. 129)
    }
    STATE_SIZES: ClassVar = ("d_s", "d_s")
    STATE_NAMES: ClassVar = ("s[-1]", "v[-1]")

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

    @classmethod
    def init(
        cls,
        rng: np.random.Generator,
        d_x: int,
        d_s: int,
        *,
        recurrent: str = "gaussian",
        scale: float = 1.0,
        pinholes: bool = True,
        forget_bias: float = 0.0,
        chrono: float | None = None,
    ) -> LSTMParams:
        """Random parameters: Gaussian weights scaled by ``1/sqrt(fan_in)``, small Gaussian biases.

        The paper says nothing about initialisation. This draws, in the order of the fields,

        - every weight from ``N(0, scale^2 / fan_in)``, ``fan_in = d_x`` for ``W_x_*`` and
          ``d_s`` for ``W_s_*`` and ``W_v_*`` (so ``W v`` keeps unit variance for unit-variance ``v``);
        - every bias from ``N(0, 0.1^2)``, then adds ``forget_bias`` to ``b_cs``, the bias of the
          control state gate (PyTorch's forget gate); Keras adds 1 (``unit_forget_bias``), after
          Jozefowicz et al. (2015);
        - with ``chrono = T_max``, the chrono initialisation of Tallec and Ollivier (2018)
          replaces both gate biases: ``b_cs ~ log(U(1, T_max - 1))`` and ``b_cu = -b_cs``,
          so that unit ``i`` forgets with a time constant ``1 / (1 - g_cs) = 1 + e^{b_cs}``
          spread between 2 and ``T_max`` steps.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness (the package never seeds globally).
        d_x, d_s : int
            Input and state sizes.
        recurrent : {"gaussian", "orthogonal"}, default "gaussian"
            How the four value-to-node matrices ``W_v_*`` are drawn: Gaussian as above, or, after
            the Gaussian draws, each replaced by ``scale`` times a Haar-distributed orthogonal
            matrix (:func:`lrnn.initializers.orthogonal`).
        scale : float, default 1.0
            Multiplies every weight.
        pinholes : bool, default True
            False sets the three "pinhole" matrices ``W_s_*`` to zero (P4), which is
            PyTorch's ``nn.LSTM``. The other entries are the same draws either way.
        forget_bias : float, default 0.0
            Added to ``b_cs``.
        chrono : float, optional
            ``T_max > 2``, the longest dependency (in steps) the gates should be able to hold
            at the start of training; draws ``b_cs`` and sets ``b_cu = -b_cs`` (not with ``forget_bias``).

        Returns
        -------
        LSTMParams

        Raises
        ------
        TypeError
            If ``rng`` is not a ``numpy.random.Generator``.
        ValueError
            Non-positive sizes, a non-finite ``scale`` or ``forget_bias``, ``chrono <= 2``, or both
            ``forget_bias`` and ``chrono``.

        References
        ----------
        Tallec, C. and Ollivier, Y. (2018), "Can recurrent neural networks warp time?", ICLR.
        Jozefowicz, R., Zaremba, W. and Sutskever, I. (2015), "An empirical exploration of
        recurrent network architectures", ICML.

        Examples
        --------
        >>> p = LSTMParams.init(np.random.default_rng(0), d_x=3, d_s=4, pinholes=False)
        >>> p.W_x_du.shape, float(np.abs(p.W_s_cr).max())
        ((4, 3), 0.0)
        >>> q = LSTMParams.init(np.random.default_rng(0), d_x=3, d_s=4, chrono=100)
        >>> bool(np.all((0 <= q.b_cs) & (q.b_cs <= np.log(99)))), bool(np.all(q.b_cu == -q.b_cs))
        (True, True)
        """
        check_rng(rng)
        shapes = cls.shapes(d_x=d_x, d_s=d_s)
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
            else:  # fan_in = d_x for W_x_*, d_s for W_s_* and W_v_*
                draws[name] = scale * rng.standard_normal(shape) / np.sqrt(shape[1])
        if recurrent == "orthogonal":
            draws.update({f"W_v_{node}": orthogonal(rng, d_s, scale) for node in NODES})
        if not pinholes:
            draws.update({k: np.zeros((d_s, d_s)) for k in ("W_s_cu", "W_s_cs", "W_s_cr")})
        draws["b_cs"] = draws["b_cs"] + forget_bias
        if chrono is not None:
            draws["b_cs"] = chrono_bias(rng, chrono, d_s)
            draws["b_cu"] = -draws["b_cs"]
        return cls(**draws)

    def forward(self, x, state=None) -> LSTMTrace:
        """Run :func:`lstm_forward` from ``state = (s[-1], v[-1])`` (None: zeros), e.g. a trace's ``last_state``."""
        return lstm_forward(self, x, *self.parse_state(state))

    def backward(self, trace: LSTMTrace, dE_dout, return_inputs: bool = False, **options):
        """The gradients of :func:`lrnn.lstm_bptt.lstm_backward` (options: ``clip``, ``erratum_p3``).

        With ``return_inputs=True``, ``(grads, dE_dx, (dE/ds[-1], dE/dv[-1]))``, the border
        gradients of :func:`lrnn.lstm_bptt.lstm_border_gradients`, for composing cells.
        """
        from .lstm_bptt import lstm_backward  # lstm_bptt imports this module

        check_options(self, options, ("clip", "erratum_p3"))
        if not check_return_inputs(self, return_inputs):
            return lstm_backward(self, trace, dE_dout, **options)[0]
        grads, _, dE_dx, dE_dstate = lstm_backward(self, trace, dE_dout, return_inputs=True, **options)
        return grads, dE_dx, dE_dstate


_NODES = tuple(f"a_{k}" for k in NODES)  # the accumulation nodes, whose input terms lstm_inputs computes


def lstm_inputs(p: LSTMParams, x) -> dict:
    """The input terms ``W_x_* x[n]`` of Eqs. 126-129, one product per node.

    They do not depend on the recurrence, so :func:`lstm_forward` computes them for the whole
    sequence before its loop, a few large matrix products instead of four small ones per step.

    Parameters
    ----------
    p : LSTMParams
    x : numpy.ndarray, shape (..., d_x)
        Inputs with any leading axes: one step ``(d_x,)``, a batch ``(B, d_x)``, a sequence ``(N, B, d_x)``.

    Returns
    -------
    dict
        ``cu, cs, cr, du``: the input term of each node, shape ``(..., d_s)``.

    Notes
    -----
    No argument checks, as :func:`lstm_step`.

    Examples
    --------
    >>> p = LSTMParams.init(np.random.default_rng(0), d_x=2, d_s=3)
    >>> x = np.ones((4, 5, 2))
    >>> xi = lstm_inputs(p, x)
    >>> xi["cu"].shape, bool(np.allclose(xi["cr"][1, 2], p.W_x_cr @ x[1, 2]))
    ((4, 5, 3), True)
    """
    return dict(
        cu=x @ p.W_x_cu.T,  # Eq. 126
        cs=x @ p.W_x_cs.T,  # Eq. 127
        cr=x @ p.W_x_cr.T,  # Eq. 128
        du=x @ p.W_x_du.T,  # Eq. 129
    )


def lstm_step(p: LSTMParams, x, s_prev, v_prev, xi: dict | None = None) -> dict:
    """One step of the Vanilla LSTM, Eqs. 126-136, in the order they must be evaluated.

    Parameters
    ----------
    p : LSTMParams
    x : numpy.ndarray, shape (d_x,) or (B, d_x)
        The input ``x[n]``.
    s_prev, v_prev : numpy.ndarray, shape (d_s,) or (B, d_s)
        The previous state ``s[n-1]`` and value ``v[n-1]``.
    xi : dict of numpy.ndarray, optional
        The input terms ``W_x_* x[n]`` of :func:`lstm_inputs`, if already computed (keys
        ``"cu", "cs", "cr", "du"``, shape of ``s_prev``): :func:`lstm_forward` computes them
        for the whole sequence before its loop. By default they are computed from ``x`` here.

    Returns
    -------
    dict
        ``a_cu, a_cs, a_cr, a_du, g_cu, g_cs, g_cr, u, s, r, v`` at step ``n``, each with
        the leading axes of ``x``.

    Notes
    -----
    No argument checks: this is the inner loop of :func:`lstm_forward`, which checks its
    inputs once. Call it with float64 arrays of the shapes above.

    Examples
    --------
    All weights zero: every gate is ``G_c(0) = 1/2`` and ``u = 0``, so the state halves.

    >>> lstm_step(LSTMParams.zeros(1, 1), np.zeros(1), np.array([2.0]), np.zeros(1))["s"]
    array([1.])
    """
    xi = lstm_inputs(p, x) if xi is None else xi  # the input terms W_x_* x[n] of Eqs. 126-129
    a_cu = xi["cu"] + s_prev @ p.W_s_cu.T + v_prev @ p.W_v_cu.T + p.b_cu  # Eq. 126
    a_cs = xi["cs"] + s_prev @ p.W_s_cs.T + v_prev @ p.W_v_cs.T + p.b_cs  # Eq. 127
    a_du = xi["du"] + v_prev @ p.W_v_du.T + p.b_du  # Eq. 129
    u = G_d(a_du, check=False)  # Eq. 130
    g_cu = G_c(a_cu, check=False)  # Eq. 131
    g_cs = G_c(a_cs, check=False)  # Eq. 132
    s = g_cs * s_prev + g_cu * u  # Eq. 134
    a_cr = xi["cr"] + s @ p.W_s_cr.T + v_prev @ p.W_v_cr.T + p.b_cr  # Eq. 128: the current state s[n]
    g_cr = G_c(a_cr, check=False)  # Eq. 133
    r = G_d(s, check=False)  # Eq. 135
    v = g_cr * r  # Eq. 136
    return dict(a_cu=a_cu, a_cs=a_cs, a_cr=a_cr, a_du=a_du, g_cu=g_cu, g_cs=g_cs, g_cr=g_cr, u=u, s=s, r=r, v=v)


@dataclass(frozen=True)
class LSTMTrace(TraceFields):
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

    OUTPUT: ClassVar = "v"  # what a readout sees
    STATE: ClassVar = ("s", "v")  # last_state = (s[N-1], v[N-1])

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
    check_type("params", params, LSTMParams, "build one with LSTMParams.init(rng, d_x, d_s) or LSTMParams(...)")
    src = f"from W_x_cu of shape {fmt_shape(params.W_x_cu.shape)}"
    x, batched = as_sequence("x", x, params.d_x, "d_x", source=src)  # (N, B, d_x)
    B, d_s = x.shape[1], params.d_s
    s_prev = as_initial("s0", s0, B, d_s, "d_s", batched)  # s[-1]: zero unless given (P5)
    v_prev = as_initial("v0", v0, B, d_s, "d_s", batched)  # v[-1]
    s0, v0, N = s_prev, v_prev, len(x)
    xi = lstm_inputs(params, x)  # W_x_* x[n] for all n at once: the input terms do not depend on the recurrence
    for n in range(N):
        step = lstm_step(params, x[n], s_prev, v_prev, {k: a[n] for k, a in xi.items()})  # Eqs. 126-136
        if n == 0:  # (N, B, d_s) each; a_*[n] takes the place of the input term xi[*][n], read by step n only
            signals = {name: xi[name[2:]] if name in _NODES else np.empty((N, *a.shape)) for name, a in step.items()}
        for name, a in step.items():
            signals[name][n] = a
        s_prev, v_prev = step["s"], step["v"]
    if batched:
        return LSTMTrace(**signals, x=x, s0=s0, v0=v0)
    return LSTMTrace(**{k: a[:, 0] for k, a in signals.items()}, x=x[:, 0], s0=s0[0], v0=v0[0])
