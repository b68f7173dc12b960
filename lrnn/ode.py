"""The additive model and its sampling into the canonical RNN, Sherstinsky (2020) Sec. II, Eqs. 14-31.

The continuous system (Eq. 14, the simplified delay differential equation)::

    ds/dt = A s(t) + B r(t - tau0) + C x(t) + phi,     r(t) = G(s(t)) = tanh(s(t))

Backward Euler with the delay equal to the step, ``tau0 = dT`` (Eqs. 15-24), gives the
canonical RNN (Eq. 30) with (Eqs. 25-29)::

    W_s = (I - dT A)^-1,   W_r = dT W_s B,   W_x = dT W_s C,   theta_s = dT W_s phi

The scheme is semi-implicit: implicit in ``A s`` and ``C x`` (evaluated at the new step),
explicit in the readout feedback ``B r``, which enters one step late. Its small-signal
multiplier is ``W_s + W_r = (I - dT A)^-1 (I + dT B)``, so its stability in ``B`` depends on
the step, unlike fully implicit backward Euler (Ch. 1; erratum P14 of the book).

Symbols (paper -> code -> shape)::

    A        A      (d, d)    "analog" state feedback; diagonal with a_ii << 0 in the standard-RNN argument
    B        B      (d, d)    readout feedback
    C        C      (d, d_x)  input coupling
    phi      phi    (d,)      constant drive
    tau0     tau0   scalar    delay of the readout feedback
    dT       dT     scalar    sampling step (Eq. 15)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_shape, check_type, type_error
from .activations import G_d
from .rnn import RNNParams, rnn_forward

__all__ = ["AdditiveModel", "integrate", "discretize", "sample_rnn", "example_model", "bump"]


@dataclass(frozen=True)
class AdditiveModel:
    """Coefficients of the linear-coefficient additive model, Eq. 14.

    Parameters
    ----------
    A : array_like, shape (d, d)
    B : array_like, shape (d, d)
    C : array_like, shape (d, d_x)
    phi : array_like, shape (d,)

    Examples
    --------
    >>> m = AdditiveModel(A=-np.eye(2), B=np.zeros((2, 2)), C=np.ones((2, 1)), phi=np.zeros(2))
    >>> m.d, m.d_x
    (2, 1)
    """

    A: np.ndarray  # (d, d)    Eq. 14
    B: np.ndarray  # (d, d)    Eq. 14
    C: np.ndarray  # (d, d_x)  Eq. 14
    phi: np.ndarray  # (d,)    Eq. 14

    def __post_init__(self):
        A = as_float_array("A", self.A, ndim=2)
        d = A.shape[0]
        check_shape("A", A, (d, d), ("d", "d"), source="(A must be square)")
        B = as_float_array("B", self.B, ndim=2)
        check_shape("B", B, (d, d), ("d", "d"), source=f"from A of shape {A.shape}")
        C = as_float_array("C", self.C, ndim=2)
        check_shape("C", C, (d, None), ("d", "d_x"), source=f"from A of shape {A.shape}")
        phi = as_float_array("phi", self.phi)
        check_shape("phi", phi, (d,), ("d",), source=f"from A of shape {A.shape}")
        for name, value in (("A", A), ("B", B), ("C", C), ("phi", phi)):
            object.__setattr__(self, name, value)

    @property
    def d(self) -> int:
        """State size."""
        return self.A.shape[0]

    @property
    def d_x(self) -> int:
        """Input size."""
        return self.C.shape[1]


def _positive(name: str, value) -> float:
    v = float(as_float_array(name, value, ndim=0))
    if v <= 0:
        raise ValueError(f"{name} = {v}, expected a positive step; pass a value > 0.")
    return v


def _inputs(x_fn, t: np.ndarray, d_x: int) -> np.ndarray:
    """Evaluate the input signal on a time grid as ``(len(t), d_x)``."""
    if not callable(x_fn):
        raise type_error("x_fn", x_fn, "a function t -> x(t) taking an array of times")
    X = as_float_array("x_fn(t)", x_fn(t))
    if X.ndim == 1 and d_x == 1:
        X = X[:, None]
    check_shape(
        "x_fn(t)", X, (len(t), d_x), ("len(t)", "d_x"), source="for C of the model; x_fn must accept an array of times"
    )
    return X


def integrate(model: AdditiveModel, s0, x_fn, t_end: float, *, h: float = 1e-3, tau0: float = 0.0):
    """Reference solution of the delay differential equation (Eq. 14) by classical RK4.

    The history is constant, ``s(t) = s0`` for ``t <= 0``. The delayed readout
    ``r(t - tau0)`` is read from the stored solution (method of steps), with linear
    interpolation at the RK4 half steps, so the scheme is second order in ``h``
    when ``tau0 > 0`` and fourth order when ``tau0 = 0``.

    Parameters
    ----------
    model : AdditiveModel
    s0 : array_like, shape (d,)
        State at ``t = 0`` (and before).
    x_fn : callable
        ``x_fn(t)`` maps an array of times, shape (M,), to inputs, shape (M, d_x).
    t_end : float
        End time; the grid is ``0, h, ..., t_end``.
    h : float, default 1e-3
        Integration step; ``t_end`` and ``tau0`` must be multiples of it.
    tau0 : float, default 0.0
        Delay of the readout feedback.

    Returns
    -------
    t : numpy.ndarray, shape (K + 1,)
    s : numpy.ndarray, shape (K + 1, d)

    Raises
    ------
    ValueError
        Non-positive ``h``, negative ``tau0``, or ``t_end``/``tau0`` not multiples of ``h``.

    Examples
    --------
    Without feedback or input the solution is ``exp(A t) s0``:

    >>> m = AdditiveModel(A=[[-1.0]], B=[[0.0]], C=[[0.0]], phi=[0.0])
    >>> t, s = integrate(m, [1.0], lambda t: np.zeros((len(t), 1)), 1.0, h=0.01)
    >>> bool(abs(s[-1, 0] - np.exp(-1.0)) < 1e-9)
    True
    """
    h = _positive("h", h)
    K, lag = round(float(t_end) / h), round(float(tau0) / h)
    if K < 1 or abs(K * h - t_end) > 1e-9 * max(1.0, t_end):
        raise ValueError(f"t_end = {t_end} is not a positive multiple of h = {h}; choose t_end = k * h.")
    if tau0 < 0 or abs(lag * h - tau0) > 1e-9 * max(1.0, tau0):
        raise ValueError(f"tau0 = {tau0} is not a non-negative multiple of h = {h}; choose tau0 = k * h.")
    s_init = as_float_array("s0", s0)
    check_shape("s0", s_init, (model.d,), ("d",), source=f"from A of shape {model.A.shape}")
    t = np.arange(K + 1) * h
    X = _inputs(x_fn, np.arange(2 * K + 1) * (h / 2), model.d_x)  # inputs on the half-step grid
    CX = X @ model.C.T + model.phi  # C x(t) + phi, (2K + 1, d)
    A_T, B_T = model.A.T, model.B.T
    s = np.empty((K + 1, model.d))
    s[0] = s_init
    r = np.empty((K + 1, model.d))
    r[0] = G_d(s_init, check=False)

    def r_delayed(k2: int) -> np.ndarray:  # r(t - tau0) at half-step index k2 (t = k2 h / 2)
        j2 = k2 - 2 * lag
        if j2 <= 0:
            return r[0]  # constant history
        return r[j2 // 2] if j2 % 2 == 0 else 0.5 * (r[j2 // 2] + r[j2 // 2 + 1])

    for k in range(K):
        if lag == 0:
            f = lambda y, k2: y @ A_T + G_d(y, check=False) @ B_T + CX[k2]  # noqa: E731
        else:
            f = lambda y, k2: y @ A_T + r_delayed(k2) @ B_T + CX[k2]  # noqa: E731
        y = s[k]
        k1 = f(y, 2 * k)
        k2_ = f(y + 0.5 * h * k1, 2 * k + 1)
        k3 = f(y + 0.5 * h * k2_, 2 * k + 1)
        k4 = f(y + h * k3, 2 * k + 2)
        s[k + 1] = y + (h / 6.0) * (k1 + 2 * k2_ + 2 * k3 + k4)
        r[k + 1] = G_d(s[k + 1], check=False)
    return t, s


def discretize(model: AdditiveModel, dT: float) -> RNNParams:
    """Canonical RNN parameters from the additive model by backward Euler (Eqs. 24-29).

    The derivation sets the delay to one step, ``tau0 = dT`` (Sec. II), so the
    returned RNN samples the system ``integrate(model, ..., tau0=dT)``.

    Parameters
    ----------
    model : AdditiveModel
    dT : float
        Sampling step, > 0.

    Returns
    -------
    RNNParams
        ``W_s = (I - dT A)^-1`` (Eq. 25), ``W_r = dT W_s B`` (Eq. 27),
        ``W_x = dT W_s C`` (Eq. 28), ``theta_s = dT W_s phi`` (Eq. 29).

    Raises
    ------
    ValueError
        If ``dT <= 0`` or ``I - dT A`` is singular (``1/dT`` is an eigenvalue of ``A``).

    Examples
    --------
    >>> m = AdditiveModel(A=[[-1.0]], B=[[2.0]], C=[[1.0]], phi=[0.5])
    >>> p = discretize(m, 0.5)
    >>> float(p.W_s[0, 0]), float(p.W_r[0, 0]), float(p.theta_s[0])
    (0.6666666666666666, 0.6666666666666666, 0.16666666666666666)
    """
    check_type("model", model, AdditiveModel)
    dT = _positive("dT", dT)
    M = np.eye(model.d) - dT * model.A  # Eq. 24, left-hand side
    if np.linalg.cond(M) > 1e12:
        raise ValueError(f"I - dT*A is singular for dT = {dT}: 1/dT is an eigenvalue of A; choose another step.")
    W_s = np.linalg.inv(M)  # Eq. 25
    return RNNParams(
        W_r=dT * W_s @ model.B,  # Eq. 27
        W_x=dT * W_s @ model.C,  # Eq. 28
        theta_s=dT * W_s @ model.phi,  # Eq. 29
        W_s=W_s,
    )


def sample_rnn(model: AdditiveModel, dT: float, s0, x_fn, t_end: float):
    """Run the canonical RNN of :func:`discretize` from ``s(0) = s0`` over ``[0, t_end]``.

    Step ``n`` maps ``s[n] ~ s(n dT)`` to ``s[n + 1] ~ s((n + 1) dT)`` with the input
    sampled at ``(n + 1) dT`` (Eq. 24), so the samples are directly comparable with
    :func:`integrate` run with ``tau0 = dT``.

    Parameters
    ----------
    model : AdditiveModel
    dT : float
        Sampling step; ``t_end`` should be a multiple of it.
    s0 : array_like, shape (d,)
    x_fn : callable
        As in :func:`integrate`.
    t_end : float

    Returns
    -------
    t : numpy.ndarray, shape (N + 1,)
        ``0, dT, ..., N dT``.
    s : numpy.ndarray, shape (N + 1, d)
        ``s0`` followed by the RNN states.

    Examples
    --------
    >>> m = AdditiveModel(A=[[-1.0]], B=[[0.0]], C=[[0.0]], phi=[0.0])
    >>> t, s = sample_rnn(m, 0.5, [1.0], lambda t: np.zeros((len(t), 1)), 1.0)
    >>> s[:, 0].round(4)  # (1 + dT)^-n
    array([1.    , 0.6667, 0.4444])
    """
    dT = _positive("dT", dT)
    N = round(float(t_end) / dT)
    if N < 1:
        raise ValueError(f"t_end = {t_end} is shorter than one step dT = {dT}; choose t_end >= dT.")
    params = discretize(model, dT)
    t = np.arange(N + 1) * dT
    trace = rnn_forward(params, _inputs(x_fn, t[1:], model.d_x), s0=s0)
    return t, np.vstack([np.asarray(trace.s0)[None, :], trace.s])


def example_model(gain: float = 1.0, a: float = 1.0) -> AdditiveModel:
    """The book's running example: a 2-D additive model with rotating readout feedback.

    ``A = -a I``, ``B = gain * [[0.6, -1], [1, 0.6]]``, ``C = [[1], [0.5]]``, ``phi = 0``.
    Linearised at the origin (``G'(0) = 1``, delay ignored) its eigenvalues are
    ``-a + gain (0.6 +/- 1j)``: small signals decay while ``0.6 gain < a`` and spiral
    outwards, until ``tanh`` saturates, beyond. With the delay ``tau0 > 0``, and in the
    sampled RNN at a finite step, the threshold gain is lower (Ch. 1).

    Parameters
    ----------
    gain : float, default 1.0
        Scale of the feedback matrix ``B``.
    a : float, default 1.0
        Decay rate, ``A = -a I``.

    Examples
    --------
    >>> example_model(2.0).B
    array([[ 1.2, -2. ],
           [ 2. ,  1.2]])
    """
    return AdditiveModel(
        A=-float(a) * np.eye(2),
        B=float(gain) * np.array([[0.6, -1.0], [1.0, 0.6]]),
        C=np.array([[1.0], [0.5]]),
        phi=np.zeros(2),
    )


def bump(t, center: float = 1.5, width: float = 0.4, height: float = 1.0) -> np.ndarray:
    """A smooth input pulse ``x(t) = height * exp(-(t - center)^2 / (2 width^2))``, as ``(len(t), 1)``.

    Smooth, so that the discretisation error of the sampled RNN shows its true order
    (a rectangular pulse adds an error that depends on where its edges fall on the grid).

    Examples
    --------
    >>> bump(np.array([1.5]))[:, 0]
    array([1.])
    """
    t = np.asarray(t, float)
    return (height * np.exp(-((t - center) ** 2) / (2.0 * width**2)))[:, None]
