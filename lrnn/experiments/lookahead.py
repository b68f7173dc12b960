"""The look-ahead experiment of Chapter 6: its settings, models, training and test error.

Not in Sherstinsky's paper, which proposes the Augmented LSTM's context windows but reports no
experiment with them (pitfall P11). Three models learn the centred moving average
``y[n] = (x[n-1] + x[n] + x[n+1] + x[n+2]) / 4`` of i.i.d. standard normal inputs
(:func:`lrnn.tasks.lookahead_task`): a Vanilla LSTM with ``d_s = 8``, and Augmented LSTMs with
``d_s = 8``, a projection to ``d_v = 4`` and context windows of ``L = 2`` and ``L = 3`` taps, each
with a linear readout. The chapter trains seed 0 live with :func:`train_all`;
``experiments/lookahead/run.py`` trains seeds 0-9 with the same function and commits their test
errors (:func:`test_mse`), which the chapter reads through :func:`lrnn.experiments.result`.
"""

from __future__ import annotations

import numpy as np

from .. import tasks, train
from ..augmented import AugmentedLSTMParams, augmented_forward
from ..losses import Readout, readout_mse
from ..lstm import LSTMParams, lstm_forward
from ..optim import Adam

__all__ = ["CONFIG", "MODELS", "make_models", "train_all", "test_set", "test_mse", "floors"]

#: The settings of every run.
CONFIG = dict(
    N=20,  # steps per segment
    window=(-1, 2),  # y[n] averages x[n-1] .. x[n+2]
    batch=32,  # segments per training batch (fresh every step)
    d_s=8,
    d_v=4,  # projection of the Augmented LSTMs
    steps=250,
    lr=0.02,  # Adam
    clip=1.0,  # global-norm clipping
    test_seed=999,
    test_size=1000,  # segments in the fixed test set
)
#: The models, in order; the number of taps ``L`` of each is 1, 2, 3.
MODELS = ("Vanilla LSTM", "Augmented, L = 2", "Augmented, L = 3")


def make_models(seed: int) -> dict:
    """The three models of one seed: ``name -> (cell, Readout)``, drawn from ``default_rng(seed)``."""
    r, d_s, d_v = np.random.default_rng(seed), CONFIG["d_s"], CONFIG["d_v"]
    return {
        "Vanilla LSTM": (
            LSTMParams.init(r, 1, d_s),
            Readout.random(r, d_s, 1),
        ),
        "Augmented, L = 2": (
            AugmentedLSTMParams.init(r, 1, d_s, d_v, L=2),
            Readout.random(r, d_v, 1),
        ),
        "Augmented, L = 3": (
            AugmentedLSTMParams.init(r, 1, d_s, d_v, L=3),
            Readout.random(r, d_v, 1),
        ),
    }


def train_all(seed: int, progress: bool = False) -> dict:
    """Train the three models of ``seed``: ``name -> FitResult``; batches from ``default_rng(1000 + seed)``."""
    N, B, window = CONFIG["N"], CONFIG["batch"], CONFIG["window"]
    out = {}
    for name, params in make_models(seed).items():
        out[name] = train.fit(
            train.sequence_loss_and_grads,
            params,
            lambda r: tasks.lookahead_task(r, N, B, window),
            np.random.default_rng(1000 + seed),
            steps=CONFIG["steps"],
            optimizer=Adam(lr=CONFIG["lr"]),
            clip_norm=CONFIG["clip"],
            progress=progress,
            desc=f"seed {seed}, {name}",
        )
    return out


def test_set() -> tuple[np.ndarray, np.ndarray]:
    """The fixed test set: inputs ``(N, test_size, 1)`` and targets of the same shape."""
    r = np.random.default_rng(CONFIG["test_seed"])
    return tasks.lookahead_task(r, CONFIG["N"], CONFIG["test_size"], CONFIG["window"])


def test_mse(params) -> float:
    """Mean squared error of a trained ``(cell, Readout)`` on :func:`test_set`."""
    x, y = test_set()
    cell, readout = params
    forward = augmented_forward if isinstance(cell, AugmentedLSTMParams) else lstm_forward
    return float(readout_mse(readout, forward(cell, x).v, y)[0])


def floors() -> dict:
    """The least expected test error of each model, which sees up to ``x[n + L - 1]``.

    ``name -> floor`` from :func:`lrnn.tasks.lookahead_mse_floor`, the segment end included.
    """
    return {
        name: tasks.lookahead_mse_floor(CONFIG["N"], CONFIG["window"], horizon=L - 1)
        for name, L in zip(MODELS, (1, 2, 3), strict=True)
    }
