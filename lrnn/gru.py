"""The gated recurrent unit (GRU), forward pass: Cho et al. (2014), Chung et al. (2014), and PyTorch's variant.

From Chapter 1's canonical RNN, ``s[n] = W_s s[n-1] + ...`` (Sherstinsky Eq. 30), take the
leaky integrator ``s[n] = (1 - g) s[n-1] + g u[n]``: a fixed ``W_s = (1 - g) I`` with time
constant about ``1 / g`` steps. The GRU makes ``g`` a gate, ``g_z[n]``, computed from
``x[n]`` and ``s[n-1]``: an adaptive ``W_s`` whose time constant is learned and changes
with the input. Its candidate ``u[n]`` has the form of a standard RNN step (Eqs. 32-33),
a ``G_d`` of the input and the previous state, but its view of the past passes through a
second gate, the reset ``g_r[n]``. No output gate: the readout sees the whole state
(``d_out = d_s``). Two conventions are in use, selected by the class:

``GRUParams`` (``convention = "chung"``), Chung et al. (2014), section "Gated Recurrent Unit"::

    g_r[n] = G_c(W_x_r x[n] + W_s_r s[n-1] + b_r)                    (Eq. G1)  reset gate
    g_z[n] = G_c(W_x_z x[n] + W_s_z s[n-1] + b_z)                    (Eq. G2)  update gate
    u[n]   = G_d(W_x_u x[n] + W_s_u (g_r[n] * s[n-1]) + b_u)         (Eq. G3)  candidate
    s[n]   = (1 - g_z[n]) * s[n-1] + g_z[n] * u[n]                   (Eq. G4)  state

``TorchGRUParams`` (``convention = "torch"``), PyTorch's ``nn.GRU`` (docs, "torch.nn.GRU")::

    g_r[n] = G_c(W_x_r x[n] + W_s_r s[n-1] + b_r)                    (Eq. G5)
    g_z[n] = G_c(W_x_z x[n] + W_s_z s[n-1] + b_z)                    (Eq. G6)
    u[n]   = G_d(W_x_u x[n] + b_u + g_r[n] * (W_s_u s[n-1] + b_s_u)) (Eq. G7)
    s[n]   = (1 - g_z[n]) * u[n] + g_z[n] * s[n-1]                   (Eq. G8)

Two differences. PyTorch's ``g_z`` is the share of the *old* state, Chung's the share of
the new content: negating ``W_x_z, W_s_z, b_z`` turns one into the other, since
``1 - G_c(a) = G_c(-a)``. And PyTorch resets *after* the recurrent product, with an extra
bias ``b_s_u`` inside: ``g_r * (W_s_u s)`` equals ``W_s_u (g_r * s)`` when ``W_s_u`` is
diagonal (and ``b_s_u = 0``), but not in general, because a full ``W_s_u`` mixes the units
after Chung's reset and before PyTorch's; so the two are different cells. Cho et al.
(2014), section "Hidden Unit that Adaptively Remembers and Forgets", reset before the
product as Chung does, but write the update as PyTorch does (``z`` keeps the old state).
The papers print no biases; we add one per node, as Sherstinsky's ``b_*`` (Sec. VI).

Symbols (book -> code -> shape of one step; Chung / PyTorch names)::

    x[n]           x       (d_x,)       input                       x_t / x_t
    s[n]           s       (d_s,)       state, also the output      h_t / h_t
    g_r[n]         g_r     (d_s,)       reset gate                  r_t / r_t
    g_z[n]         g_z     (d_s,)       update gate                 z_t / z_t (in the role of Chung's 1 - z_t)
    u[n]           u       (d_s,)       candidate                   h~_t / n_t
    a_r, a_z, a_u  a_*     (d_s,)       pre-activations (accumulation nodes)
    a_s_u[n]       a_s_u   (d_s,)       PyTorch only: W_s_u s[n-1] + b_s_u, before the reset
    W_x_r, W_x_z, W_x_u    (d_s, d_x)   input weights               W_r, W_z, W / W_ir, W_iz, W_in
    W_s_r, W_s_z, W_s_u    (d_s, d_s)   recurrent weights           U_r, U_z, U / W_hr, W_hz, W_hn
    b_r, b_z, b_u          (d_s,)       biases                      - / b_ir + b_hr, b_iz + b_hz, b_in
    b_s_u                  (d_s,)       PyTorch only                - / b_hn

Shapes are time-major: one sequence is ``(N, d_x)``, a batch ``(N, B, d_x)``; one step is
``W @ x``, batched code computes ``x @ W.T``. ``s[-1]`` defaults to zero (as Eq. 73).
The backward pass is :func:`lrnn.gru_bptt.gru_backward`; :mod:`lrnn.interop` converts
``nn.GRU`` state dicts.

References
----------
1. K. Cho et al., "Learning Phrase Representations using RNN Encoder-Decoder for
   Statistical Machine Translation", EMNLP 2014, arXiv:1406.1078.
2. J. Chung, C. Gulcehre, K. Cho, Y. Bengio, "Empirical Evaluation of Gated Recurrent
   Neural Networks on Sequence Modeling", arXiv:1412.3555 (2014).
3. PyTorch documentation, ``torch.nn.GRU``.
4. C. Tallec, Y. Ollivier, "Can Recurrent Neural Networks Warp Time?", ICLR 2018 (chrono init).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

from ._validation import as_float_array, as_initial, as_sequence, check_rng, check_shape, fmt_shape, positive_int
from .activations import G_c, G_d

__all__ = ["GRUParams", "TorchGRUParams", "GRUTrace", "gru_forward"]


@dataclass(frozen=True)
class GRUParams:
    """Parameters of the GRU as Chung et al. (2014) write it (Eqs. G1-G4), the class's ``convention = "chung"``.

    Parameters
    ----------
    W_x_r, W_x_z, W_x_u : array_like, shape (d_s, d_x)
        Input weights of the reset gate, the update gate and the candidate.
    W_s_r, W_s_z, W_s_u : array_like, shape (d_s, d_s)
        Recurrent weights.
    b_r, b_z, b_u : array_like, shape (d_s,)
        Biases.

    Raises
    ------
    TypeError, ValueError
        Non-numeric or non-finite entries, or a shape that disagrees with ``W_x_r``.

    See Also
    --------
    TorchGRUParams : PyTorch's variant (Eqs. G5-G8), one more bias.

    Examples
    --------
    >>> p = GRUParams.zeros(d_x=3, d_s=2)
    >>> p.convention, p.d_x, p.d_s, p.d_out, p.n_params  # 3 d_s d_x + 3 d_s^2 + 3 d_s
    ('chung', 3, 2, 2, 36)
    """

    convention: ClassVar[str] = "chung"  # selects Eqs. G1-G4 (a class attribute, not a parameter array)

    W_x_r: np.ndarray  # (d_s, d_x)  Eq. G1 / G5
    W_s_r: np.ndarray  # (d_s, d_s)  Eq. G1 / G5
    b_r: np.ndarray  # (d_s,)  Eq. G1 / G5
    W_x_z: np.ndarray  # (d_s, d_x)  Eq. G2 / G6
    W_s_z: np.ndarray  # (d_s, d_s)  Eq. G2 / G6
    b_z: np.ndarray  # (d_s,)  Eq. G2 / G6
    W_x_u: np.ndarray  # (d_s, d_x)  Eq. G3 / G7
    W_s_u: np.ndarray  # (d_s, d_s)  Eq. G3 (on g_r * s[n-1]) / G7 (on s[n-1])
    b_u: np.ndarray  # (d_s,)  Eq. G3 / G7

    def __post_init__(self):
        W = as_float_array("W_x_r", self.W_x_r, ndim=2)
        d_s, d_x = W.shape
        if d_s < 1 or d_x < 1:
            raise ValueError(f"W_x_r has shape {fmt_shape(W.shape)}; d_s and d_x must both be at least 1.")
        src = f"from W_x_r of shape {fmt_shape(W.shape)}"
        for f in fields(self):
            a = as_float_array(f.name, getattr(self, f.name))
            if f.name.startswith("W_x"):
                check_shape(f.name, a, (d_s, d_x), ("d_s", "d_x"), source=src)
            elif f.name.startswith("W_s"):
                check_shape(f.name, a, (d_s, d_s), ("d_s", "d_s"), source=src)
            else:
                check_shape(f.name, a, (d_s,), ("d_s",), source=src)
            object.__setattr__(self, f.name, a)

    @property
    def d_x(self) -> int:
        """Input size."""
        return self.W_x_r.shape[1]

    @property
    def d_s(self) -> int:
        """State size."""
        return self.W_x_r.shape[0]

    @property
    def d_out(self) -> int:
        """Size of the output sequence, the state itself: ``d_s``."""
        return self.d_s

    @property
    def n_params(self) -> int:
        """Number of scalar parameters: ``3 d_s d_x + 3 d_s^2 + 3 d_s`` (PyTorch's variant: ``+ d_s``)."""
        return sum(getattr(self, f.name).size for f in fields(self))

    @classmethod
    def _shapes(cls, d_x: int, d_s: int) -> dict:
        d_x, d_s = positive_int("d_x", d_x), positive_int("d_s", d_s)
        return {f.name: {"W_x": (d_s, d_x), "W_s": (d_s, d_s)}.get(f.name[:3], (d_s,)) for f in fields(cls)}

    @classmethod
    def zeros(cls, d_x: int, d_s: int):
        """All-zero parameters (a template to fill in, or the zero gradient).

        Examples
        --------
        >>> TorchGRUParams.zeros(1, 2).b_s_u
        array([0., 0.])
        """
        return cls(**{k: np.zeros(shape) for k, shape in cls._shapes(d_x, d_s).items()})

    @classmethod
    def random(cls, rng: np.random.Generator, d_x: int, d_s: int, *, scale: float = 1.0):
        """Gaussian parameters for tests: weights ``N(0, scale^2 / fan_in)``, biases ``N(0, 0.1^2)``.

        Examples
        --------
        >>> GRUParams.random(np.random.default_rng(0), d_x=3, d_s=2).W_s_u.shape
        (2, 2)
        """
        check_rng(rng)
        draws = {}
        for k, shape in cls._shapes(d_x, d_s).items():
            if k.startswith("W_"):
                draws[k] = scale * rng.standard_normal(shape) / np.sqrt(shape[1])
            else:
                draws[k] = 0.1 * rng.standard_normal(shape)
        return cls(**draws)

    @classmethod
    def init(cls, rng, d_x: int, d_s: int, *, recurrent="orthogonal", carry_bias=0.0, chrono=None):
        """The usual initialisation: Glorot-uniform input weights, orthogonal recurrent weights, zero biases.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness (the package never seeds globally).
        d_x, d_s : int
            Input and state sizes.
        recurrent : {"orthogonal", "glorot"}, default "orthogonal"
            Each ``W_s_*`` a random orthogonal matrix (the Q of a Gaussian matrix's QR,
            signs fixed so that it is uniformly distributed), or Glorot-uniform like the inputs.
            Every ``W_x_*`` is ``U(-a, a)`` with ``a = sqrt(6 / (d_x + d_s))`` (Glorot and Bengio, 2010),
            block by block. Keras' GRU has the same defaults (on its stacked matrices).
        carry_bias : float, default 0.0
            Open the way that carries the old state over: while the update gate's weighted inputs
            are zero, the share of ``s[n-1]`` in ``s[n]`` is ``c = G_c(carry_bias)``, so the old state
            fades as ``c^n``, with characteristic time ``1 / (1 - c) = 1 + exp(carry_bias)`` steps.
            Sets ``b_z = -carry_bias`` in Chung's convention and ``+carry_bias`` in PyTorch's.
        chrono : float, optional
            Chrono initialisation with horizon ``T_max = chrono`` > 2 (Tallec and Ollivier, 2018):
            the carry bias of each unit is ``log(U(1, T_max - 1))``, spreading the characteristic
            times ``1 + exp(carry_bias)`` uniformly between 2 and ``T_max`` steps. Not combined with
            ``carry_bias``.

        Returns
        -------
        GRUParams or TorchGRUParams
            An instance of the class it is called on.

        Raises
        ------
        TypeError, ValueError
            Bad ``rng``, sizes, ``recurrent`` or ``chrono``.

        Examples
        --------
        >>> p = GRUParams.init(np.random.default_rng(0), d_x=3, d_s=4, carry_bias=1.0)
        >>> bool(np.allclose(p.W_s_u @ p.W_s_u.T, np.eye(4))), p.b_z
        (True, array([-1., -1., -1., -1.]))
        """
        check_rng(rng)
        shapes = cls._shapes(d_x, d_s)
        if recurrent not in ("orthogonal", "glorot"):
            raise ValueError(f"recurrent = {recurrent!r}, expected 'orthogonal' or 'glorot'.")
        draws = {k: np.zeros(shape) for k, shape in shapes.items()}
        for k, shape in shapes.items():
            if k.startswith("W_x") or (k.startswith("W_s") and recurrent == "glorot"):
                a = np.sqrt(6.0 / (shape[0] + shape[1]))  # Glorot-uniform, block by block
                draws[k] = rng.uniform(-a, a, shape)
            elif k.startswith("W_s"):
                Q, R = np.linalg.qr(rng.standard_normal((d_s, d_s)))
                draws[k] = Q * np.where(np.diag(R) < 0, -1.0, 1.0)  # Haar-distributed (Mezzadri, 2007)
        if chrono is not None:
            if carry_bias != 0.0:
                raise ValueError("pass either carry_bias or chrono, not both: chrono draws the carry bias.")
            T_max = float(chrono)
            if not np.isfinite(T_max) or T_max <= 2.0:
                raise ValueError(f"chrono = {chrono!r}, expected a horizon T_max > 2 (in steps).")
            carry = np.log(rng.uniform(1.0, T_max - 1.0, d_s))
        else:
            carry = np.full(d_s, float(as_float_array("carry_bias", carry_bias, ndim=0)))
        draws["b_z"] = carry if cls.convention == "torch" else -carry  # Eq. G8 vs G4: which share z is
        return cls(**draws)

    def forward(self, x, state=None) -> GRUTrace:
        """:func:`gru_forward` from ``state = None`` (zeros) or a trace's ``last_state``, ``(s[N-1],)``."""
        if state is None:
            return gru_forward(self, x)
        if not isinstance(state, tuple) or len(state) != 1:
            raise TypeError(
                f"state has type {type(state).__name__}, expected None or a 1-tuple (s0,); pass trace.last_state."
            )
        return gru_forward(self, x, state[0])

    def backward(self, trace: GRUTrace, dE_dout):
        """The gradients of :func:`lrnn.gru_bptt.gru_backward`, summed over time and batch (``psi`` dropped)."""
        from .gru_bptt import gru_backward  # the backward module imports this one

        return gru_backward(self, trace, dE_dout)[0]


@dataclass(frozen=True)
class TorchGRUParams(GRUParams):
    """Parameters of PyTorch's GRU (Eqs. G5-G8): :class:`GRUParams` plus the bias ``b_s_u`` (``b_hn``).

    ``g_z`` keeps the old state (Eq. G8) and the reset multiplies ``W_s_u s[n-1] + b_s_u``
    (Eq. G7). The other nine entities are those of :class:`GRUParams`. Build one from
    an ``nn.GRU`` with :func:`lrnn.interop.gru_params_from_torch`.

    Examples
    --------
    >>> p = TorchGRUParams.zeros(d_x=3, d_s=2)
    >>> p.convention, p.n_params  # 3 d_s d_x + 3 d_s^2 + 4 d_s; nn.GRU counts 6 d_s biases
    ('torch', 38)
    """

    convention: ClassVar[str] = "torch"  # selects Eqs. G5-G8

    b_s_u: np.ndarray  # (d_s,)  Eq. G7, inside the reset (PyTorch's b_hn)


@dataclass(frozen=True)
class GRUTrace:
    """Signals of one forward pass, time-major, kept for the backward pass.

    Every signal has the leading axes of ``x``: ``(N, d_s)`` or ``(N, B, d_s)``.

    Attributes
    ----------
    a_r, a_z, a_u : numpy.ndarray
        Pre-activations of the reset gate, the update gate and the candidate.
    g_r, g_z, u, s : numpy.ndarray
        Reset gate, update gate, candidate and state (Eqs. G1-G4 or G5-G8).
    a_s_u : numpy.ndarray or None
        PyTorch's convention only: ``W_s_u s[n-1] + b_s_u`` (Eq. G7); None for Chung's.
    x : numpy.ndarray, shape (N, d_x) or (N, B, d_x)
        The inputs.
    s0 : numpy.ndarray, shape (d_s,) or (B, d_s)
        The initial state ``s[-1]``.
    """

    a_r: np.ndarray
    a_z: np.ndarray
    a_u: np.ndarray
    g_r: np.ndarray
    g_z: np.ndarray
    u: np.ndarray
    s: np.ndarray
    x: np.ndarray
    s0: np.ndarray
    a_s_u: np.ndarray | None = None

    @property
    def batched(self) -> bool:
        """True when the trace holds a batch, ``(N, B, d)``."""
        return self.s.ndim == 3

    @property
    def output(self) -> np.ndarray:
        """What a readout sees: the state ``s`` itself (the GRU has no output gate)."""
        return self.s

    @property
    def last_state(self) -> tuple:
        """``(s[N-1],)``, to pass as ``state=`` when the next chunk continues this one."""
        return (self.s[-1],)


def _steps_chung(A, S0, W_s_rz, W_s_u):
    """Eqs. G1-G4 step by step on ``(N, B, .)`` arrays; ``A`` holds ``W_x_* x[n] + b_*`` ([r | z | u])."""
    N, B, _ = A.shape
    d = len(W_s_u)
    a_r, a_z, a_u = A[..., :d], A[..., d : 2 * d], A[..., 2 * d :]
    g_r, g_z, u, s = (np.empty((N, B, d)) for _ in range(4))
    s_prev = S0
    for n in range(N):
        A[n, :, : 2 * d] += s_prev @ W_s_rz.T  # + W_s_r s[n-1], + W_s_z s[n-1] in Eqs. G1-G2, one product
        g_r[n] = G_c(a_r[n], check=False)  # Eq. G1
        g_z[n] = G_c(a_z[n], check=False)  # Eq. G2
        a_u[n] += (g_r[n] * s_prev) @ W_s_u.T  # Eq. G3: the reset acts before the recurrent product
        u[n] = G_d(a_u[n], check=False)  # Eq. G3
        s[n] = (1.0 - g_z[n]) * s_prev + g_z[n] * u[n]  # Eq. G4: g_z is the share of new content
        s_prev = s[n]
    return g_r, g_z, u, s, None


def _steps_torch(A, S0, W_s_rz, W_s_u, b_s_u):
    """Eqs. G5-G8 step by step on ``(N, B, .)`` arrays; ``A`` holds ``W_x_* x[n] + b_*`` ([r | z | u])."""
    N, B, _ = A.shape
    d = len(W_s_u)
    a_r, a_z, a_u = A[..., :d], A[..., d : 2 * d], A[..., 2 * d :]
    g_r, g_z, u, s, a_s_u = (np.empty((N, B, d)) for _ in range(5))
    s_prev = S0
    for n in range(N):
        A[n, :, : 2 * d] += s_prev @ W_s_rz.T  # + W_s_r s[n-1], + W_s_z s[n-1] in Eqs. G5-G6, one product
        g_r[n] = G_c(a_r[n], check=False)  # Eq. G5
        g_z[n] = G_c(a_z[n], check=False)  # Eq. G6
        a_s_u[n] = s_prev @ W_s_u.T + b_s_u  # Eq. G7: the recurrent term first ...
        a_u[n] += g_r[n] * a_s_u[n]  # Eq. G7: ... then the reset, after the product
        u[n] = G_d(a_u[n], check=False)  # Eq. G7
        s[n] = (1.0 - g_z[n]) * u[n] + g_z[n] * s_prev  # Eq. G8: g_z is the share of the old state
        s_prev = s[n]
    return g_r, g_z, u, s, a_s_u


def gru_forward(params: GRUParams, x, s0=None) -> GRUTrace:
    """Run the GRU over a sequence: Eqs. G1-G4 (``GRUParams``) or G5-G8 (``TorchGRUParams``).

    Parameters
    ----------
    params : GRUParams or TorchGRUParams
        The class selects the convention.
    x : array_like, shape (N, d_x) or (N, B, d_x)
        Inputs, time along axis 0.
    s0 : array_like, shape (d_s,) or (B, d_s), optional
        Initial state ``s[-1]``; zero by default.

    Returns
    -------
    GRUTrace
        All signals with the leading axes of ``x``; ``trace.s`` is the state sequence.

    Raises
    ------
    TypeError
        If ``params`` is not a :class:`GRUParams` or ``x`` is not numeric.
    ValueError
        If ``x`` or ``s0`` has the wrong shape or holds NaN/inf.

    References
    ----------
    Chung et al. (2014), section "Gated Recurrent Unit"; Cho et al. (2014), section "Hidden
    Unit that Adaptively Remembers and Forgets"; PyTorch documentation, ``torch.nn.GRU``.

    Examples
    --------
    One scalar step with every weight 0: both gates are G_c(0) = 1/2 and u = G_d(0) = 0,
    so from s[-1] = 2 the state halves; with b_u = 10, u is about 1 and s = (2 + 1) / 2.

    >>> tr = gru_forward(GRUParams.zeros(1, 1), [[0.0]], s0=[2.0])
    >>> tr.g_z, tr.s
    (array([[0.5]]), array([[1.]]))
    >>> from dataclasses import replace
    >>> p = replace(GRUParams.zeros(1, 1), b_u=np.array([10.0]))
    >>> gru_forward(p, [[0.0]], s0=[2.0]).s.round(6)
    array([[1.5]])
    """
    if not isinstance(params, GRUParams):
        raise TypeError(
            f"params has type {type(params).__name__}, expected GRUParams or TorchGRUParams; "
            "build one with GRUParams.init(rng, d_x, d_s)."
        )
    X, batched = as_sequence("x", x, params.d_x, "d_x", source=f"from W_x_r of shape {fmt_shape(params.W_x_r.shape)}")
    N, B, d_x = X.shape
    S0 = as_initial("s0", s0, B, params.d_s, "d_s", batched)  # s[-1], (B, d_s)
    W_x = np.concatenate([params.W_x_r, params.W_x_z, params.W_x_u])  # (3 d_s, d_x), nodes [r | z | u]
    A = (X.reshape(N * B, d_x) @ W_x.T).reshape(N, B, -1)  # W_x_* x[n] for all n in one product
    A += np.concatenate([params.b_r, params.b_z, params.b_u])  # + b_*
    W_s_rz = np.concatenate([params.W_s_r, params.W_s_z])  # (2 d_s, d_s)
    if params.convention == "torch":
        g_r, g_z, u, s, a_s_u = _steps_torch(A, S0, W_s_rz, params.W_s_u, params.b_s_u)
    else:
        g_r, g_z, u, s, a_s_u = _steps_chung(A, S0, W_s_rz, params.W_s_u)
    d = params.d_s
    out = dict(a_r=A[..., :d], a_z=A[..., d : 2 * d], a_u=A[..., 2 * d :], g_r=g_r, g_z=g_z, u=u, s=s, a_s_u=a_s_u)
    if not batched:
        out = {k: (None if a is None else a[:, 0]) for k, a in out.items()}
    return GRUTrace(**out, x=X if batched else X[:, 0], s0=S0 if batched else S0[0])
