"""The look-ahead experiment of Chapter 6 over ten seeds.

Trains the chapter's three models (a Vanilla LSTM with ``d_s = 8``; Augmented LSTMs with
``d_s = 8``, a projection to ``d_v = 4`` and context windows of ``L = 2`` and ``L = 3`` taps)
on the centred moving average ``y[n] = (x[n-1] + x[n] + x[n+1] + x[n+2]) / 4`` of i.i.d.
standard normal inputs, with exactly the chapter's settings (250 Adam steps, learning rate
0.02, global-norm clipping at 1, fresh batches of 32 segments of 20 steps), for seeds 0-9, and
measures each on the chapter's fixed test set of 1000 segments.

One command runs everything and rewrites ``results.json`` beside this file (the settings, the
floors, every run's test error and wall time, the software versions)::

    python experiments/lookahead/run.py              # seeds 0-9
    python experiments/lookahead/run.py --seeds 0 1  # some seeds, printed only

The chapter holds the table as a literal, ``TEN_SEEDS`` (this script prints it), so that the
notebook runs on its own, and trains seed 0 live, which must reproduce the stored row;
``tests/test_experiments_lookahead.py`` re-runs seed 0 here and compares both.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

import lrnn
from lrnn import tasks, train
from lrnn.augmented import AugmentedLSTMParams, augmented_forward
from lrnn.losses import Readout, readout_mse

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"

#: The chapter's settings (Chapter 6, "A task where look-ahead matters").
CONFIG = dict(
    N=20,  # steps per segment
    window=(-1, 2),  # y[n] averages x[n-1] .. x[n+2]
    batch=32,
    d_s=8,
    d_v=4,  # projection of the Augmented LSTMs
    steps=250,
    lr=0.02,
    clip=1.0,
    test_seed=999,
    test_size=1000,
)
MODELS = ("Vanilla LSTM", "Augmented, L = 2", "Augmented, L = 3")
SEEDS = tuple(range(10))


def make_models(seed: int) -> dict:
    """The three models of one seed: ``name -> (cell, readout)``, drawn from ``default_rng(seed)``."""
    r, d_s, d_v = np.random.default_rng(seed), CONFIG["d_s"], CONFIG["d_v"]
    return {
        "Vanilla LSTM": (lrnn.LSTMParams.init(r, 1, d_s), Readout.random(r, d_s, 1)),
        "Augmented, L = 2": (AugmentedLSTMParams.init(r, 1, d_s, d_v, L=2), Readout.random(r, d_v, 1)),
        "Augmented, L = 3": (AugmentedLSTMParams.init(r, 1, d_s, d_v, L=3), Readout.random(r, d_v, 1)),
    }


def train_all(seed: int, progress: bool = False) -> dict:
    """Train the three models of ``seed``; batches from ``default_rng(1000 + seed)``."""
    out = {}
    for name, params in make_models(seed).items():
        out[name] = train.fit(
            train.sequence_loss_and_grads,
            params,
            lambda r: tasks.lookahead_task(r, CONFIG["N"], CONFIG["batch"], CONFIG["window"]),
            np.random.default_rng(1000 + seed),
            steps=CONFIG["steps"],
            optimizer=train.Adam(lr=CONFIG["lr"]),
            clip_norm=CONFIG["clip"],
            progress=progress,
            desc=f"seed {seed}, {name}",
        )
    return out


def test_mse(params) -> float:
    """Mean squared error of ``(cell, readout)`` on the chapter's test set."""
    x, y = tasks.lookahead_task(
        np.random.default_rng(CONFIG["test_seed"]), CONFIG["N"], CONFIG["test_size"], CONFIG["window"]
    )
    cell, readout = params
    forward = augmented_forward if isinstance(cell, AugmentedLSTMParams) else lrnn.lstm_forward
    return float(readout_mse(readout, forward(cell, x).v, y)[0])


def run(seed: int, progress: bool = False) -> dict:
    """One seed: ``{model: {"test_mse": ..., "seconds": ...}}``."""
    return {
        name: {"test_mse": test_mse(res.params), "seconds": round(res.seconds, 2)}
        for name, res in train_all(seed, progress).items()
    }


def floors() -> dict:
    """The least test error a model seeing up to ``x[n + L - 1]`` can reach (``lookahead_mse_floor``)."""
    return {
        name: tasks.lookahead_mse_floor(CONFIG["N"], CONFIG["window"], horizon=L - 1)
        for name, L in zip(MODELS, (1, 2, 3), strict=True)
    }


def literal(runs: dict) -> str:
    """The chapter's ``TEN_SEEDS`` literal: test errors to 6 significant digits, seeds in order."""
    rows = []
    for name in MODELS:
        values = [f"{runs[s][name]['test_mse']:.6g}" for s in sorted(runs)]
        rows.append(f'    "{name}": (')
        rows += ["        " + ", ".join(values[i : i + 5]) + "," for i in range(0, len(values), 5)]
        rows.append("    ),")
    return "TEN_SEEDS = {\n" + "\n".join(rows) + "\n}"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS), help="seeds to run (default 0-9)")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    runs = {seed: run(seed, progress=True) for seed in args.seeds}
    for seed, row in runs.items():
        print(f"seed {seed}: " + ", ".join(f"{name} {v['test_mse']:.5f}" for name, v in row.items()))
    print(literal(runs))
    if sorted(args.seeds) == list(SEEDS):
        record = dict(
            config=CONFIG,
            floors=floors(),
            runs={str(seed): row for seed, row in runs.items()},
            wall_seconds=round(time.perf_counter() - start, 1),
            versions=dict(python=platform.python_version(), numpy=np.__version__, lrnn=lrnn.__version__),
        )
        RESULTS.write_text(json.dumps(record, indent=1) + "\n")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
