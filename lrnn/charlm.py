"""Character-level language models: the book's cells on one-hot characters, a softmax over the vocabulary.

Not in Sherstinsky's paper. A model is ``(cell, Readout)``: the cell reads the characters as
one-hot vectors (stored as codes, :class:`lrnn.onehot.OneHot`, so ``W_x x[n]`` is the column of
``W_x`` for character ``c[n]``), and the readout gives 65 logits ``y[n] = W_y v[n] + b_y``; the
next character has probability ``softmax(y[n])`` and the loss is Chapter 7's cross-entropy, whose
derivative is ``p - t`` (:func:`lrnn.losses.softmax_cross_entropy`). Training is stateful truncated
BPTT over the text read as parallel streams (:func:`lrnn.text.epoch_batches`,
:func:`lrnn.train.fit_sequences`).

The four cells at one budget of about 346,000 parameters (readout included, one bias per node):

==================  =============================================  ========  ===========
kind                cell                                           ``d_s``   file layout
==================  =============================================  ========  ===========
``tanh``            standard RNN (Eqs. 32-33)                      527       ``nn.RNN``
``gru``             GRU, PyTorch's convention (Eqs. G5-G8)         298       ``nn.GRU``
``lstm``            Vanilla LSTM without pinholes (= ``nn.LSTM``)  256       ``nn.LSTM``
``lstm_pinholes``   Vanilla LSTM with full pinholes (P4)           200       field names
==================  =============================================  ========  ===========

Saved models are ``.npz`` state dicts as :mod:`lrnn.music_models` writes them: PyTorch's keys
(``weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0``) for the first three, so that
``torch.nn.RNN/GRU/LSTM(65, d_s)`` load them unchanged, and ``readout.weight`` (65, d_s),
``readout.bias`` (65,). This module is the recipe of the sweep ``experiments/charlm/train.py``;
its committed results are ``lrnn.experiments.result("charlm", "results.json")``, ``"gru.npz"``
and ``"lstm.npz"``.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from . import music_models
from ._validation import check_rng, positive_int
from .gru import TorchGRUParams
from .interop import load_model_npz, save_model_npz
from .losses import Readout, softmax_cross_entropy
from .lstm import LSTMParams
from .music_models import forget_gate_open
from .optim import Adam
from .rnn import RNNParams
from .text import epoch_batches
from .train import fit_sequences

__all__ = ["KINDS", "SIZES", "PINHOLES", "init_model", "n_trainable", "unigram_readout", "fit_text", "TextFit",
           "save_model", "load_model"]  # fmt: skip

KINDS = ("tanh", "gru", "lstm", "lstm_pinholes")
SIZES = {"tanh": 527, "gru": 298, "lstm": 256, "lstm_pinholes": 200}  # about 346k parameters each
PINHOLES = music_models.PINHOLES  # held at zero in the "lstm" kind (nn.LSTM has none)


def _check_kind(kind):
    if kind not in KINDS:
        raise ValueError(f"kind = {kind!r}, expected one of {', '.join(map(repr, KINDS))}.")
    return kind


def unigram_readout(train_codes, d_v: int, d_y: int) -> Readout:
    """``W_y = 0`` and ``b_y`` the log-frequencies of the training characters (add-one smoothed).

    A model with this readout predicts every character with its training frequency whatever it
    has read: it starts at the unigram baseline.
    """
    counts = np.bincount(np.asarray(train_codes), minlength=d_y) + 1.0
    return Readout(W_y=np.zeros((d_y, positive_int("d_v", d_v))), b_y=np.log(counts / counts.sum()))


def init_model(kind: str, rng: np.random.Generator, train_codes, *, d_x: int = 65, size: int | None = None,
               forget_bias: float = 1.0):  # fmt: skip
    """A character model ``(cell, Readout)`` of the given kind, its readout at the unigram baseline.

    Cells: ``tanh`` ``RNNParams.init(recurrent="orthogonal")``; ``gru`` ``TorchGRUParams.init`` (Glorot
    inputs, orthogonal recurrent weights, zero biases); the LSTMs Gaussian (weights
    ``N(0, 1/fan_in)``), biases zero but the control state ("forget") gate's, ``b_cs = forget_bias``;
    for ``lstm`` the pinholes are zero (and stay zero in training).

    Examples
    --------
    >>> cell, readout = init_model("gru", np.random.default_rng(0), np.arange(65))
    >>> cell.d_s, readout.W_y.shape, n_trainable("gru", (cell, readout))
    (298, (65, 298), 345149)
    """
    check_rng(rng)
    size = SIZES[_check_kind(kind)] if size is None else positive_int("size", size)
    if kind == "tanh":
        cell = RNNParams.init(rng, d_x, size, recurrent="orthogonal")
    elif kind == "gru":
        cell = TorchGRUParams.init(rng, d_x, size)
    else:
        cell = LSTMParams.init(rng, d_x, size)  # every field drawn, then the pinholes zeroed for "lstm"
        if kind == "lstm":
            cell = dataclasses.replace(cell, **{k: np.zeros((size, size)) for k in PINHOLES})
        cell = forget_gate_open(cell, forget_bias)
    return cell, unigram_readout(train_codes, cell.d_out, d_x)


def n_trainable(kind: str, model) -> int:
    """Scalar parameters trained, readout included (``lstm``: without its three zero pinhole matrices).

    Counted as the music models are (:func:`lrnn.music_models.n_trainable`). PyTorch counts more
    for ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM``: two bias vectors per node where the cells here have
    one (``+ d_s``, ``+ 2 d_s``, ``+ 4 d_s``).
    """
    return music_models.n_trainable(_check_kind(kind), model)


@dataclass(frozen=True)
class TextFit:
    """What :func:`fit_text` returns: the model, the optimiser's state, and each update's loss.

    ``losses`` and ``grad_norms`` have one entry per update (per TBPTT window), ``seconds`` and
    ``cpu_seconds`` are the wall-clock and processor time of the call.
    """

    model: tuple
    optimizer_state: object
    losses: np.ndarray
    grad_norms: np.ndarray
    seconds: float
    cpu_seconds: float


class _Carried:
    """Adam whose state outlives one call of ``fit_sequences`` (to resume), dropping frozen gradients.

    ``frozen`` names cell fields whose gradients are set to zero before each step (the ``lstm``
    kind's pinholes, so that they stay zero as ``nn.LSTM`` has none). The global norm that
    clipping measures is taken before, with those gradients included.
    """

    def __init__(self, optimizer, state, frozen=()):
        self.optimizer, self.state, self.frozen = optimizer, state, frozen

    def init(self, params):
        if self.state is None:
            self.state = (getattr(self.optimizer, "init_state", None) or self.optimizer.init)(params)
        return self.state

    init_state = init

    def step(self, params, grads, state):
        if self.frozen:
            g_cell, g_out = grads
            g_cell = dataclasses.replace(g_cell, **{k: np.zeros_like(getattr(g_cell, k)) for k in self.frozen})
            grads = (g_cell, g_out)
        params, self.state = self.optimizer.step(params, grads, state)
        return params, self.state


def fit_text(kind: str, model, train_codes, rng: np.random.Generator, *, epochs: float = 1.0, batch_size: int = 32,
             tbptt: int | tuple = 64, lr: float = 0.002, clip_norm: float | None = 1.0, optimizer_state=None,
             offset: int | None = None, part: tuple[int, int] = (0, 1), progress: bool = True,
             desc: str | None = None) -> TextFit:  # fmt: skip
    """Train a character model by stateful truncated BPTT over the training text, with Adam.

    The text is cut into ``batch_size`` parallel streams (:func:`lrnn.text.stream_batch`, a random
    offset below ``k1`` per epoch, drawn from ``rng``); TBPTT(k1, k2) walks them window by window,
    carrying the state, and each window is one update with the gradient of its mean cross-entropy
    per character, clipped to global norm ``clip_norm``.

    Parameters
    ----------
    kind : {"tanh", "gru", "lstm", "lstm_pinholes"}
        For ``lstm`` the pinholes' gradients are dropped (they stay zero, as in ``nn.LSTM``).
    model : (cell, Readout)
    train_codes : array_like of int, shape (M,)
    rng : numpy.random.Generator
        The only source of randomness (each epoch's offset).
    epochs : float, default 1
        Passes over the text; a fraction runs that share of one pass's windows.
    batch_size : int, default 32
    tbptt : int or (k1, k2), default 64
    lr : float, default 0.002
        Adam's learning rate.
    clip_norm : float or None, default 1.0
    optimizer_state : AdamState, optional
        Adam's moments from an earlier call (``TextFit.optimizer_state``): training goes on as if
        it had not stopped.
    offset : int, optional
        Where the streams start (instead of a random offset below ``k1``).
    part : (q, Q), default (0, 1)
        Train on the ``q``-th of ``Q`` pieces of the streams along time (an epoch in ``Q`` calls);
        ``epochs`` then counts passes over that piece.
    progress : bool, default True
    desc : str, optional

    Returns
    -------
    TextFit
    """
    check_rng(rng)
    k1 = tbptt if isinstance(tbptt, int) else tbptt[0]
    L = (len(train_codes) - 1 - (k1 if offset is None else offset)) // positive_int("batch_size", batch_size)
    q, Q = part
    L = (q + 1) * L // Q - q * L // Q  # the length of the piece
    steps = max(1, int(round(float(epochs) * -(-L // positive_int("k1", k1)))))
    frozen = PINHOLES if _check_kind(kind) == "lstm" else ()
    opt = _Carried(Adam(lr=lr), optimizer_state, frozen)
    t0, c0 = time.perf_counter(), time.process_time()
    res = fit_sequences(
        model, epoch_batches(train_codes, batch_size, model[0].d_x, k1, offset=offset, part=part), rng, steps=steps,
        loss=softmax_cross_entropy, tbptt=tbptt, optimizer=opt, clip_norm=clip_norm, progress=progress,
        desc=desc or kind,
    )  # fmt: skip
    return TextFit(
        model=res.params,
        optimizer_state=opt.state,
        losses=res.losses,
        grad_norms=res.grad_norms,
        seconds=time.perf_counter() - t0,
        cpu_seconds=time.process_time() - c0,
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
    are the Vanilla LSTM with pinholes.

    Raises
    ------
    ValueError
        A model file of a kind this module does not have (an Augmented LSTM's).
    """
    kind, model = load_model_npz(path)
    return _check_kind(kind), model
