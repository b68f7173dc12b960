"""Training recurrent cells: losses on sequences, truncated BPTT, validation and early stopping.

Not in the paper, which derives the gradients (Sec. IV, VI-I) and leaves the training loop
open. A *model* here is a pair ``(cell, readout)``: a cell is any parameter object with the
package's one cell interface (``RNNParams``, ``LSTMParams``, ``AugmentedLSTMParams``, a GRU,
or your own) and the readout is :class:`lrnn.losses.Readout`::

    trace = cell.forward(x, state)           # state: None (zeros) or a trace's last_state
    y     = readout(trace.output)            # y[n] = W_y v[n] + b_y
    E, dE_dy = loss(y, target, mask)         # any loss with this signature
    grads = cell.backward(trace, dE_dy @ W_y), readout gradients

This module touches a cell only through that interface (and ``dataclasses.fields`` over
parameter arrays, in :mod:`lrnn.optim`), so every cell trains the same way.

**Truncated BPTT.** We follow Williams and Peng (1990), who call it BPTT(h; h'), in the
TBPTT(k1, k2) notation of Sutskever (2013): every ``k1`` steps the parameters are
updated with the gradient of the loss on those ``k1`` new steps, backpropagated through the
last ``k2 >= k1`` steps; the state entering that window of ``k2`` steps is a constant
(the gradient stops there). So the loss at step ``n`` reaches back between ``k2 - k1 + 1``
and ``k2`` steps. The state is carried across windows and across the chunks of one batch
(*stateful*), and reset to zero at each new batch. ``TBPTT(N, N)`` on sequences of length
``N`` is full BPTT, and ``k1 = k2`` cuts a sequence into independent-gradient chunks, the
common form in practice. One deviation from Williams and Peng's online algorithm, which
keeps the activations computed when each step was first seen: here the ``k2 - k1`` overlap
steps of a window are recomputed with the current parameters, from the carried state.

**Determinism.** All randomness comes from the ``rng`` handed to ``make_batch``; the same
seed gives bit-identical parameters, losses and gradient norms.

References
----------
Williams and Peng (1990), "An efficient gradient-based algorithm for on-line training of
recurrent network trajectories", Neural Computation 2(4). Sutskever (2013), "Training
recurrent neural networks", PhD thesis, University of Toronto. Prechelt (1998), "Early
stopping - but when?", in Neural Networks: Tricks of the Trade.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ._validation import as_float_array, check_rng, check_type, fmt_shape, positive_int
from .losses import Readout, mean_squared_error, readout_loss
from .onehot import OneHot
from .optim import Adam, clip_by_global_norm, global_norm  # Adam: also reached as lrnn.train.Adam
from .progress import ProgressBar

__all__ = [
    "FitResult",
    "fit",
    "fit_sequences",
    "pad_batch",
    "sequence_loss",
    "sequence_loss_and_grads",
    "tbptt_windows",
]


# Losses on sequences -----------------------------------------------------------------------------


def _check_mask(mask, lead: tuple) -> np.ndarray | None:
    if mask is None:
        return None
    m = as_float_array("mask", mask)
    if m.shape != lead:
        raise ValueError(
            f"mask has shape {fmt_shape(m.shape)}, expected (N, B) = {fmt_shape(lead)} from the prediction's "
            f"leading axes; pass 1 for real steps and 0 for padding."
        )
    if np.any((m != 0) & (m != 1)):
        raise ValueError("mask holds values other than 0 and 1; pass 1 for real steps and 0 for padding.")
    if not m.any():
        raise ValueError("mask is all zero: no step is scored; pass at least one real step.")
    return m


def pad_batch(inputs, targets) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sequences of different lengths as one time-major batch, zero-padded, with its mask.

    Parameters
    ----------
    inputs : sequence of array_like, each of shape (N_b, d_x)
    targets : sequence of array_like, each of shape (N_b, ...) (same lengths as ``inputs``)

    Returns
    -------
    x : numpy.ndarray, shape (N, B, d_x)
        ``N = max N_b``; zeros after each sequence's end.
    target : numpy.ndarray, shape (N, B, ...)
        Zeros after each sequence's end (the dtype of the targets: integer labels stay integers).
    mask : numpy.ndarray, shape (N, B)
        1 on real steps, 0 on padding.

    Raises
    ------
    ValueError
        No sequences, an empty sequence, feature sizes that differ, or a target whose length
        is not its input's.

    Examples
    --------
    >>> x, t, m = pad_batch([np.ones((2, 1)), np.ones((3, 1))], [np.zeros(2, dtype=int), np.ones(3, dtype=int)])
    >>> x.shape, t.dtype, m.T
    ((3, 2, 1), dtype('int64'), array([[1., 1., 0.],
           [1., 1., 1.]]))
    """
    xs = [as_float_array(f"inputs[{b}]", a, ndim=2) for b, a in enumerate(inputs)]
    ts = [np.asarray(a) for a in targets]
    if not xs or len(ts) != len(xs):
        raise ValueError(
            f"got {len(xs)} inputs and {len(ts)} targets; pass one target sequence per input sequence (at least one)."
        )
    for b, (a, t) in enumerate(zip(xs, ts)):
        if a.shape[0] == 0 or a.shape[1] != xs[0].shape[1]:
            raise ValueError(
                f"inputs[{b}] has shape {fmt_shape(a.shape)}, expected (N_b, d_x) = (N_b >= 1, {xs[0].shape[1]}) "
                f"like inputs[0]."
            )
        if t.shape[:1] != a.shape[:1] or t.shape[1:] != ts[0].shape[1:]:
            raise ValueError(
                f"targets[{b}] has shape {fmt_shape(t.shape)}, expected ({a.shape[0]}, ...) with the length of "
                f"inputs[{b}] and the trailing shape of targets[0], {fmt_shape(ts[0].shape[1:])}."
            )
    N, B = max(a.shape[0] for a in xs), len(xs)
    x = np.zeros((N, B, xs[0].shape[1]))
    target = np.zeros((N, B, *ts[0].shape[1:]), dtype=np.result_type(*ts))
    mask = np.zeros((N, B))
    for b, (a, t) in enumerate(zip(xs, ts)):
        x[: len(a), b], target[: len(a), b], mask[: len(a), b] = a, t, 1.0
    return x, target, mask


def _split_model(params):
    if not isinstance(params, tuple) or len(params) != 2:
        raise TypeError(
            f"params has type {type(params).__name__}, expected a model (cell, readout): a tuple of a cell's "
            f"parameters (e.g. RNNParams) and a lrnn.losses.Readout."
        )
    cell, readout = params
    for method in ("forward", "backward"):
        if not callable(getattr(cell, method, None)):
            raise TypeError(
                f"params[0] has type {type(cell).__name__}, which has no {method}() method; expected a cell "
                f"implementing the cell interface (forward(x, state), backward(trace, dE_dout)), e.g. RNNParams."
            )
    check_type("params[1]", readout, Readout, "build one with lrnn.losses.Readout(W_y, b_y)")
    return cell, readout


def _split_batch(batch):
    if not isinstance(batch, tuple | list) or len(batch) not in (2, 3):
        raise TypeError(
            f"batch has type {type(batch).__name__}, expected a tuple (x, target) or (x, target, mask) "
            f"with x of shape (N, B, d_x)."
        )
    return batch[0], batch[1], (batch[2] if len(batch) == 3 else None)


def _step(params, x, target, mask, state, loss, backward_options):
    """Forward, readout, loss, backward: ``(E, grads, trace)``."""
    cell, readout = params
    trace = cell.forward(x, state)
    E, dE_dv, readout_grads = readout_loss(readout, trace.output, target, loss, mask)
    return E, (cell.backward(trace, dE_dv, **backward_options), readout_grads), trace


def sequence_loss_and_grads(params, batch, *, loss: Callable | None = None, state=None, **backward_options):
    """Loss of a model ``(cell, readout)`` on a batch of sequences, and its gradients.

    Parameters
    ----------
    params : (cell, Readout)
        Any cell implementing the cell interface (``RNNParams``, ``LSTMParams``, ...).
    batch : (x, target) or (x, target, mask)
        ``x`` of shape ``(N, B, d_x)`` (or ``(N, d_x)``), ``target`` what ``loss`` expects
        (``(N, B, d_y)`` for the mean squared error), ``mask`` of shape ``(N, B)``: 1 for real
        steps, 0 for padding.
    loss : callable, default :func:`lrnn.losses.mean_squared_error`
        ``loss(y, target, mask) -> (E, dE_dy)``; ``mask`` is ``None`` when the batch has none.
    state : tuple of arrays, optional
        Initial state (a trace's ``last_state``); zero by default. The gradient stops there.
    **backward_options
        Passed to ``cell.backward``, e.g. ``clip=True`` for the LSTMs' footnote-25 clipping.

    Returns
    -------
    loss : float
    grads : (cell gradients, Readout)

    Examples
    --------
    >>> from lrnn.rnn import RNNParams
    >>> rng = np.random.default_rng(0)
    >>> model = (RNNParams.init(rng, d_x=1, d_s=3), Readout(W_y=np.ones((1, 3)), b_y=[0.0]))
    >>> x = rng.standard_normal((5, 2, 1))
    >>> E, (g_cell, g_out) = sequence_loss_and_grads(model, (x, x))
    >>> g_cell.W_r.shape, g_out.W_y.shape
    ((3, 3), (1, 3))
    """
    params = _split_model(params)
    x, target, mask = _split_batch(batch)
    E, grads, _ = _step(params, x, target, mask, state, loss or mean_squared_error, backward_options)
    return E, grads


def sequence_loss(params, batch, *, loss: Callable | None = None, state=None) -> float:
    """The loss of :func:`sequence_loss_and_grads` without the backward pass (for validation and tests)."""
    cell, readout = _split_model(params)
    x, target, mask = _split_batch(batch)
    return float((loss or mean_squared_error)(readout(cell.forward(x, state).output), target, mask)[0])


def _tbptt_lengths(k1, k2=None) -> tuple[int, int]:
    k1 = positive_int("k1", k1)
    k2 = k1 if k2 is None else positive_int("k2", k2)
    if k2 < k1:
        raise ValueError(
            f"k2 = {k2} < k1 = {k1}: TBPTT(k1, k2) backpropagates through k2 >= k1 steps every k1 steps "
            f"(Williams and Peng 1990); pass k2 >= k1."
        )
    return k1, k2


def tbptt_windows(N: int, k1: int, k2: int | None = None) -> list[tuple[int, int, int]]:
    """The windows of TBPTT(k1, k2) on a sequence of ``N`` steps, as ``(start, scored, stop)``.

    Window ``j`` runs the cell over steps ``start <= n < stop`` from the state carried to
    ``start``, scores the loss on steps ``scored <= n < stop`` (``k1`` of them, fewer in the
    last window) and backpropagates to ``start`` (``k2`` steps before ``stop``, or step 0).
    Consecutive windows score disjoint steps that together cover ``0..N-1`` exactly once.

    Examples
    --------
    >>> tbptt_windows(10, 4)  # TBPTT(4, 4): disjoint chunks
    [(0, 0, 4), (4, 4, 8), (8, 8, 10)]
    >>> tbptt_windows(10, 3, 5)  # update every 3 steps, backpropagate through the last 5
    [(0, 0, 3), (1, 3, 6), (4, 6, 9), (7, 9, 10)]
    """
    N = positive_int("N", N)
    k1, k2 = _tbptt_lengths(k1, k2)
    return [(max(0, s + k1 - k2), s, min(s + k1, N)) for s in range(0, N, k1)]


# The training loop -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FitResult:
    """What :func:`fit` and :func:`fit_sequences` return: the parameters and the training history.

    Attributes
    ----------
    params
        The trained parameters (same structure as the initial ones); with validation and
        ``restore_best``, those of the best evaluation.
    losses : numpy.ndarray, shape (steps run,)
        Training loss of each update, on that update's batch (or window), before the update.
    grad_norms : numpy.ndarray, shape (steps run,)
        Global gradient norm of each update, before clipping.
    seconds : float
        Wall-clock time of the loop (evaluations included).
    val_steps : numpy.ndarray of int, shape (evaluations,)
        Updates done at each evaluation; 0 is the initial parameters.
    val_losses : numpy.ndarray, shape (evaluations,)
    best_step : int or None
        ``val_steps`` of the lowest validation loss (the restored parameters).
    best_epoch : int or None
        Index of that evaluation: with ``eval_every`` = updates per epoch, the best epoch (0 = untrained).
    stopped_early : bool
        True if the patience ran out before ``steps``.
    diverged : bool
        True if a loss or gradient became NaN/inf and ``nonfinite="stop"`` ended the run there.
    """

    params: object
    losses: np.ndarray
    grad_norms: np.ndarray
    seconds: float
    val_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    val_losses: np.ndarray = field(default_factory=lambda: np.zeros(0))
    best_step: int | None = None
    best_epoch: int | None = None
    stopped_early: bool = False
    diverged: bool = False

    @property
    def steps(self) -> int:
        """Number of updates run."""
        return len(self.losses)

    def history(self) -> dict:
        """The history as plain Python numbers (for a JSON file of results)."""
        return {
            "train_loss": [float(v) for v in self.losses],
            "grad_norm": [float(v) for v in self.grad_norms],
            "val_step": [int(v) for v in self.val_steps],
            "val_loss": [float(v) for v in self.val_losses],
            "best_step": self.best_step,
            "best_epoch": self.best_epoch,
            "stopped_early": self.stopped_early,
            "diverged": self.diverged,
            "seconds": self.seconds,
        }


def _check_loop_args(rng, steps, optimizer, clip_norm, validate, eval_every, patience, nonfinite):
    check_rng(rng)
    steps = positive_int("steps", steps)
    optimizer = Adam() if optimizer is None else optimizer
    if not (callable(getattr(optimizer, "init", None)) and callable(getattr(optimizer, "step", None))):
        raise TypeError(
            f"optimizer has type {type(optimizer).__name__}, expected an optimiser with init() and step(), "
            f"e.g. lrnn.optim.Adam(lr=1e-3)."
        )
    if clip_norm is not None:
        clip_by_global_norm((), clip_norm)  # checks the value
    if validate is None and (eval_every is not None or patience is not None):
        raise ValueError("eval_every and patience need validation data; pass validate= (or validation=).")
    if validate is not None:
        eval_every = positive_int("eval_every", eval_every if eval_every is not None else max(1, steps // 20))
    if patience is not None:
        patience = positive_int("patience", patience)
    if nonfinite not in ("raise", "stop"):
        raise ValueError(f"nonfinite = {nonfinite!r}, expected 'raise' or 'stop'.")
    return steps, optimizer, eval_every, patience


def _loop(
    next_update,
    params,
    *,
    steps,
    optimizer,
    clip_norm,
    validate,
    eval_every,
    patience,
    restore_best,
    nonfinite,
    progress,
    desc,
) -> FitResult:
    """The loop shared by :func:`fit` and :func:`fit_sequences`: ``next_update(params) -> (loss, grads)``."""
    state = optimizer.init(params)
    losses, norms = np.empty(steps), np.empty(steps)
    watch = _Watch(validate, patience) if validate is not None else None
    stopped_early = diverged = False
    run = 0  # updates done
    bar = ProgressBar(steps, desc, enabled=progress, unit="step")
    t0 = time.perf_counter()
    try:
        if watch is not None:
            watch(params, 0)
        while run < steps and not stopped_early:
            loss, grads = next_update(params)
            norm = global_norm(grads)
            if not (np.isfinite(loss) and np.isfinite(norm)):
                if nonfinite == "raise":
                    raise FloatingPointError(
                        f"the loss is {loss} and the gradient norm {norm} at step {run}; lower the learning rate, "
                        f"set clip_norm, or pass nonfinite='stop' to end the run there."
                    )
                diverged = True
                break
            losses[run], norms[run] = loss, norm
            if clip_norm is not None:
                grads, _ = clip_by_global_norm(grads, clip_norm)
            params, state = optimizer.step(params, grads, state)
            run += 1
            if watch is not None and (run % eval_every == 0 or run == steps):
                stopped_early = watch(params, run) and run < steps
            bar.update(loss=float(loss), **({"val": watch.losses[-1]} if watch is not None else {}))
    finally:
        bar.close(complete=stopped_early or diverged)
    return FitResult(
        params=watch.best_params if watch is not None and restore_best else params,
        losses=losses[:run],
        grad_norms=norms[:run],
        seconds=time.perf_counter() - t0,
        val_steps=np.array(watch.steps if watch else [], dtype=int),
        val_losses=np.array(watch.losses if watch else [], dtype=float),
        best_step=watch.best_step if watch else None,
        best_epoch=watch.best_index if watch else None,
        stopped_early=stopped_early,
        diverged=diverged,
    )


class _Watch:
    """Validation for early stopping (Prechelt 1998): the losses, the best parameters, the patience."""

    def __init__(self, validate: Callable, patience: int | None):
        self.validate, self.patience = validate, patience
        self.steps, self.losses = [], []
        self.best_loss, self.best_step, self.best_index, self.best_params = np.inf, None, None, None
        self.stale = 0  # evaluations since the last new best

    def __call__(self, params, at: int) -> bool:
        """Validate ``params`` after ``at`` updates; True when the patience has run out."""
        v = float(self.validate(params))
        self.steps.append(at)
        self.losses.append(v)
        if v < self.best_loss or self.best_params is None:  # a NaN loss counts as +inf: any number beats it
            self.best_loss = v if np.isfinite(v) else np.inf
            self.best_step, self.best_index, self.best_params = at, len(self.losses) - 1, params
            self.stale = 0
        else:
            self.stale += 1
        return self.patience is not None and self.stale >= self.patience


def fit(
    loss_and_grads: Callable,
    params,
    make_batch: Callable,
    rng: np.random.Generator,
    *,
    steps: int,
    optimizer=None,
    clip_norm: float | None = None,
    validate: Callable | None = None,
    eval_every: int | None = None,
    patience: int | None = None,
    restore_best: bool = True,
    nonfinite: str = "raise",
    progress: bool = True,
    desc: str | None = None,
) -> FitResult:
    """Train ``params`` for ``steps`` updates on fresh batches; deterministic given ``rng``.

    Parameters
    ----------
    loss_and_grads : callable
        ``loss_and_grads(params, batch) -> (loss, grads)``, e.g. :func:`sequence_loss_and_grads`.
    params
        Initial parameters: a parameter dataclass or a tuple of them.
    make_batch : callable
        ``make_batch(rng) -> batch``, called once per update with ``rng``.
    rng : numpy.random.Generator
        The only source of randomness of the loop.
    steps : int
        Number of updates (at most; early stopping may end sooner).
    optimizer : optional
        An optimiser of :mod:`lrnn.optim`; ``Adam()`` (learning rate 0.01) by default.
    clip_norm : float, optional
        Rescale each update's gradients to at most this global norm.
    validate : callable, optional
        ``validate(params) -> float``, the validation loss; evaluated on the initial parameters and
        every ``eval_every`` updates (and after the last).
    eval_every : int, optional
        Updates between evaluations; ``steps // 20`` by default.
    patience : int, optional
        Stop after this many evaluations in a row without a new lowest validation loss.
    restore_best : bool, default True
        With ``validate``, return the parameters of the lowest validation loss.
    nonfinite : {"raise", "stop"}, default "raise"
        What a NaN/inf loss or gradient does: raise ``FloatingPointError``, or end the run
        (``diverged=True``) keeping what was learned so far.
    progress : bool, default True
        Show a progress bar (:mod:`lrnn.progress`).
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
    steps, optimizer, eval_every, patience = _check_loop_args(
        rng, steps, optimizer, clip_norm, validate, eval_every, patience, nonfinite
    )
    return _loop(
        lambda p: loss_and_grads(p, make_batch(rng)),
        params,
        steps=steps,
        optimizer=optimizer,
        clip_norm=clip_norm,
        validate=validate,
        eval_every=eval_every,
        patience=patience,
        restore_best=restore_best,
        nonfinite=nonfinite,
        progress=progress,
        desc=desc,
    )


class _Windows:
    """``next_update`` of :func:`fit_sequences`: walks the TBPTT windows of batch after batch, carrying the state."""

    def __init__(self, make_batch, rng, tbptt, loss, backward_options):
        self.make_batch, self.rng, self.tbptt = make_batch, rng, tbptt
        self.loss, self.options = loss, backward_options
        self.queue: list = []

    def _next_batch(self):
        x, target, mask = _split_batch(self.make_batch(self.rng))
        x = x if isinstance(x, OneHot) else as_float_array("x", x)  # a OneHot stays codes (lrnn.onehot)
        if x.ndim != 3:
            raise ValueError(
                f"x has shape {fmt_shape(x.shape)}, expected (N, B, d_x): time-major batches; add a batch axis "
                f"with x[:, None] for one sequence."
            )
        N = x.shape[0]
        k1, k2 = self.tbptt if self.tbptt is not None else (N, N)
        self.batch = (x, np.asarray(target), None if mask is None else _check_mask(mask, x.shape[:2]))
        self.queue = tbptt_windows(N, min(k1, N), min(k2, N))
        self.state, self.state_at = None, 0  # the state entering step state_at

    def __call__(self, params):
        while True:
            if not self.queue:
                self._next_batch()
            start, scored, stop = self.queue.pop(0)
            x, target, mask = self.batch
            m = None
            if mask is not None or scored > start:  # score only the window's new steps, and no padding
                m = np.ones((stop - start, x.shape[1])) if mask is None else mask[start:stop].copy()
                m[: scored - start] = 0.0
            if m is None or m.any():
                break
            if self.queue:  # a window of padding only: no update, the state moves on
                self._carry(params, self.queue[0][0])
        E, grads, trace = _step(params, x[start:stop], target[start:stop], m, self.state, self.loss, self.options)
        if self.queue:  # the state entering the next window, computed with this window's parameters
            nxt = self.queue[0][0]
            if nxt == stop:
                self.state, self.state_at = trace.last_state, stop
            else:
                self._carry(params, nxt)
        return E, grads

    def _carry(self, params, to: int):
        """Advance the carried state from step ``state_at`` to ``to`` (forward only, no gradient)."""
        if to > self.state_at:
            self.state = params[0].forward(self.batch[0][self.state_at : to], self.state).last_state
            self.state_at = to


def fit_sequences(
    model,
    make_batch: Callable,
    rng: np.random.Generator,
    *,
    steps: int,
    loss: Callable | None = None,
    tbptt: tuple[int, int] | int | None = None,
    optimizer=None,
    clip_norm: float | None = None,
    validation=None,
    eval_every: int | None = None,
    patience: int | None = None,
    restore_best: bool = True,
    nonfinite: str = "raise",
    progress: bool = True,
    desc: str | None = None,
    backward_options: dict | None = None,
) -> FitResult:
    """Train a model ``(cell, readout)`` on batches of sequences, optionally by truncated BPTT.

    Parameters
    ----------
    model : (cell, Readout)
        Any cell implementing the cell interface, and its readout.
    make_batch : callable
        ``make_batch(rng) -> (x, target)`` or ``(x, target, mask)``, time-major: ``x`` of shape
        ``(N, B, d_x)``, ``mask`` of shape ``(N, B)`` (1 = real step, 0 = padding). ``N`` may vary
        from batch to batch.
    rng : numpy.random.Generator
        The only source of randomness.
    steps : int
        Number of parameter updates (one per batch, or one per TBPTT window).
    loss : callable, default :func:`lrnn.losses.mean_squared_error`
        ``loss(y, target, mask) -> (E, dE_dy)``, e.g. a cross-entropy of :mod:`lrnn.losses`.
    tbptt : (k1, k2) or int, optional
        Truncated BPTT (see the module docstring): update every ``k1`` steps with the gradient
        backpropagated through the last ``k2 >= k1`` steps, carrying the state; an int means
        ``k1 = k2``. Default: full BPTT, one update per batch.
    optimizer, clip_norm, eval_every, patience, restore_best, nonfinite, progress, desc
        As in :func:`fit`.
    validation : batch or callable, optional
        A fixed batch ``(x, target[, mask])`` scored with ``loss`` (full forward pass, no
        truncation), or a callable ``validate(model) -> float``.
    backward_options : dict, optional
        Keyword arguments of ``cell.backward`` (e.g. ``{"clip": True}``).

    Returns
    -------
    FitResult

    Examples
    --------
    An RNN learns to echo its input two steps later:

    >>> from lrnn.rnn import RNNParams
    >>> rng = np.random.default_rng(0)
    >>> model = (RNNParams.init(rng, 1, 8, scheme="orthogonal"), Readout(np.zeros((1, 8)), np.zeros(1)))
    >>> def echo(rng, N=20, B=16):
    ...     x = rng.standard_normal((N, B, 1))
    ...     return x, np.concatenate([np.zeros((2, B, 1)), x[:-2]])
    >>> res = fit_sequences(model, echo, rng, steps=300, optimizer=Adam(lr=0.02), progress=False)
    >>> bool(res.losses[-20:].mean() < 0.05 < 0.8 < res.losses[0])
    True
    """
    _split_model(model)
    if tbptt is not None:
        if not isinstance(tbptt, tuple | list):
            tbptt = (tbptt, tbptt)
        if len(tbptt) != 2:
            raise ValueError(f"tbptt = {tbptt!r}, expected (k1, k2) with 1 <= k1 <= k2, or one int for k1 = k2.")
        tbptt = _tbptt_lengths(*tbptt)
    loss = mean_squared_error if loss is None else loss
    validate = validation
    if validation is not None and not callable(validation):
        val_batch = tuple(validation)
        validate = lambda p: sequence_loss(p, val_batch, loss=loss)
    steps, optimizer, eval_every, patience = _check_loop_args(
        rng, steps, optimizer, clip_norm, validate, eval_every, patience, nonfinite
    )
    return _loop(
        _Windows(make_batch, rng, tbptt, loss, dict(backward_options or {})),
        model,
        steps=steps,
        optimizer=optimizer,
        clip_norm=clip_norm,
        validate=validate,
        eval_every=eval_every,
        patience=patience,
        restore_best=restore_best,
        nonfinite=nonfinite,
        progress=progress,
        desc=desc,
    )
