"""The bidirectional baseline of Chapter 10 on Chapter 6's look-ahead task: settings, models, error, latency.

Sherstinsky (2020) proposes the Augmented LSTM's context windows and names the bidirectional LSTM
as the baseline to compare them with (Sec. VIII; footnote 31), but runs neither (pitfall P11).
This recipe runs that comparison on the look-ahead task of :mod:`lrnn.experiments.lookahead`
(``y[n] = (x[n-1] + x[n] + x[n+1] + x[n+2]) / 4``), with its settings (``CONFIG``: segments of
``N = 20`` steps, batches of 32, 250 Adam updates at learning rate 0.02, clipping at 1, the same
fixed test set), so that the stored Augmented LSTM results of ``experiments/lookahead`` sit in the
same table. Two models are new:

``"Bidirectional LSTM"``
    :func:`lrnn.compose.bidirectional` of two Vanilla LSTMs with ``d_s = 6`` each (600 parameters,
    the Augmented LSTM with ``L = 3`` has 608) and a linear readout of ``[v_f[n], v_b[n]]``.
``"Delayed Vanilla LSTM"``
    a causal Vanilla LSTM with ``d_s = 8`` that answers ``y[n]`` at step ``n + 2``: it reads the
    segment followed by ``D = 2`` zeros (the zeros that the window reads past the segment end,
    P10), and its output at step ``m`` is scored against ``y[m - 2]``.

:func:`latency` streams a segment through a model and measures, for every step, how many inputs
after ``x[n]`` must have arrived before the answer for ``y[n]`` stops changing.
"""

from __future__ import annotations

import numpy as np

from .. import tasks, train
from ..compose import bidirectional
from ..losses import Readout
from ..lstm import LSTMParams
from ..optim import Adam
from . import lookahead

__all__ = ["CONFIG", "MODELS", "make_models", "train_all", "test_mse", "latency", "answers", "n_params"]

#: The settings: Chapter 6's look-ahead settings, plus the sizes and the delay of the two new models.
CONFIG = dict(lookahead.CONFIG, d_s_bidirectional=6, d_s_delayed=8, delay=2)
#: The new models, in order.
MODELS = ("Bidirectional LSTM", "Delayed Vanilla LSTM")


def make_models(seed: int) -> dict:
    """The two models of one seed: ``name -> (cell, Readout)``, drawn from ``default_rng(seed)``."""
    r, d_b, d_d = np.random.default_rng(seed), CONFIG["d_s_bidirectional"], CONFIG["d_s_delayed"]
    bi = bidirectional(LSTMParams.init(r, 1, d_b), LSTMParams.init(r, 1, d_b))
    return {
        "Bidirectional LSTM": (bi, Readout.random(r, 2 * d_b, 1)),
        "Delayed Vanilla LSTM": (LSTMParams.init(r, 1, d_d), Readout.random(r, d_d, 1)),
    }


def _delayed(x, y, D: int):
    """The delayed model's batch: ``x`` followed by ``D`` zeros; target ``y[m - D]`` at step ``m`` (masked before D)."""
    N, B = x.shape[:2]
    x_pad = np.concatenate([x, np.zeros((D, B, 1))])
    y_late = np.concatenate([np.zeros((D, B, 1)), y])
    mask = np.concatenate([np.zeros((D, B)), np.ones((N, B))])
    return x_pad, y_late, mask


def _batch(name: str):
    N, B, window, D = CONFIG["N"], CONFIG["batch"], CONFIG["window"], CONFIG["delay"]
    if name == "Delayed Vanilla LSTM":
        return lambda r: _delayed(*tasks.lookahead_task(r, N, B, window), D)
    return lambda r: tasks.lookahead_task(r, N, B, window)


def train_all(seed: int, progress: bool = False) -> dict:
    """Train the two models of ``seed``: ``name -> FitResult``; batches from ``default_rng(1000 + seed)``."""
    out = {}
    for name, params in make_models(seed).items():
        out[name] = train.fit(
            train.sequence_loss_and_grads,
            params,
            _batch(name),
            np.random.default_rng(1000 + seed),
            steps=CONFIG["steps"],
            optimizer=Adam(lr=CONFIG["lr"]),
            clip_norm=CONFIG["clip"],
            progress=progress,
            desc=f"seed {seed}, {name}",
        )
    return out


def answers(params, x) -> np.ndarray:
    """A trained model's answers ``y_hat[n]`` for ``y[n]``, ``n = 0 .. N - 1``, on inputs ``x`` of shape ``(N, B, 1)``.

    The delayed model (a bare :class:`~lrnn.lstm.LSTMParams` cell) reads ``x`` and ``D`` zeros and
    answers ``y[n]`` at step ``n + D``; a bidirectional model answers at step ``n``.
    """
    cell, readout = params
    if isinstance(cell, LSTMParams):
        D = CONFIG["delay"]
        x = np.concatenate([x, np.zeros((D, *x.shape[1:]))])
        return readout(cell.forward(x).output)[D:]
    return readout(cell.forward(x).output)


def test_mse(params) -> float:
    """Mean squared error of a trained model on the look-ahead test set (:func:`.lookahead.test_set`)."""
    x, y = lookahead.test_set()
    return float(np.mean((answers(params, x) - y) ** 2))


def latency(params, x_one) -> np.ndarray:
    """For every step ``n`` of a streamed segment, the inputs after ``x[n]`` needed before ``y_hat[n]`` is final.

    Parameters
    ----------
    params : (cell, Readout)
        A model of :func:`make_models` (or any with :func:`answers`' conventions).
    x_one : numpy.ndarray, shape (N, 1, 1)
        One segment. After the arrival of ``x[t]`` the model runs on ``x[0..t]`` followed by zeros in
        place of the inputs still to come (P10); the answer for step ``n`` is final from the arrival
        after the last one at which it still differed from the answer on the whole segment (and not
        before ``x[n]`` itself has arrived).

    Returns
    -------
    numpy.ndarray of int, shape (N,)
        ``t_final[n] - n``.
    """
    N = len(x_one)
    whole = answers(params, x_one)
    ready = np.arange(N)
    for t in range(N):
        so_far = answers(params, np.concatenate([x_one[: t + 1], np.zeros((N - t - 1, *x_one.shape[1:]))]))
        differs = np.any(np.abs(so_far - whole) >= 1e-12, axis=(1, 2))
        ready[differs] = t + 1
    return ready - np.arange(N)


def n_params(params) -> int:
    """Trainable numbers of a ``(cell, Readout)`` model."""
    cell, readout = params
    return cell.n_params + readout.W_y.size + readout.b_y.size
