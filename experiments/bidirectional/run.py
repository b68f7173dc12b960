"""The bidirectional baseline of Chapter 10 on Chapter 6's look-ahead task, over ten seeds.

Trains a bidirectional LSTM (two Vanilla LSTMs with ``d_s = 6``) and a causal Vanilla LSTM that
answers two steps late (``d_s = 8``) on the look-ahead task of ``experiments/lookahead``, with its
settings and its test set, for seeds 0-9; measures each model's test error and, streaming the
first test segment, how many inputs after ``x[n]`` each answer waits for. The recipe is
:mod:`lrnn.experiments.bidirectional`, which the chapter imports too. The Augmented LSTM's
numbers are those stored by ``experiments/lookahead/run.py``, which the chapter reads beside these.

One command runs everything; it resumes, skipping the seeds already in ``results.json`` (when
their settings are the current ones), and rewrites the file after every seed::

    python experiments/bidirectional/run.py              # seeds 0-9
    python experiments/bidirectional/run.py --seeds 0    # one seed, printed only
    python experiments/bidirectional/run.py --fresh      # ignore the stored runs

``tests/test_experiments_bidirectional.py`` re-runs seed 0 and compares.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

import lrnn
from lrnn.experiments import lookahead
from lrnn.experiments.bidirectional import CONFIG, MODELS, latency, n_params, test_mse, train_all

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
SEEDS = tuple(range(10))


def run(seed: int, progress: bool = False) -> dict:
    """One seed: ``{model: {"test_mse", "latency_mean", "latency_max", "n_params", "seconds"}, "cpu_seconds": ...}``."""
    cpu = time.process_time()
    x_one = lookahead.test_set()[0][:, :1]  # the first test segment, streamed
    out = {}
    for name, res in train_all(seed, progress).items():
        late = latency(res.params, x_one)
        out[name] = {
            "test_mse": test_mse(res.params),
            "latency_mean": float(late.mean()),
            "latency_max": int(late.max()),
            "n_params": n_params(res.params),
            "seconds": round(res.seconds, 2),
        }
    out["cpu_seconds"] = round(time.process_time() - cpu, 2)  # both models, trained and measured
    return out


def _stored() -> dict:
    if not RESULTS.exists():
        return {}
    record = json.loads(RESULTS.read_text())
    return record["runs"] if record.get("config") == json.loads(json.dumps(CONFIG)) else {}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS), help="seeds to run (default 0-9)")
    ap.add_argument("--fresh", action="store_true", help="ignore the runs stored in results.json")
    args = ap.parse_args(argv)
    full = sorted(args.seeds) == list(SEEDS)
    runs = {} if args.fresh or not full else _stored()
    start, cpu = time.perf_counter(), time.process_time()
    for seed in args.seeds:
        if str(seed) in runs:
            continue
        runs[str(seed)] = run(seed, progress=True)
        if full:  # written after every seed: an interrupted sweep resumes here
            record = dict(
                config=CONFIG,
                runs=dict(sorted(runs.items(), key=lambda kv: int(kv[0]))),
                wall_seconds=round(time.perf_counter() - start, 1),
                cpu_seconds=round(time.process_time() - cpu, 1),
                versions=dict(python=platform.python_version(), numpy=np.__version__, lrnn=lrnn.__version__),
            )
            RESULTS.write_text(json.dumps(record, indent=1) + "\n")
    print("seed  " + "  ".join(f"{name:>22s}" for name in MODELS) + "   (test MSE, mean latency)")
    for seed, row in sorted(runs.items(), key=lambda kv: int(kv[0])):
        cells = [f"{row[m]['test_mse']:12.4g} {row[m]['latency_mean']:9.2f}" for m in MODELS]
        print(f"{int(seed):4d}  " + "  ".join(cells))
    if full:
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
