"""Text as a stream of characters: Tiny Shakespeare, its vocabulary, split, batches and score.

Not in Sherstinsky's paper. A character-level language model reads a text one character
``c[n]`` at a time and gives the next one a probability ``p(c[n+1] | c[0..n])``. The text here
is Karpathy's "tinyshakespeare" (char-rnn, MIT licence; provenance in ``lrnn/data/README.md``),
1,115,394 ASCII characters over 65 symbols, split as nanoGPT splits it (first 90 % train,
the rest validation). The score is the mean negative log-likelihood of the validation text
read as **one stream from a zero state**, every character predicted from all the validation
characters before it::

    NLL = -(1 / (M - 1)) sum_{n=0}^{M-2} ln p(c[n+1] | c[0..n])     nats per character
    BPC = NLL / ln 2                                                  bits per character

Symbols (code -> shape)::

    text        str            the characters
    vocab       Vocabulary     sorted(set(text)): code k <-> character vocab.chars[k]
    codes       (M,) int64     the text as codes
    x, target   (L, B)         B parallel streams of the training text: x[n, b] = codes[b L + n], target the next
    model       (cell, Readout) a cell of the package reading OneHot codes, 65 logits out (softmax)

References
----------
1. A. Karpathy, "The Unreasonable Effectiveness of Recurrent Neural Networks", blog post, 2015;
   char-rnn, https://github.com/karpathy/char-rnn (``data/tinyshakespeare/input.txt``).
2. A. Karpathy, nanoGPT, ``data/shakespeare_char/prepare.py`` (the 90/10 split).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._validation import check_rng, positive_int
from .losses import Readout
from .onehot import OneHot

__all__ = [
    "TEXT_FILE",
    "TEXT_SHA256",
    "Vocabulary",
    "load_tiny_shakespeare",
    "split_text",
    "stream_batch",
    "epoch_batches",
    "log_likelihoods",
    "nats_per_char",
    "bits_per_char",
    "next_log_probs",
    "entropy",
    "sample",
]

TEXT_FILE = Path(__file__).parent / "data" / "tiny_shakespeare.txt"  # shipped as package data
TEXT_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"  # of char-rnn's input.txt
TRAIN_FRACTION = 0.9  # nanoGPT: train = data[: int(n * 0.9)]


def load_tiny_shakespeare(path=None) -> str:
    """The Tiny Shakespeare text, from the copy shipped with lrnn (checked against its sha256).

    Parameters
    ----------
    path : str or Path, optional
        Another text file (UTF-8); then no checksum is checked.

    Returns
    -------
    str
        1,115,394 characters for the shipped file.

    Raises
    ------
    ValueError
        The shipped file does not have its recorded sha256 (it was changed or truncated).

    Examples
    --------
    >>> text = load_tiny_shakespeare()
    >>> len(text), text[:14]
    (1115394, 'First Citizen:')
    """
    p = TEXT_FILE if path is None else Path(path)
    raw = p.read_bytes()
    if path is None and hashlib.sha256(raw).hexdigest() != TEXT_SHA256:
        raise ValueError(
            f"{p} has sha256 {hashlib.sha256(raw).hexdigest()}, expected {TEXT_SHA256} (char-rnn's "
            "tinyshakespeare/input.txt); restore the file from the repository."
        )
    return raw.decode("utf-8")


@dataclass(frozen=True)
class Vocabulary:
    """The characters of a text, sorted; code ``k`` stands for ``chars[k]``.

    Parameters
    ----------
    chars : str
        Distinct characters in code order.

    Examples
    --------
    >>> v = Vocabulary.from_text("hello")
    >>> v.chars, v.size, v.encode("hole"), v.decode([3, 1])
    ('ehlo', 4, array([1, 3, 2, 0]), 'oh')
    >>> v.encode("help")
    Traceback (most recent call last):
    ...
    ValueError: text[3] = 'p' is not in the vocabulary of 4 characters ('ehlo'); ...
    """

    chars: str

    def __post_init__(self):
        if not isinstance(self.chars, str) or not self.chars:
            raise ValueError(f"chars = {self.chars!r}, expected a non-empty string of distinct characters.")
        if len(set(self.chars)) != len(self.chars):
            raise ValueError(f"chars = {self.chars!r} repeats a character; pass each character once.")
        lookup = np.full(max(map(ord, self.chars)) + 1, -1, dtype=np.int64)
        lookup[[ord(c) for c in self.chars]] = np.arange(len(self.chars))
        object.__setattr__(self, "_lookup", lookup)

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """``sorted(set(text))``, the vocabulary nanoGPT and char-rnn build.

        Raises
        ------
        ValueError
            An empty text, or one that is not a ``str``.
        """
        _check_text(text)
        return cls("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        """Number of characters, the one-hot length ``d_x`` and the number of logits ``d_y``."""
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """The codes of ``text``, shape ``(len(text),)``, int64.

        Raises
        ------
        ValueError
            An empty text, or a character outside the vocabulary (the first one is named).
        """
        _check_text(text)
        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        codes = np.where(points < len(self._lookup), self._lookup[np.minimum(points, len(self._lookup) - 1)], -1)
        if (codes < 0).any():
            n = int(np.argmax(codes < 0))
            raise ValueError(
                f"text[{n}] = {text[n]!r} is not in the vocabulary of {self.size} characters ({self.chars!r}); "
                "remove it or build the vocabulary from a text that has it (Vocabulary.from_text)."
            )
        return codes

    def decode(self, codes) -> str:
        """The text of ``codes`` (integers in ``0 .. size - 1``)."""
        c = np.asarray(codes)
        if c.dtype.kind not in "iu" or c.ndim != 1:
            raise TypeError(f"codes has dtype {c.dtype} and shape {c.shape}, expected a 1-D array of integers.")
        if c.size and (c.min() < 0 or c.max() >= self.size):
            raise ValueError(f"codes run from {c.min()} to {c.max()}, expected 0 .. {self.size - 1}.")
        return "".join(self.chars[k] for k in c)


def _check_text(text):
    if not isinstance(text, str):
        raise TypeError(f"text has type {type(text).__name__}, expected str.")
    if not text:
        raise ValueError("text is empty; a language model needs at least one character.")


def split_text(codes, train_fraction: float = TRAIN_FRACTION) -> tuple[np.ndarray, np.ndarray]:
    """nanoGPT's split: the first ``int(M * train_fraction)`` codes train, the rest validation.

    Examples
    --------
    >>> train, val = split_text(Vocabulary.from_text(text := load_tiny_shakespeare()).encode(text))
    >>> len(train), len(val)
    (1003854, 111540)
    """
    codes = np.asarray(codes)
    if not 0.0 < float(train_fraction) < 1.0:
        raise ValueError(f"train_fraction = {train_fraction!r}, expected a number strictly between 0 and 1.")
    cut = int(len(codes) * train_fraction)
    if cut < 2 or len(codes) - cut < 2:
        raise ValueError(f"{len(codes)} codes split at {cut} leave a part with fewer than 2; pass a longer text.")
    return codes[:cut], codes[cut:]


def stream_batch(codes, batch_size: int, d: int, offset: int = 0) -> tuple[OneHot, np.ndarray]:
    """The text as ``batch_size`` parallel streams, time-major: one "batch" that TBPTT walks window by window.

    Stream ``b`` reads ``codes[offset + b L : offset + (b + 1) L]`` and predicts the code after
    each, with ``L = (len(codes) - 1 - offset) // batch_size``; the streams are consecutive pieces
    of the text, so a state carried from one window to the next has read everything before.

    Returns
    -------
    x : OneHot, shape (L, B, d)
    target : numpy.ndarray of int64, shape (L, B)

    Examples
    --------
    >>> x, t = stream_batch(np.arange(11), batch_size=2, d=11)
    >>> x.codes.T, t.T
    (array([[0, 1, 2, 3, 4],
           [5, 6, 7, 8, 9]]), array([[ 1,  2,  3,  4,  5],
           [ 6,  7,  8,  9, 10]]))
    """
    codes = np.asarray(codes)
    B = positive_int("batch_size", batch_size)
    L = (len(codes) - 1 - int(offset)) // B
    if L < 1:
        raise ValueError(f"{len(codes)} codes from offset {offset} give no step for {B} streams; pass fewer streams.")
    rows = codes[offset : offset + B * L + 1]
    x = np.lib.stride_tricks.sliding_window_view(rows[:-1], L)[::L].T  # (L, B): x[n, b] = rows[b L + n]
    t = np.lib.stride_tricks.sliding_window_view(rows[1:], L)[::L].T
    return OneHot(np.ascontiguousarray(x), d), np.ascontiguousarray(t)


def epoch_batches(codes, batch_size: int, d: int, max_offset: int = 0, *, offset: int | None = None,
                  part: tuple[int, int] = (0, 1)) -> Callable:  # fmt: skip
    """``make_batch(rng)`` for :func:`lrnn.train.fit_sequences`: each call, one epoch of :func:`stream_batch`.

    Each epoch starts the streams at a random ``offset`` in ``0 .. max_offset - 1`` drawn from
    ``rng`` (0 when ``max_offset = 0``), so that the windows' boundaries move from epoch to epoch;
    or at the given ``offset``. With ``part = (q, Q)`` a batch is the ``q``-th of ``Q`` equal pieces
    of the streams along time (for an epoch trained in ``Q`` calls; the state starts from zero at
    the start of each piece).
    """
    q, Q = part
    if not (isinstance(q, int) and isinstance(Q, int) and 0 <= q < Q):
        raise ValueError(f"part = {part!r}, expected (q, Q) with 0 <= q < Q.")

    def make_batch(rng):
        check_rng(rng)
        start = offset if offset is not None else (int(rng.integers(max_offset)) if max_offset else 0)
        x, t = stream_batch(codes, batch_size, d, start)
        L = len(t)
        piece = slice(q * L // Q, (q + 1) * L // Q)
        return x[piece], t[piece]

    return make_batch


def log_likelihoods(model, codes, *, chunk: int = 2000) -> np.ndarray:
    """``ln p(c[n+1] | c[0..n])`` for ``n = 0 .. M-2``: the text read as one stream from a zero state.

    Parameters
    ----------
    model : (cell, Readout) or object with ``log_likelihoods(codes)``
        A network (a cell reading one-hot codes and a readout with one logit per character), or
        any other predictor of the next character, such as :class:`lrnn.ngram.KneserNey`.
    codes : array_like of int, shape (M,)
    chunk : int, default 2000
        The network reads the stream in chunks of this many steps, carrying its state (the
        result does not depend on it; it bounds the memory of the forward pass).

    Returns
    -------
    numpy.ndarray, shape (M - 1,)
    """
    codes = np.asarray(codes)
    if not isinstance(model, tuple):
        return np.asarray(model.log_likelihoods(codes))
    cell, readout = model
    if not isinstance(readout, Readout):
        raise TypeError(f"model[1] has type {type(readout).__name__}, expected a lrnn.losses.Readout.")
    x = OneHot(codes[:-1], cell.d_x)
    out, state = np.empty(len(codes) - 1), None
    for start in range(0, len(codes) - 1, positive_int("chunk", chunk)):
        trace = cell.forward(x[start : start + chunk], state)
        y = readout(trace.output)  # (n, d_y) logits
        z = y - y.max(axis=-1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))  # log softmax
        nxt = codes[start + 1 : start + 1 + len(y)]
        out[start : start + len(y)] = log_p[np.arange(len(y)), nxt]
        state = trace.last_state
    return out


def nats_per_char(model, codes, **kwargs) -> float:
    """Mean cross-entropy of the next character over the stream, in nats (see the module docstring).

    The one score of every model of Chapter 9, networks and n-gram baselines alike.

    Examples
    --------
    A network that knows nothing (all weights zero) gives every character probability 1/65:

    >>> from lrnn.gru import TorchGRUParams
    >>> model = (TorchGRUParams.zeros(65, 4), Readout(np.zeros((65, 4)), np.zeros(65)))
    >>> bool(np.isclose(nats_per_char(model, np.arange(65)), np.log(65)))
    True
    """
    return float(-log_likelihoods(model, codes, **kwargs).mean())


def bits_per_char(model, codes, **kwargs) -> float:
    """:func:`nats_per_char` divided by ``ln 2``."""
    return nats_per_char(model, codes, **kwargs) / float(np.log(2.0))


def next_log_probs(model, codes, *, chunk: int = 2000) -> np.ndarray:
    """``ln p(w | c[0..n])`` for every character ``w`` after each prefix: shape ``(M, V)``.

    Row ``n`` is the model's whole predictive distribution after reading ``c[0..n]`` (from a zero
    state); :func:`log_likelihoods` picks from row ``n`` the entry of ``c[n+1]``.

    Parameters
    ----------
    model : (cell, Readout) or object with ``next_log_probs(context)``
        A network, or an n-gram model of :mod:`lrnn.ngram` (asked one prefix at a time).
    codes : array_like of int, shape (M,)
    """
    codes = np.asarray(codes)
    if not isinstance(model, tuple):
        return np.array([model.next_log_probs(codes[: n + 1]) for n in range(len(codes))])
    cell, readout = model
    x, rows, state = OneHot(codes, cell.d_x), [], None
    for start in range(0, len(codes), positive_int("chunk", chunk)):
        trace = cell.forward(x[start : start + chunk], state)
        y = readout(trace.output)
        z = y - y.max(axis=-1, keepdims=True)
        rows.append(z - np.log(np.exp(z).sum(axis=-1, keepdims=True)))
        state = trace.last_state
    return np.concatenate(rows)


def entropy(log_p) -> np.ndarray:
    """``H = -sum_w p_w ln p_w`` in nats along the last axis, from log-probabilities (``0 ln 0 = 0``)."""
    log_p = np.asarray(log_p, dtype=float)
    p = np.exp(log_p)
    terms = np.multiply(p, log_p, out=np.zeros_like(p), where=p > 0)
    return -terms.sum(axis=-1)


def sample(model, rng: np.random.Generator, n_chars: int, prime, *, temperature: float = 1.0) -> np.ndarray:
    """Characters drawn one at a time, each from ``softmax(y / T)`` after reading ``prime`` and the draws so far.

    ``T = 1`` samples the model's own distribution; ``T < 1`` divides the logits' differences by
    less than one and sharpens it; ``T > 1`` flattens it; ``T = 0`` takes the most likely
    character every time (greedy). For an n-gram model, ``y`` is its log-probabilities.

    Parameters
    ----------
    model : (cell, Readout) or object with ``next_log_probs(context)``
    rng : numpy.random.Generator
    n_chars : int
        Characters to draw after ``prime``.
    prime : array_like of int, shape (M0,), M0 >= 1
        Codes the model reads first (e.g. ``vocab.encode("ROMEO:\\n")``).
    temperature : float, default 1.0
        ``>= 0``.

    Returns
    -------
    numpy.ndarray of int64, shape (n_chars,)
        The drawn codes (without ``prime``).

    Examples
    --------
    >>> from lrnn.ngram import AddOne
    >>> m = AddOne(np.array([0, 1, 2, 0, 1, 2, 0, 1, 2]), V=3, order=2)
    >>> sample(m, np.random.default_rng(0), 5, [0], temperature=0)   # greedy: 0 -> 1 -> 2 -> 0 ...
    array([1, 2, 0, 1, 2])
    """
    check_rng(rng)
    n_chars = positive_int("n_chars", n_chars)
    T = float(temperature)
    if not (np.isfinite(T) and T >= 0):
        raise ValueError(f"temperature = {temperature!r}, expected a number >= 0 (0 is greedy, 1 the model itself).")
    codes = list(np.asarray(prime, dtype=np.int64))
    if not codes:
        raise ValueError("prime is empty; pass at least one character for the model to read first.")
    network = isinstance(model, tuple)
    if network:
        cell, readout = model
        trace = cell.forward(OneHot(np.array(codes), cell.d_x))
    out = []
    for _ in range(n_chars):
        y = readout(trace.output[-1]) if network else model.next_log_probs(np.array(codes))
        if T == 0:
            c = int(np.argmax(y))
        else:
            z = (y - y.max()) / T
            p = np.exp(z) / np.exp(z).sum()
            c = int(rng.choice(len(p), p=p))
        out.append(c)
        codes.append(c)
        if network:
            trace = cell.forward(OneHot(np.array([c]), cell.d_x), trace.last_state)
    return np.array(out, dtype=np.int64)
