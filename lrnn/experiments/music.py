"""The polyphonic-music sweeps of Chapter 8: Chung et al.'s four data sets, one resumable recipe.

Not in Sherstinsky's paper. Chung et al. (2014) compared tanh, GRU and LSTM units on four
piano-roll data sets (:data:`lrnn.music.DATASETS`); each has a folder ``experiments/<name>/``
(``jsb``, ``nottingham``, ``musedata``, ``piano_midi``) whose ``train.py`` states its
configuration and calls :func:`main`. A run trains one model of :mod:`lrnn.music_models` from
scratch (:func:`run`): Adam, gradient-norm clipping, full BPTT over whole pieces, early stopping on
the validation NLL; the test split is scored once, on the model validation chose.

The sweep is resumable: every finished run is written at once, as ``runs/<kind>-<seed>.json``
(numbers and learning curves), and ``results.json`` and the best model of each kind
(``<kind>.npz``, chosen on validation) are rewritten from all finished runs; started again, the
sweep skips the runs it has. A run in progress keeps its state in ``runs/<kind>-<seed>.ckpt``
after every epoch (:func:`lrnn.music_models.fit_pieces`), so a run killed midway goes on from its
last finished epoch. Each run is deterministic given its seed and one BLAS thread, so a resumed
sweep gives what an uninterrupted one would.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np

from ..music import DATASETS, SPLITS, frequency_baseline, key_frequencies, key_markov_nll, load_poly_music, split_nll
from ..music_models import KINDS, SIZES, fit_pieces, init_model, n_trainable, save_model

__all__ = ["LONG_PIECES", "run", "baselines", "summarise", "cost", "main"]

#: The configuration of the three sets of long pieces (Nottingham, MuseData, Piano-midi.de): the
#: chorales' recipe with batches from length-sorted pools; each script adds its epoch cap and patience.
LONG_PIECES = {
    "kinds": ["tanh", "gru", "lstm"],
    "optimizer": "Adam",
    "lr": 0.003,
    "batch_size": 8,
    "bucket": 64,
    "clip_norm": 1.0,
    "bptt": "full sequence, padded batches with masks",
    "readout_init": "W_y = 0, b_y = logit of the training key frequencies (add-1/2 smoothing)",
    "forget_bias": 1.0,
    "seeds": [0, 1, 2],
    "blas_threads": 1,
}


def run(dataset: str, kind: str, seed: int, config: dict, *, max_epochs: int | None = None,
        progress: bool = False, checkpoint=None) -> dict:  # fmt: skip
    """Train one model from scratch; return its numbers, learning curves and the trained model.

    Parameters
    ----------
    dataset : str
        A key of :data:`lrnn.music.DATASETS`.
    kind : str
        A kind of :data:`lrnn.music_models.KINDS`.
    seed : int
        Seeds the one generator that draws the initial parameters and every epoch's order.
    config : dict
        ``lr``, ``batch_size``, ``clip_norm``, ``max_epochs``, ``patience``, ``forget_bias`` and
        optionally ``bucket``, ``dropout`` and ``weight_noise`` (:func:`lrnn.music_models.fit_pieces`).
    max_epochs : int, optional
        Fewer epochs than the configuration's (to reproduce the start of a stored run).
    checkpoint : str or Path, optional
        A file for the run's state after every epoch; a run started again goes on from it.

    Returns
    -------
    dict
        ``kind``, ``seed``, ``test_nll``, ``valid_nll``, ``train_nll``, ``params``, ``epochs`` (the
        best epoch), ``epochs_run``, ``stopped_early``, wall and CPU seconds, ``curve`` (per epoch:
        train and valid NLL, wall and CPU seconds) and ``model``.
    """
    data = load_poly_music(dataset)
    rng = np.random.default_rng(seed)
    model = init_model(kind, rng, data["train"], forget_bias=config["forget_bias"])
    fit = fit_pieces(
        kind, model, data["train"], data["valid"], rng,
        epochs=max_epochs or config["max_epochs"], batch_size=config["batch_size"], lr=config["lr"],
        clip_norm=config["clip_norm"], patience=config["patience"], bucket=config.get("bucket"),
        progress=progress, desc=f"{dataset} {kind} seed {seed}", checkpoint=checkpoint,
        dropout=config.get("dropout", 0.0), weight_noise=config.get("weight_noise", 0.0),
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


def baselines(dataset: str) -> dict:
    """The independent-keys and per-key Markov baselines, in the metric's units, on each split."""
    from ..rnn import RNNParams

    data = load_poly_music(dataset)
    freq = (RNNParams.zeros(88, 1), frequency_baseline(data["train"]))
    return {
        "independent_keys": {s: split_nll(freq, data[s]) for s in SPLITS},
        "key_markov": {s: key_markov_nll(data["train"], data[s]) for s in SPLITS},
        "uniform": 88 * float(np.log(2)),
        "mean_keys_per_frame": float(key_frequencies(data["train"]).sum()),
    }


def summarise(runs: list[dict], published: dict | None = None) -> dict:
    """Per kind: the numbers of the run with the lowest validation NLL, and mean and spread over seeds.

    Parameters
    ----------
    runs : list of dict
        Records of :func:`run` (with or without ``model``).
    published : dict, optional
        Published test NLL per kind, copied into the summary as ``chung_2014_test_nll``.
    """
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
            "seeds": [r["seed"] for r in rs],
            "test_nll_mean": float(test.mean()),
            "test_nll_std": float(test.std(ddof=1)) if len(test) > 1 else 0.0,
            "test_nll_min": float(test.min()),
            "test_nll_max": float(test.max()),
            "valid_nll_mean": float(np.mean([r["valid_nll"] for r in rs])),
            "epochs_mean": float(np.mean([r["epochs"] for r in rs])),
            "cpu_seconds_per_epoch_mean": float(np.mean([r["cpu_seconds_per_epoch"] for r in rs])),
            "seconds_per_epoch_mean": float(np.mean([r["seconds_per_epoch"] for r in rs])),
            "chung_2014_test_nll": (published or {}).get(kind),
        }
    return out


def _commit(here: Path) -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "lrnn"], cwd=here, capture_output=True, text=True)
        return sha + ("+uncommitted lrnn changes" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def _write(out: Path, dataset: str, config: dict, published: dict, runs: list[dict], sessions: list[dict]) -> dict:
    """``results.json`` from every finished run in ``out/runs`` and the sessions of the sweep so far."""
    summary = summarise(runs, published)
    results = {
        "dataset": dataset,
        **summary,
        "baselines": baselines(dataset),
        "chung_2014": published,
        "config": config,
        "sweep": {
            "runs": len(runs),
            "wall_seconds": float(sum(x["wall_seconds"] for x in sessions)),  # elapsed, over all sessions
            "sessions": sessions,  # each invocation of the script: start (UTC), elapsed seconds, workers, runs
            "cpu_seconds": float(sum(r["cpu_seconds"] for r in runs)),
            "cpu_count": os.cpu_count(),
            "load_average_1min_at_each_finish": [r["load_average_1min"] for r in runs],
        },
        "commit": _commit(out),
        "runs": sorted(runs, key=lambda r: (KINDS.index(r["kind"]), r["seed"])),
    }
    (out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    return results


def cost(dataset: str, config: dict, kinds, out: Path) -> dict:
    """The cost of the sweep, measured before it runs: one epoch of each kind, and one validation pass.

    Writes ``out/cost.json``: per kind, the CPU seconds of one training epoch (seed 0, the sweep's
    batches) and of one pass over the validation split, with the number of parameters.
    """
    data = load_poly_music(dataset)
    res = {"dataset": dataset, "config": config, "cpu_count": os.cpu_count(), "load_average": os.getloadavg()[0]}
    for kind in kinds:
        rng = np.random.default_rng(0)
        model = init_model(kind, rng, data["train"], forget_bias=config["forget_bias"])
        t = time.process_time()
        split_nll(model, data["valid"])
        valid = time.process_time() - t
        fit = fit_pieces(kind, model, data["train"], data["valid"], rng, epochs=1, batch_size=config["batch_size"],
                         lr=config["lr"], clip_norm=config["clip_norm"], patience=None, bucket=config.get("bucket"),
                         progress=False)  # fmt: skip
        epoch = float(np.diff(fit.cpu_seconds)[0]) - valid  # the curve's clock includes the validation pass
        res[kind] = {"params": n_trainable(kind, fit.model), "epoch_cpu_seconds": epoch, "valid_cpu_seconds": valid}
        print(f"{dataset} {kind:5s}: one epoch {epoch:6.1f} s CPU, validation {valid:5.1f} s", flush=True)
    (out / "cost.json").write_text(json.dumps(res, indent=1) + "\n")
    return res


def main(dataset: str, config: dict, published: dict, here: Path, argv=None) -> dict:
    """The sweep of one data set: every kind x seed of ``config`` not yet in ``here/runs``; resumable.

    Command-line options: ``--kinds`` and ``--seeds`` (a part of the sweep), ``--workers`` (worker
    processes, one BLAS thread each; set ``OPENBLAS_NUM_THREADS=1`` before numpy loads, as the
    scripts do), ``--out`` (another folder).

    Returns
    -------
    dict
        The contents of ``results.json``.
    """
    import argparse
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from ..progress import ProgressBar

    ap = argparse.ArgumentParser(description=f"Chung et al. (2014) on {DATASETS[dataset]['title']} with lrnn")
    ap.add_argument("--kinds", nargs="+", default=list(config["kinds"]), choices=KINDS)
    ap.add_argument("--seeds", nargs="+", type=int, default=config["seeds"])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--out", type=Path, default=here)
    ap.add_argument("--cost", action="store_true", help="time one epoch of each kind (seed 0) into cost.json, no sweep")
    args = ap.parse_args(argv)
    if args.cost:
        return cost(dataset, config, args.kinds, args.out)
    (args.out / "runs").mkdir(parents=True, exist_ok=True)

    def finished() -> list[dict]:
        return [json.loads(p.read_text()) for p in sorted((args.out / "runs").glob("*.json"))]

    previous = args.out / "results.json"
    sessions = json.loads(previous.read_text())["sweep"].get("sessions", []) if previous.is_file() else []
    t0, started = time.perf_counter(), time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())

    def session(n_runs: int) -> list[dict]:
        now = {"started": started, "wall_seconds": time.perf_counter() - t0, "workers": args.workers, "runs": n_runs}
        return [*sessions, now]

    done = {(r["kind"], r["seed"]) for r in finished()}
    slow_first = ("augmented", "lstm", "lstm_pinholes", "gru", "tanh")
    jobs = [(k, s) for s in args.seeds for k in slow_first if k in args.kinds and (k, s) not in done]
    print(f"{DATASETS[dataset]['title']}: {len(done)} runs done, {len(jobs)} to go", flush=True)
    results = None if jobs else _write(args.out, dataset, config, published, finished(), sessions)
    bar = ProgressBar(max(1, len(jobs)), DATASETS[dataset]["title"], unit="run")
    n_done = 0
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = {
            pool.submit(run, dataset, k, s, config, checkpoint=args.out / "runs" / f"{k}-{s}.ckpt"): (k, s)
            for k, s in jobs
        }
        for fut in as_completed(futures):
            r = fut.result()
            model = r.pop("model")
            r["load_average_1min"] = os.getloadavg()[0]
            runs = [x for x in finished() if x["kind"] == r["kind"]]
            if all(r["valid_nll"] < x["valid_nll"] for x in runs):  # the best of its kind so far
                save_model(args.out / f"{r['kind']}.npz", r["kind"], model)
            (args.out / "runs" / f"{r['kind']}-{r['seed']}.json").write_text(json.dumps(r, indent=1) + "\n")
            n_done += 1
            results = _write(args.out, dataset, config, published, finished(), session(n_done))
            bar.update(run=f"{r['kind']}/{r['seed']}", test=round(r["test_nll"], 3))
            print(f"\n{r['kind']:14s} seed {r['seed']}: test {r['test_nll']:.3f} valid {r['valid_nll']:.3f} "
                  f"best epoch {r['epochs']:3d}/{r['epochs_run']:3d}  {r['seconds']:6.0f} s wall, "
                  f"{r['cpu_seconds_per_epoch']:.2f} s CPU/epoch", flush=True)  # fmt: skip
    bar.close()
    for kind in args.kinds:
        if kind in results:
            s = results[kind]
            print(f"{kind:14s} test {s['test_nll_mean']:.3f} +- {s['test_nll_std']:.3f} over seeds {s['seeds']} "
                  f"(committed seed {s['seed']}: {s['test_nll']:.3f}), {s['params']} params")  # fmt: skip
    return results
