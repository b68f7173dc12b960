"""Training utilities: Adam, gradient-norm clipping, and a training loop with a progress bar.

Not in the paper, which trains by gradient descent on the BPTT gradients (Sec. IV, VI-I)
and mentions two heuristics against exploding gradients: clipping the accumulation
derivatives (footnote 25, ``clip=`` of the backward passes) and renormalising the state
derivatives (footnote 20). Here we use the common global-norm clipping and Adam
(Kingma and Ba, 2015):

    m <- beta1 m + (1 - beta1) g,    v <- beta2 v + (1 - beta2) g^2,
    theta <- theta - lr (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps).

Parameters are any frozen parameter dataclass of arrays (``LSTMParams``, ``AugmentedLSTMParams``,
``Readout``, ...) or a tuple of them; gradients have the same structure. ``import lrnn.train``
needs numpy only; the progress bar imports tqdm (``tqdm.auto``) when it is shown.
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._display import static_site
from .augmented import AugmentedLSTMParams, augmented_forward
from .augmented_bptt import augmented_backward
from .losses import Readout, readout_mse
from .lstm import LSTMParams, lstm_forward
from .lstm_bptt import lstm_backward

__all__ = ["Adam", "AdamState", "FitResult", "fit", "global_norm", "clip_by_global_norm", "sequence_loss_and_grads"]


def _leaves(tree) -> list[np.ndarray]:
    """The arrays of a parameter dataclass, or of a tuple/list of them, in field order."""
    if isinstance(tree, tuple | list):
        return [a for t in tree for a in _leaves(t)]
    if not dataclasses.is_dataclass(tree):
        raise TypeError(f"expected a parameter dataclass or a tuple of them, got {type(tree).__name__}.")
    return [getattr(tree, f.name) for f in dataclasses.fields(tree) if getattr(tree, f.name) is not None]


def _rebuild(tree, arrays):
    """``tree`` with its arrays replaced, in the order of :func:`_leaves`."""
    it = iter(arrays)

    def build(t):
        if isinstance(t, tuple | list):
            return type(t)(build(s) for s in t)
        names = [f.name for f in dataclasses.fields(t) if getattr(t, f.name) is not None]
        return dataclasses.replace(t, **{k: next(it) for k in names})

    return build(tree)


def global_norm(grads) -> float:
    """``sqrt(sum of squares)`` over every array of ``grads``.

    Examples
    --------
    >>> global_norm(Readout(W_y=[[3.0]], b_y=[4.0]))
    5.0
    """
    return float(np.sqrt(sum(float(np.sum(a * a)) for a in _leaves(grads))))


def clip_by_global_norm(grads, max_norm: float):
    """Scale ``grads`` down to global norm ``max_norm`` if it is larger; returns ``(grads, norm before)``.

    Examples
    --------
    >>> g, n = clip_by_global_norm(Readout(W_y=[[3.0]], b_y=[4.0]), 1.0)
    >>> n, g.W_y, g.b_y
    (5.0, array([[0.6]]), array([0.8]))
    """
    norm = global_norm(grads)
    if max_norm <= 0:
        raise ValueError(f"max_norm = {max_norm}, expected a positive number.")
    if norm <= max_norm:
        return grads, norm
    return _rebuild(grads, [a * (max_norm / norm) for a in _leaves(grads)]), norm


@dataclass(frozen=True)
class AdamState:
    """Step count ``t`` and the first and second moment estimates, one array per parameter array."""

    t: int
    m: tuple
    v: tuple


@dataclass(frozen=True)
class Adam:
    """The Adam optimizer (Kingma and Ba, 2015) as a pure function of ``(params, grads, state)``.

    Examples
    --------
    Minimise ``(w - 3)^2``:

    >>> opt = Adam(lr=0.1)
    >>> p = Readout(W_y=[[0.0]], b_y=[0.0])
    >>> state = opt.init(p)
    >>> for _ in range(300):
    ...     p, state = opt.step(p, Readout(W_y=2 * (p.W_y - 3.0), b_y=0 * p.b_y), state)
    >>> round(float(p.W_y[0, 0]), 3)
    3.0
    """

    lr: float = 1e-2
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def init(self, params) -> AdamState:
        """Zero moments for every array of ``params``."""
        zeros = tuple(np.zeros_like(a) for a in _leaves(params))
        return AdamState(t=0, m=zeros, v=tuple(np.zeros_like(a) for a in zeros))

    def step(self, params, grads, state: AdamState):
        """One update; returns the new ``(params, state)`` and leaves the arguments untouched."""
        t = state.t + 1
        b1, b2 = self.beta1, self.beta2
        m = tuple(b1 * mi + (1 - b1) * g for mi, g in zip(state.m, _leaves(grads), strict=True))
        v = tuple(b2 * vi + (1 - b2) * g * g for vi, g in zip(state.v, _leaves(grads), strict=True))
        c1, c2 = 1 - b1**t, 1 - b2**t  # bias corrections
        new = [p - self.lr * (mi / c1) / (np.sqrt(vi / c2) + self.eps) for p, mi, vi in zip(_leaves(params), m, v)]
        return _rebuild(params, new), AdamState(t=t, m=m, v=v)


def sequence_loss_and_grads(params, batch, *, clip: bool = False):
    """Mean squared error of a recurrent cell plus a linear readout, and its gradients.

    Parameters
    ----------
    params : (LSTMParams or AugmentedLSTMParams, Readout)
    batch : (x, target)
        ``x`` of shape ``(N, B, d_x)``, ``target`` of shape ``(N, B, d_y)``.
    clip : bool, default False
        Clip the accumulation derivatives (footnote 25) in the backward pass.

    Returns
    -------
    loss : float
    grads : (LSTMParams or AugmentedLSTMParams, Readout)
    """
    cell, readout = params
    x, target = batch
    if isinstance(cell, AugmentedLSTMParams):
        forward, backward = augmented_forward, augmented_backward
    elif isinstance(cell, LSTMParams):
        forward, backward = lstm_forward, lstm_backward
    else:
        raise TypeError(f"params[0] has type {type(cell).__name__}, expected LSTMParams or AugmentedLSTMParams.")
    if not isinstance(readout, Readout):
        raise TypeError(f"params[1] has type {type(readout).__name__}, expected lrnn.losses.Readout.")
    trace = forward(cell, x)
    loss, dE_dv, readout_grads = readout_mse(readout, trace.v, target)
    cell_grads, _ = backward(cell, trace, dE_dv, clip=clip)
    return loss, (cell_grads, readout_grads)


@dataclass(frozen=True)
class FitResult:
    """What :func:`fit` returns.

    Attributes
    ----------
    params
        The trained parameters (same structure as the initial ones).
    losses : numpy.ndarray, shape (steps,)
        The training loss of each step's batch, before that step's update.
    grad_norms : numpy.ndarray, shape (steps,)
        Global gradient norm of each step, before clipping.
    seconds : float
        Wall-clock time of the loop.
    """

    params: object
    losses: np.ndarray
    grad_norms: np.ndarray
    seconds: float


def fit(
    loss_and_grads: Callable,
    params,
    make_batch: Callable,
    rng: np.random.Generator,
    *,
    steps: int,
    optimizer: Adam | None = None,
    clip_norm: float | None = None,
    progress: bool = True,
    desc: str | None = None,
) -> FitResult:
    """Train ``params`` for ``steps`` steps on fresh batches; deterministic given ``rng``.

    Parameters
    ----------
    loss_and_grads : callable
        ``loss_and_grads(params, batch) -> (loss, grads)``, e.g. :func:`sequence_loss_and_grads`.
    params
        Initial parameters: a parameter dataclass or a tuple of them.
    make_batch : callable
        ``make_batch(rng) -> batch``, called once per step with ``rng``.
    rng : numpy.random.Generator
        The only source of randomness of the loop.
    steps : int
    optimizer : Adam, optional
        ``Adam()`` (learning rate 0.01) by default.
    clip_norm : float, optional
        Rescale each step's gradients to at most this global norm.
    progress : bool, default True
        Show a tqdm progress bar (``tqdm.auto``: a widget in Jupyter, text in a terminal).
    desc : str, optional
        Label of the progress bar.

    Returns
    -------
    FitResult

    Examples
    --------
    >>> from lrnn.losses import readout_mse
    >>> def lg(p, batch):
    ...     v, y = batch
    ...     E, _, g = readout_mse(p, v, y)
    ...     return E, g
    >>> make = lambda rng: (v := rng.standard_normal((32, 1)), 2 * v + 1)
    >>> res = fit(lg, Readout(W_y=[[0.0]], b_y=[0.0]), make, np.random.default_rng(0), steps=400,
    ...           optimizer=Adam(lr=0.05), progress=False)
    >>> np.round([res.params.W_y[0, 0], res.params.b_y[0]], 2), bool(res.losses[-1] < 1e-3)
    (array([2., 1.]), True)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng has type {type(rng).__name__}, expected numpy.random.Generator.")
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 1:
        raise ValueError(f"steps = {steps!r}, expected a positive integer.")
    optimizer = Adam() if optimizer is None else optimizer
    state = optimizer.init(params)
    losses, norms = np.empty(steps), np.empty(steps)
    bar = _Progress(steps, desc) if progress else None
    t0 = time.perf_counter()
    for k in range(steps):
        losses[k], grads = loss_and_grads(params, make_batch(rng))
        if not np.isfinite(losses[k]):
            raise FloatingPointError(f"the loss is {losses[k]} at step {k}; lower the learning rate or set clip_norm.")
        norms[k] = global_norm(grads)
        if clip_norm is not None:
            grads, _ = clip_by_global_norm(grads, clip_norm)
        params, state = optimizer.step(params, grads, state)
        if bar is not None:
            bar.update(losses[k])
    seconds = time.perf_counter() - t0
    if bar is not None:
        bar.close()
    return FitResult(params=params, losses=losses, grad_norms=norms, seconds=seconds)


class _Progress:
    """A ``tqdm.auto`` bar. In Jupyter its widget is displayed with a display id, and on close the
    display is updated to carry a plain-HTML copy of the final bar next to the widget, so that a
    page rendered without a kernel (the book's website) shows the finished bar, not a dead widget."""

    def __init__(self, total: int, desc: str | None):
        from tqdm.auto import tqdm
        from tqdm.notebook import tqdm_notebook

        self.handle = self.static = None
        if static_site():  # the site build: no widget, only the final bar (see close)
            from tqdm.std import tqdm as text_tqdm

            self.static = io.StringIO()
            self.bar = text_tqdm(total=total, desc=desc, file=self.static)
        elif issubclass(tqdm, tqdm_notebook):
            from IPython.display import display

            self.bar = tqdm(total=total, desc=desc, display=False)
            self.handle = display(self.bar.container, display_id=True)
        else:
            self.bar = tqdm(total=total, desc=desc)

    def update(self, loss: float):
        self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        self.bar.update(1)

    def close(self):
        import html

        self.bar.close()
        if self.static is not None:
            from IPython.display import display

            text = str(self.bar)
            pre = '<pre class="lrnn-progress" style="white-space: pre-wrap">'
            display({"text/plain": text, "text/html": f"{pre}{html.escape(text)}</pre>"}, raw=True)
        elif self.handle is not None:
            bundle = dict(self.bar.container._repr_mimebundle_() or {})
            text = str(self.bar)
            pre = '<pre class="lrnn-progress" style="white-space: pre-wrap">'
            bundle.update({"text/plain": text, "text/html": f"{pre}{html.escape(text)}</pre>"})
            self.handle.update(bundle, raw=True)
