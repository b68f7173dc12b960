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
from .losses import sigmoid_bernoulli_nll
from .lstm import LSTMParams
from .music import frequency_baseline, next_frame_batch, split_nll
from .optim import Adam
from .rnn import RNNParams
from .train import fit, sequence_loss_and_grads

__all__ = ["KINDS", "SIZES", "PINHOLES", "init_model", "forget_gate_open", "n_trainable", "fit_pieces", "PieceFit",
           "save_model", "load_model"]  # fmt: skip

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
               progress: bool = True, desc=None, checkpoint=None):  # fmt: skip
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

    Returns
    -------
    PieceFit
    """
    check_rng(rng)
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
        E, (g_cell, g_out) = sequence_loss_and_grads(model, batch, loss=sigmoid_bernoulli_nll)
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
