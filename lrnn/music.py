"""Polyphonic music as piano rolls: four data sets, next-frame prediction and its metric.

Not in Sherstinsky's paper. Boulanger-Lewandowski, Bengio and Vincent (2012) set the task and
Chung et al. (2014, Sec. 4.1) compared tanh, LSTM and GRU units on it: a piano roll is a
sequence of frames ``x[n]`` in {0, 1}^88, one entry per piano key, 1 when the key sounds; a
model reads frames ``0 .. n`` and gives each key of frame ``n + 1`` a probability
``G_c(y_k[n])``, with ``y[n] = W_y v[n] + b_y`` read out of the cell's output ``v[n]``. The score
is the negative log-likelihood of the true frames, in nats per frame (the 88 keys' Bernoulli
NLLs summed, averaged over every predicted frame of a split)::

    NLL = (1 / M) sum_sequences sum_{n=0}^{T-2} sum_{k=1}^{88} softplus(y_k[n]) - x_k[n+1] y_k[n]

with ``M = sum (T - 1)``: the first frame of each sequence is only read, never predicted, and
each sequence starts from the zero state.

The data: the four piano-roll sets of Boulanger-Lewandowski et al. (2012) on which Chung et al.
compared their cells, shipped in ``lrnn/data/`` in the published train / valid / test splits
(:data:`DATASETS`, :func:`load_poly_music`): the JSB Chorales (:func:`load_jsb_chorales`),
Nottingham, MuseData and Piano-midi.de.

Symbols (code -> shape)::

    roll        (T, 88)       one piece, uint8 0/1; column k is MIDI pitch 21 + k
    x, target   (N, B, 88)    a time-major batch: frames 0..T-2 and 1..T-1, zero-padded to N = max T - 1
    mask        (N, B)        1 where a frame is predicted, 0 on padding
    model       (cell, Readout)  any cell of the package's cell interface and its 88-key readout

References
----------
1. N. Boulanger-Lewandowski, Y. Bengio, P. Vincent, "Modeling Temporal Dependencies in
   High-Dimensional Sequences: Application to Polyphonic Music Generation and Transcription",
   ICML 2012, arXiv:1206.6392.
2. M. Allan, C. K. I. Williams, "Harmonising Chorales by Probabilistic Inference", NIPS 17, 2005.
3. J. Chung, C. Gulcehre, K. Cho, Y. Bengio, "Empirical Evaluation of Gated Recurrent Neural
   Networks on Sequence Modeling", arXiv:1412.3555 (2014).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._validation import as_float_array, check_rng, fmt_shape, positive_int, type_error
from .losses import Readout, sigmoid_bernoulli_nll

__all__ = [
    "N_KEYS",
    "LOWEST_PITCH",
    "SPLITS",
    "check_piano_roll",
    "DATASETS",
    "load_poly_music",
    "load_jsb_chorales",
    "next_frame_batch",
    "split_nll",
    "key_frequencies",
    "frequency_baseline",
    "key_markov_nll",
    "sample",
]

N_KEYS = 88  # piano keys A0 .. C8
LOWEST_PITCH = 21  # MIDI pitch of key 0 (A0)
SPLITS = ("train", "valid", "test")
DATA_DIR = Path(__file__).parent / "data"  # shipped as package data
DATA_FILE = DATA_DIR / "jsb_chorales.npz"

#: The four piano-roll data sets of Boulanger-Lewandowski et al. (2012) on which Chung et al. (2014)
#: compared tanh, GRU and LSTM units, as shipped in ``lrnn/data/<name>.npz``: a title, and the
#: pieces and frames of each split (train, valid, test), which the loader checks.
DATASETS = {
    "jsb_chorales": {"title": "JSB Chorales", "pieces": (229, 76, 77), "frames": (13807, 4602, 4725)},
    "nottingham": {"title": "Nottingham", "pieces": (694, 173, 170), "frames": (176561, 45513, 44463)},
    "musedata": {"title": "MuseData", "pieces": (524, 135, 124), "frames": (245202, 82755, 64339)},
    "piano_midi": {"title": "Piano-midi.de", "pieces": (87, 12, 25), "frames": (75911, 8540, 19036)},
}


def check_piano_roll(roll, name: str = "roll", *, min_frames: int = 2) -> np.ndarray:
    """``roll`` as a uint8 array after checking that it is a piano roll: shape ``(T, 88)``, 0/1 only.

    ``T >= min_frames``: by default 2, the fewest frames with a next frame to predict.

    Raises
    ------
    ValueError
        Another shape, fewer than ``min_frames`` frames, or a value other than 0 and 1.

    Examples
    --------
    >>> check_piano_roll(np.zeros((3, 88))).dtype
    dtype('uint8')
    >>> check_piano_roll(np.zeros((3, 12)))
    Traceback (most recent call last):
    ...
    ValueError: roll has shape (3, 12), expected (T, 88) with T >= 2: ...
    """
    a = as_float_array(name, roll)
    if a.ndim != 2 or a.shape[1] != N_KEYS or a.shape[0] < min_frames:
        raise ValueError(
            f"{name} has shape {fmt_shape(a.shape)}, expected (T, {N_KEYS}) with T >= {min_frames}: one row per "
            f"time step, one column per piano key (MIDI pitch {LOWEST_PITCH} + column)."
        )
    bad = (a != 0) & (a != 1)
    if bad.any():
        n, k = np.argwhere(bad)[0]
        raise ValueError(
            f"{name}[{n}, {k}] = {a[n, k]:g}, expected 0 or 1: a piano roll says only whether each key sounds; "
            f"binarise it first, e.g. (roll > 0)."
        )
    return a.astype(np.uint8)


def load_poly_music(name: str = "jsb_chorales", path=None) -> dict[str, list[np.ndarray]]:
    """A piano-roll data set in the split of Boulanger-Lewandowski et al. (2012), from the copy shipped with lrnn.

    Parameters
    ----------
    name : str, default "jsb_chorales"
        One of :data:`DATASETS`: ``"jsb_chorales"``, ``"nottingham"``, ``"musedata"``, ``"piano_midi"``.
    path : str or Path, optional
        Another ``.npz`` in the same format (see ``lrnn/data/README.md``); then the split sizes of
        ``name`` are not checked. The shipped file by default.

    Returns
    -------
    dict
        ``{"train": [...], "valid": [...], "test": [...]}``: piano rolls, each a uint8 array of
        shape ``(T, 88)``, in the source's order.

    Raises
    ------
    ValueError
        An unknown ``name``; a split or its lengths missing, lengths that do not add up to the
        frames, or a piece that is not a piano roll (:func:`check_piano_roll`); for a shipped
        file, split sizes other than those of :data:`DATASETS`.

    Examples
    --------
    >>> data = load_poly_music("nottingham")
    >>> [len(data[s]) for s in SPLITS], sum(len(r) for r in data["train"])
    ([694, 173, 170], 176561)
    """
    if name not in DATASETS:
        raise ValueError(f"name = {name!r}, expected one of the shipped piano-roll sets: {', '.join(DATASETS)}.")
    p = DATA_DIR / f"{name}.npz" if path is None else Path(path)
    with np.load(p) as f:
        out = {}
        for split in SPLITS:
            for key in (split, f"{split}_lengths"):
                if key not in f:
                    raise ValueError(f"{p.name} has no array {key!r}; expected {split!r} and '{split}_lengths'.")
            frames, lengths = f[split], np.asarray(f[f"{split}_lengths"])
            if lengths.ndim != 1 or np.any(lengths < 2) or lengths.sum() != len(frames):
                raise ValueError(
                    f"{p.name}: '{split}_lengths' (sum {int(lengths.sum())}) must be lengths >= 2 adding up to the "
                    f"{len(frames)} frames of {split!r}."
                )
            pieces = np.split(frames, np.cumsum(lengths)[:-1])
            out[split] = [check_piano_roll(r, f"{split}[{i}]") for i, r in enumerate(pieces)]
    if path is None:
        stated = DATASETS[name]
        got = {"pieces": tuple(len(out[s]) for s in SPLITS), "frames": tuple(sum(map(len, out[s])) for s in SPLITS)}
        for what, value in got.items():
            if value != stated[what]:
                raise ValueError(
                    f"{p.name} has {what} {value} in (train, valid, test), expected {stated[what]}: the shipped "
                    "file has changed; restore it (`git checkout lrnn/data`) or reinstall lrnn."
                )
    return out


def load_jsb_chorales(path=None) -> dict[str, list[np.ndarray]]:
    """The JSB Chorales in the split of Boulanger-Lewandowski et al. (2012): ``load_poly_music("jsb_chorales")``.

    Parameters
    ----------
    path : str or Path, optional
        Another ``.npz`` in the same format (see ``lrnn/data/README.md``); the shipped file by default.

    Returns
    -------
    dict
        ``{"train": [...], "valid": [...], "test": [...]}``: 229, 76 and 77 piano rolls, each a
        uint8 array of shape ``(T, 88)``, in the source's order.

    Examples
    --------
    >>> data = load_jsb_chorales()
    >>> [len(data[s]) for s in SPLITS], data["train"][0].shape
    ([229, 76, 77], (129, 88))
    """
    return load_poly_music("jsb_chorales", path)


def next_frame_batch(rolls) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pieces as one time-major batch for next-frame prediction: inputs, targets and mask.

    Piece ``b`` of length ``T_b`` gives inputs ``x[:, b]`` = frames ``0 .. T_b - 2`` and targets
    ``target[:, b]`` = frames ``1 .. T_b - 1``, zero-padded to ``N = max T_b - 1`` steps.

    Parameters
    ----------
    rolls : sequence of array_like (T_b, 88)

    Returns
    -------
    x, target : numpy.ndarray, shape (N, B, 88), float64
    mask : numpy.ndarray, shape (N, B)
        1 on the ``T_b - 1`` predicted frames of piece ``b``, 0 after.

    Examples
    --------
    >>> x, t, m = next_frame_batch([np.eye(88)[:3], np.eye(88)[:2]])
    >>> x.shape, m.T
    ((2, 2, 88), array([[1., 1.],
           [1., 0.]]))
    >>> bool(np.array_equal(t[0, 0], x[1, 0]))  # the target of step 0 is the input of step 1
    True
    """
    rolls = [check_piano_roll(r, f"rolls[{b}]") for b, r in enumerate(rolls)]
    if not rolls:
        raise ValueError("rolls is empty; pass at least one piano roll of shape (T, 88).")
    N, B = max(len(r) for r in rolls) - 1, len(rolls)
    x, target, mask = np.zeros((N, B, N_KEYS)), np.zeros((N, B, N_KEYS)), np.zeros((N, B))
    for b, r in enumerate(rolls):
        x[: len(r) - 1, b], target[: len(r) - 1, b], mask[: len(r) - 1, b] = r[:-1], r[1:], 1.0
    return x, target, mask


def split_nll(model, rolls, *, batch: int = 16) -> float:
    """The published metric: Bernoulli NLL summed over the 88 keys, averaged over all predicted frames.

    Every piece starts from the zero state; frames ``0 .. T-2`` are read and ``1 .. T-1``
    predicted, so a split of pieces of lengths ``T_b`` has ``M = sum (T_b - 1)`` predicted frames.
    The pieces are scored in batched forward passes of ``batch`` pieces of similar length (padding
    is masked out, so neither the batches nor their padding change the value beyond rounding).

    Parameters
    ----------
    model : (cell, Readout)
        Any cell of the cell interface (``forward(x)``, ``trace.output``) and a readout to 88 logits.
    rolls : sequence of array_like (T_b, 88)
    batch : int, default 16
        Pieces per forward pass.

    Returns
    -------
    float
        Nats per predicted frame.

    Examples
    --------
    A model that gives every key probability 1/2 pays 88 log 2 nats per frame:

    >>> from lrnn.rnn import RNNParams
    >>> model = (RNNParams.zeros(88, 2), Readout(np.zeros((88, 2)), np.zeros(88)))
    >>> bool(np.isclose(split_nll(model, load_jsb_chorales()["test"]), 88 * np.log(2)))
    True
    """
    cell, readout = _model(model)
    rolls = list(rolls)
    if not rolls:
        raise ValueError("rolls is empty; pass at least one piano roll of shape (T, 88).")
    batch = positive_int("batch", batch)
    order = sorted(range(len(rolls)), key=lambda b: len(rolls[b]))  # similar lengths: little padding
    total, frames = 0.0, 0.0
    for i in range(0, len(order), batch):
        x, target, mask = next_frame_batch([rolls[b] for b in order[i : i + batch]])
        total += sigmoid_bernoulli_nll(readout(cell.forward(x).output), target, mask)[0] * mask.sum()
        frames += mask.sum()
    return float(total / frames)


def _model(model):
    if not (isinstance(model, tuple) and len(model) == 2 and isinstance(model[1], Readout)):
        raise type_error(
            "model",
            model,
            "a pair (cell, Readout) such as (GRUParams, Readout(W_y of shape (88, d_s), b_y of shape (88,)))",
        )
    if model[1].W_y.shape[0] != N_KEYS:
        raise ValueError(
            f"model[1].W_y has shape {fmt_shape(model[1].W_y.shape)}, expected ({N_KEYS}, d_out): one logit per key."
        )
    return model


def key_frequencies(rolls, *, prior: float = 0.5) -> np.ndarray:
    """How often each key sounds, over the frames that are predicted (frames 1..T-1), smoothed.

    ``(count_k + prior) / (M + 2 prior)``: add-``prior`` (Krichevsky-Trofimov for 1/2) smoothing keeps
    a key never heard in ``rolls`` at a small positive probability instead of 0.

    Returns
    -------
    numpy.ndarray, shape (88,)

    Examples
    --------
    >>> f = key_frequencies(load_jsb_chorales()["train"])
    >>> int(np.argmax(f)) + LOWEST_PITCH, bool(f.min() > 0)
    (79, True)
    """
    targets = np.concatenate([check_piano_roll(r, f"rolls[{b}]")[1:] for b, r in enumerate(rolls)])
    if not (np.isfinite(prior) and prior > 0):
        raise ValueError(f"prior = {prior!r}, expected a positive pseudo-count such as 0.5.")
    return (targets.sum(axis=0) + prior) / (len(targets) + 2 * prior)


def frequency_baseline(train_rolls, d_out: int = 1, *, prior: float = 0.5) -> Readout:
    """The independent-keys baseline as a readout: ``W_y = 0``, ``b_y = logit`` of the training key frequencies.

    Whatever the cell computes, this readout predicts each key with its training frequency, the
    best a model can do that ignores time. A model's readout can start here.

    Examples
    --------
    >>> data = load_jsb_chorales()
    >>> from lrnn.rnn import RNNParams
    >>> round(split_nll((RNNParams.zeros(88, 1), frequency_baseline(data["train"])), data["test"]), 2)
    11.09
    """
    f = key_frequencies(train_rolls, prior=prior)
    return Readout(W_y=np.zeros((N_KEYS, positive_int("d_out", d_out))), b_y=np.log(f) - np.log1p(-f))


def key_markov_nll(train_rolls, rolls, *, prior: float = 0.5) -> float:
    """NLL of the per-key Markov baseline: each key is its own two-state chain, fitted on ``train_rolls``.

    ``P(x_k[n+1] = 1 | x_k[n] = 1)`` (the key is held or struck again) and
    ``P(x_k[n+1] = 1 | x_k[n] = 0)`` (it starts) are counted for each key over the training
    transitions, with add-``prior`` smoothing; the baseline then scores ``rolls``. It knows what
    each key did one step ago and nothing else: no harmony, no voice leading, no longer past.

    Returns
    -------
    float
        Nats per predicted frame of ``rolls``.

    Examples
    --------
    >>> data = load_jsb_chorales()
    >>> round(key_markov_nll(data["train"], data["test"]), 2)
    10.49
    """
    if not (np.isfinite(prior) and prior > 0):
        raise ValueError(f"prior = {prior!r}, expected a positive pseudo-count such as 0.5.")
    x, t, m = next_frame_batch(train_rolls)
    on, off = x * m[..., None], (1 - x) * m[..., None]
    p_on = ((on * t).sum(axis=(0, 1)) + prior) / (on.sum(axis=(0, 1)) + 2 * prior)  # key stays on
    p_off = ((off * t).sum(axis=(0, 1)) + prior) / (off.sum(axis=(0, 1)) + 2 * prior)  # key comes on
    x, t, m = next_frame_batch(rolls)
    p = x * p_on + (1 - x) * p_off
    per_frame = -np.sum(t * np.log(p) + (1 - t) * np.log1p(-p), axis=-1)
    return float(np.sum(per_frame * m) / m.sum())


def sample(model, rng, n_steps: int, first, *, temperature: float = 1.0) -> np.ndarray:
    """A piece drawn from the model, frame by frame: each key of the next frame is a coin with ``P = G_c(y_k / T)``.

    Parameters
    ----------
    model : (cell, Readout)
    rng : numpy.random.Generator
    n_steps : int
        Frames to draw after ``first``.
    first : array_like (T0, 88)
        The opening the model reads before it draws (at least one frame, e.g. a real chorale's first bar).
    temperature : float, default 1.0
        Divides the logits: 1 samples the model's own distribution; below 1 sharpens it.

    Returns
    -------
    numpy.ndarray, shape (T0 + n_steps, 88), uint8
        ``first`` followed by the drawn frames.
    """
    cell, readout = _model(model)
    check_rng(rng)
    n_steps = positive_int("n_steps", n_steps)
    first = as_float_array("first", first, ndim=2)
    if first.shape[1] != N_KEYS or first.shape[0] < 1 or np.any((first != 0) & (first != 1)):
        raise ValueError(f"first has shape {fmt_shape(first.shape)}, expected (T0 >= 1, 88) of 0/1 frames.")
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature = {temperature!r}, expected a positive number such as 1.0.")
    frames = [f for f in first]
    trace = cell.forward(first)
    for _ in range(n_steps):
        y = readout(trace.output[-1]) / temperature
        p = 0.5 * (1.0 + np.tanh(0.5 * y))  # G_c(y), overflow-free
        frames.append((rng.random(N_KEYS) < p).astype(np.float64))
        trace = cell.forward(frames[-1][None], trace.last_state)
    return np.array(frames, dtype=np.uint8)
