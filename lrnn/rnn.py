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
The initial state ``s[-1]`` defaults to zero as in Eq. 73, so ``r[-1] = G(0) = 0``; a given
(e.g. carried-over) initial state enters through ``r[-1] = G(s[-1])``, and, in the canonical RNN,
through ``W_s s[-1]``, so a sequence run in chunks gives the states of the run in one piece.

Every cell of the package follows one interface, :class:`lrnn.cell.Cell` (used by :mod:`lrnn.train`):
``RNNParams.zeros``, ``RNNParams.init``, ``d_x``, ``d_s``, ``d_out``, ``n_params``,
``params.forward(x, state)`` and ``params.backward(trace, dE_dout, **options)``; ``trace.output``
(here ``r``) and ``trace.last_state`` (here ``(s[N-1],)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._validation import as_initial, as_sequence, check_rng, check_type, positive_int
from .activations import G_d
from .cell import Parameters, TraceFields, check_options, check_return_inputs, replace_unchecked
from .initializers import orthogonal, real_scale

__all__ = ["RECURRENT_DRAWS", "RNNParams", "RNNTrace", "rnn_forward"]

RECURRENT_DRAWS = ("gaussian", "orthogonal", "identity")  # the choices of RNNParams.init(recurrent=...)


@dataclass(frozen=True)
class RNNParams(Parameters):
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

    SHAPES: ClassVar = {"W_r": ("d_s", "d_s"), "W_x": ("d_s", "d_x"), "theta_s": ("d_s",), "W_s": ("d_s", "d_s")}
    OPTIONAL: ClassVar = ("W_s",)

    W_r: np.ndarray  # (d_s, d_s)  Eq. 27
    W_x: np.ndarray  # (d_s, d_x)  Eq. 28
    theta_s: np.ndarray  # (d_s,)  Eq. 29
    W_s: np.ndarray | None = None  # (d_s, d_s)  Eq. 25; None -> standard RNN (Eq. 32)

    @property
    def canonical(self) -> bool:
        """True for the canonical RNN (Eq. 30, with ``W_s``), False for the standard RNN (Eq. 32)."""
        return self.W_s is not None

    @classmethod
    def zeros(cls, d_x: int, d_s: int, *, canonical: bool = False) -> RNNParams:
        """All-zero parameters: a template, and the zero gradient.

        Examples
        --------
        >>> RNNParams.zeros(d_x=3, d_s=2).n_params  # 2*2 + 2*3 + 2
        12
        """
        p = super().zeros(d_x, d_s)
        return p if canonical else replace_unchecked(p, W_s=None)

    @classmethod
    def init(
        cls,
        rng: np.random.Generator,
        d_x: int,
        d_s: int,
        *,
        recurrent: str = "gaussian",
        scale: float = 1.0,
        canonical: bool = False,
    ) -> RNNParams:
        """Random parameters for training or experiments; ``recurrent`` chooses how ``W_r`` is drawn.

        In every case ``W_x ~ N(0, 1/d_x)`` entrywise (so each ``W_x x[n]`` has variance about
        ``|x[n]|^2 / d_x``) and, with ``canonical=True``, ``W_s ~ N(0, 0.09/d_s)``.

        ``"gaussian"``
            ``W_r ~ N(0, scale^2/d_s)`` entrywise and ``theta_s ~ N(0, 0.01)``. By the circular law the
            eigenvalues of such a matrix fill the disc of radius ``scale`` as ``d_s`` grows, so its
            spectral radius is about ``scale`` (for small ``d_s`` it scatters around it).
        ``"orthogonal"``
            ``W_r = scale Q`` with ``Q`` a uniformly (Haar) distributed orthogonal matrix
            (:func:`lrnn.initializers.orthogonal`); ``theta_s = 0``. Every singular value and every
            eigenvalue modulus of ``W_r`` equals ``scale`` (Saxe, McClelland and Ganguli 2014).
        ``"identity"``
            ``W_r = scale I`` and ``theta_s = 0``, the "IRNN" of Le, Jaitly and Hinton (2015). They
            proposed it for ``G = ReLU``, where it makes the network copy its state forward until the
            input changes it; with this package's ``G = tanh`` it makes the linearisation at ``s = 0``
            (where ``G'(0) = 1``) an identity map, so gradients neither vanish nor explode there.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness (the package never seeds globally).
        d_x, d_s : int
            Input and state sizes.
        recurrent : {"gaussian", "orthogonal", "identity"}, default "gaussian"
        scale : float, default 1.0
            Scale of ``W_r``: its spectral radius (about, for ``"gaussian"``; exactly, otherwise).
        canonical : bool, default False
            Also draw a ``W_s`` (canonical RNN, Eq. 30).

        Returns
        -------
        RNNParams

        Raises
        ------
        TypeError
            If ``rng`` is not a ``numpy.random.Generator``.
        ValueError
            Non-positive sizes, an unknown ``recurrent``, a ``scale`` that is negative or not finite.

        References
        ----------
        Le, Jaitly and Hinton (2015), "A simple way to initialize recurrent networks of rectified linear
        units", arXiv:1504.00941. Saxe, McClelland and Ganguli (2014), "Exact solutions to the nonlinear
        dynamics of learning in deep linear neural networks", ICLR. Mezzadri (2007), "How to generate random
        matrices from the classical compact groups", Notices AMS 54.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> p = RNNParams.init(rng, d_x=3, d_s=4, recurrent="orthogonal", scale=0.9)
        >>> p.W_x.shape, np.allclose(p.W_r @ p.W_r.T, 0.81 * np.eye(4))
        ((4, 3), True)
        >>> RNNParams.init(rng, 1, 2, recurrent="identity").W_r
        array([[1., 0.],
               [0., 1.]])
        """
        check_rng(rng)
        d_x, d_s = positive_int("d_x", d_x), positive_int("d_s", d_s)
        if recurrent not in RECURRENT_DRAWS:
            raise ValueError(f"recurrent = {recurrent!r}, expected one of {', '.join(map(repr, RECURRENT_DRAWS))}.")
        scale = real_scale("scale", scale)
        W_s = 0.3 * rng.standard_normal((d_s, d_s)) / np.sqrt(d_s) if canonical else None
        if recurrent == "gaussian":  # the draws in this order, so that seeded results stay as they were
            W_r = scale * rng.standard_normal((d_s, d_s)) / np.sqrt(d_s)
            W_x = rng.standard_normal((d_s, d_x)) / np.sqrt(d_x)
            theta_s = 0.1 * rng.standard_normal(d_s)
        else:
            W_r = orthogonal(rng, d_s, scale) if recurrent == "orthogonal" else scale * np.eye(d_s)
            W_x = rng.standard_normal((d_s, d_x)) / np.sqrt(d_x)
            theta_s = np.zeros(d_s)
        return cls(W_r=W_r, W_x=W_x, theta_s=theta_s, W_s=W_s)

    def forward(self, x, state=None) -> RNNTrace:
        """:func:`rnn_forward` with ``state = None`` (zero) or a previous trace's ``last_state``, ``(s[-1],)``.

        Examples
        --------
        A sequence run in two chunks, the state carried across, gives the full run's states:

        >>> p = RNNParams.init(np.random.default_rng(1), d_x=2, d_s=3)
        >>> x = np.random.default_rng(2).standard_normal((6, 2))
        >>> first = p.forward(x[:4])
        >>> np.array_equal(p.forward(x[4:], first.last_state).s, p.forward(x).s[4:])
        True
        """
        return rnn_forward(self, x, *self.parse_state(state))

    def backward(self, trace: RNNTrace, dE_dout, return_inputs: bool = False, **options):
        """The gradients of :func:`lrnn.rnn_bptt.rnn_backward` (summed over time and batch), without ``psi``.

        ``dE_dout`` is ``dE/dr``, shaped like ``trace.output``; the one option is ``erratum_p1``.
        The gradient stops at ``s[-1]``: a carried state is a constant (truncated BPTT).
        With ``return_inputs=True``, ``(grads, dE_dx, (dE/ds[-1],))`` of
        :func:`lrnn.rnn_bptt.rnn_border_gradients`, for composing cells (:class:`lrnn.cell.Cell`).

        Examples
        --------
        >>> p = RNNParams.zeros(1, 2)
        >>> p.backward(p.forward(np.zeros((3, 1))), np.zeros((3, 2)), clip=True)
        Traceback (most recent call last):
        ...
        TypeError: RNNParams.backward has no option clip: clipping the accumulation derivatives ...
        """
        from .rnn_bptt import rnn_backward  # rnn_bptt imports this module

        check_options(self, options, ("erratum_p1",))
        if not check_return_inputs(self, return_inputs):
            return rnn_backward(self, trace, dE_dout, **options)[0]
        grads, _, dE_dx, dE_dstate = rnn_backward(self, trace, dE_dout, return_inputs=True, **options)
        return grads, dE_dx, dE_dstate


@dataclass(frozen=True)
class RNNTrace(TraceFields):
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

    OUTPUT: ClassVar = "r"  # what a readout sees
    STATE: ClassVar = ("s",)  # last_state = (s[N-1],)

    s: np.ndarray
    r: np.ndarray
    x: np.ndarray
    s0: np.ndarray


def rnn_forward(params: RNNParams, x, s0=None) -> RNNTrace:
    """Run the canonical (Eq. 30) or standard (Eq. 32) RNN over a sequence.

    Parameters
    ----------
    params : RNNParams
        ``params.W_s is None`` selects the standard RNN.
    x : array_like, shape (N, d_x) or (N, B, d_x)
        Inputs, time along axis 0.
    s0 : array_like, shape (d_s,) or (B, d_s), optional
        Initial state ``s[-1]``; zero by default (Eq. 73). The first step then reads
        ``r[-1] = G(s[-1])``, so ``s0 = trace.s[-1]`` continues a previous run exactly.

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
    check_type("params", params, RNNParams, "build one with RNNParams(W_r, W_x, theta_s)")
    X, batched = as_sequence("x", x, params.d_x, "d_x", source=f"from W_x of shape {params.W_x.shape}")
    N, B, _ = X.shape
    S0 = as_initial("s0", s0, B, params.d_s, "d_s", batched)  # s[-1], (B, d_s)
    s_prev, r_prev = S0, G_d(S0, check=False)
    drive = X @ params.W_x.T + params.theta_s  # W_x x[n] + theta_s for all n at once, (N, B, d_s)
    s, r = np.empty((N, B, params.d_s)), np.empty((N, B, params.d_s))
    for n in range(N):
        s_n = r_prev @ params.W_r.T + drive[n]  # Eq. 32
        if params.W_s is not None:
            s_n += s_prev @ params.W_s.T  # Eq. 30: the canonical RNN's extra term
        s[n], r[n] = s_n, G_d(s_n, check=False)  # Eq. 31/33
        s_prev, r_prev = s[n], r[n]
    if batched:
        return RNNTrace(s=s, r=r, x=X, s0=S0)
    return RNNTrace(s=s[:, 0], r=r[:, 0], x=X[:, 0], s0=S0[0])
