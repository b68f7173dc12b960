"""Optimisers and gradient clipping for parameter dataclasses (not in the paper).

The paper trains by gradient descent on the BPTT gradients (Sec. IV, VI-I) and names two
heuristics against exploding gradients: clipping the accumulation derivatives (footnote 25,
``clip=`` of the backward passes) and renormalising the state derivatives (footnote 20).
This module holds what practitioners use instead: clipping by the *global* norm of all
gradients (Pascanu, Mikolov and Bengio 2013) and the three update rules below.

Every rule is written for one parameter array ``theta`` with gradient ``g`` at update
``t = 1, 2, ...``; the state arrays start at zero. All operations are elementwise::

    SGD with momentum mu (Polyak's heavy ball; mu = 0 is plain gradient descent):
        b     <- mu b + g
        theta <- theta - lr b

    RMSProp (Tieleman and Hinton 2012, lecture 6e; the centred form and momentum of Graves 2013):
        n     <- rho n + (1 - rho) g^2                        mean square of the gradient
        m     <- rho m + (1 - rho) g                          (centred only) mean gradient
        d     =  sqrt(n) + eps        or, centred,  sqrt(n - m^2) + eps
        b     <- mu b + g / d                                 (with momentum mu > 0)
        theta <- theta - lr b         or, mu = 0,  theta - lr g / d

    Adam (Kingma and Ba 2015, Algorithm 1):
        m     <- beta1 m + (1 - beta1) g
        v     <- beta2 v + (1 - beta2) g^2
        theta <- theta - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)

These are the updates of ``torch.optim.SGD`` (``dampening = 0``), ``torch.optim.RMSprop``
(its ``alpha`` is our ``rho``) and ``torch.optim.Adam``, equal up to rounding (tested), with ``eps``
added after the square root as there. Tieleman and Hinton have no ``eps``; Graves (2013) puts it under the root,
``sqrt(n - m^2 + eps)``, and keeps the learning rate inside the momentum buffer
(``b <- mu b - lr g / d``, ``theta <- theta + b``), which is the same for a constant ``lr``;
his values are ``rho = 0.95``, ``mu = 0.9``, ``lr = eps = 1e-4``.

A *parameter tree* is a frozen dataclass of arrays (``RNNParams``, ``LSTMParams``, ``Readout``,
...), a tuple or list of them, or a nest of those, including a dataclass whose fields hold trees (a
composed model of :mod:`lrnn.compose`, whose ``layers`` are cells); fields that are ``None`` (the standard RNN's
``W_s``) are not parameters. Gradients have the same structure. Everything here is a pure
function: an optimiser's ``init_state(params)`` returns its zero state, ``step(params, grads, state)``
returns new ``(params, state)`` and never writes into its arguments. Updates and clipped gradients
are built without the validation of user-built parameters (:func:`lrnn.cell.replace_unchecked`):
a NaN or inf there is a training outcome, which :func:`lrnn.train.fit` reports.

References
----------
Kingma and Ba (2015), "Adam: a method for stochastic optimization", ICLR, arXiv:1412.6980.
Tieleman and Hinton (2012), "Lecture 6.5 - rmsprop", COURSERA: Neural Networks for Machine Learning.
Graves (2013), "Generating sequences with recurrent neural networks", arXiv:1308.0850.
Pascanu, Mikolov and Bengio (2013), "On the difficulty of training recurrent neural networks", ICML.
Polyak (1964), "Some methods of speeding up the convergence of iteration methods", USSR Comp. Math.
and Math. Phys. 4(5).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .cell import replace_unchecked

__all__ = [
    "SGD",
    "SGDState",
    "RMSProp",
    "RMSPropState",
    "Adam",
    "AdamState",
    "tree_leaves",
    "tree_map",
    "global_norm",
    "clip_by_global_norm",
]


# Parameter trees -------------------------------------------------------------------------------


def tree_leaves(tree) -> list[np.ndarray]:
    """The arrays of a parameter tree in a fixed order (fields in declaration order, ``None`` skipped).

    Examples
    --------
    >>> from lrnn.losses import Readout
    >>> [a.shape for a in tree_leaves((Readout([[1.0, 2.0]], [0.0]), Readout([[3.0]], [4.0])))]
    [(1, 2), (1,), (1, 1), (1,)]
    """
    if isinstance(tree, tuple | list):
        return [a for t in tree for a in tree_leaves(t)]
    if not dataclasses.is_dataclass(tree) or isinstance(tree, type):
        raise TypeError(
            f"expected a parameter dataclass (such as RNNParams or Readout) or a tuple of them, "
            f"got {type(tree).__name__}; wrap arrays in their parameter class."
        )
    values = [getattr(tree, f.name) for f in dataclasses.fields(tree) if getattr(tree, f.name) is not None]
    return [a for v in values for a in (tree_leaves(v) if _is_subtree(v) else [v])]


def _is_subtree(value) -> bool:
    """True for a field that holds a tree itself (a composed model's layers), not an array."""
    return isinstance(value, tuple | list) or (dataclasses.is_dataclass(value) and not isinstance(value, type))


def _rebuild(tree, arrays):
    """``tree`` with its leaves replaced by ``arrays`` (an iterator, in the order of :func:`tree_leaves`)."""
    if isinstance(tree, tuple | list):
        return type(tree)(_rebuild(t, arrays) for t in tree)
    names = [f.name for f in dataclasses.fields(tree) if getattr(tree, f.name) is not None]
    new = {k: _rebuild(v, arrays) if _is_subtree(v := getattr(tree, k)) else next(arrays) for k in names}
    return replace_unchecked(tree, **new)  # computed, not user input: no validation


def tree_map(fn: Callable, tree, *rest):
    """Apply ``fn`` leaf by leaf to ``tree`` (and to trees of the same structure in ``rest``).

    Examples
    --------
    >>> from lrnn.losses import Readout
    >>> tree_map(lambda a, b: a + b, Readout([[1.0]], [2.0]), Readout([[10.0]], [20.0]))
    Readout(W_y=array([[11.]]), b_y=array([22.]))
    """
    leaves = [tree_leaves(t) for t in (tree, *rest)]
    if any(len(other) != len(leaves[0]) for other in leaves[1:]):
        raise ValueError(
            f"the trees have {[len(x) for x in leaves]} arrays; they must have the same structure "
            f"(e.g. gradients of the parameters they update)."
        )
    return _rebuild(tree, iter([fn(*arrays) for arrays in zip(*leaves)]))


def global_norm(grads) -> float:
    """``sqrt(sum of squares)`` over every array of ``grads``: the norm of all gradients as one vector.

    Examples
    --------
    >>> from lrnn.losses import Readout
    >>> global_norm(Readout(W_y=[[3.0]], b_y=[4.0]))
    5.0
    """
    return float(np.sqrt(sum(float(np.vdot(a, a)) for a in tree_leaves(grads))))


def clip_by_global_norm(grads, max_norm: float):
    """Rescale ``grads`` to global norm ``max_norm`` if it is larger (Pascanu et al. 2013, Algorithm 1).

    ``g <- g * max_norm / ||g||`` when ``||g|| > max_norm``: the direction is kept, only the
    step length is capped, so one exploding gradient cannot throw the parameters far away.

    Parameters
    ----------
    grads
        A parameter tree of gradients.
    max_norm : float
        The largest global norm let through, > 0.

    Returns
    -------
    clipped
        ``grads`` itself when its norm is at most ``max_norm``, otherwise a rescaled copy.
    norm : float
        The global norm *before* clipping.

    Raises
    ------
    ValueError
        If ``max_norm`` is not a positive finite number.

    Examples
    --------
    >>> from lrnn.losses import Readout
    >>> g, n = clip_by_global_norm(Readout(W_y=[[3.0]], b_y=[4.0]), 1.0)
    >>> n, g.W_y, g.b_y
    (5.0, array([[0.6]]), array([0.8]))
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, int | float | np.number) or not max_norm > 0:
        raise ValueError(f"max_norm = {max_norm!r}, expected a positive number such as 1.0.")
    if not np.isfinite(max_norm):
        raise ValueError(f"max_norm = {max_norm!r}, expected a finite number; pass clip_norm=None not to clip.")
    norm = global_norm(grads)
    if norm <= max_norm:
        return grads, norm
    scale = max_norm / norm
    return tree_map(lambda a: a * scale, grads), norm


def _zeros_like(params) -> tuple[np.ndarray, ...]:
    return tuple(np.zeros_like(a) for a in tree_leaves(params))


def _check_hyper(name: str, value, low: float, high: float | None = None, *, open_low=False, open_high=True):
    """Raise ``ValueError`` unless ``low <= value < high`` (bounds open or closed as asked)."""
    ok = isinstance(value, int | float | np.number) and not isinstance(value, bool) and np.isfinite(value)
    ok = ok and (value > low if open_low else value >= low)
    if ok and high is not None:
        ok = value < high if open_high else value <= high
    if not ok:
        lo, hi = ("(" if open_low else "["), (")" if open_high else "]")
        interval = f"{lo}{low}, {'inf' if high is None else high}{hi if high is not None else ')'}"
        raise ValueError(f"{name} = {value!r}, expected a number in {interval}.")


# Optimisers --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SGDState:
    """Momentum buffers ``b``, one per parameter array (empty without momentum)."""

    t: int
    b: tuple


@dataclass(frozen=True)
class SGD:
    """Gradient descent, optionally with (heavy-ball) momentum: ``b <- mu b + g``, ``theta <- theta - lr b``.

    Examples
    --------
    Two steps on ``E = w^2`` (``g = 2w``) from ``w = 1`` with ``lr = 0.1``, ``mu = 0.5``:
    ``b = 2``, ``w = 0.8``; then ``b = 0.5 * 2 + 1.6 = 2.6``, ``w = 0.8 - 0.26 = 0.54``.

    >>> from lrnn.losses import Readout
    >>> opt, p = SGD(lr=0.1, momentum=0.5), Readout([[1.0]], [0.0])
    >>> state = opt.init_state(p)
    >>> for _ in range(2):
    ...     p, state = opt.step(p, Readout(2 * p.W_y, 0 * p.b_y), state)
    >>> p.W_y
    array([[0.54]])
    """

    lr: float = 1e-2
    momentum: float = 0.0

    def __post_init__(self):
        _check_hyper("lr", self.lr, 0.0, open_low=True)
        _check_hyper("momentum", self.momentum, 0.0, 1.0)

    def init_state(self, params) -> SGDState:
        """Zero momentum buffers for every array of ``params``."""
        return SGDState(t=0, b=_zeros_like(params) if self.momentum else ())

    def step(self, params, grads, state: SGDState):
        """One update; returns the new ``(params, state)``."""
        g = tree_leaves(grads)
        b = tuple(self.momentum * bi + gi for bi, gi in zip(state.b, g, strict=True)) if self.momentum else g
        new = [p - self.lr * bi for p, bi in zip(tree_leaves(params), b, strict=True)]
        return _rebuild(params, iter(new)), SGDState(t=state.t + 1, b=tuple(b) if self.momentum else ())


@dataclass(frozen=True)
class RMSPropState:
    """Step count, mean squares ``n``, mean gradients ``m`` (centred only) and momentum buffers ``b``."""

    t: int
    n: tuple
    m: tuple
    b: tuple


@dataclass(frozen=True)
class RMSProp:
    """RMSProp (Tieleman and Hinton 2012), optionally centred and with momentum (Graves 2013).

    Divides each gradient entry by a running root mean square of its recent values, so every
    parameter moves at about ``lr`` per step whatever its gradient's scale. See the module
    docstring for the equations.

    Parameters
    ----------
    lr : float, default 1e-3
    rho : float, default 0.9
        Decay of the running averages (Tieleman and Hinton's 0.9; PyTorch's ``alpha``, default 0.99).
    eps : float, default 1e-8
        Added to the root mean square.
    momentum : float, default 0.0
    centered : bool, default False
        Divide by the running standard deviation ``sqrt(n - m^2)`` instead of the root mean square.

    Examples
    --------
    The first step is ``-lr g / (sqrt((1 - rho) g^2) + eps)``, about ``-lr / sqrt(1 - rho) sign(g)``:

    >>> from lrnn.losses import Readout
    >>> opt, p = RMSProp(lr=0.01, rho=0.99), Readout([[0.0, 0.0]], [0.0])
    >>> q, _ = opt.step(p, Readout([[-5.0, 1e-3]], [0.0]), opt.init_state(p))
    >>> q.W_y.round(4)
    array([[ 0.1, -0.1]])
    """

    lr: float = 1e-3
    rho: float = 0.9
    eps: float = 1e-8
    momentum: float = 0.0
    centered: bool = False

    def __post_init__(self):
        _check_hyper("lr", self.lr, 0.0, open_low=True)
        _check_hyper("rho", self.rho, 0.0, 1.0)
        _check_hyper("eps", self.eps, 0.0)
        _check_hyper("momentum", self.momentum, 0.0, 1.0)

    def init_state(self, params) -> RMSPropState:
        """Zero running averages (and buffers) for every array of ``params``."""
        z = _zeros_like(params)
        return RMSPropState(
            t=0,
            n=z,
            m=_zeros_like(params) if self.centered else (),
            b=_zeros_like(params) if self.momentum else (),
        )

    def step(self, params, grads, state: RMSPropState):
        """One update; returns the new ``(params, state)``."""
        rho, g = self.rho, tree_leaves(grads)
        n = tuple(rho * ni + (1 - rho) * gi * gi for ni, gi in zip(state.n, g, strict=True))
        if self.centered:
            m = tuple(rho * mi + (1 - rho) * gi for mi, gi in zip(state.m, g, strict=True))
            d = [np.sqrt(ni - mi * mi) + self.eps for ni, mi in zip(n, m)]
        else:
            m, d = (), [np.sqrt(ni) + self.eps for ni in n]
        if self.momentum:
            b = tuple(self.momentum * bi + gi / di for bi, gi, di in zip(state.b, g, d, strict=True))
            delta = b
        else:
            b, delta = (), [gi / di for gi, di in zip(g, d)]
        new = [p - self.lr * dl for p, dl in zip(tree_leaves(params), delta, strict=True)]
        return _rebuild(params, iter(new)), RMSPropState(t=state.t + 1, n=n, m=m, b=b)


@dataclass(frozen=True)
class AdamState:
    """Step count ``t`` and the first and second moment estimates, one array per parameter array."""

    t: int
    m: tuple
    v: tuple


@dataclass(frozen=True)
class Adam:
    """Adam (Kingma and Ba 2015): RMSProp on a running mean of the gradient, with bias correction.

    Parameters
    ----------
    lr : float, default 1e-2
    beta1, beta2 : float, default 0.9, 0.999
        Decay of the first and second moment estimates.
    eps : float, default 1e-8

    Examples
    --------
    Minimise ``(w - 3)^2``:

    >>> from lrnn.losses import Readout
    >>> opt = Adam(lr=0.1)
    >>> p = Readout(W_y=[[0.0]], b_y=[0.0])
    >>> state = opt.init_state(p)
    >>> for _ in range(300):
    ...     p, state = opt.step(p, Readout(W_y=2 * (p.W_y - 3.0), b_y=0 * p.b_y), state)
    >>> round(float(p.W_y[0, 0]), 3)
    3.0
    """

    lr: float = 1e-2
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self):
        _check_hyper("lr", self.lr, 0.0, open_low=True)
        _check_hyper("beta1", self.beta1, 0.0, 1.0)
        _check_hyper("beta2", self.beta2, 0.0, 1.0)
        _check_hyper("eps", self.eps, 0.0)

    def init_state(self, params) -> AdamState:
        """Zero moments for every array of ``params``."""
        return AdamState(t=0, m=_zeros_like(params), v=_zeros_like(params))

    def step(self, params, grads, state: AdamState):
        """One update; returns the new ``(params, state)`` and leaves the arguments untouched."""
        t, b1, b2, g = state.t + 1, self.beta1, self.beta2, tree_leaves(grads)
        m = tuple(b1 * mi + (1 - b1) * gi for mi, gi in zip(state.m, g, strict=True))
        v = tuple(b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(state.v, g, strict=True))
        c1, c2 = 1 - b1**t, 1 - b2**t  # bias corrections
        new = [p - self.lr * (mi / c1) / (np.sqrt(vi / c2) + self.eps) for p, mi, vi in zip(tree_leaves(params), m, v)]
        return _rebuild(params, iter(new)), AdamState(t=t, m=m, v=v)
