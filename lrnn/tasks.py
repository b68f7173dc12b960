"""Sequence tasks for the training experiments: the look-ahead task and three memory benchmarks.

Not in the paper: Sherstinsky (2020) proposes the Augmented LSTM but reports no
experiments (erratum list, P11). Every task here is small enough to train in a notebook,
and for each the loss of a trivial predictor is known in closed form.

**Memory benchmarks.** Each generator has the signature ``(rng, batch, lag) -> (x, target,
mask)``, time-major (``x`` of shape ``(N, B, d_x)``, ``mask`` of shape ``(N, B)``, 1 where
the loss counts), and a *baseline*: the loss of the best predictor that remembers nothing.
A run counts as a **success** when its loss falls below ``SUCCESS_FRACTION = 0.1`` of the
baseline, an error no memoryless predictor can reach.

==================  =============================  ===========  ===================  ===================
task                published form                 N            loss                 baseline
==================  =============================  ===========  ===================  ===================
``adding``          Le et al. 2015; Arjovsky 2016  T            MSE, last step       1/6
``copy``            Arjovsky 2016; Henaff 2016     T + 20       cross-entropy, all   10 log 8 / (T + 20)
``temporal_order``  Hochreiter-Schmidhuber 1997    T .. 1.1 T   cross-entropy, end   log 4
``selective_copy``  Gu and Dao 2023 (scaled down)  T + 4        cross-entropy, last  log 8
==================  =============================  ===========  ===================  ===================

*Adding problem* (:func:`adding_problem`). Two input channels: values ``U(0, 1)`` and a
marker that is 1 at exactly two steps, one drawn uniformly from the first half of the
sequence and one from the second half. The target at the last step is the sum of the two
marked values. The memoryless best guess is the mean of the sum, 1; its mean squared error is
the variance of a sum of two independent ``U(0, 1)``, ``2/12 = 1/6``. This two-channel form is
Le, Jaitly and Hinton's (2015) version of Hochreiter and Schmidhuber's (1997) Experiment 4,
in the exact description of Arjovsky, Shah and Bengio (2016). (The 1997 original draws values
from ``[-1, 1]``, puts the first marker among the first ten steps, varies the length from
``T`` to ``1.1 T`` and scales the target to ``0.5 + (X_1 + X_2)/4``.)

*Copy memory* (:func:`copy_memory`), Arjovsky et al. (2016), after Hochreiter and Schmidhuber
(1997) and as in Henaff, Szlam and LeCun (2016). Ten categories ``a_0 .. a_9``; the input has
``T + 20`` steps: ten symbols drawn uniformly from ``a_1 .. a_8``, then ``T - 1`` blanks
``a_0``, the delimiter ``a_9``, and ten more blanks. The target is ``a_0`` for ``T + 10``
steps, then the ten symbols in order. The loss is the cross-entropy averaged over all
``T + 20`` steps. Remembering nothing, the best one can do is to predict ``a_0`` where it is
certain and a uniform guess over the eight symbols for the last ten steps:
``10 log 8 / (T + 20)`` nats per step.

*Temporal order* (:func:`temporal_order`), Hochreiter and Schmidhuber (1997), Experiment 6a,
with their ``T = 100`` as the ``lag``. Eight symbols, one-hot: ``a, b, c, d`` (noise),
``X, Y`` (relevant), ``B, E``. A sequence of random length in ``T .. T + T/10`` starts
with ``E``, ends with the trigger ``B`` and is otherwise noise, except at two random steps
``t_1`` in ``T/10 .. 2T/10`` and ``t_2`` in ``T/2 .. 6T/10``, which hold ``X`` or ``Y``. At
the trigger the network must name the order: ``XX -> 0, XY -> 1, YX -> 2, YY -> 3`` (their
classes Q, R, S, U). The four classes are equally likely, so the baseline is ``log 4`` nats.
Sequences of one batch are padded to the longest; the mask scores each one at its trigger.

*Selective copying* (:func:`selective_copy`), Gu and Dao (2023), Sec. 3.1 and App. E.1, at a
smaller scale (theirs: sequences of 4096 steps, 16 data tokens, a vocabulary of 16). Ten
categories, one-hot: the noise token ``0``, eight data symbols ``1 .. 8`` and the recall cue
``9``. Four data symbols, drawn uniformly, sit at four random distinct steps among the first
``T``; every other one of those steps is noise. Then come four cues, during which the network
must output the four symbols in the order they appeared. Unlike the copy task, the symbols'
positions vary from sequence to sequence, so a fixed delay line (a time-invariant filter)
cannot pick them out: the network has to decide from the content which inputs to keep.
The cross-entropy is averaged over the four answers; remembering nothing, the best guess is
uniform over the eight symbols, ``log 8`` nats.

**Look-ahead task** (:func:`lookahead_task`, Ch. 6): a centred moving average of the input,

    y[n] = (1 / W) sum_{k = lo}^{hi} x[n + k],    W = hi - lo + 1,

with ``x[n] = 0`` outside the segment ``0 <= n < N`` (the zero padding of P10). With
``hi > 0`` the target depends on FUTURE inputs, which a causal model (the Vanilla LSTM,
or any RNN) has not yet seen at step ``n``; the Augmented LSTM's context window of ``L``
taps sees ``x[n], ..., x[n + L - 1]``. For i.i.d. standard normal inputs, the best any
predictor that sees ``x[m]`` only for ``m <= n + h`` can do at step ``n`` is to guess zero
for every unseen term, an error of ``(number of unseen in-segment terms) / W^2``:
:func:`lookahead_mse_floor`.

References
----------
1. S. Hochreiter, J. Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8), 1997,
   Experiments 4 (adding) and 6a (temporal order).
2. Q. V. Le, N. Jaitly, G. E. Hinton, "A Simple Way to Initialize Recurrent Networks of
   Rectified Linear Units", arXiv:1504.00941 (2015).
3. M. Arjovsky, A. Shah, Y. Bengio, "Unitary Evolution Recurrent Neural Networks", ICML 2016,
   Sections 4.1 (copying memory) and 4.2 (adding).
4. M. Henaff, A. Szlam, Y. LeCun, "Recurrent Orthogonal Networks and Long-Memory Tasks",
   ICML 2016.
5. A. Gu, T. Dao, "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
   arXiv:2312.00752 (2023), Sec. 3.1 and App. E.1 (selective copying).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import as_float_array, check_rng, positive_int
from .losses import mean_squared_error, softmax_cross_entropy

__all__ = [
    "SUCCESS_FRACTION",
    "MemoryTask",
    "MEMORY_TASKS",
    "adding_problem",
    "adding_baseline",
    "copy_memory",
    "copy_baseline",
    "temporal_order",
    "temporal_order_baseline",
    "selective_copy",
    "selective_copy_baseline",
    "accuracy",
    "lookahead_task",
    "lookahead_mse_floor",
]

SUCCESS_FRACTION = 0.1  # a run succeeds when its loss is below this fraction of the memoryless baseline

COPY_SYMBOLS, COPY_LENGTH = 8, 10  # Arjovsky et al. (2016): ten symbols from a_1 .. a_8
TEMPORAL_ORDER_SYMBOLS = "abcdXYBE"
SELECTIVE_SYMBOLS, SELECTIVE_LENGTH = (
    8,
    4,
)  # data symbols 1 .. 8, four of them to recall  # one-hot positions of Hochreiter and Schmidhuber's eight symbols


def _lag(lag, minimum: int, task: str) -> int:
    lag = positive_int("lag", lag)
    if lag < minimum:
        raise ValueError(f"lag = {lag}, expected lag >= {minimum} for the {task}.")
    return lag


# The adding problem ------------------------------------------------------------------------------


def adding_problem(rng: np.random.Generator, batch: int, lag: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A batch of the adding problem with sequences of ``lag`` steps (Le et al. 2015; Arjovsky et al. 2016).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the batch; the same generator state gives the same batch.
    batch : int
        Sequences per batch, ``B``.
    lag : int
        Sequence length ``T >= 2``. The two marked steps are on average ``T/2`` apart, and the
        first is on average ``3T/4`` steps before the answer.

    Returns
    -------
    x : numpy.ndarray, shape (T, B, 2)
        ``x[..., 0]`` the values, ``U(0, 1)``; ``x[..., 1]`` the markers, 1 at one step of the first
        half (``n < T // 2``) and one of the second half, 0 elsewhere.
    target : numpy.ndarray, shape (T, B, 1)
        The sum of the two marked values at the last step, 0 elsewhere.
    mask : numpy.ndarray, shape (T, B)
        1 at the last step only: only the answer is scored.

    Raises
    ------
    TypeError, ValueError
        A non-Generator ``rng``, a non-positive ``batch``, or ``lag < 2``.

    Examples
    --------
    >>> x, t, m = adding_problem(np.random.default_rng(0), batch=3, lag=8)
    >>> x.shape, t.shape, m.shape, x[..., 1].sum(axis=0)
    ((8, 3, 2), (8, 3, 1), (8, 3), array([2., 2., 2.]))
    >>> bool(np.allclose(t[-1, :, 0], (x[..., 0] * x[..., 1]).sum(axis=0)))
    True
    """
    check_rng(rng)
    B, T = positive_int("batch", batch), _lag(lag, 2, "adding problem")
    half = T // 2
    values = rng.uniform(0.0, 1.0, (T, B))
    first = rng.integers(0, half, B)  # uniformly in the first half
    second = rng.integers(half, T, B)  # uniformly in the second half
    markers = np.zeros((T, B))
    markers[first, np.arange(B)] = markers[second, np.arange(B)] = 1.0
    target, mask = np.zeros((T, B, 1)), np.zeros((T, B))
    target[-1, :, 0] = (values * markers).sum(axis=0)
    mask[-1] = 1.0
    return np.stack([values, markers], axis=-1), target, mask


def adding_baseline(lag: int | None = None) -> float:
    """Mean squared error of always answering 1, the best memoryless answer: ``Var(X_1 + X_2) = 1/6``.

    The same for every ``lag`` (accepted for a uniform signature).

    Examples
    --------
    >>> round(adding_baseline(), 6)
    0.166667
    """
    if lag is not None:
        _lag(lag, 2, "adding problem")
    return 1.0 / 6.0


# Copy memory -------------------------------------------------------------------------------------


def copy_memory(rng: np.random.Generator, batch: int, lag: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A batch of the copy-memory task with ``lag = T`` blank steps between the symbols and their recall.

    Parameters
    ----------
    rng : numpy.random.Generator
    batch : int
        Sequences per batch, ``B``.
    lag : int
        ``T >= 1``; each sequence has ``N = T + 20`` steps, and each symbol must be held for
        ``T + 10`` steps.

    Returns
    -------
    x : numpy.ndarray, shape (T + 20, B, 10)
        One-hot categories ``a_0 .. a_9``: ten symbols from ``a_1 .. a_8``, ``T - 1`` blanks ``a_0``,
        the delimiter ``a_9``, ten blanks.
    target : numpy.ndarray of int, shape (T + 20, B)
        Class indices ``0 .. 8``: ``a_0`` for ``T + 10`` steps, then the ten symbols.
    mask : numpy.ndarray, shape (T + 20, B)
        All ones: the cross-entropy is averaged over every step (Arjovsky et al. 2016).

    Examples
    --------
    >>> x, t, m = copy_memory(np.random.default_rng(0), batch=2, lag=5)
    >>> x.shape, t.shape, bool((t[-10:] == x[:10].argmax(-1)).all()), int(x[14].argmax(-1)[0])
    ((25, 2, 10), (25, 2), True, 9)
    """
    check_rng(rng)
    B, T = positive_int("batch", batch), _lag(lag, 1, "copy task")
    L, N = COPY_LENGTH, T + 2 * COPY_LENGTH
    symbols = rng.integers(1, COPY_SYMBOLS + 1, (L, B))  # a_1 .. a_8
    tokens = np.zeros((N, B), dtype=int)
    tokens[:L] = symbols
    tokens[T + L - 1] = COPY_SYMBOLS + 1  # the delimiter a_9, after T - 1 blanks
    target = np.zeros((N, B), dtype=int)
    target[N - L :] = symbols
    return np.eye(COPY_SYMBOLS + 2)[tokens], target, np.ones((N, B))


def copy_baseline(lag: int) -> float:
    """Cross-entropy per step of the memoryless strategy: ``10 log 8 / (T + 20)`` nats.

    Examples
    --------
    >>> round(copy_baseline(100), 6)  # 10 log 8 / 120
    0.173287
    """
    T = _lag(lag, 1, "copy task")
    return COPY_LENGTH * float(np.log(COPY_SYMBOLS)) / (T + 2 * COPY_LENGTH)


# Temporal order ----------------------------------------------------------------------------------


def temporal_order(rng: np.random.Generator, batch: int, lag: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A batch of the temporal-order task (Hochreiter and Schmidhuber 1997, Experiment 6a, with ``T = lag``).

    Parameters
    ----------
    rng : numpy.random.Generator
    batch : int
        Sequences per batch, ``B``.
    lag : int
        ``T >= 10``: lengths are drawn from ``T .. T + T // 10``, the relevant steps from
        ``T // 10 .. 2T // 10`` and ``T // 2 .. 6T // 10`` (``T = 100`` is the published task).

    Returns
    -------
    x : numpy.ndarray, shape (N, B, 8)
        One-hot symbols in the order ``a, b, c, d, X, Y, B, E``; ``N`` is the longest length
        drawn; shorter sequences are zero-padded after their trigger ``B``.
    target : numpy.ndarray of int, shape (N, B)
        At each sequence's last step the class of its order, ``XX -> 0, XY -> 1, YX -> 2,
        YY -> 3``; 0 elsewhere (masked).
    mask : numpy.ndarray, shape (N, B)
        1 at each sequence's last step (its trigger), 0 elsewhere.

    Examples
    --------
    >>> x, t, m = temporal_order(np.random.default_rng(0), batch=4, lag=20)
    >>> x.shape[1:], bool((m.sum(axis=0) == 1).all()), bool((x[0, :, 7] == 1).all())
    ((4, 8), True, True)
    """
    check_rng(rng)
    B, T = positive_int("batch", batch), _lag(lag, 10, "temporal-order task")
    cols = np.arange(B)
    lengths = rng.integers(T, T + T // 10 + 1, B)
    t1 = rng.integers(T // 10, 2 * T // 10 + 1, B)
    t2 = rng.integers(T // 2, 6 * T // 10 + 1, B)
    order = rng.integers(0, 2, (2, B))  # 0 = X, 1 = Y, at t1 and t2
    N = int(lengths.max())
    tokens = rng.integers(0, 4, (N, B))  # noise a .. d
    tokens[0] = 7  # E
    tokens[t1, cols], tokens[t2, cols] = 4 + order[0], 4 + order[1]
    tokens[lengths - 1, cols] = 6  # the trigger B
    x = np.eye(8)[tokens]
    x[np.arange(N)[:, None] >= lengths[None, :]] = 0.0  # padding after the trigger
    target, mask = np.zeros((N, B), dtype=int), np.zeros((N, B))
    target[lengths - 1, cols] = 2 * order[0] + order[1]
    mask[lengths - 1, cols] = 1.0
    return x, target, mask


def temporal_order_baseline(lag: int | None = None) -> float:
    """Cross-entropy of the memoryless answer (the four classes equally likely): ``log 4`` nats.

    Examples
    --------
    >>> round(temporal_order_baseline(), 6)
    1.386294
    """
    if lag is not None:
        _lag(lag, 10, "temporal-order task")
    return float(np.log(4.0))


# Selective copying ------------------------------------------------------------------------------


def selective_copy(rng: np.random.Generator, batch: int, lag: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A batch of the selective-copying task (Gu and Dao 2023, Sec. 3.1), four symbols among ``lag`` steps.

    Parameters
    ----------
    rng : numpy.random.Generator
    batch : int
        Sequences per batch, ``B``.
    lag : int
        ``T >= 4``: the four data symbols sit at random distinct steps among the first ``T``;
        each sequence has ``N = T + 4`` steps.

    Returns
    -------
    x : numpy.ndarray, shape (T + 4, B, 10)
        One-hot: noise ``0``, data symbols ``1 .. 8``, recall cue ``9`` (the last four steps).
    target : numpy.ndarray of int, shape (T + 4, B)
        At the last four steps, the data symbols in order of appearance as classes ``0 .. 7``
        (symbol minus one); 0 elsewhere (masked).
    mask : numpy.ndarray, shape (T + 4, B)
        1 at the last four steps.

    Examples
    --------
    >>> x, t, m = selective_copy(np.random.default_rng(0), batch=2, lag=10)
    >>> x.shape, int(m.sum())
    ((14, 2, 10), 8)
    >>> tokens = x.argmax(-1)[:10, 0]
    >>> bool((tokens[(tokens > 0)] - 1 == t[-4:, 0]).all())
    True
    """
    check_rng(rng)
    B, T = positive_int("batch", batch), _lag(lag, SELECTIVE_LENGTH, "selective-copying task")
    K, N = SELECTIVE_LENGTH, T + SELECTIVE_LENGTH
    symbols = rng.integers(1, SELECTIVE_SYMBOLS + 1, (K, B))
    where = np.sort(rng.random((T, B)).argsort(axis=0)[:K], axis=0)  # K distinct steps of each sequence, in order
    tokens = np.zeros((N, B), dtype=int)
    tokens[where, np.arange(B)] = symbols
    tokens[T:] = SELECTIVE_SYMBOLS + 1  # the recall cues
    target, mask = np.zeros((N, B), dtype=int), np.zeros((N, B))
    target[T:], mask[T:] = symbols - 1, 1.0
    return np.eye(SELECTIVE_SYMBOLS + 2)[tokens], target, mask


def selective_copy_baseline(lag: int | None = None) -> float:
    """Cross-entropy of the memoryless answer, uniform over the eight symbols: ``log 8`` nats.

    Examples
    --------
    >>> round(selective_copy_baseline(), 6)
    2.079442
    """
    if lag is not None:
        _lag(lag, SELECTIVE_LENGTH, "selective-copying task")
    return float(np.log(SELECTIVE_SYMBOLS))


def accuracy(y, target, mask) -> float:
    """Fraction of the scored frames whose largest logit is the target class.

    Parameters
    ----------
    y : array_like, shape (..., d_y)
        Logits.
    target : array_like of int, shape y.shape[:-1]
    mask : array_like, shape y.shape[:-1]
        1 for frames that count.

    Examples
    --------
    >>> accuracy([[2.0, 0.0], [0.0, 1.0], [5.0, 0.0]], [0, 0, 1], [1, 1, 0])
    0.5
    """
    y = as_float_array("y", y)
    m = as_float_array("mask", mask)
    t = np.asarray(target)
    if t.shape != y.shape[:-1] or m.shape != t.shape:
        raise ValueError(f"target has shape {t.shape} and mask {m.shape}, expected both y.shape[:-1] = {y.shape[:-1]}.")
    if not m.any():
        raise ValueError("mask is all zero: no frame is scored; pass at least one 1.")
    return float(np.sum(m * (y.argmax(axis=-1) == t)) / m.sum())


# The three benchmarks as one record each --------------------------------------------------------


@dataclass(frozen=True)
class MemoryTask:
    """A memory benchmark: its generator, loss, memoryless baseline and success criterion.

    Attributes
    ----------
    name : str
    generate : callable
        ``generate(rng, batch, lag) -> (x, target, mask)``.
    loss : callable
        A loss of :mod:`lrnn.losses`, ``loss(y, target, mask) -> (E, dE_dy)``.
    baseline : callable
        ``baseline(lag) -> float``, the loss of the best memoryless predictor.
    d_x, d_y : int
        Input size and readout size (1 for the MSE, the number of classes otherwise).
    classify : bool
        True if the readout gives logits (report :func:`accuracy` too).
    min_lag : int

    Examples
    --------
    >>> task = MEMORY_TASKS["copy"]
    >>> task.d_x, task.d_y, round(task.threshold(100), 5)
    (10, 9, 0.01733)
    """

    name: str
    generate: Callable
    loss: Callable
    baseline: Callable
    d_x: int
    d_y: int
    classify: bool
    min_lag: int

    def batches(self, lag: int, batch: int) -> Callable:
        """``make_batch(rng)`` for :func:`lrnn.train.fit_sequences`: fresh batches of this lag."""
        _lag(lag, self.min_lag, self.name)
        positive_int("batch", batch)
        return lambda rng: self.generate(rng, batch, lag)

    def threshold(self, lag: int) -> float:
        """The success threshold: ``SUCCESS_FRACTION * baseline(lag)``."""
        return SUCCESS_FRACTION * self.baseline(lag)


MEMORY_TASKS = {
    "adding": MemoryTask("adding", adding_problem, mean_squared_error, adding_baseline, 2, 1, False, 2),
    "copy": MemoryTask("copy", copy_memory, softmax_cross_entropy, copy_baseline, 10, 9, True, 1),
    "temporal_order": MemoryTask(
        "temporal_order", temporal_order, softmax_cross_entropy, temporal_order_baseline, 8, 4, True, 10
    ),
    "selective_copy": MemoryTask(
        "selective_copy", selective_copy, softmax_cross_entropy, selective_copy_baseline, 10, 8, True, 4
    ),
}


# The look-ahead task (Ch. 6) ---------------------------------------------------------------------


def _window(lo, hi) -> tuple[int, int]:
    lo, hi = int(lo), int(hi)
    if hi < lo:
        raise ValueError(f"window = ({lo}, {hi}): expected lo <= hi, e.g. window=(-1, 2) for x[n-1] .. x[n+2].")
    return lo, hi


def lookahead_task(rng: np.random.Generator, N: int, B: int, window=(-1, 2)) -> tuple[np.ndarray, np.ndarray]:
    """A batch of the look-ahead task: i.i.d. N(0, 1) inputs and their centred moving average.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the inputs; the same generator state gives the same batch.
    N, B : int
        Steps per segment and segments per batch.
    window : (int, int), default (-1, 2)
        ``(lo, hi)``: the target averages ``x[n + lo] .. x[n + hi]``. ``(2, 2)`` gives the
        pure look-ahead ``y[n] = x[n + 2]``.

    Returns
    -------
    x : numpy.ndarray, shape (N, B, 1)
    y : numpy.ndarray, shape (N, B, 1)
        ``y[n] = mean(x[n + lo .. n + hi])``, inputs outside the segment counted as zero.

    Raises
    ------
    TypeError, ValueError
        For a non-Generator ``rng``, non-positive sizes or ``lo > hi``.

    Examples
    --------
    >>> x, y = lookahead_task(np.random.default_rng(0), N=5, B=2, window=(0, 1))
    >>> x.shape, y.shape, bool(np.allclose(y[0], (x[0] + x[1]) / 2)), bool(np.allclose(y[4], x[4] / 2))
    ((5, 2, 1), (5, 2, 1), True, True)
    """
    check_rng(rng)
    N, B = positive_int("N", N), positive_int("B", B)
    lo, hi = _window(*window)
    x = rng.standard_normal((N, B, 1))
    P, W = max(-lo, 0), hi - lo + 1
    padded = np.concatenate([np.zeros((P, B, 1)), x, np.zeros((max(hi, 0), B, 1))])  # x[m] at index m + P
    y = sum(padded[P + k : P + k + N] for k in range(lo, hi + 1)) / W
    return x, y


def lookahead_mse_floor(N: int, window=(-1, 2), horizon: int = 0) -> float:
    """The least mean squared error on :func:`lookahead_task` for a model seeing up to ``x[n + horizon]``.

    A causal model (Vanilla LSTM) has ``horizon = 0``; an Augmented LSTM with ``L`` taps has
    ``horizon = L - 1``. At step ``n`` the terms ``x[n + k]`` with ``horizon < k <= hi`` and
    ``n + k < N`` are unseen and independent of everything seen, so the best guess for
    them is zero and each adds ``1 / W^2`` to the expected squared error. Averaged over n.

    Examples
    --------
    >>> lookahead_mse_floor(N=1000, window=(-1, 2), horizon=0)  # about two of four terms unseen: 2 / 16
    0.1248125
    >>> lookahead_mse_floor(N=1000, window=(-1, 2), horizon=2)
    0.0
    """
    N = positive_int("N", N)
    lo, hi = _window(*window)
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 0:
        raise ValueError(f"horizon = {horizon!r}, expected an integer >= 0 (0 for a causal model, L - 1 for L taps).")
    n, unseen = np.arange(N), np.zeros(N)
    for k in range(max(horizon + 1, lo), hi + 1):
        unseen += n + k < N  # x[n + k] is in the segment but not yet seen
    return float(np.mean(unseen)) / (hi - lo + 1) ** 2
