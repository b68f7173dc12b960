"""Chung et al. (2014) on the JSB Chorales with lrnn: every model, every seed, from scratch.

One command (from the repository root)::

    python experiments/jsb/train.py            # the whole sweep: 5 kinds x 3 seeds, 2 worker processes
    python experiments/jsb/train.py --workers 1 --kinds gru --seeds 0   # a part of it

Writes, next to this file:

- ``results.json``: per kind, the committed model's numbers (``test_nll``, ``valid_nll``,
  ``params``, ``epochs``, ``seconds``, ``seed``), the mean and spread over seeds, every run with its
  learning curves (per epoch: train and valid NLL, wall-clock and CPU seconds), the baselines, the
  configuration, the machine's load and the commit;
- ``tanh.npz``, ``gru.npz``, ``lstm.npz`` (``nn.RNN``/``nn.GRU``/``nn.LSTM`` state dicts plus
  ``readout.weight``/``readout.bias``) and ``lstm_pinholes.npz``, ``augmented.npz`` (field names):
  for each kind the run with the lowest *validation* NLL (the test split is never used to choose).

Each run is deterministic given its seed: one ``numpy.random.default_rng(seed)`` draws the
initial parameters and then every epoch's order, and BLAS runs on one thread
(``OPENBLAS_NUM_THREADS=1``, set before numpy loads), so a run gives the same numbers in any
worker. ``tests/test_experiments_jsb.py`` re-runs the start of one run and checks the stored curve.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one BLAS thread per process: deterministic, and the pool uses the cores

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from lrnn.music import SPLITS, key_frequencies, key_markov_nll, load_jsb_chorales, split_nll  # noqa: E402
from lrnn.music_models import KINDS, SIZES, fit_pieces, init_model, n_trainable, save_model  # noqa: E402
from lrnn.progress import ProgressBar  # noqa: E402

HERE = Path(__file__).resolve().parent
CONFIG = {
    "task": "next-frame prediction; frames 0..T-2 in, 1..T-1 predicted, zero initial state",
    "metric": "Bernoulli NLL summed over 88 keys, averaged over all predicted frames of a split (nats)",
    "sizes": SIZES,
    "optimizer": "Adam",
    "lr": 0.003,
    "batch_size": 8,
    "clip_norm": 1.0,
    "max_epochs": 250,
    "patience": 40,
    "bptt": "full sequence, padded batches with masks",
    "readout_init": "W_y = 0, b_y = logit of the training key frequencies (add-1/2 smoothing)",
    "forget_bias": 1.0,
    "seeds": [0, 1, 2],
    "blas_threads": 1,
}
CHUNG = {"gru": 8.54, "lstm": 8.67, "tanh": "9.1-9.2 (sources quoting Chung et al. Table 2 disagree on the digit)"}


def run(kind: str, seed: int, *, max_epochs: int | None = None, progress: bool = False) -> dict:
    """Train one model from scratch; return its numbers, curves and the trained model."""
    data = load_jsb_chorales()
    rng = np.random.default_rng(seed)
    model = init_model(kind, rng, data["train"], forget_bias=CONFIG["forget_bias"])
    fit = fit_pieces(
        kind, model, data["train"], data["valid"], rng,
        epochs=max_epochs or CONFIG["max_epochs"], batch_size=CONFIG["batch_size"], lr=CONFIG["lr"],
        clip_norm=CONFIG["clip_norm"], patience=CONFIG["patience"], progress=progress, desc=f"{kind} seed {seed}",
    )  # fmt: skip
    return {
        "kind": kind,
        "seed": seed,
        "test_nll": split_nll(fit.model, data["test"]),
        "valid_nll": fit.valid_nll,
        "train_nll": split_nll(fit.model, data["train"]),
        "params": n_trainable(kind, fit.model),
        "epochs": fit.best_epoch,
        "epochs_run": int(fit.epoch[-1]),
        "stopped_early": fit.stopped_early,
        "seconds": float(fit.seconds[-1]),
        "cpu_seconds": float(fit.cpu_seconds[-1]),
        "seconds_per_epoch": float(fit.seconds[-1] / max(1, fit.epoch[-1])),
        "cpu_seconds_per_epoch": float(fit.cpu_seconds[-1] / max(1, fit.epoch[-1])),
        "curve": {
            "epoch": fit.epoch.tolist(),
            "train_nll": fit.train_nll.tolist(),
            "valid_nll": fit.valid_curve.tolist(),
            "seconds": fit.seconds.tolist(),
            "cpu_seconds": fit.cpu_seconds.tolist(),
        },
        "model": fit.model,
    }


def baselines() -> dict:
    """The independent-keys and per-key Markov baselines, in the metric's units, on each split."""
    from lrnn.music import frequency_baseline
    from lrnn.rnn import RNNParams

    data = load_jsb_chorales()
    freq = (RNNParams.zeros(88, 1), frequency_baseline(data["train"]))
    return {
        "independent_keys": {s: split_nll(freq, data[s]) for s in SPLITS},
        "key_markov": {s: key_markov_nll(data["train"], data[s]) for s in SPLITS},
        "uniform": 88 * float(np.log(2)),
        "mean_keys_per_frame": float(key_frequencies(data["train"]).sum()),
    }


def _commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "lrnn"], cwd=HERE, capture_output=True, text=True)
        return sha + ("+uncommitted lrnn changes" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def _order(r: dict):
    return KINDS.index(r["kind"]), r["seed"]


def _summary(runs: list[dict]) -> dict:
    out = {}
    for kind in KINDS:
        rs = sorted((r for r in runs if r["kind"] == kind), key=lambda r: r["seed"])
        if not rs:
            continue
        best = min(rs, key=lambda r: r["valid_nll"])  # chosen on validation only
        test = np.array([r["test_nll"] for r in rs])
        out[kind] = {
            **{k: best[k] for k in ("test_nll", "valid_nll", "train_nll", "params", "epochs", "seconds", "seed")},
            "size": SIZES[kind],
            "test_nll_mean": float(test.mean()),
            "test_nll_std": float(test.std(ddof=1)) if len(test) > 1 else 0.0,
            "test_nll_min": float(test.min()),
            "test_nll_max": float(test.max()),
            "valid_nll_mean": float(np.mean([r["valid_nll"] for r in rs])),
            "epochs_mean": float(np.mean([r["epochs"] for r in rs])),
            "cpu_seconds_per_epoch_mean": float(np.mean([r["cpu_seconds_per_epoch"] for r in rs])),
            "seconds_per_epoch_mean": float(np.mean([r["seconds_per_epoch"] for r in rs])),
            "chung_2014_test_nll": CHUNG.get(kind),
        }
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    ap.add_argument("--seeds", nargs="+", type=int, default=CONFIG["seeds"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    slow_first = ("augmented", "lstm", "lstm_pinholes", "gru", "tanh")  # the pool then finishes together
    jobs = [(k, s) for s in args.seeds for k in slow_first if k in args.kinds]
    load0, t0 = os.getloadavg(), time.perf_counter()
    runs, loads = [], []
    bar = ProgressBar(len(jobs), "JSB sweep", unit="run")
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = {pool.submit(run, k, s): (k, s) for k, s in jobs}
        for fut in as_completed(futures):
            r = fut.result()
            runs.append(r)
            loads.append(os.getloadavg()[0])
            bar.update(run=f"{r['kind']}/{r['seed']}", test=round(r["test_nll"], 3))
            print(f"\n{r['kind']:14s} seed {r['seed']}: test {r['test_nll']:.3f} valid {r['valid_nll']:.3f} "
                  f"best epoch {r['epochs']:3d}/{r['epochs_run']:3d}  {r['seconds']:6.0f} s wall, "
                  f"{r['cpu_seconds_per_epoch']:.2f} s CPU/epoch", flush=True)  # fmt: skip
    bar.close()
    total = time.perf_counter() - t0
    summary = _summary(runs)
    args.out.mkdir(parents=True, exist_ok=True)
    for kind, s in summary.items():
        best = next(r for r in runs if r["kind"] == kind and r["seed"] == s["seed"])
        save_model(args.out / f"{kind}.npz", kind, best["model"])
    results = {
        **summary,
        "baselines": baselines(),
        "chung_2014": CHUNG,
        "config": CONFIG,
        "sweep": {
            "wall_seconds": total,
            "cpu_seconds": float(sum(r["cpu_seconds"] for r in runs)),
            "workers": args.workers,
            "cpu_count": os.cpu_count(),
            "load_average_before": list(load0),
            "load_average_after": list(os.getloadavg()),
            "load_average_1min_at_each_finish": loads,
        },
        "commit": _commit(),
        "runs": [{k: v for k, v in r.items() if k != "model"} for r in sorted(runs, key=_order)],
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    cpu = results["sweep"]["cpu_seconds"]
    print(f"\nsweep: {len(runs)} runs in {total / 60:.1f} min wall ({cpu / 60:.1f} min CPU)")
    for kind, s in summary.items():
        print(f"{kind:14s} test {s['test_nll_mean']:.3f} +- {s['test_nll_std']:.3f} (committed seed {s['seed']}: "
              f"{s['test_nll']:.3f}), {s['params']} params")  # fmt: skip


if __name__ == "__main__":
    main()
