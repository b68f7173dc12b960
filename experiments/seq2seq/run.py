"""The encoder-decoder experiment of Chapter 10: reversing strings of 4-20 symbols, without and with attention.

For every source length ``S`` of ``CONFIG["lengths"]``, both models (a Vanilla LSTM encoder-decoder,
and the same with additive attention) and seeds 0-4, trains with teacher forcing and measures on a
fixed test set: greedy-decoding accuracy per symbol and per string, how anti-diagonal the attention
is, and the gradient of the last answer with respect to the first input, split into the path
through the summary ``c = h[S-1]`` and the path through attention, at initialisation and after
training. The recipe is :mod:`lrnn.experiments.seq2seq`, which the chapter imports too.

One command runs everything; it resumes, skipping the runs already in ``results.json`` (when their
settings are the current ones), and rewrites the file after every run::

    python experiments/seq2seq/run.py                           # every length, model and seed
    python experiments/seq2seq/run.py --lengths 4 --seeds 0     # some runs, printed only
    python experiments/seq2seq/run.py --fresh                   # ignore the stored runs

``tests/test_experiments_seq2seq.py`` re-runs the smallest configuration (``S = 4``, seed 0, both
models) and compares.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

import lrnn
from lrnn.experiments.seq2seq import CONFIG, MODELS, evaluate, gradient_paths, make_model, train_model

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
SEEDS = tuple(range(5))


def key(S: int, model: str, seed: int) -> str:
    """The key of one run in ``results.json``."""
    return f"S={S}/{model}/seed={seed}"


def run(S: int, model: str, seed: int, progress: bool = False) -> dict:
    """One run: its settings, metrics, gradient paths (at initialisation and trained), wall and CPU time."""
    attention = model == "attention"
    cpu = time.process_time()
    res = train_model(seed, S, attention, progress=progress)
    return dict(
        S=S,
        model=model,
        seed=seed,
        **evaluate(res.params, S),
        grad_x0_init=gradient_paths(make_model(seed, attention), S),
        grad_x0_trained=gradient_paths(res.params, S),
        final_train_loss=float(res.losses[-1]),
        seconds=round(res.seconds, 2),
        cpu_seconds=round(time.process_time() - cpu, 2),
    )


def _stored() -> dict:
    if not RESULTS.exists():
        return {}
    record = json.loads(RESULTS.read_text())
    return record["runs"] if record.get("config") == json.loads(json.dumps(CONFIG)) else {}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", type=int, nargs="*", default=list(CONFIG["lengths"]), help="source lengths S")
    ap.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS), help="seeds (default 0-4)")
    ap.add_argument("--fresh", action="store_true", help="ignore the runs stored in results.json")
    args = ap.parse_args(argv)
    full = sorted(args.lengths) == sorted(CONFIG["lengths"]) and sorted(args.seeds) == list(SEEDS)
    runs = {} if args.fresh or not full else _stored()
    todo = [(S, m, s) for S in args.lengths for m in MODELS for s in args.seeds if key(S, m, s) not in runs]
    start, cpu = time.perf_counter(), time.process_time()
    for k, (S, m, s) in enumerate(todo):
        print(f"[{k + 1}/{len(todo)}]", flush=True)
        runs[key(S, m, s)] = run(S, m, s, progress=True)
        if full:  # written after every run: an interrupted sweep resumes here
            record = dict(
                config=CONFIG,
                seeds=list(SEEDS),
                runs=runs,
                sweep_wall_seconds=round(time.perf_counter() - start, 1),
                sweep_cpu_seconds=round(sum(r["cpu_seconds"] for r in runs.values()), 1),
                versions=dict(python=platform.python_version(), numpy=np.__version__, lrnn=lrnn.__version__),
            )
            RESULTS.write_text(json.dumps(record, indent=1) + "\n")
    print(f"{'S':>3s}  {'model':>13s}  token accuracy (mean, min-max over seeds)")
    for S in args.lengths:
        for m in MODELS:
            acc = [runs[key(S, m, s)]["token_accuracy"] for s in args.seeds if key(S, m, s) in runs]
            print(f"{S:3d}  {m:>13s}  {np.mean(acc):.3f} ({min(acc):.3f}-{max(acc):.3f})")
    print(f"CPU time of this invocation: {time.process_time() - cpu:.0f} s")
    if full:
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
