"""Chapter 8's JSB models with a regulariser: dropout (Zaremba et al. 2014) or weight noise (Chung et al. 2014).

One command (from the repository root)::

    python experiments/jsb_regularised/train.py            # the whole sweep; resumable: run it again to go on
    python experiments/jsb_regularised/train.py --kinds tanh --seeds 0 --regularisers dropout=0.3   # a part

Every model of ``experiments/jsb`` overfits within a few dozen epochs. This sweep trains the
tanh RNN, the GRU and the LSTM at Chung's sizes with the chorales' recipe (the same configuration
but for a cap of 150 epochs, the same initial parameters and first epoch's order per seed,
:mod:`lrnn.experiments.music`) plus one regulariser of :func:`lrnn.music_models.fit_pieces`, three
seeds each: dropout at ``p = 0.3``, or weight noise at ``sd = 0.05`` or ``0.1``.

- ``dropout=p``: inverted dropout at rate ``p`` on the input-to-cell and cell-to-readout
  connections, never on the recurrent path (Zaremba, Sutskever and Vinyals 2014);
- ``weight_noise=sd``: Gaussian noise of standard deviation ``sd`` on every parameter for each
  mini-batch's forward and backward pass, the gradient applied to the clean parameters (Graves
  2011; Chung et al. 2014 train with weight noise).

Writes, next to this file, ``runs/<kind>-<regulariser>-<seed>.json`` (each finished run, with its
learning curves; a run in progress keeps its state in ``runs/<...>.ckpt`` after every epoch) and
``results.json``: per cell and regulariser, the test NLL (mean, sd, range over seeds), the best
epoch, the clean training NLL of the chosen model and its gap to validation, beside the
unregularised runs of ``experiments/jsb/results.json`` with the same seeds. The runs are
deterministic given the seed and one BLAS thread; ``tests/test_experiments_jsb_regularised.py``
re-runs the start of the cheapest one and checks its stored curve.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one BLAS thread per process: deterministic

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from lrnn.experiments import music  # noqa: E402
from lrnn.progress import ProgressBar  # noqa: E402

HERE = Path(__file__).resolve().parent
JSB = HERE.parent / "jsb"
#: The chorales' recipe (experiments/jsb/train.py, checked equal by the test) but for the epoch cap, 150 instead of
#: 250 (no unregularised run went past epoch 79; the cap keeps the sweep to about an hour on one core, and a run
#: it ends is marked in the results), plus the regularisers tried.
CONFIG = {
    "task": "next-frame prediction; frames 0..T-2 in, 1..T-1 predicted, zero initial state",
    "metric": "Bernoulli NLL summed over 88 keys, averaged over all predicted frames of a split (nats)",
    "optimizer": "Adam",
    "lr": 0.003,
    "batch_size": 8,
    "clip_norm": 1.0,
    "max_epochs": 150,
    "patience": 40,
    "bptt": "full sequence, padded batches with masks",
    "readout_init": "W_y = 0, b_y = logit of the training key frequencies (add-1/2 smoothing)",
    "forget_bias": 1.0,
    "blas_threads": 1,
    "kinds": ["tanh", "gru", "lstm"],
    "seeds": [0, 1, 2],
    "regularisers": ["dropout=0.3", "weight_noise=0.05", "weight_noise=0.1"],
    "dropout_on": "input-to-cell and cell-to-readout connections (inverted dropout, a fresh mask per step, "
    "sequence and unit); never the recurrent path",
    "weight_noise_on": "every parameter (biases too; the LSTM's zero pinholes excepted), fresh per mini-batch",
}


def parse(regulariser: str) -> tuple[str, float]:
    """``"dropout=0.3"`` -> ``("dropout", 0.3)``; a clear error for anything else."""
    name, _, value = regulariser.partition("=")
    try:
        number = float(value)
    except ValueError:
        number = None
    if name not in ("dropout", "weight_noise") or number is None:
        raise ValueError(
            f"regulariser = {regulariser!r}, expected 'dropout=<rate>' or 'weight_noise=<sd>', e.g. 'dropout=0.3'."
        )
    return name, number


def run(kind: str, regulariser: str, seed: int, *, max_epochs: int | None = None, checkpoint=None) -> dict:
    """Train one regularised model from scratch (:func:`lrnn.experiments.music.run` on the chorales)."""
    name, value = parse(regulariser)
    config = {**CONFIG, name: value}
    r = music.run("jsb_chorales", kind, seed, config, max_epochs=max_epochs, checkpoint=checkpoint)
    r.pop("model")
    return {"regulariser": regulariser, **r}


def reference(seeds) -> dict:
    """The unregularised runs of ``experiments/jsb`` with these seeds, per kind."""
    runs = json.loads((JSB / "results.json").read_text())["runs"]
    return {k: [r for r in runs if r["kind"] == k and r["seed"] in seeds] for k in CONFIG["kinds"]}


def summary(runs: list[dict]) -> dict:
    """Mean and spread over seeds of what a set of runs measured (test NLL, best epoch, train/valid gap)."""
    test = np.array([r["test_nll"] for r in runs])
    train, valid = np.array([r["train_nll"] for r in runs]), np.array([r["valid_nll"] for r in runs])
    return {
        "seeds": [r["seed"] for r in runs],
        "test_nll_mean": float(test.mean()),
        "test_nll_std": float(test.std(ddof=1)) if len(test) > 1 else 0.0,
        "test_nll_min": float(test.min()),
        "test_nll_max": float(test.max()),
        "valid_nll_mean": float(valid.mean()),
        "train_nll_mean": float(train.mean()),
        "gap_mean": float((valid - train).mean()),  # valid - clean train NLL of the chosen model
        "best_epoch_mean": float(np.mean([r["epochs"] for r in runs])),
        "best_epochs": [r["epochs"] for r in runs],
        "capped": sum(r["epochs_run"] == CONFIG["max_epochs"] for r in runs),
        "cpu_seconds_per_epoch_mean": float(np.mean([r["cpu_seconds_per_epoch"] for r in runs])),
    }


def commit() -> str:
    """The repository's commit, marked if the package had uncommitted changes."""
    try:
        git = ["git", "-C", str(HERE)]
        sha = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "../../lrnn"], capture_output=True, text=True)
        return sha + ("+uncommitted lrnn changes" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


NAMES = {"tanh": "tanh RNN", "gru": "GRU", "lstm": "LSTM"}
MARK = ("<!-- results: written by train.py -->", "<!-- end of results -->")


def table(results: dict) -> str:
    """The README's table: every cell of ``results.json``, means over its seeds."""
    rows = [
        "| cell | regulariser | seeds | best epoch | capped | train NLL | valid NLL | gap | test NLL, mean ± sd |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in CONFIG["kinds"]:
        for reg in ("none", *CONFIG["regularisers"]):
            c = results["cells"].get(f"{kind} {reg}")
            if c is None:
                continue
            name = reg.replace("_", " ").replace("=", " ")
            rows.append(
                f"| {NAMES[kind]} | {name} | {len(c['seeds'])} | {c['best_epoch_mean']:.0f} "
                f"| {c['capped']} "
                f"| {c['train_nll_mean']:.2f} | {c['valid_nll_mean']:.2f} | {c['gap_mean']:.2f} "
                f"| {c['test_nll_mean']:.3f} ± {c['test_nll_std']:.3f} |"
            )
    return "\n".join(rows)


def update_readme(results: dict) -> None:
    """Rewrite the README's table between its two markers (if the README has them)."""
    readme = HERE / "README.md"
    if not readme.is_file() or MARK[0] not in (text := readme.read_text()):
        return
    head, rest = text.split(MARK[0], 1)
    tail = rest.split(MARK[1], 1)[1]
    readme.write_text(f"{head}{MARK[0]}\n{table(results)}\n{MARK[1]}{tail}")


def write(runs: list[dict], sessions: list[dict]) -> dict:
    """``results.json`` from every finished run."""
    seeds = sorted({r["seed"] for r in runs})
    cells = {}
    for kind in CONFIG["kinds"]:
        for reg in CONFIG["regularisers"]:
            rs = sorted((r for r in runs if r["kind"] == kind and r["regulariser"] == reg), key=lambda r: r["seed"])
            if rs:
                cells[f"{kind} {reg}"] = {"kind": kind, "regulariser": reg, **summary(rs)}
        ref = sorted(reference(seeds)[kind], key=lambda r: r["seed"])
        if ref:
            cells[f"{kind} none"] = {"kind": kind, "regulariser": "none", **summary(ref)}
    results = {
        "dataset": "jsb_chorales",
        "cells": cells,
        "unregularised": "experiments/jsb/results.json, the runs with the same seeds (summarised under '<kind> none')",
        "config": CONFIG,
        "sweep": {
            "runs": len(runs),
            "wall_seconds": float(sum(s["wall_seconds"] for s in sessions)),
            "sessions": sessions,
            "cpu_seconds": float(sum(r["cpu_seconds"] for r in runs)),
            "cpu_count": os.cpu_count(),
        },
        "commit": commit(),
        "runs": sorted(runs, key=lambda r: (CONFIG["kinds"].index(r["kind"]), r["regulariser"], r["seed"])),
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    update_readme(results)
    return results


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kinds", nargs="+", default=CONFIG["kinds"], choices=CONFIG["kinds"])
    ap.add_argument("--seeds", nargs="+", type=int, default=CONFIG["seeds"])
    ap.add_argument("--regularisers", nargs="+", default=CONFIG["regularisers"], choices=CONFIG["regularisers"])
    args = ap.parse_args(argv)
    (HERE / "runs").mkdir(exist_ok=True)

    def finished() -> list[dict]:
        return [json.loads(p.read_text()) for p in sorted((HERE / "runs").glob("*.json"))]

    previous = HERE / "results.json"
    sessions = json.loads(previous.read_text())["sweep"]["sessions"] if previous.is_file() else []
    t0, started = time.perf_counter(), time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    done = {(r["kind"], r["regulariser"], r["seed"]) for r in finished()}
    # seed by seed, so that a sweep stopped early has the same seeds for every cell
    jobs = [(k, g, s) for s in args.seeds for g in args.regularisers for k in args.kinds if (k, g, s) not in done]
    print(f"JSB regularised: {len(done)} runs done, {len(jobs)} to go", flush=True)
    bar = ProgressBar(max(1, len(jobs)), "JSB regularised", unit="run")
    results = write(finished(), sessions)
    for n, (kind, reg, seed) in enumerate(jobs, 1):
        name = f"{kind}-{reg}-{seed}"
        r = run(kind, reg, seed, checkpoint=HERE / "runs" / f"{name}.ckpt")
        (HERE / "runs" / f"{name}.json").write_text(json.dumps(r, indent=1) + "\n")
        now = {"started": started, "wall_seconds": time.perf_counter() - t0, "workers": 1, "runs": n}
        results = write(finished(), [*sessions, now])
        bar.update(run=name, test=round(r["test_nll"], 3))
        print(f"\n{name:28s} test {r['test_nll']:.3f} valid {r['valid_nll']:.3f} train {r['train_nll']:.3f} "
              f"best epoch {r['epochs']:3d}/{r['epochs_run']:3d}, {r['cpu_seconds_per_epoch']:.2f} s CPU/epoch",
              flush=True)  # fmt: skip
    bar.close()
    for key, c in results["cells"].items():
        print(f"{key:24s} test {c['test_nll_mean']:.3f} +- {c['test_nll_std']:.3f}  best epoch "
              f"{c['best_epoch_mean']:5.1f}  gap {c['gap_mean']:.3f}  seeds {c['seeds']}")  # fmt: skip
    return results


if __name__ == "__main__":
    main()
