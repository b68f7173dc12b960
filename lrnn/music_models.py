"""Next-frame models of piano rolls: Chung et al.'s three cells at their sizes, two of Sherstinsky's, training.

Not in Sherstinsky's paper. Chung et al. (2014, Table 1) sized tanh, GRU and LSTM units so that
the three music models have about 20k parameters each; we add Sherstinsky's Vanilla LSTM with its
full-matrix "pinholes" (Sec. VI, P4) and the causal parts of his Augmented LSTM (Sec. VII: recurrent
projection and control input gate, context window ``L = 1``) at the same budget. Every model is
``(cell, Readout)`` with 88 logits out, and the readout starts as the independent-keys baseline
(:func:`lrnn.music.frequency_baseline`: ``W_y = 0``, ``b_y`` = logits of the training key
frequencies), so an untrained model already scores that baseline.

==================  ======================================  ========================  ===========
kind                cell                                    size                      file layout
==================  ======================================  ========================  ===========
``tanh``            standard RNN (Eqs. 32-33)               ``d_s = 100``             ``nn.RNN``
``gru``             GRU, PyTorch's convention (Eqs. G5-G8)  ``d_s = 46``              ``nn.GRU``
``lstm``            Vanilla LSTM without pinholes           ``d_s = 36``              ``nn.LSTM``
``lstm_pinholes``   Vanilla LSTM, full pinholes (P4)        ``d_s = 32``              field names
``augmented``       Augmented LSTM, ``L = 1``               ``d_s = 28, d_v = 22``    field names
==================  ======================================  ========================  ===========

The ``lstm`` keeps its pinhole matrices at zero during training (their gradients are dropped), so
it is exactly ``torch.nn.LSTM``. Saved models are ``.npz`` state dicts: PyTorch's keys
(``weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0``) for the first three, the parameter
dataclass's field names for the other two, and ``readout.weight`` (88, d_out), ``readout.bias`` (88,).
This module holds the models and the training loop of Chapter 8's sweeps, which
:mod:`lrnn.experiments.music` runs on the four data sets (``experiments/jsb/train.py``, ...); their
committed results and models are ``lrnn.experiments.result("jsb", "results.json")``,
``result("nottingham", "gru.npz")``, ...
"""

from __future__ import annotations

import dataclasses
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._validation import check_rng, positive_int
from .augmented import AugmentedLSTMParams
from .cell import replace_unchecked
from .gru import TorchGRUParams
from .interop import load_model_npz, save_model_npz
from .losses import readout_loss, sigmoid_bernoulli_nll
from .lstm import LSTMParams
from .music import frequency_baseline, next_frame_batch, split_nll
from .optim import Adam, tree_map
from .rnn import RNNParams
from .train import fit, sequence_loss_and_grads

__all__ = ["KINDS", "SIZES", "PINHOLES", "init_model", "forget_gate_open", "n_trainable", "fit_pieces", "PieceFit",
           "dropout_masks", "dropout_loss_and_grads", "add_weight_noise", "save_model", "load_model"]  # fmt: skip

KINDS = ("tanh", "gru", "lstm", "lstm_pinholes", "augmented")
SIZES = {"tanh": 100, "gru": 46, "lstm": 36, "lstm_pinholes": 32, "augmented": (28, 22)}  # d_s, or (d_s, d_v)
PINHOLES = ("W_s_cu", "W_s_cs", "W_s_cr")  # held at zero in the "lstm" kind (nn.LSTM has none)


def _check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"kind = {kind!r}, expected one of {', '.join(map(repr, KINDS))}.")
    return kind


def init_model(kind: str, rng: np.random.Generator, train_rolls, *, size=None, forget_bias: float = 1.0):
    """A model ``(cell, Readout)`` of the given kind, its readout at the independent-keys baseline.

    Cells: ``tanh`` ``RNNParams.init(recurrent="orthogonal")``; ``gru`` ``TorchGRUParams.init`` (Glorot
    inputs, orthogonal recurrent weights, zero biases); the LSTMs Gaussian (weights
    ``N(0, 1/fan_in)``) with biases reset to zero and the control state ("forget") gate bias
    ``b_cs = forget_bias``; for ``lstm`` the pinholes are zero, for ``augmented`` ``L = 1``.

    Parameters
    ----------
    kind : {"tanh", "gru", "lstm", "lstm_pinholes", "augmented"}
    rng : numpy.random.Generator
    train_rolls : sequence of (T, 88)
        The readout's bias is the logit of these pieces' key frequencies.
    size : int or (int, int), optional
        ``d_s`` (or ``(d_s, d_v)`` for ``augmented``); :data:`SIZES` by default.
    forget_bias : float, default 1.0

    Returns
    -------
    (cell, Readout)

    Examples
    --------
    >>> from lrnn.music import load_jsb_chorales
    >>> model = init_model("gru", np.random.default_rng(0), load_jsb_chorales()["train"])
    >>> model[0].d_s, model[1].W_y.shape, n_trainable("gru", model)
    (46, (88, 46), 22812)
    """
    check_rng(rng)
    size = SIZES[_check_kind(kind)] if size is None else size
    if kind == "tanh":
        cell = RNNParams.init(rng, 88, size, recurrent="orthogonal")
    elif kind == "gru":
        cell = TorchGRUParams.init(rng, 88, size)
    elif kind == "augmented":
        cell = AugmentedLSTMParams.init(rng, 88, size[0], d_v=size[1], L=1)
    else:
        cell = LSTMParams.init(rng, 88, size, pinholes=kind == "lstm_pinholes")
    if kind in ("lstm", "lstm_pinholes", "augmented"):
        cell = forget_gate_open(cell, forget_bias)
    return cell, frequency_baseline(train_rolls, d_out=cell.d_out)


def forget_gate_open(cell, forget_bias: float = 1.0):
    """An LSTM's (or Augmented LSTM's) ``cell`` with every bias zero but the "forget" gate's, ``b_cs = forget_bias``.

    The control state gate then starts mostly open (``G_c(1) = 0.73``), so the state is carried
    over at the start of training. Shared by the music and the character models (:mod:`lrnn.charlm`).

    Examples
    --------
    >>> forget_gate_open(LSTMParams.zeros(1, 2), 1.0).b_cs
    array([1., 1.])
    """
    biases = {name: np.zeros(cell.d_s) for name in cell.SHAPES if name.startswith("b_")}
    biases["b_cs"] = np.full(cell.d_s, float(forget_bias))  # the "forget" gate starts mostly open
    return dataclasses.replace(cell, **biases)


def n_trainable(kind: str, model) -> int:
    """Scalar parameters trained, readout included (``lstm``: without its three zero pinhole matrices).

    PyTorch counts more for ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM``: two bias vectors per node where
    the cells here have one (``+ d_s``, ``+ 2 d_s``, ``+ 4 d_s``). The character models
    (:mod:`lrnn.charlm`) count the same way.
    """
    cell, readout = model
    n = cell.n_params
    if _check_kind(kind) == "lstm":
        n -= sum(getattr(cell, k).size for k in PINHOLES)
    return n + readout.W_y.size + readout.b_y.size


@dataclass(frozen=True)
class PieceFit:
    """What :func:`fit_pieces` returns: the best model and the learning curves, one entry per epoch.

    ``epoch[0] = 0`` is the untrained model (its train NLL is that of the whole training split);
    after that ``train_nll`` is the mean loss over the epoch's mini-batches, frame-weighted, each
    taken before its update; ``seconds`` is the wall-clock time since training started and
    ``cpu_seconds`` the processor time of this process (the fairer clock on a shared machine).
    """

    model: tuple
    best_epoch: int
    valid_nll: float
    epoch: np.ndarray
    train_nll: np.ndarray
    valid_curve: np.ndarray
    seconds: np.ndarray
    cpu_seconds: np.ndarray
    stopped_early: bool
    history: dict = field(default_factory=dict, repr=False)


def fit_pieces(kind, model, train_rolls, valid_rolls, rng, *, epochs: int, batch_size: int = 8, lr: float = 0.003,
               clip_norm: float | None = 1.0, patience: int | None = 40, bucket: int | None = None,
               progress: bool = True, desc=None, checkpoint=None, dropout: float = 0.0,
               weight_noise: float = 0.0):  # fmt: skip
    """Train a next-frame model by epochs of shuffled mini-batches, full BPTT, Adam, early stopping on ``valid``.

    Each epoch visits the training pieces once in a fresh random order (from ``rng``), ``batch_size``
    at a time, padded and masked (:func:`lrnn.music.next_frame_batch`); each mini-batch is one update
    with the gradient of its mean NLL per frame, clipped to global norm ``clip_norm``. The validation
    NLL is measured after every epoch; training stops after ``patience`` epochs without a new best
    and returns the best model. Deterministic given ``rng``.

    With ``bucket`` (a multiple of ``batch_size``), each epoch's shuffled order is cut into pools of
    ``bucket`` pieces, each pool is sorted by length, the whole is cut into mini-batches and the
    mini-batches are shuffled: pieces of similar length share a batch, so long pieces are padded
    less (for sets whose lengths vary by a factor of 40, this halves the work of an epoch). Without
    it (the JSB recipe), mini-batches are consecutive pieces of the shuffled order.

    With ``checkpoint`` (a file path), the run's whole state (parameters, the optimiser's moments,
    the early-stopping record, the curves, the generator's state) is written there after every
    epoch; if the file exists when the run starts, the run goes on from it, and the file is deleted
    when the run ends. A run killed midway and started again with the same arguments computes
    what it would have computed had it never stopped (only its clocks leave out the time it was
    stopped).

    Two regularisers act on the training mini-batches only (validation and the returned model are
    clean). ``dropout``: inverted dropout at this rate on the input-to-cell and cell-to-readout
    connections, never on the recurrent path (Zaremba et al. 2014; :func:`dropout_masks`,
    :func:`dropout_loss_and_grads`), fresh masks for every mini-batch. ``weight_noise``: Gaussian
    noise of this standard deviation added to every parameter for each mini-batch's forward and
    backward pass, the gradient applied to the clean parameters (Graves 2011, as Chung et al. 2014
    train; :func:`add_weight_noise`). Both draw from ``rng``, after the mini-batch's order, so a
    regularised run shares its initial parameters and its first epoch's order with the
    unregularised run of the same seed; at 0 (the default) they draw nothing, and the run is the
    unregularised one bit for bit. The ``train_nll`` curve is then the loss of the regularised
    forward passes, not the clean model's.

    Parameters
    ----------
    kind : str
        A kind of :data:`KINDS`.
    model : (cell, Readout)
        The initial model (:func:`init_model`).
    train_rolls, valid_rolls : sequence of (T, 88) arrays
    rng : numpy.random.Generator
        Draws every epoch's order (and the regularisers' noise).
    epochs : int
        At most this many epochs.
    batch_size : int, default 8
    lr : float, default 0.003
        Adam's learning rate.
    clip_norm : float or None, default 1.0
        Global-norm clipping of each mini-batch's gradient.
    patience : int or None, default 40
        Epochs without a new best validation NLL before stopping.
    bucket : int, optional
        Pools of this many pieces sorted by length (a multiple of ``batch_size``).
    progress : bool, default True
    desc : str, optional
        The progress bar's label.
    checkpoint : str or Path, optional
    dropout : float, default 0.0
        Probability of dropping an input key or an output unit, in ``[0, 1)``.
    weight_noise : float, default 0.0
        Standard deviation of the weight noise, ``>= 0``.

    Returns
    -------
    PieceFit

    Raises
    ------
    ValueError
        ``dropout`` outside ``[0, 1)`` or ``weight_noise`` negative, NaN or inf, among others.
    """
    check_rng(rng)
    dropout = _check_rate("dropout", dropout, 1.0, "the probability of dropping a unit")
    weight_noise = _check_rate("weight_noise", weight_noise, None, "the standard deviation of the weight noise")
    epochs, batch_size = positive_int("epochs", epochs), positive_int("batch_size", batch_size)
    frozen = PINHOLES if _check_kind(kind) == "lstm" else ()
    n = len(train_rolls)
    per_epoch = -(-n // batch_size)
    if bucket is not None and (positive_int("bucket", bucket) % batch_size):
        raise ValueError(
            f"bucket = {bucket}, expected a multiple of batch_size = {batch_size} (pools of whole batches)."
        )
    lengths = np.array([len(r) for r in train_rolls])
    queue, frames, clock, cpu, valid = [], [], [], [], []

    def make_batch(rng):
        if not queue:
            order = rng.permutation(n)
            if bucket:
                pools = (order[i : i + bucket] for i in range(0, n, bucket))
                order = np.concatenate([p[np.argsort(lengths[p], kind="stable")] for p in pools])
            batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
            queue.extend([batches[i] for i in rng.permutation(len(batches))] if bucket else batches)
        batch = next_frame_batch([train_rolls[i] for i in queue.pop(0)])
        frames.append(batch[2].sum())
        return batch

    def loss_and_grads(model, batch):
        if weight_noise:  # the gradient at noisy weights, applied to the clean ones by the loop
            model = add_weight_noise(model, rng, weight_noise, frozen=frozen)
        if dropout:
            x = batch[0]
            masks = dropout_masks(rng, x.shape, (*x.shape[:-1], model[0].d_out), dropout)
            E, grads = dropout_loss_and_grads(model, batch, masks)
        else:
            E, grads = sequence_loss_and_grads(model, batch, loss=sigmoid_bernoulli_nll)
        if grads is None:  # the forward pass overflowed: the loop reports it
            return E, grads
        g_cell, g_out = grads
        if frozen:  # nn.LSTM has no pinholes: they stay at their initial zeros
            g_cell = replace_unchecked(g_cell, **{k: np.zeros_like(getattr(g_cell, k)) for k in frozen})  # a gradient
        return E, (g_cell, g_out)

    def validate(model):
        valid.append(split_nll(model, valid_rolls))
        clock.append(time.perf_counter())
        cpu.append(time.process_time())
        return valid[-1]

    path = None if checkpoint is None else Path(checkpoint)
    args = {"kind": kind, "pieces": n, "frames": int(lengths.sum()), "epochs": epochs, "batch_size": batch_size,
            "lr": lr, "clip_norm": clip_norm, "patience": patience, "bucket": bucket}  # fmt: skip
    if dropout or weight_noise:  # (unregularised checkpoints keep their old arguments)
        args.update(dropout=dropout, weight_noise=weight_noise)
    start, cpu_start, resume = time.perf_counter(), time.process_time(), None
    if path is not None and path.exists():
        saved = pickle.loads(path.read_bytes())
        if saved["args"] != args:
            raise ValueError(
                f"checkpoint {path} is of a run with {saved['args']}, not {args}: delete it to start afresh, or "
                "resume it with the arguments it was started with."
            )
        rng.bit_generator.state = saved["rng"]
        resume, train0 = saved["snapshot"], saved["train0"]
        frames[:], valid[:] = saved["frames"], saved["valid"]
        start, cpu_start = start - saved["elapsed"][-1], cpu_start - saved["cpu"][-1]
        clock[:], cpu[:] = [start + e for e in saved["elapsed"]], [cpu_start + e for e in saved["cpu"]]
    else:
        train0 = split_nll(model, train_rolls)

    def save(snapshot):
        assert not queue, "a checkpoint falls between epochs"
        state = {"args": args, "snapshot": snapshot, "rng": rng.bit_generator.state, "train0": train0,
                 "frames": frames, "valid": valid, "elapsed": [c - start for c in clock],
                 "cpu": [c - cpu_start for c in cpu]}  # fmt: skip
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(pickle.dumps(state))
        tmp.replace(path)  # whole or not at all

    res = fit(loss_and_grads, model, make_batch, rng, steps=epochs * per_epoch, optimizer=Adam(lr=lr),
              clip_norm=clip_norm, validate=validate, eval_every=per_epoch, patience=patience,
              progress=progress, desc=desc or kind, checkpoint=None if path is None else save,
              resume=resume)  # fmt: skip
    if path is not None:
        path.unlink(missing_ok=True)
    losses, w = res.losses, np.asarray(frames[: len(res.losses)])
    k = len(valid) - 1  # epochs run
    train = [train0]
    for e in range(k):  # the frame-weighted mean of the epoch's mini-batch losses
        b = slice(e * per_epoch, (e + 1) * per_epoch)
        train.append(float(np.sum(losses[b] * w[b]) / np.sum(w[b])))
    return PieceFit(
        model=res.params,
        best_epoch=int(res.best_epoch),
        valid_nll=float(valid[res.best_epoch]),
        epoch=np.arange(k + 1),
        train_nll=np.array(train),
        valid_curve=np.array(valid),
        seconds=np.array(clock) - start,
        cpu_seconds=np.array(cpu) - cpu_start,
        stopped_early=res.stopped_early,
        history=res.history(),
    )


# Regularisation: dropout on the non-recurrent connections, weight noise ---------------------------


def _check_rate(name: str, value, high: float | None, what: str):
    ok = isinstance(value, int | float | np.number) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (high is not None and value >= high):
        interval = f"[0, {high:g})" if high is not None else "[0, inf)"
        raise ValueError(f"{name} = {value!r}, expected a finite number in {interval} ({what}; 0 turns it off).")
    return float(value)


def dropout_masks(rng: np.random.Generator, x_shape, v_shape, rate: float):
    """Inverted-dropout masks for a model's input and its readout's input (Zaremba et al. 2014).

    Each entry is 0 with probability ``rate`` and ``1 / (1 - rate)`` otherwise, drawn independently
    for every step, sequence and unit, so that a masked signal has the unmasked one's expected value
    and nothing needs rescaling at evaluation (where no mask is used).

    Parameters
    ----------
    rng : numpy.random.Generator
    x_shape : tuple of int
        Shape of the batch's input, e.g. ``(N, B, d_x)``.
    v_shape : tuple of int
        Shape of what the readout sees (the cell's ``trace.output``), e.g. ``(N, B, d_v)``.
    rate : float
        Probability of dropping a unit, in ``[0, 1)``.

    Returns
    -------
    (m_x, m_v) : numpy.ndarray of shapes ``x_shape`` and ``v_shape``

    Examples
    --------
    >>> m_x, m_v = dropout_masks(np.random.default_rng(0), (2, 1, 3), (2, 1, 2), 0.5)
    >>> sorted(set(m_x.ravel().tolist()) | set(m_v.ravel().tolist()))
    [0.0, 2.0]
    """
    check_rng(rng)
    rate = _check_rate("rate", rate, 1.0, "the probability of dropping a unit")
    keep = 1.0 - rate
    return tuple((rng.random(tuple(shape)) < keep) / keep for shape in (x_shape, v_shape))


def dropout_loss_and_grads(model, batch, masks, *, loss=sigmoid_bernoulli_nll):
    """Loss and gradients of ``model`` with dropout on its two non-recurrent connections.

    Zaremba, Sutskever and Vinyals (2014) drop units only where a signal enters or leaves the
    recurrence, never on the recurrent path ``s[n-1] -> s[n]``: here the input-to-cell connection
    (the frames ``x`` every node of the cell reads) and the cell-to-readout connection (the output
    ``v`` the readout reads). With ``masks = (m_x, m_v)``::

        trace = cell.forward(m_x * x);  y = W_y (m_v * v) + b_y

    and by the chain rule the readout's ``dE/dv`` is multiplied by ``m_v`` before the cell's
    backward pass; the recurrent weights see the masks only through their inputs. With masks of
    ones this is :func:`lrnn.train.sequence_loss_and_grads`.

    Parameters
    ----------
    model : (cell, Readout)
    batch : (x, target, mask)
        As :func:`lrnn.music.next_frame_batch` returns it: ``x`` of shape ``(N, B, d_x)``.
    masks : (m_x, m_v)
        Arrays of the shapes of ``x`` and of the cell's output ``(N, B, d_v)`` (:func:`dropout_masks`).
    loss : callable, default :func:`lrnn.losses.sigmoid_bernoulli_nll`

    Returns
    -------
    loss : float
        ``nan`` (and ``None`` gradients) if the forward pass overflowed.
    grads : (cell gradients, Readout)
    """
    cell, readout = model
    x, target, mask = batch
    m_x, m_v = (np.asarray(m, dtype=float) for m in masks)
    if m_x.shape != np.shape(x):
        raise ValueError(f"masks[0] has shape {m_x.shape}, expected the input's shape {np.shape(x)}.")
    trace = cell.forward(x * m_x)
    if m_v.shape != trace.output.shape:
        raise ValueError(f"masks[1] has shape {m_v.shape}, expected the cell output's shape {trace.output.shape}.")
    if not np.all(np.isfinite(trace.output)):  # a divergence, reported by the training loop
        return np.nan, None
    E, dE_dv, g_out = readout_loss(readout, trace.output * m_v, target, loss, mask)
    return E, (cell.backward(trace, dE_dv * m_v), g_out)


def add_weight_noise(model, rng: np.random.Generator, sd: float, *, frozen=()):
    """A copy of ``model`` with Gaussian noise ``N(0, sd^2)`` added to every parameter (Graves 2011).

    Chung et al. (2014) train with weight noise: each mini-batch's forward and backward passes run
    on ``theta + eps``, ``eps ~ N(0, sd^2 I)`` drawn afresh, and the gradient so obtained updates
    the clean ``theta``. Every array of the cell and the readout gets noise (biases too), except the
    fields named in ``frozen``, which are kept as they are (the ``lstm`` kind's zero pinholes).

    Parameters
    ----------
    model : (cell, Readout)
    rng : numpy.random.Generator
    sd : float
        Standard deviation of the noise, ``>= 0``.
    frozen : sequence of str, optional
        Fields of the cell left without noise.

    Returns
    -------
    (cell, Readout)

    Examples
    --------
    >>> from lrnn.music import load_jsb_chorales
    >>> model = init_model("lstm", np.random.default_rng(0), load_jsb_chorales()["train"])
    >>> noisy = add_weight_noise(model, np.random.default_rng(1), 0.01, frozen=PINHOLES)
    >>> bool(np.all(noisy[0].W_s_cs == 0)), round(float(np.std(noisy[1].W_y)), 2)
    (True, 0.01)
    """
    check_rng(rng)
    sd = _check_rate("sd", sd, None, "the standard deviation of the weight noise")
    noisy = tree_map(lambda a: a + sd * rng.standard_normal(a.shape), model)
    if frozen:
        noisy = (replace_unchecked(noisy[0], **{k: getattr(model[0], k) for k in frozen}), noisy[1])
    return noisy


def save_model(path, kind: str, model) -> None:
    """Write ``model`` as an ``.npz`` state dict (PyTorch's layout for ``tanh``, ``gru``, ``lstm``).

    The one writer of the package's model files, :func:`lrnn.interop.save_model_npz`, for this
    module's kinds (:data:`KINDS`).
    """
    save_model_npz(path, _check_kind(kind), model)


def load_model(path):
    """Read a model written by :func:`save_model`: ``(kind, (cell, Readout))``.

    The kind follows from the keys and shapes (:func:`lrnn.interop.load_model_npz`): ``weight_hh_l0``
    of shape ``(g H, H)`` with ``g = 1, 3, 4`` is ``nn.RNN``, ``nn.GRU``, ``nn.LSTM``; field names
    are the Vanilla LSTM with pinholes or, with ``W_q_dr``, the Augmented LSTM.
    """
    return load_model_npz(path)
