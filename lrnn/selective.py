"""A selective diagonal state-space layer (Gu and Dao 2023, S6), with its forward and backward passes.

The continuous system of Chapter 1, ``h'(t) = A h(t) + B x(t)``, ``y(t) = C h(t)`` (Gu and Dao,
Eq. M1a-b; the letter M marks Gu and Dao's numbers, so that they cannot be mistaken for
Sherstinsky's), sampled with a zero-order hold of step ``Delta`` (Eq. M4)::

    A_bar = exp(Delta A),     B_bar = (Delta A)^-1 (exp(Delta A) - I) Delta B          Eq. M4 (ZOH)
    h[n]  = A_bar h[n-1] + B_bar x[n],     y[n] = C h[n]                              Eq. M2a-b

is a linear time-invariant recurrence when ``Delta, B, C`` are fixed. *Selection* makes them
functions of the current input: each channel ``c`` of the layer has its own step
``Delta_c[n] = softplus(W_dt x[n] + b_dt)_c`` and a diagonal ``A_c = -exp(A_log_c)`` of ``d_s``
negative real entries (stable for every step: ``0 < exp(Delta A) < 1``), while ``B[n]`` and
``C[n]`` are linear in ``x[n]`` and shared by the channels (Gu and Dao, Algorithm 2)::

    u[n]        = W_u x[n] + b_u                           (d_h,)      the channels
    Delta[n]    = softplus(W_dt x[n] + b_dt)               (d_h,)      step of each channel
    B[n], C[n]  = W_B x[n] + b_B,  W_C x[n] + b_C          (d_s,)
    A_bar[n]    = exp(Delta[n] A)                          (d_h, d_s)  Eq. M4
    B_bar[n]    = (exp(Delta[n] A) - 1) / A * B[n]         (d_h, d_s)  Eq. M4, diagonal A
    h[n]        = A_bar[n] * h[n-1] + B_bar[n] * u[n]      (d_h, d_s)  Eq. M2a, elementwise
    y[n]        = h[n] C[n] + D * u[n]                     (d_h,)      Eq. M2b, plus a skip
    v[n]        = (W_o y[n] + b_o) * G_c(W_g y[n] + b_g)    (d_h,)      output GLU

The coefficients change with ``n``, so there is no convolution kernel (Eq. M3 is lost), but the
recurrence is still linear in ``h``: :func:`lrnn.scan.linear_scan` runs it. Mamba's Theorem 1
(Eq. M5) is the special case ``d_s = 1, A = -1, B = 1``: then ``A_bar = 1 - g`` and
``B_bar = g`` with ``g = sigma(W_dt x + b_dt)``, the gated leaky integrator
``h[n] = (1 - g[n]) h[n-1] + g[n] x[n]``. The layer keeps the exact ZOH ``B_bar`` of Eq. M4, for which
that identity holds exactly. Mamba's block wraps the layer in projections, a convolution and a
multiplicative gate; this cell keeps one gated output (the gated linear unit of the LRU cell,
:mod:`lrnn.linear_cell`), so that the two linear recurrences of the chapter meet the task with the same
kind of nonlinear readout. The layer follows the package's cell interface (:mod:`lrnn.cell`).

Symbols (paper -> code -> shape of one step)::

    x_t        x       (d_x,)        input
    -          u       (d_h,)        the layer's channels (Mamba's D = d_h)
    Delta      dt      (d_h,)
    A          A       (d_h, d_s)    -exp(A_log); Mamba's N = d_s
    B_t, C_t   B, C    (d_s,)
    h_t        h       (d_h, d_s)
    y_t        y       (d_h,)        the output of the recurrence
    -          v       (d_h,)        the output of the cell (d_out = d_h)

References
----------
A. Gu, T. Dao, "Mamba: linear-time sequence modeling with selective state spaces",
arXiv:2312.00752 (2023), Sec. 2-3.5, Algorithm 2, Theorem 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._validation import as_initial_state, as_sequence, check_rng, check_type, fmt_shape, positive_int
from .activations import G_c
from .cell import TraceFields, check_options, check_trace
from .linear_cell import (
    OUTPUT_GLU_SHAPES,
    LinearCellParams,
    glorot_uniform_draw,
    glu,
    glu_backward,
    output_glu_init,
    sum_outer,
)
from .scan import linear_scan_backward, scan_method

__all__ = ["SelectiveSSMParams", "SelectiveTrace", "selective_forward", "selective_backward", "softplus"]


def softplus(z):
    """``log(1 + exp(z))`` without overflow, for any finite ``z``.

    Examples
    --------
    >>> softplus(np.array([-800.0, 0.0, 800.0])).tolist()
    [0.0, 0.6931471805599453, 800.0]
    """
    return np.logaddexp(0.0, z)


@dataclass(frozen=True)
class SelectiveSSMParams(LinearCellParams):
    """Parameters of the selective layer: channels, steps, ``A``, input-dependent ``B`` and ``C``, skip.

    Parameters
    ----------
    W_u, W_dt : array_like, shape (d_h, d_x)
    b_u, b_dt : array_like, shape (d_h,)
    A_log : array_like, shape (d_h, d_s)
        ``A = -exp(A_log)``.
    W_B, W_C : array_like, shape (d_s, d_x)
    b_B, b_C : array_like, shape (d_s,)
    D : array_like, shape (d_h,)
    W_o, W_g : array_like, shape (d_h, d_h)
        Output GLU: value and gate weights.
    b_o, b_g : array_like, shape (d_h,)

    Raises
    ------
    TypeError, ValueError
        Non-numeric or non-finite entries, or sizes that disagree (:class:`lrnn.cell.Parameters`).

    Examples
    --------
    >>> p = SelectiveSSMParams.zeros(d_x=2, d_s=3, d_h=4)
    >>> p.d_out, p.n_params  # 2 d_h d_x + 2 d_h + d_h d_s + 2 d_s d_x + 2 d_s + d_h + 2 d_h^2 + 2 d_h
    (4, 98)
    """

    SHAPES: ClassVar = {
        "W_u": ("d_h", "d_x"), "b_u": ("d_h",), "W_dt": ("d_h", "d_x"), "b_dt": ("d_h",), "A_log": ("d_h", "d_s"),
        "W_B": ("d_s", "d_x"), "b_B": ("d_s",), "W_C": ("d_s", "d_x"), "b_C": ("d_s",), "D": ("d_h",),
        **OUTPUT_GLU_SHAPES,
    }  # fmt: skip
    STATE_NAMES: ClassVar = ("h[-1]",)  # the carried state, (h[N-1],), of shape ([B,] d_h, d_s)

    W_u: np.ndarray  # (d_h, d_x)  u = W_u x + b_u
    b_u: np.ndarray  # (d_h,)
    W_dt: np.ndarray  # (d_h, d_x)  Delta = softplus(W_dt x + b_dt)
    b_dt: np.ndarray  # (d_h,)
    A_log: np.ndarray  # (d_h, d_s)  A = -exp(A_log)  (Eq. M1a, diagonal)
    W_B: np.ndarray  # (d_s, d_x)  B[n] = W_B x + b_B  (selection)
    b_B: np.ndarray  # (d_s,)
    W_C: np.ndarray  # (d_s, d_x)  C[n] = W_C x + b_C  (selection)
    b_C: np.ndarray  # (d_s,)
    D: np.ndarray  # (d_h,)  skip
    W_o: np.ndarray  # (d_h, d_h)  output GLU, value
    b_o: np.ndarray  # (d_h,)
    W_g: np.ndarray  # (d_h, d_h)  output GLU, gate
    b_g: np.ndarray  # (d_h,)

    @classmethod
    def init(cls, rng, d_x: int, d_s: int, d_h: int, *, dt_min: float = 1e-3, dt_max: float = 0.1):
        """Mamba's initialisation: ``A = -(1, 2, ..., d_s)`` in every channel (S4D-Real), ``Delta`` log-uniform.

        ``b_dt`` is the softplus inverse of a step drawn log-uniformly in ``[dt_min, dt_max]``
        (Gu and Dao, Sec. 3.6); weights Glorot-uniform (the GLU's too), ``D = 1``, the other biases zero.

        Parameters
        ----------
        rng : numpy.random.Generator
        d_x, d_s, d_h : int
            Input size, state size per channel, number of channels.
        dt_min, dt_max : float, default 0.001 and 0.1
            The range of the initial steps ``Delta``.

        Returns
        -------
        SelectiveSSMParams

        Examples
        --------
        >>> p = SelectiveSSMParams.init(np.random.default_rng(0), 2, 4, 3)
        >>> -np.exp(p.A_log[0])
        array([-1., -2., -3., -4.])
        """
        check_rng(rng)
        d_x, d_s, d_h = positive_int("d_x", d_x), positive_int("d_s", d_s), positive_int("d_h", d_h)
        if not (0.0 < dt_min <= dt_max):
            raise ValueError(f"dt_min = {dt_min}, dt_max = {dt_max}: expected 0 < dt_min <= dt_max.")
        dt = np.exp(rng.uniform(np.log(dt_min), np.log(dt_max), d_h))
        W_u, W_dt = glorot_uniform_draw(rng, (d_h, d_x)), glorot_uniform_draw(rng, (d_h, d_x))
        W_B, W_C = glorot_uniform_draw(rng, (d_s, d_x)), glorot_uniform_draw(rng, (d_s, d_x))
        return cls(
            W_u=W_u, b_u=np.zeros(d_h), W_dt=W_dt, b_dt=dt + np.log(-np.expm1(-dt)),
            A_log=np.log(np.tile(np.arange(1.0, d_s + 1), (d_h, 1))),
            W_B=W_B, b_B=np.zeros(d_s), W_C=W_C, b_C=np.zeros(d_s), D=np.ones(d_h),
            **output_glu_init(rng, d_h),
        )  # fmt: skip

    def forward(self, x, state=None) -> SelectiveTrace:
        """:func:`selective_forward` from ``state = None`` (zeros) or a trace's ``last_state``, ``(h[N-1],)``."""
        return selective_forward(self, x, *self.parse_state(state))

    def backward(self, trace: SelectiveTrace, dE_dout, **options):
        """The gradients of :func:`selective_backward`, summed over time and batch; its one option is ``method``.

        Examples
        --------
        >>> p = SelectiveSSMParams.zeros(1, 2, 3)
        >>> p.backward(p.forward(np.zeros((4, 1))), np.zeros((4, 3)), method="loop").A_log.shape
        (3, 2)
        """
        check_options(self, options, ("method",))
        return selective_backward(self, trace, dE_dout, **options)[0]


@dataclass(frozen=True)
class SelectiveTrace(TraceFields):
    """Signals of one forward pass, time-major ``(N, B, .)`` (``(N, .)`` for one sequence).

    Attributes
    ----------
    x, u, a_dt, dt, B, C : numpy.ndarray
    A_bar, B_bar : numpy.ndarray, shape (N, [B,] d_h, d_s)
        The discretised coefficients, ``B_bar`` without the factor ``B[n]``.
    h : numpy.ndarray, shape (N, [B,] d_h, d_s)
    y, a_o, a_g, v : numpy.ndarray
        Output of the recurrence, output-GLU pre-activations, output of the cell.
    h0 : numpy.ndarray, shape ([B,] d_h, d_s)
    """

    OUTPUT: ClassVar = "v"  # what a readout sees
    STATE: ClassVar = ("h",)  # last_state = (h[N-1],)
    INITIAL: ClassVar = ("h0",)

    x: np.ndarray
    u: np.ndarray
    a_dt: np.ndarray
    dt: np.ndarray
    B: np.ndarray
    C: np.ndarray
    A_bar: np.ndarray
    B_bar: np.ndarray
    h: np.ndarray
    y: np.ndarray
    a_o: np.ndarray
    a_g: np.ndarray
    v: np.ndarray
    h0: np.ndarray


def selective_forward(params: SelectiveSSMParams, x, h0=None, *, method: str = "scan") -> SelectiveTrace:
    """Run the selective layer over a sequence (Eqs. M2a-b and M4 with input-dependent ``Delta, B, C``).

    Parameters
    ----------
    params : SelectiveSSMParams
    x : array_like, shape (N, d_x) or (N, B, d_x)
    h0 : array_like, shape (d_h, d_s) or (B, d_h, d_s), optional
        ``h[-1]``; zero by default.
    method : {"scan", "loop"}, default "scan"
        The recurrence by :func:`lrnn.scan.linear_scan` or step by step (the same numbers up to rounding).

    Returns
    -------
    SelectiveTrace

    Examples
    --------
    Theorem 1 of Gu and Dao: with ``d_s = 1, A = -1, B = C = 1`` the layer is a gated leaky integrator.

    >>> from dataclasses import replace
    >>> p = replace(SelectiveSSMParams.zeros(1, 1, 1), W_u=[[1.0]], W_dt=[[2.0]], b_dt=[-1.0], b_B=[1.0], b_C=[1.0])
    >>> x = np.array([[1.0], [0.5], [-1.0]])
    >>> g = 1 / (1 + np.exp(-(2 * x[:, 0] - 1)))
    >>> h = [0.0]
    >>> for n in range(3):
    ...     h.append((1 - g[n]) * h[-1] + g[n] * x[n, 0])
    >>> bool(np.allclose(selective_forward(p, x).y[:, 0], h[1:]))
    True
    """
    check_type(
        "params", params, SelectiveSSMParams, f"build one with SelectiveSSMParams.init({SelectiveSSMParams.INIT})"
    )
    X, batched = as_sequence("x", x, params.d_x, "d_x", source=f"from W_u of shape {fmt_shape(params.W_u.shape)}")
    N, Bsz, _ = X.shape
    H0 = as_initial_state("h0", h0, Bsz, (params.d_h, params.d_s), ("d_h", "d_s"), batched)  # h[-1], (B, d_h, d_s)
    A = -np.exp(params.A_log)  # (d_h, d_s), negative: stable for every step
    u = X @ params.W_u.T + params.b_u
    a_dt = X @ params.W_dt.T + params.b_dt
    dt = softplus(a_dt)  # Delta[n] > 0, one per channel
    Bn = X @ params.W_B.T + params.b_B  # B[n], selection
    Cn = X @ params.W_C.T + params.b_C  # C[n], selection
    dtA = dt[..., None] * A  # (N, B, d_h, d_s)
    A_bar = np.exp(dtA)  # Eq. M4
    B_bar = np.expm1(dtA) / A  # Eq. M4 for diagonal A: (exp(Delta A) - 1) / A, times B[n] below
    h = scan_method(method)(A_bar, B_bar * Bn[..., None, :] * u[..., None], H0)  # Eq. M2a, by the scan
    y = (h @ Cn[..., None])[..., 0] + params.D * u  # y[n] = h[n] C[n] + D u[n], Eq. M2b
    a_o, a_g, v = glu(y, params.W_o, params.b_o, params.W_g, params.b_g)  # output GLU
    signals = dict(x=X, u=u, a_dt=a_dt, dt=dt, B=Bn, C=Cn, A_bar=A_bar, B_bar=B_bar, h=h, y=y, a_o=a_o, a_g=a_g, v=v)
    return SelectiveTrace.from_batch(batched, **signals, h0=H0)


def selective_backward(params: SelectiveSSMParams, trace: SelectiveTrace, dE_dv, *, method: str = "scan"):
    """Gradients through :func:`selective_forward`, given ``dE/dv[n]`` at every step.

    Parameters
    ----------
    params : SelectiveSSMParams
    trace : SelectiveTrace
        The result of :func:`selective_forward` with ``params``.
    dE_dv : array_like, shape of ``trace.v``
    method : {"scan", "loop"}, default "scan"
        The adjoint recurrence by the scan or step by step.

    Returns
    -------
    grads : SelectiveSSMParams
        Summed over time and batch; built without validation (a gradient, not user input).
    dE_dh0 : numpy.ndarray, shape of ``trace.h0``

    Raises
    ------
    TypeError, ValueError
        A trace of other parameters' sizes, or ``dE_dv`` of the wrong shape or not finite
        (:func:`lrnn.cell.check_trace`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = SelectiveSSMParams.init(rng, 2, 3, 4)
    >>> g, _ = selective_backward(p, selective_forward(p, rng.standard_normal((5, 2))), np.ones((5, 4)))
    >>> g.A_log.shape
    (4, 3)
    """
    dE = check_trace(
        params, trace, dE_dv, cell=SelectiveSSMParams, trace_type=SelectiveTrace, forward="selective_forward",
        name="dE_dv",
    )  # fmt: skip
    names = ("x", "u", "a_dt", "dt", "B", "C", "A_bar", "B_bar", "h", "y", "a_o", "a_g")
    x, u, a_dt, dt, Bn, Cn, A_bar, B_bar, h, y, a_o, a_g = trace.as_batch(*names)  # (N, B, ...) each
    (h0,), dv = trace.as_batch("h0"), (dE if trace.batched else dE[:, None])  # (B, d_h, d_s), (N, B, d_h)
    A = -np.exp(params.A_log)

    dy, (dW_o, db_o, dW_g, db_g) = glu_backward(y, a_o, a_g, dv, params.W_o, params.W_g)  # output GLU
    dC = (dy[..., None, :] @ h)[..., 0, :]  # sum over the channels of dy[n] h[n]
    dh = dy[..., None] * Cn[..., None, :]  # direct dE/dh[n] through y[n]
    d_Abar, g, d_h0 = linear_scan_backward(A_bar, h, dh, h0, method=method)  # the adjoint recurrence, scanned
    Bu = Bn[..., None, :] * u[..., None]  # B[n] u[n], (N, B, d_h, d_s)
    d_Bbar = g * Bu
    gB_bar = g * B_bar
    dB = (u[..., None, :] @ gB_bar)[..., 0, :]
    du = (gB_bar @ Bn[..., None])[..., 0] + dy * params.D
    dtA_bar = d_Abar * A_bar  # through exp(Delta A)
    d_dt = (dtA_bar * A + d_Bbar * A_bar).sum(axis=-1)  # d/dDelta: A exp(Delta A) and exp(Delta A)
    dA = np.sum(dtA_bar * dt[..., None], axis=(0, 1))
    dA += np.sum(d_Bbar * (dt[..., None] * A_bar - B_bar), axis=(0, 1)) / A  # d/dA of (exp(DA)-1)/A
    d_adt = d_dt * G_c(a_dt, check=False)  # softplus' = sigma
    grads = SelectiveSSMParams.unchecked(  # a gradient, not user input: no validation
        W_u=sum_outer(du, x), b_u=du.sum(axis=(0, 1)), W_dt=sum_outer(d_adt, x), b_dt=d_adt.sum(axis=(0, 1)),
        A_log=dA * A, W_B=sum_outer(dB, x), b_B=dB.sum(axis=(0, 1)), W_C=sum_outer(dC, x), b_C=dC.sum(axis=(0, 1)),
        D=np.sum(dy * u, axis=(0, 1)),
        W_o=dW_o, b_o=db_o, W_g=dW_g, b_g=db_g,
    )  # fmt: skip
    return grads, (d_h0 if trace.batched else d_h0[0])
