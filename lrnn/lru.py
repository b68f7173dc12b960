"""The linear recurrent unit (LRU) of Orvieto et al. (2023) as a cell: forward and backward passes.

Chapter 1 sampled the linear system ``ds/dt = A s + B x``; with ``A`` diagonalised
(``A = P Lambda P^-1``, complex in general) the sampled recurrence is one complex number per
state unit. Orvieto et al. train that diagonal directly, parametrised so that it is stable
by construction, and normalise what enters each unit::

    lambda     = exp(-exp(nu_log) + i exp(theta_log))          Sec. 3.3-3.4   |lambda| < 1 always
    s[n]       = lambda * s[n-1] + exp(gamma_log) * (B u[n])    Eq. O7         complex, elementwise in lambda
    y[n]       = Re(C s[n]) + D * u[n]                          Eqs. O1, O3    real again

``exp(gamma_log)`` starts at ``sqrt(1 - |lambda|^2)``, which keeps the state's variance that of
its input under white noise (Sec. 3.4), and is trained. The initialisation draws ``lambda``
uniformly on the ring ``r_min <= |lambda| <= r_max`` with phases in ``[0, max_phase]``
(Lemma 2). A linear recurrence alone computes a linear filter of its input, so the cell
puts a position-wise nonlinearity on each side, gated linear units (Dauphin et al. 2017)::

    u[n] = (W_u x[n] + b_u) * G_c(W_e x[n] + b_e)                  input GLU
    v[n] = (W_o y[n] + b_o) * G_c(W_g y[n] + b_g)                  output GLU (the paper's block)

The output GLU is the LRU block's (Orvieto et al., Fig. 1: recurrence, then GLU); the input
GLU stands for the GLU of the block below in their deep stack, so that one cell can form
products of its inputs (a marked value, say) before the recurrence sums them. The recurrence
runs with :func:`lrnn.scan.linear_scan`; the backward pass runs the adjoint recurrence with
the same scan (``g[n] = dE/ds[n] + conj(lambda) g[n+1]``). The cell follows the package's cell
interface (:mod:`lrnn.cell`); the GLU and what else it shares with the selective layer
(:mod:`lrnn.selective`) is in :mod:`lrnn.linear_cell`.

Symbols (paper -> code -> shape of one step; complex where marked)::

    u_k        x        (d_x,)     input of the cell
    u_k        u        (d_h,)     input of the recurrence (after the input GLU)
    x_k        s        (d_s,)     state, complex
    lambda     lam      (d_s,)     diagonal of Lambda, complex, |lambda| < 1
    nu^log, theta^log, gamma^log   nu_log, theta_log, gamma_log   (d_s,)
    B          B_re + i B_im       (d_s, d_h)
    C          C_re + i C_im       (d_h, d_s)
    D          D        (d_h,)     elementwise skip, as in the paper's code
    y_k        y        (d_h,)     output of the recurrence
    -          v        (d_h,)     output of the cell (after the output GLU)

Equation labels: Orvieto et al.'s equations are cited with their own numbers and the letter
O (``Eq. O7`` is their equation (7)), so that they cannot be mistaken for Sherstinsky's.

Complex gradients: for a complex ``z = z_re + i z_im`` and a real loss, the gradient of a
complex signal is ``dE/dz_re + i dE/dz_im``; parameters are stored as real arrays (``B_re``,
``B_im``, ...), so optimisers and gradient checks see only real numbers.

References
----------
1. A. Orvieto, S. L. Smith, A. Gu, A. Fernando, C. Gulcehre, R. Pascanu, S. De,
   "Resurrecting recurrent neural networks for long sequences", ICML 2023, arXiv:2303.06349.
2. Y. N. Dauphin, A. Fan, M. Auli, D. Grangier, "Language modeling with gated convolutional
   networks", ICML 2017 (the gated linear unit).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._validation import as_initial_state, as_sequence, check_rng, check_type, fmt_shape, positive_int
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

__all__ = ["LRUParams", "LRUTrace", "lru_forward", "lru_backward", "ring_init", "glu", "glu_backward"]


def ring_init(rng: np.random.Generator, d_s: int, r_min: float = 0.0, r_max: float = 1.0, max_phase: float = 2 * np.pi):
    """``(nu_log, theta_log)`` of ``d_s`` eigenvalues uniform on the ring ``r_min <= |lambda| <= r_max`` (Lemma 2).

    Orvieto et al., Lemma 2: with ``u_1, u_2 ~ U(0, 1)``, ``nu = -log(u_1 (r_max^2 - r_min^2) + r_min^2) / 2``
    and ``theta = max_phase u_2`` make ``exp(-nu + i theta)`` uniform on the ring (for ``max_phase = 2 pi``;
    a smaller ``max_phase`` keeps a slice of it, Sec. 3.4). Returned as logarithms,
    ``nu_log = log(nu)``, ``theta_log = log(theta)``.

    Examples
    --------
    >>> nu_log, theta_log = ring_init(np.random.default_rng(0), 1000, r_min=0.9, r_max=0.99)
    >>> r = np.exp(-np.exp(nu_log))
    >>> bool(0.9 <= r.min() and r.max() <= 0.99)
    True
    """
    check_rng(rng)
    d_s = positive_int("d_s", d_s)
    if not (0.0 <= r_min <= r_max <= 1.0 and r_min < 1.0):
        raise ValueError(f"r_min = {r_min}, r_max = {r_max}: expected 0 <= r_min <= r_max <= 1, r_min < 1.")
    if not (0.0 < max_phase <= 2 * np.pi):
        raise ValueError(f"max_phase = {max_phase}, expected 0 < max_phase <= 2 pi.")
    u1, u2 = rng.uniform(size=d_s), rng.uniform(size=d_s)
    nu = -0.5 * np.log(u1 * (r_max**2 - r_min**2) + r_min**2)  # Lemma 2
    theta = max_phase * u2
    return np.log(nu), np.log(np.maximum(theta, 1e-12))


@dataclass(frozen=True)
class LRUParams(LinearCellParams):
    """Parameters of an LRU cell: input GLU, diagonal complex recurrence (Eq. O7), output ``Re(C s) + D u``, output GLU.

    Parameters
    ----------
    W_u, W_e : array_like, shape (d_h, d_x)
        Input GLU: value and gate weights.
    b_u, b_e : array_like, shape (d_h,)
    nu_log, theta_log, gamma_log : array_like, shape (d_s,)
        ``lambda = exp(-exp(nu_log) + i exp(theta_log))``; input scale ``exp(gamma_log)``.
    B_re, B_im : array_like, shape (d_s, d_h)
    C_re, C_im : array_like, shape (d_h, d_s)
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
    >>> p = LRUParams.zeros(d_x=2, d_s=3, d_h=4)
    >>> p.d_x, p.d_s, p.d_h, p.d_out, p.n_params  # 2 d_h d_x + 3 d_s + 4 d_s d_h + 2 d_h^2 + 5 d_h
    (2, 3, 4, 4, 125)
    """

    SHAPES: ClassVar = {
        "W_u": ("d_h", "d_x"), "b_u": ("d_h",), "W_e": ("d_h", "d_x"), "b_e": ("d_h",),
        "nu_log": ("d_s",), "theta_log": ("d_s",), "gamma_log": ("d_s",),
        "B_re": ("d_s", "d_h"), "B_im": ("d_s", "d_h"), "C_re": ("d_h", "d_s"), "C_im": ("d_h", "d_s"), "D": ("d_h",),
        **OUTPUT_GLU_SHAPES,
    }  # fmt: skip

    W_u: np.ndarray  # (d_h, d_x)  input GLU, value
    b_u: np.ndarray  # (d_h,)
    W_e: np.ndarray  # (d_h, d_x)  input GLU, gate
    b_e: np.ndarray  # (d_h,)
    nu_log: np.ndarray  # (d_s,)  |lambda| = exp(-exp(nu_log))  (Sec. 3.3)
    theta_log: np.ndarray  # (d_s,)  arg(lambda) = exp(theta_log)  (Sec. 3.4)
    gamma_log: np.ndarray  # (d_s,)  input normalisation (Eq. O7)
    B_re: np.ndarray  # (d_s, d_h)  Eq. O7
    B_im: np.ndarray  # (d_s, d_h)
    C_re: np.ndarray  # (d_h, d_s)  y = Re(C s) + D u  (Eqs. O1, O3)
    C_im: np.ndarray  # (d_h, d_s)
    D: np.ndarray  # (d_h,)
    W_o: np.ndarray  # (d_h, d_h)  output GLU, value
    b_o: np.ndarray  # (d_h,)
    W_g: np.ndarray  # (d_h, d_h)  output GLU, gate
    b_g: np.ndarray  # (d_h,)

    @property
    def lam(self) -> np.ndarray:
        """The eigenvalues ``lambda = exp(-exp(nu_log) + i exp(theta_log))``, shape (d_s,), complex."""
        return np.exp(-np.exp(self.nu_log) + 1j * np.exp(self.theta_log))

    @classmethod
    def init(cls, rng, d_x: int, d_s: int, d_h: int, *, r_min: float = 0.0, r_max: float = 1.0, max_phase=2 * np.pi):
        """Orvieto et al.'s initialisation: ``lambda`` on a ring (Lemma 2), ``gamma = sqrt(1 - |lambda|^2)``.

        ``B`` and ``C`` have Glorot-normal real and imaginary parts with half the variance each
        (Sec. 3.2.2), ``D ~ N(0, 1)`` as in the paper's code, and the GLUs Glorot-uniform weights
        and zero biases.

        Parameters
        ----------
        rng : numpy.random.Generator
        d_x, d_s, d_h : int
            Input size, number of complex state units, width of the GLUs.
        r_min, r_max : float, default 0 and 1
            The ring of ``|lambda|`` (:func:`ring_init`).
        max_phase : float, default 2 pi
            The largest ``arg(lambda)``.

        Returns
        -------
        LRUParams

        Examples
        --------
        >>> p = LRUParams.init(np.random.default_rng(0), 2, 8, 4, r_min=0.5, r_max=0.9)
        >>> bool(np.allclose(np.exp(p.gamma_log), np.sqrt(1 - np.abs(p.lam) ** 2)))
        True
        """
        check_rng(rng)
        d_x, d_s, d_h = positive_int("d_x", d_x), positive_int("d_s", d_s), positive_int("d_h", d_h)
        nu_log, theta_log = ring_init(rng, d_s, r_min, r_max, max_phase)
        lam_abs = np.exp(-np.exp(nu_log))
        normal = lambda shape, fan_in: rng.standard_normal(shape) / np.sqrt(2 * fan_in)  # noqa: E731
        W_u, W_e = glorot_uniform_draw(rng, (d_h, d_x)), glorot_uniform_draw(rng, (d_h, d_x))
        B_re, B_im = normal((d_s, d_h), d_h), normal((d_s, d_h), d_h)
        C_re, C_im = normal((d_h, d_s), d_s), normal((d_h, d_s), d_s)
        return cls(
            W_u=W_u, b_u=np.zeros(d_h), W_e=W_e, b_e=np.zeros(d_h),
            nu_log=nu_log, theta_log=theta_log, gamma_log=np.log(np.sqrt(1.0 - lam_abs**2)),
            B_re=B_re, B_im=B_im, C_re=C_re, C_im=C_im, D=rng.standard_normal(d_h),
            **output_glu_init(rng, d_h),
        )  # fmt: skip

    def forward(self, x, state=None) -> LRUTrace:
        """:func:`lru_forward` from ``state = None`` (zeros) or a trace's ``last_state``, ``(s[N-1],)``."""
        return lru_forward(self, x, *self.parse_state(state))

    def backward(self, trace: LRUTrace, dE_dout, **options):
        """The gradients of :func:`lru_backward`, summed over time and batch; its one option is ``method``.

        Examples
        --------
        >>> p = LRUParams.zeros(1, 2, 3)
        >>> p.backward(p.forward(np.zeros((4, 1))), np.zeros((4, 3)), method="loop").B_im.shape
        (2, 3)
        """
        check_options(self, options, ("method",))
        return lru_backward(self, trace, dE_dout, **options)[0]


@dataclass(frozen=True)
class LRUTrace(TraceFields):
    """Signals of one forward pass, time-major ``(N, B, .)`` (``(N, .)`` for one sequence).

    Attributes
    ----------
    x, a_u, a_e, u : numpy.ndarray
        Input, input-GLU pre-activations (value, gate) and the recurrence's input.
    s : numpy.ndarray, complex
        The states ``s[n]``.
    y, a_o, a_g, v : numpy.ndarray
        Output of the recurrence, output-GLU pre-activations, output of the cell.
    s0 : numpy.ndarray, complex, shape (B, d_s) or (d_s,)
    """

    OUTPUT: ClassVar = "v"  # what a readout sees
    STATE: ClassVar = ("s",)  # last_state = (s[N-1],)
    INITIAL: ClassVar = ("s0",)

    x: np.ndarray
    a_u: np.ndarray
    a_e: np.ndarray
    u: np.ndarray
    s: np.ndarray
    y: np.ndarray
    a_o: np.ndarray
    a_g: np.ndarray
    v: np.ndarray
    s0: np.ndarray


def lru_forward(params: LRUParams, x, s0=None, *, method: str = "scan") -> LRUTrace:
    """Run the LRU cell over a sequence; the recurrence (Eq. O7) by the associative scan.

    Parameters
    ----------
    params : LRUParams
    x : array_like, shape (N, d_x) or (N, B, d_x)
    s0 : array_like, shape (d_s,) or (B, d_s), real or complex, optional
        ``s[-1]``; zero by default.
    method : {"scan", "loop"}, default "scan"
        The recurrence by :func:`lrnn.scan.linear_scan` or step by step (the same numbers up to rounding).

    Returns
    -------
    LRUTrace

    Examples
    --------
    The state of a unit with ``lambda = 1/2`` and unit input weight halves every step after an impulse:

    >>> from dataclasses import replace
    >>> p = replace(LRUParams.zeros(1, 1, 1), nu_log=[np.log(np.log(2))], theta_log=[-50.0],
    ...             W_u=[[1.0]], b_e=[50.0], B_re=[[1.0]])
    >>> np.round(lru_forward(p, [[1.0], [0.0], [0.0]]).s[:, 0].real, 6)
    array([1.  , 0.5 , 0.25])
    """
    check_type("params", params, LRUParams, f"build one with LRUParams.init({LRUParams.INIT})")
    X, batched = as_sequence("x", x, params.d_x, "d_x", source=f"from W_u of shape {fmt_shape(params.W_u.shape)}")
    N, B, _ = X.shape
    S0 = as_initial_state("s0", s0, B, (params.d_s,), ("d_s",), batched, complex_ok=True)  # s[-1], (B, d_s)
    a_u, a_e, u = glu(X, params.W_u, params.b_u, params.W_e, params.b_e)  # input GLU
    Bc = (params.B_re + 1j * params.B_im) * np.exp(params.gamma_log)[:, None]  # exp(gamma_log) * B, Eq. O7
    s = scan_method(method)(params.lam, u @ Bc.T, S0)  # s[n] = lambda s[n-1] + exp(gamma_log) (B u[n]), Eq. O7
    y = s.real @ params.C_re.T - s.imag @ params.C_im.T + params.D * u  # Re(C s[n]) + D u[n], Eqs. O1, O3
    a_o, a_g, v = glu(y, params.W_o, params.b_o, params.W_g, params.b_g)  # output GLU
    return LRUTrace.from_batch(batched, x=X, a_u=a_u, a_e=a_e, u=u, s=s, y=y, a_o=a_o, a_g=a_g, v=v, s0=S0)


def lru_backward(params: LRUParams, trace: LRUTrace, dE_dv, *, method: str = "scan"):
    """Gradients of a loss through :func:`lru_forward`, given ``dE/dv[n]`` at every step.

    Parameters
    ----------
    params : LRUParams
    trace : LRUTrace
        The result of :func:`lru_forward` with ``params``.
    dE_dv : array_like, shape of ``trace.v``
    method : {"scan", "loop"}, default "scan"
        The adjoint recurrence by the scan or step by step.

    Returns
    -------
    grads : LRUParams
        Summed over time and batch; built without validation (a gradient, not user input).
    dE_ds0 : numpy.ndarray, complex, shape of ``trace.s0``
        The gradient reaching the initial state (``dE/dRe + i dE/dIm``).

    Raises
    ------
    TypeError, ValueError
        A trace of other parameters' sizes, or ``dE_dv`` of the wrong shape or not finite
        (:func:`lrnn.cell.check_trace`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = LRUParams.init(rng, 2, 3, 4)
    >>> tr = lru_forward(p, rng.standard_normal((5, 2)))
    >>> g, _ = lru_backward(p, tr, np.ones((5, 4)))
    >>> g.B_im.shape, g.theta_log.shape
    ((3, 4), (3,))
    """
    dE = check_trace(params, trace, dE_dv, cell=LRUParams, trace_type=LRUTrace, forward="lru_forward", name="dE_dv")
    x, u, a_u, a_e, s, y, a_o, a_g, dv = trace.as_batch("x", "u", "a_u", "a_e", "s", "y", "a_o", "a_g", "v")
    (s0,), dv = trace.as_batch("s0"), (dE if trace.batched else dE[:, None])  # (B, d_s), (N, B, d_h)

    dy, (dW_o, db_o, dW_g, db_g) = glu_backward(y, a_o, a_g, dv, params.W_o, params.W_g)  # output GLU
    ds = dy @ (params.C_re - 1j * params.C_im)  # y = s_re C_re^T - s_im C_im^T: dE/ds_re + i dE/ds_im
    lam = params.lam
    d_lam_n, g, d_s0 = linear_scan_backward(lam, s, ds, s0, method=method)  # the adjoint recurrence, scanned
    d_lam = d_lam_n.sum(axis=(0, 1))
    d_z = np.conj(lam) * d_lam  # lambda = exp(z): dE/dz = conj(dlambda/dz) dE/dlambda
    gamma = np.exp(params.gamma_log)
    Bc = params.B_re + 1j * params.B_im
    P = u @ Bc.T  # B u[n], before the scale
    dB = gamma[:, None] * sum_outer(g, u)
    du = (np.conj(g) * gamma) @ Bc  # Re of it below: d/du of Re(conj(g) gamma B u)
    du = du.real + dy * params.D
    _, (dW_u, db_u, dW_e, db_e) = glu_backward(x, a_u, a_e, du, params.W_u, params.W_e)  # input GLU
    grads = LRUParams.unchecked(  # a gradient, not user input: no validation (an overflow is the trainer's to report)
        W_u=dW_u, b_u=db_u, W_e=dW_e, b_e=db_e,
        nu_log=d_z.real * -np.exp(params.nu_log),  # z = -exp(nu_log) + i exp(theta_log)
        theta_log=d_z.imag * np.exp(params.theta_log),
        gamma_log=gamma * np.sum((np.conj(g) * P).real, axis=(0, 1)),
        B_re=dB.real, B_im=dB.imag,
        C_re=sum_outer(dy, s.real), C_im=-sum_outer(dy, s.imag), D=np.sum(dy * u, axis=(0, 1)),
        W_o=dW_o, b_o=db_o, W_g=dW_g, b_g=db_g,
    )  # fmt: skip
    return grads, (d_s0 if trace.batched else d_s0[0])
