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

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._validation import as_float_array, as_initial, as_sequence, check_rng, check_type, fmt_shape
from .activations import G_c, G_d
from .cell import Parameters, TraceFields, check_options, check_return_inputs
from .initializers import chrono_bias, glorot_uniform, orthogonal

__all__ = ["RECURRENT_DRAWS", "GRUParams", "TorchGRUParams", "GRUTrace", "gru_forward", "gru_inputs", "gru_step"]

RECURRENT_DRAWS = ("orthogonal", "glorot", "gaussian")  # the choices of GRUParams.init(recurrent=...)


@dataclass(frozen=True)
class GRUParams(Parameters):
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
    SHAPES: ClassVar = {
        f"{kind}_{node}": axes
        for node in ("r", "z", "u")
        for kind, axes in (("W_x", ("d_s", "d_x")), ("W_s", ("d_s", "d_s")), ("b", ("d_s",)))
    }

    W_x_r: np.ndarray  # (d_s, d_x)  Eq. G1 / G5
    W_s_r: np.ndarray  # (d_s, d_s)  Eq. G1 / G5
    b_r: np.ndarray  # (d_s,)  Eq. G1 / G5
    W_x_z: np.ndarray  # (d_s, d_x)  Eq. G2 / G6
    W_s_z: np.ndarray  # (d_s, d_s)  Eq. G2 / G6
    b_z: np.ndarray  # (d_s,)  Eq. G2 / G6
    W_x_u: np.ndarray  # (d_s, d_x)  Eq. G3 / G7
    W_s_u: np.ndarray  # (d_s, d_s)  Eq. G3 (on g_r * s[n-1]) / G7 (on s[n-1])
    b_u: np.ndarray  # (d_s,)  Eq. G3 / G7

    @classmethod
    def init(
        cls,
        rng: np.random.Generator,
        d_x: int,
        d_s: int,
        *,
        recurrent: str = "orthogonal",
        scale: float = 1.0,
        carry_bias: float = 0.0,
        chrono: float | None = None,
    ):
        """Random parameters: by default the usual Glorot-uniform inputs, orthogonal recurrent weights, zero biases.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness (the package never seeds globally).
        d_x, d_s : int
            Input and state sizes.
        recurrent : {"orthogonal", "glorot", "gaussian"}, default "orthogonal"
            ``"orthogonal"``: each ``W_s_*`` ``scale`` times a Haar-distributed orthogonal matrix
            (:func:`lrnn.initializers.orthogonal`), each ``W_x_*`` Glorot-uniform, ``U(-a, a)`` with
            ``a = sqrt(6 / (d_x + d_s))`` (Glorot and Bengio, 2010), block by block, and zero biases:
            Keras' GRU defaults (on its stacked matrices). ``"glorot"``: the recurrent weights
            Glorot-uniform too. ``"gaussian"``: as the LSTM's :meth:`lrnn.lstm.LSTMParams.init`, field
            by field, every weight ``N(0, scale^2 / fan_in)`` and every bias ``N(0, 0.1^2)``: gates away
            from 1/2 and a full ``W_s_u``, the generic case the tests and exercises use.
        scale : float, default 1.0
            Multiplies the recurrent weights (``"orthogonal"``: their every singular value), or every
            weight (``"gaussian"``); ``"glorot"`` takes none.
        carry_bias : float, default 0.0
            Open the way that carries the old state over: while the update gate's weighted inputs
            are zero, the share of ``s[n-1]`` in ``s[n]`` is ``c = G_c(carry_bias)``, so the old state
            fades as ``c^n``, with characteristic time ``1 / (1 - c) = 1 + exp(carry_bias)`` steps.
            Adds ``-carry_bias`` to ``b_z`` in Chung's convention and ``+carry_bias`` in PyTorch's.
        chrono : float, optional
            Chrono initialisation with horizon ``T_max = chrono`` > 2 (Tallec and Ollivier, 2018):
            the carry bias of each unit is drawn by :func:`lrnn.initializers.chrono_bias`,
            ``log(U(1, T_max - 1))``, spreading the characteristic times ``1 + exp(carry_bias)``
            uniformly between 2 and ``T_max`` steps. Not combined with ``carry_bias``.

        Returns
        -------
        GRUParams or TorchGRUParams
            An instance of the class it is called on.

        Raises
        ------
        TypeError, ValueError
            Bad ``rng``, sizes, ``recurrent``, ``scale`` or ``chrono``.

        Examples
        --------
        >>> p = GRUParams.init(np.random.default_rng(0), d_x=3, d_s=4, carry_bias=1.0)
        >>> bool(np.allclose(p.W_s_u @ p.W_s_u.T, np.eye(4))), p.b_z
        (True, array([-1., -1., -1., -1.]))
        >>> GRUParams.init(np.random.default_rng(0), d_x=3, d_s=2, recurrent="gaussian").W_s_u.shape
        (2, 2)
        """
        check_rng(rng)
        shapes = cls.shapes(d_x=d_x, d_s=d_s)
        if recurrent not in RECURRENT_DRAWS:
            raise ValueError(f"recurrent = {recurrent!r}, expected one of {', '.join(map(repr, RECURRENT_DRAWS))}.")
        scale = float(as_float_array("scale", scale, ndim=0))
        draws = {}
        for name, shape in shapes.items():  # in the order of the fields, so that seeded results stay as they were
            if recurrent == "gaussian":
                std = 0.1 if name.startswith("b_") else scale / np.sqrt(shape[1])
                draws[name] = std * rng.standard_normal(shape)
            elif name.startswith("b_"):
                draws[name] = np.zeros(shape)
            elif name.startswith("W_x") or recurrent == "glorot":
                draws[name] = glorot_uniform(rng, shape)
            else:
                draws[name] = orthogonal(rng, d_s, scale)
        if chrono is not None:
            if carry_bias != 0.0:
                raise ValueError("pass either carry_bias or chrono, not both: chrono draws the carry bias.")
            carry = chrono_bias(rng, chrono, d_s)
        else:
            carry = float(as_float_array("carry_bias", carry_bias, ndim=0))
        draws["b_z"] = draws["b_z"] + (carry if cls.convention == "torch" else -carry)  # Eq. G8 vs G4
        return cls(**draws)

    def forward(self, x, state=None) -> GRUTrace:
        """:func:`gru_forward` from ``state = None`` (zeros) or a trace's ``last_state``, ``(s[N-1],)``."""
        return gru_forward(self, x, *self.parse_state(state))

    def backward(self, trace: GRUTrace, dE_dout, return_inputs: bool = False, **options):
        """The gradients of :func:`lrnn.gru_bptt.gru_backward`, summed over time and batch (``psi`` dropped).

        With ``return_inputs=True``, ``(grads, dE_dx, (dE/ds[-1],))``, the border gradients of
        :func:`lrnn.gru_bptt.gru_border_gradients`, for composing cells.

        The GRU's backward pass has no options: footnote 25's clipping of the accumulation
        derivatives belongs to the LSTMs; clip a GRU's gradients by their global norm
        (``fit_sequences(..., clip_norm=...)``).

        Examples
        --------
        >>> p = GRUParams.zeros(1, 2)
        >>> p.backward(p.forward(np.zeros((3, 1))), np.zeros((3, 2)), clip=True)
        Traceback (most recent call last):
        ...
        TypeError: GRUParams.backward has no option clip: clipping the accumulation derivatives to [-1, 1] ...
        """
        from .gru_bptt import gru_backward  # the backward module imports this one

        check_options(self, options)
        if not check_return_inputs(self, return_inputs):
            return gru_backward(self, trace, dE_dout)[0]
        grads, _, dE_dx, dE_dstate = gru_backward(self, trace, dE_dout, return_inputs=True)
        return grads, dE_dx, dE_dstate


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
    SHAPES: ClassVar = {**GRUParams.SHAPES, "b_s_u": ("d_s",)}

    b_s_u: np.ndarray  # (d_s,)  Eq. G7, inside the reset (PyTorch's b_hn)


@dataclass(frozen=True)
class GRUTrace(TraceFields):
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

    OUTPUT: ClassVar = "s"  # what a readout sees: the state itself (the GRU has no output gate)
    STATE: ClassVar = ("s",)  # last_state = (s[N-1],)

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


def gru_inputs(p: GRUParams, x) -> dict:
    """The input products ``W_x_* x`` of the three nodes, for one step or a whole sequence at once.

    They do not depend on the recurrence, so :func:`gru_forward` computes them for every step
    before its time loop (one matrix product per node) and hands step ``n`` its slice.

    Parameters
    ----------
    p : GRUParams or TorchGRUParams
    x : numpy.ndarray, shape (..., d_x)

    Returns
    -------
    dict
        ``"r"``, ``"z"``, ``"u"``: ``W_x_r x``, ``W_x_z x``, ``W_x_u x``, each of shape ``(..., d_s)``.

    Examples
    --------
    >>> p = GRUParams.init(np.random.default_rng(0), d_x=2, d_s=3)
    >>> x = np.random.default_rng(1).standard_normal((5, 4, 2))  # N = 5 steps, B = 4 sequences
    >>> bool(np.allclose(gru_inputs(p, x)["z"][2, 1], p.W_x_z @ x[2, 1]))
    True
    """
    return dict(
        r=x @ p.W_x_r.T,  # W_x_r x[n] of Eq. G1 (G5)
        z=x @ p.W_x_z.T,  # W_x_z x[n] of Eq. G2 (G6)
        u=x @ p.W_x_u.T,  # W_x_u x[n] of Eq. G3 (G7)
    )


def gru_step(p: GRUParams, x, s_prev, xi: dict | None = None) -> dict:
    """One step of the GRU, in the order the equations must be evaluated: G1-G4 (Chung) or G5-G8 (PyTorch).

    Parameters
    ----------
    p : GRUParams or TorchGRUParams
        The class selects the convention.
    x : numpy.ndarray, shape (d_x,) or (B, d_x)
        The input ``x[n]``.
    s_prev : numpy.ndarray, shape (d_s,) or (B, d_s)
        The previous state ``s[n-1]``.
    xi : dict, optional
        This step's input products ``W_x_* x[n]`` (:func:`gru_inputs`), when computed beforehand for
        the whole sequence; then ``x`` is not read.

    Returns
    -------
    dict
        ``a_r, a_z, a_u, g_r, g_z, u, s`` at step ``n`` (and ``a_s_u`` in PyTorch's convention),
        each with the leading axes of ``x``.

    Notes
    -----
    No argument checks: this is the inner loop of :func:`gru_forward`, which checks its inputs
    once. Call it with float64 arrays of the shapes above.

    Examples
    --------
    Every weight zero: both gates are ``G_c(0) = 1/2`` and ``u = G_d(0) = 0``, so the state halves.

    >>> gru_step(GRUParams.zeros(1, 1), np.zeros(1), np.array([2.0]))["s"]
    array([1.])
    """
    xi = gru_inputs(p, x) if xi is None else xi
    a_r = xi["r"] + p.b_r + s_prev @ p.W_s_r.T  # Eq. G1 (G5)
    g_r = G_c(a_r, check=False)  # Eq. G1 (G5): the reset gate
    a_z = xi["z"] + p.b_z + s_prev @ p.W_s_z.T  # Eq. G2 (G6)
    g_z = G_c(a_z, check=False)  # Eq. G2 (G6): the update gate
    if p.convention == "chung":
        a_u = xi["u"] + p.b_u + (g_r * s_prev) @ p.W_s_u.T  # Eq. G3: the reset acts before the recurrent product
        u = G_d(a_u, check=False)  # Eq. G3: the candidate
        s = (1.0 - g_z) * s_prev + g_z * u  # Eq. G4: g_z is the share of new content
        return dict(a_r=a_r, a_z=a_z, a_u=a_u, g_r=g_r, g_z=g_z, u=u, s=s)
    a_s_u = s_prev @ p.W_s_u.T + p.b_s_u  # Eq. G7: the recurrent term first ...
    a_u = xi["u"] + p.b_u + g_r * a_s_u  # Eq. G7: ... then the reset, after the product
    u = G_d(a_u, check=False)  # Eq. G7: the candidate
    s = (1.0 - g_z) * u + g_z * s_prev  # Eq. G8: g_z is the share of the old state
    return dict(a_r=a_r, a_z=a_z, a_u=a_u, g_r=g_r, g_z=g_z, u=u, s=s, a_s_u=a_s_u)


def gru_forward(params: GRUParams, x, s0=None) -> GRUTrace:
    """Run the GRU over a sequence: Eqs. G1-G4 (``GRUParams``) or G5-G8 (``TorchGRUParams``).

    The input products ``W_x_* x[n]`` are computed for every step before the loop
    (:func:`gru_inputs`); the loop runs :func:`gru_step`.

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
    check_type("params", params, (GRUParams, TorchGRUParams), "build one with GRUParams.init(rng, d_x, d_s)")
    X, batched = as_sequence("x", x, params.d_x, "d_x", source=f"from W_x_r of shape {fmt_shape(params.W_x_r.shape)}")
    N = len(X)
    S0 = as_initial("s0", s0, X.shape[1], params.d_s, "d_s", batched)  # s[-1], (B, d_s)
    xi = gru_inputs(params, X)  # W_x_* x[n] for every n: (N, B, d_s) each, three products before the loop
    s_prev = S0
    for n in range(N):
        step = gru_step(params, None, s_prev, {k: a[n] for k, a in xi.items()})  # Eqs. G1-G4 or G5-G8
        if n == 0:
            signals = {name: np.empty((N, *a.shape)) for name, a in step.items()}  # (N, B, d_s) each
        for name, a in step.items():
            signals[name][n] = a
        s_prev = step["s"]
    return GRUTrace.from_batch(batched, **signals, x=X, s0=S0)
