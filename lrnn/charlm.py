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

Stacked layers (``init_model(..., layers=2)``, the GRU and the LSTM): a :class:`lrnn.compose.Stack` of
cells of one kind, layer ``k + 1`` reading layer ``k``'s output ``v[n]`` and the readout the top
layer's; :func:`matched_size` gives the ``d_s`` per layer whose count is closest to the one-layer
budget of the kind (``gru`` 181, ``lstm`` 157 for two layers). They are ``nn.GRU`` and ``nn.LSTM``
with ``num_layers = 2``, saved with the keys ``weight_ih_l0 ... bias_hh_l1``.

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
from .cell import replace_unchecked
from .compose import Stack
from .gru import TorchGRUParams
from .interop import load_model_npz, save_model_npz
from .losses import Readout, softmax_cross_entropy
from .lstm import LSTMParams
from .music_models import forget_gate_open
from .optim import Adam
from .rnn import RNNParams
from .text import epoch_batches
from .train import fit_sequences

__all__ = ["KINDS", "SIZES", "PINHOLES", "STACKABLE", "init_model", "n_trainable", "n_layers", "matched_size",
           "unigram_readout", "fit_text", "TextFit", "save_model", "load_model"]  # fmt: skip

KINDS = ("tanh", "gru", "lstm", "lstm_pinholes")
SIZES = {"tanh": 527, "gru": 298, "lstm": 256, "lstm_pinholes": 200}  # about 346k parameters each
PINHOLES = music_models.PINHOLES  # held at zero in the "lstm" kind (nn.LSTM has none)
STACKABLE = ("gru", "lstm")  # the kinds built with layers >= 2: nn.GRU and nn.LSTM with num_layers > 1
_GATES = {"gru": 3, "lstm": 4}  # weight blocks per layer (r, z, n; i, f, g, o); both have 4 d_s biases per layer


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


def _check_layers(kind: str, layers) -> int:
    layers = positive_int("layers", layers)
    if layers > 1 and kind not in STACKABLE:
        raise ValueError(
            f"layers = {layers} with kind = {kind!r}: stacked character models are built for "
            f"{' and '.join(map(repr, STACKABLE))} (nn.GRU, nn.LSTM with num_layers > 1); pass layers=1 "
            f"or one of those kinds."
        )
    return layers


def _count(kind: str, d_x: int, size: int, layers: int) -> int:
    """What :func:`n_trainable` counts for ``layers`` layers of ``size`` units of a stackable kind, readout included."""
    g, n = _GATES[kind], d_x * size + d_x  # the readout: W_y (d_x, d_s) and b_y
    for k in range(layers):
        n += g * size * ((d_x if k == 0 else size) + size) + 4 * size  # W_x, the recurrent W, 4 d_s biases
    return n


def matched_size(kind: str, layers: int = 1, *, d_x: int = 65) -> int:
    """The units per layer ``d_s`` whose ``layers``-layer model is closest in parameters to the one-layer model.

    The budget is :func:`n_trainable` of the one-layer model of ``kind`` at :data:`SIZES` (readout
    included); ties go to the smaller size.

    Parameters
    ----------
    kind : {"gru", "lstm"}
        For ``layers = 1`` any kind (the answer is ``SIZES[kind]``).
    layers : int, default 1
    d_x : int, default 65
        The vocabulary's size.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        An unknown kind, ``layers`` not a positive integer, or ``layers > 1`` for a kind that is not stacked.

    Examples
    --------
    >>> matched_size("gru", 2), matched_size("lstm", 2), matched_size("gru", 1)
    (181, 157, 298)
    """
    layers = _check_layers(_check_kind(kind), layers)
    d_x = positive_int("d_x", d_x)
    if layers == 1:
        return SIZES[kind]
    budget = _count(kind, d_x, SIZES[kind], 1)
    return min(range(1, SIZES[kind] + 1), key=lambda h: (abs(_count(kind, d_x, h, layers) - budget), h))


def n_layers(model) -> int:
    """The number of stacked layers of a character model ``(cell, Readout)``.

    Parameters
    ----------
    model : (cell, Readout)
        From :func:`init_model` or :func:`load_model`.

    Returns
    -------
    int
        ``len(cell.layers)`` for a :class:`lrnn.compose.Stack`, 1 for a single cell.

    Examples
    --------
    >>> n_layers(init_model("gru", np.random.default_rng(0), np.arange(65), size=4, layers=3))
    3
    """
    cell = model[0]
    return len(cell.layers) if isinstance(cell, Stack) else 1


def _init_cell(kind, rng, d_x, size, forget_bias):
    if kind == "tanh":
        return RNNParams.init(rng, d_x, size, recurrent="orthogonal")
    if kind == "gru":
        return TorchGRUParams.init(rng, d_x, size)
    cell = LSTMParams.init(rng, d_x, size)  # every field drawn, then the pinholes zeroed for "lstm"
    if kind == "lstm":
        cell = dataclasses.replace(cell, **{k: np.zeros((size, size)) for k in PINHOLES})
    return forget_gate_open(cell, forget_bias)


def init_model(kind: str, rng: np.random.Generator, train_codes, *, d_x: int = 65, size: int | None = None,
               forget_bias: float = 1.0, layers: int = 1):  # fmt: skip
    """A character model ``(cell, Readout)`` of the given kind, its readout at the unigram baseline.

    Cells: ``tanh`` ``RNNParams.init(recurrent="orthogonal")``; ``gru`` ``TorchGRUParams.init`` (Glorot
    inputs, orthogonal recurrent weights, zero biases); the LSTMs Gaussian (weights
    ``N(0, 1/fan_in)``), biases zero but the control state ("forget") gate's, ``b_cs = forget_bias``;
    for ``lstm`` the pinholes are zero (and stay zero in training).

    Parameters
    ----------
    kind : {"tanh", "gru", "lstm", "lstm_pinholes"}
    rng : numpy.random.Generator
        Draws the cells' weights (layer by layer, bottom first).
    train_codes : array_like of int, shape (M,)
        The training text's codes: the readout's bias is their log-frequencies.
    d_x : int, default 65
        The vocabulary's size.
    size : int, optional
        ``d_s`` of every layer; default :data:`SIZES` for one layer, :func:`matched_size` for more.
    forget_bias : float, default 1.0
        The LSTMs' ``b_cs``.
    layers : int, default 1
        Stacked layers (``gru`` and ``lstm`` only): the cell is then a :class:`lrnn.compose.Stack`
        whose layer ``k > 0`` reads ``v[n]`` of layer ``k - 1`` (``d_x = size``).

    Returns
    -------
    (cell, Readout)
        ``Readout.W_y`` of shape ``(d_x, size)`` (zero), ``b_y`` of shape ``(d_x,)``.

    Raises
    ------
    ValueError
        Unknown kind; ``size`` or ``layers`` not a positive integer; ``layers > 1`` for ``tanh`` or
        ``lstm_pinholes``.

    Examples
    --------
    >>> cell, readout = init_model("gru", np.random.default_rng(0), np.arange(65))
    >>> cell.d_s, readout.W_y.shape, n_trainable("gru", (cell, readout))
    (298, (65, 298), 345149)
    >>> model = init_model("lstm", np.random.default_rng(0), np.arange(65), layers=2)
    >>> n_layers(model), model[0].d_out, n_trainable("lstm", model)
    (2, 157, 348134)
    """
    check_rng(rng)
    layers = _check_layers(_check_kind(kind), layers)
    if layers > 1:
        size = matched_size(kind, layers, d_x=d_x) if size is None else positive_int("size", size)
        cells = [_init_cell(kind, rng, d_x if k == 0 else size, size, forget_bias) for k in range(layers)]
        return Stack(tuple(cells)), unigram_readout(train_codes, size, d_x)
    size = SIZES[kind] if size is None else positive_int("size", size)
    cell = _init_cell(kind, rng, d_x, size, forget_bias)
    return cell, unigram_readout(train_codes, cell.d_out, d_x)


def n_trainable(kind: str, model) -> int:
    """Scalar parameters trained, readout included (``lstm``: without its three zero pinhole matrices).

    Counted as the music models are (:func:`lrnn.music_models.n_trainable`), layer by layer for a
    stacked model. PyTorch counts more for ``nn.RNN``, ``nn.GRU`` and ``nn.LSTM``: two bias vectors
    per node where the cells here have one (``+ d_s``, ``+ 2 d_s``, ``+ 4 d_s`` per layer).
    """
    cell, readout = model
    if not isinstance(cell, Stack):
        return music_models.n_trainable(_check_kind(kind), model)
    _check_layers(_check_kind(kind), len(cell.layers))
    return sum(music_models.n_trainable(kind, (c, readout)) - readout.W_y.size - readout.b_y.size
               for c in cell.layers) + readout.W_y.size + readout.b_y.size  # fmt: skip


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
            zero = lambda g: dataclasses.replace(g, **{k: np.zeros_like(getattr(g, k)) for k in self.frozen})
            if isinstance(g_cell, Stack):
                g_cell = replace_unchecked(g_cell, layers=tuple(zero(g) for g in g_cell.layers))
            else:
                g_cell = zero(g_cell)
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
        For ``lstm`` the pinholes' gradients are dropped (they stay zero, as in ``nn.LSTM``), in
        every layer of a stacked model.
    model : (cell, Readout)
        ``cell`` a single cell or a :class:`lrnn.compose.Stack` (:func:`init_model` with ``layers``);
        a stack carries every layer's state from window to window.
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
    module's kinds (:data:`KINDS`). A stacked model has the keys of every layer, ``weight_ih_l0``,
    ..., ``bias_hh_l1``, ..., so that ``nn.GRU(65, d_s, num_layers=2)`` (or ``nn.LSTM``) loads them.
    """
    cell = model[0]
    if isinstance(cell, Stack):
        _check_layers(_check_kind(kind), len(cell.layers))
    save_model_npz(path, _check_kind(kind), model)


def load_model(path):
    """Read a model written by :func:`save_model`: ``(kind, (cell, Readout))``.

    The kind follows from the keys and shapes (:func:`lrnn.interop.load_model_npz`): ``weight_hh_l0``
    of shape ``(g H, H)`` with ``g = 1, 3, 4`` is ``nn.RNN``, ``nn.GRU``, ``nn.LSTM``; field names
    are the Vanilla LSTM with pinholes. A file with ``weight_hh_l1`` holds stacked layers: the cell
    is then a :class:`lrnn.compose.Stack` (:func:`n_layers`).

    Raises
    ------
    ValueError
        A model file of a kind this module does not have (an Augmented LSTM's).
    """
    kind, model = load_model_npz(path)
    return _check_kind(kind), model
