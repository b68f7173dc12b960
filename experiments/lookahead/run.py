"""The look-ahead experiment of Chapter 6 over ten seeds.

Trains the chapter's three models (a Vanilla LSTM with ``d_s = 8``; Augmented LSTMs with
``d_s = 8``, a projection to ``d_v = 4`` and context windows of ``L = 2`` and ``L = 3`` taps)
on the centred moving average ``y[n] = (x[n-1] + x[n] + x[n+1] + x[n+2]) / 4`` of i.i.d.
standard normal inputs, for seeds 0-9, and measures each on the chapter's fixed test set of
1000 segments. The recipe (settings, models, training, test error) is
:mod:`lrnn.experiments.lookahead`, which the chapter imports too.

One command runs everything and rewrites ``results.json`` beside this file (the settings, the
floors, every run's test error and wall time, the software versions)::

    python experiments/lookahead/run.py              # seeds 0-9
    python experiments/lookahead/run.py --seeds 0 1  # some seeds, printed only

The chapter reads the table from ``results.json`` (``lrnn.experiments.result``) and trains seed
0 live, which must reproduce the stored row; ``tests/test_experiments_lookahead.py`` re-runs
seed 0 here and compares.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

import lrnn
from lrnn.experiments.lookahead import CONFIG, MODELS, floors, test_mse, train_all

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
SEEDS = tuple(range(10))


def run(seed: int, progress: bool = False) -> dict:
    """One seed: ``{model: {"test_mse": ..., "seconds": ...}}``."""
    return {
        name: {"test_mse": test_mse(res.params), "seconds": round(res.seconds, 2)}
        for name, res in train_all(seed, progress).items()
    }


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS), help="seeds to run (default 0-9)")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    runs = {seed: run(seed, progress=True) for seed in args.seeds}
    print("seed  " + "  ".join(f"{name:>16s}" for name in MODELS))
    for seed, row in runs.items():
        print(f"{seed:4d}  " + "  ".join(f"{row[name]['test_mse']:16.6g}" for name in MODELS))
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
