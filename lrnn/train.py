"""Training recurrent cells: losses on sequences, truncated BPTT, validation and early stopping.

Not in the paper, which derives the gradients (Sec. IV, VI-I) and leaves the training loop
open. A *model* here is a pair ``(cell, readout)``: a cell is any parameter object with the
package's one cell interface, :class:`lrnn.cell.Cell` (``RNNParams``, ``LSTMParams``, ``AugmentedLSTMParams``, a GRU,
or your own) and the readout is :class:`lrnn.losses.Readout`::

    trace = cell.forward(x, state)           # state: None (zeros) or a trace's last_state
    y     = readout(trace.output)            # y[n] = W_y v[n] + b_y
    E, dE_dy = loss(y, target, mask)         # any loss with this signature
    grads = cell.backward(trace, dE_dy @ W_y), readout gradients

The batches and the windows of truncated BPTT that feed the loop are :mod:`lrnn.batching`.
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

from ._validation import check_rng, check_type, positive_int, type_error
from .batching import TBPTTWindows, pad_batch, split_batch, tbptt_lengths, tbptt_windows
from .losses import Readout, mean_squared_error, readout_loss
from .optim import Adam, clip_by_global_norm, global_norm  # Adam: also reached as lrnn.train.Adam
from .progress import ProgressBar

__all__ = [
    "FitResult",
    "LoopSnapshot",
    "fit",
    "fit_sequences",
    "sequence_loss",
    "sequence_loss_and_grads",
    "pad_batch",  # from lrnn.batching, also reached as lrnn.train.pad_batch
    "tbptt_windows",  # from lrnn.batching, also reached as lrnn.train.tbptt_windows
]


# Losses on sequences -----------------------------------------------------------------------------


def _split_model(params):
    if not isinstance(params, tuple) or len(params) != 2:
        raise type_error(
            "params",
            params,
            "a model (cell, readout): a tuple of a cell's parameters (e.g. RNNParams) and a lrnn.losses.Readout",
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


def _step(params, x, target, mask, state, loss, backward_options):
    """Forward, readout, loss, backward: ``(E, grads, trace)``; ``(nan, None, trace)`` if the forward overflowed."""
    cell, readout = params
    trace = cell.forward(x, state)
    if not np.all(np.isfinite(trace.output)):  # parameters grown past float64 by earlier updates: a divergence
        return np.nan, None, trace
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
    x, target, mask = split_batch(batch)
    E, grads, _ = _step(params, x, target, mask, state, loss or mean_squared_error, backward_options)
    return E, grads


def sequence_loss(params, batch, *, loss: Callable | None = None, state=None) -> float:
    """The loss of :func:`sequence_loss_and_grads` without the backward pass (for validation and tests)."""
    cell, readout = _split_model(params)
    x, target, mask = split_batch(batch)
    return float((loss or mean_squared_error)(readout(cell.forward(x, state).output), target, mask)[0])


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
    diverged_at : int or None
        The update that diverged (0-based: the number of updates done before it); None if none did.
    reason : str or None
        Why the run ended early: which quantity was not finite (the loss, the gradient norm, the
        forward pass) and its value; or that the patience ran out. None for a run of all ``steps``.
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
    diverged_at: int | None = None
    reason: str | None = None

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
            "diverged_at": self.diverged_at,
            "reason": self.reason,
            "seconds": self.seconds,
        }


def _check_loop_args(rng, steps, optimizer, clip_norm, validate, eval_every, patience, nonfinite):
    check_rng(rng)
    steps = positive_int("steps", steps)
    optimizer = Adam() if optimizer is None else optimizer
    if not (callable(getattr(optimizer, "init_state", None)) and callable(getattr(optimizer, "step", None))):
        raise type_error(
            "optimizer", optimizer, "an optimiser with init_state() and step()", "e.g. lrnn.optim.Adam(lr=1e-3)"
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
    checkpoint=None,
    resume=None,
) -> FitResult:
    """The loop shared by :func:`fit` and :func:`fit_sequences`: ``next_update(params) -> (loss, grads)``.

    ``checkpoint(snapshot)``, if given, is called after every evaluation that does not end the run,
    with the loop's whole state (:class:`LoopSnapshot`); ``resume`` (such a snapshot) starts the
    loop from it instead of from ``params``, and the run goes on as if it had never stopped.
    """
    state = optimizer.init_state(params)
    losses, norms = np.empty(steps), np.empty(steps)
    watch = _Watch(validate, patience) if validate is not None else None
    stopped_early = diverged = False
    reason = None
    run = 0  # updates done
    if resume is not None:
        if resume.run >= steps or (watch is None) != (resume.watch is None):
            raise ValueError(
                f"resume is a snapshot after {resume.run} updates{' with' if resume.watch else ' without'} "
                f"validation; this run has steps = {steps}{' with' if watch else ' without'} validation: "
                "resume a run only with the arguments it was started with."
            )
        params, state, run = resume.params, resume.opt_state, resume.run
        losses[:run], norms[:run] = resume.losses, resume.grad_norms
        if watch is not None:
            watch.__dict__.update(resume.watch)
    bar = ProgressBar(steps - run, desc, enabled=progress, unit="step")  # the updates still to do
    t0 = time.perf_counter()
    try:
        if watch is not None and resume is None:
            watch(params, 0)
        while run < steps and not stopped_early:
            with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, not warned
                loss, grads = next_update(params)
                norm = np.nan if grads is None else global_norm(grads)
            if not (np.isfinite(loss) and np.isfinite(norm)):
                reason = _divergence(loss, norm, grads, run)
                if nonfinite == "raise":
                    raise FloatingPointError(
                        f"{reason}; lower the learning rate, set clip_norm, or pass nonfinite='stop' to end the "
                        f"run there."
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
                if stopped_early:
                    reason = f"no new lowest validation loss in {patience} evaluations (patience) after update {run}"
                elif checkpoint is not None and run < steps:
                    checkpoint(LoopSnapshot(run, params, state, losses[:run].copy(), norms[:run].copy(), watch.state()))
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
        diverged_at=run if diverged else None,
        reason=reason,
    )


def _divergence(loss, norm, grads, run: int) -> str:
    """Why update ``run`` cannot be made: which of the forward pass, the loss and the gradients is not finite."""
    if grads is None:
        return f"the forward pass overflowed (its output is not finite) at update {run}"
    if not np.isfinite(loss):
        return f"the loss is {loss} at update {run}"
    return f"the gradient overflowed at update {run}: its global norm is {norm} (the loss is {float(loss):.6g})"


@dataclass(frozen=True)
class LoopSnapshot:
    """The state of a training loop after ``run`` updates: what :func:`fit` needs to go on from there.

    The random generator of the batches is the caller's: a caller that checkpoints saves its
    generator's state beside the snapshot (:func:`lrnn.music_models.fit_pieces` does).

    Attributes
    ----------
    run : int
        Updates done.
    params
        The parameters after them.
    opt_state
        The optimiser's state (e.g. :class:`lrnn.optim.AdamState`).
    losses, grad_norms : numpy.ndarray, shape (run,)
    watch : dict or None
        The early-stopping record: evaluations so far, the best and the evaluations since it.
    """

    run: int
    params: object
    opt_state: object
    losses: np.ndarray
    grad_norms: np.ndarray
    watch: dict | None


class _Watch:
    """Validation for early stopping (Prechelt 1998): the losses, the best parameters, the patience."""

    _STATE = ("steps", "losses", "best_loss", "best_step", "best_index", "best_params", "stale")

    def state(self) -> dict:
        """What a checkpoint must keep (the validation function is the caller's)."""
        return {k: list(v) if isinstance(v, list) else v for k, v in vars(self).items() if k in self._STATE}

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
    checkpoint: Callable | None = None,
    resume: LoopSnapshot | None = None,
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
    checkpoint : callable, optional
        ``checkpoint(snapshot)``: called with a :class:`LoopSnapshot` after every evaluation that
        does not end the run, e.g. to write it to disk.
    resume : LoopSnapshot, optional
        Go on from this snapshot (with the same arguments, and ``rng`` in the state it had then)
        instead of starting from ``params``: the run then computes what it would have computed
        had it never stopped.

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
        checkpoint=checkpoint,
        resume=resume,
    )


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
    >>> model = (RNNParams.init(rng, 1, 8, recurrent="orthogonal"), Readout(np.zeros((1, 8)), np.zeros(1)))
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
        tbptt = tbptt_lengths(*tbptt)
    loss = mean_squared_error if loss is None else loss
    options = dict(backward_options or {})
    validate = validation
    if validation is not None and not callable(validation):
        val_batch = tuple(validation)
        validate = lambda p: sequence_loss(p, val_batch, loss=loss)
    steps, optimizer, eval_every, patience = _check_loop_args(
        rng, steps, optimizer, clip_norm, validate, eval_every, patience, nonfinite
    )
    return _loop(
        TBPTTWindows(make_batch, rng, tbptt, lambda p, x, t, m, state: _step(p, x, t, m, state, loss, options)),
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
