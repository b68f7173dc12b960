"""Character-level language models on Tiny Shakespeare: the four cells of Chapter 9, trained with lrnn.

One command (from the repository root)::

    nice -n 19 python experiments/charlm/train.py             # everything; resumes where it stopped
    python experiments/charlm/train.py --run gru2 lstm2 --seeds 0   # a part of it
    python experiments/charlm/train.py --run small             # the small run the test re-runs

Each run trains one model by stateful truncated BPTT (:func:`lrnn.charlm.fit_text`), an epoch in
two halves along the streams (the state starts from zero at each half); after every half it scores
the whole validation split as one stream from a zero state
(:func:`lrnn.text.nats_per_char`) and writes, next to this file:

- ``checkpoints/<run>.npz`` (not committed): parameters, Adam's moments, the random generator's
  state and the curves so far; a run that finds one resumes after its last finished epoch and gives
  the same numbers as one that never stopped;
- ``results.json``: per run the configuration, seed, ``val_nll`` and ``val_bpc`` of the best epoch
  (chosen on validation), ``n_params``, ``updates``, ``wall_s``, ``cpu_s``, the learning curve
  per epoch (mean training loss, validation NLL, wall-clock and CPU seconds) and the first
  updates' losses; ``complete`` says whether the run has finished all its epochs; plus the
  baselines and the machine's load;
- ``<run>.npz`` for the committed seed of each kind: the best epoch's model, as a PyTorch state
  dict (``gru.npz``, ``lstm.npz``, ``tanh.npz``; the two-layer ``gru2.npz``, ``lstm2.npz`` with
  the keys ``_l0`` and ``_l1`` of ``num_layers=2``) or by field names (``lstm_pinholes.npz``).

The runs ``gru2`` and ``lstm2`` stack two layers of the GRU and of the LSTM at the one-layer
budget of their kind (:func:`lrnn.charlm.matched_size`), with the same recipe: depth at a fixed
number of parameters.

Every run is deterministic given its seed: ``numpy.random.default_rng([seed, 0])`` draws the
initial parameters, ``default_rng([seed, 1])`` every epoch's stream offset, and BLAS runs on
one thread (``OPENBLAS_NUM_THREADS=1``, set before numpy loads).
``tests/test_experiments_charlm.py`` re-runs the small run and the first updates of the GRU run.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one BLAS thread: deterministic, and the sweep stays on one core

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from lrnn.charlm import KINDS, SIZES, fit_text, init_model, load_model, matched_size, n_trainable, save_model  # noqa: E402
from lrnn.compose import Stack  # noqa: E402
from lrnn.optim import AdamState  # noqa: E402
from lrnn.text import Vocabulary, load_tiny_shakespeare, nats_per_char, split_text  # noqa: E402

HERE = Path(__file__).resolve().parent
CKPT = HERE / "checkpoints"
LN2 = float(np.log(2.0))

#: The runs: name -> configuration. "small" is the configuration the test re-runs in full.
RUNS = {
    "small": {"kind": "gru", "size": 64, "epochs": 0.5, "parts": 1, "batch_size": 32, "tbptt": 32, "val_chars": 20_000},
    "gru": {"kind": "gru", "size": SIZES["gru"], "epochs": 6},
    "lstm": {"kind": "lstm", "size": SIZES["lstm"], "epochs": 6},
    "tanh": {"kind": "tanh", "size": SIZES["tanh"], "epochs": 4},
    "lstm_pinholes": {"kind": "lstm_pinholes", "size": SIZES["lstm_pinholes"], "epochs": 4},
    # two stacked layers at the one-layer budget of their kind (lrnn.charlm.matched_size): depth at a fixed budget
    "gru2": {"kind": "gru", "size": matched_size("gru", 2), "layers": 2, "epochs": 6},
    "lstm2": {"kind": "lstm", "size": matched_size("lstm", 2), "layers": 2, "epochs": 6},
}
GROUPS = (
    ("small",),
    ("gru", "lstm"),
    ("tanh", "lstm_pinholes"),
    ("gru2", "lstm2"),
)  # trained side by side, half an epoch at a time
TRAINING = {
    "optimizer": "Adam",
    "lr": 0.003,
    "lr_decay_per_epoch": 0.75,
    "batch_size": 32,
    "tbptt": 64,
    "parts": 2,
    "clip_norm": 1.0,
    "forget_bias": 1.0,
    "readout_init": "W_y = 0, b_y = log of the training character frequencies (add-one)",
    "split": "nanoGPT: first 90% of characters train (1,003,854), the rest validation (111,540)",
    "metric": "mean cross-entropy of the next character, whole validation text as one stream from a zero state",
    "blas_threads": 1,
}
MODEL_FILES = (*KINDS, "gru2", "lstm2")  # the runs whose committed seed's model is written as <run>.npz
FIRST_LOSSES = 20  # the first updates' losses, stored for the reproduction test


def data():
    text = load_tiny_shakespeare()
    vocab = Vocabulary.from_text(text)
    return vocab, *split_text(vocab.encode(text))


def _config(name: str) -> dict:
    keys = ("lr", "lr_decay_per_epoch", "batch_size", "tbptt", "parts", "clip_norm")
    cfg = {**{k: TRAINING[k] for k in keys}, **RUNS[name]}
    return cfg


def _cell_arrays(cell, prefix: str = "cell") -> dict:
    """A cell's arrays by name (``cell.W_x``; a stack's layer ``k`` under ``cell.l{k}.``)."""
    if isinstance(cell, Stack):
        return {k: v for i, c in enumerate(cell.layers) for k, v in _cell_arrays(c, f"{prefix}.l{i}").items()}
    return {f"{prefix}.{k}": v for k, v in vars(cell).items() if v is not None}


def _cell_from(f, cell, prefix: str = "cell"):
    """The cell of the structure of ``cell`` with the arrays of ``f`` (written by :func:`_cell_arrays`)."""
    if isinstance(cell, Stack):
        return Stack(tuple(_cell_from(f, c, f"{prefix}.l{i}") for i, c in enumerate(cell.layers)))
    return type(cell)(**{k: f[f"{prefix}.{k}"] if f"{prefix}.{k}" in f.files else None for k in vars(cell)})


def _save_checkpoint(path: Path, model, opt_state: AdamState, rng, record: dict) -> None:
    cell, readout = model
    arrays = _cell_arrays(cell)
    arrays |= {"readout.W_y": readout.W_y, "readout.b_y": readout.b_y}
    arrays |= {f"adam.m.{i}": a for i, a in enumerate(opt_state.m)} | {
        f"adam.v.{i}": a for i, a in enumerate(opt_state.v)
    }
    meta = {"adam_t": opt_state.t, "rng": rng.bit_generator.state, "record": record}
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays, meta=np.array(json.dumps(meta)))
    tmp.replace(path)


def _load_checkpoint(path: Path, model, rng):
    with np.load(path) as f:
        meta = json.loads(str(f["meta"]))
        cell, readout = model
        cell = _cell_from(f, cell)
        readout = type(readout)(W_y=f["readout.W_y"], b_y=f["readout.b_y"])
        n = sum(k.startswith("adam.m.") for k in f.files)
        state = AdamState(t=meta["adam_t"], m=tuple(f[f"adam.m.{i}"] for i in range(n)),
                          v=tuple(f[f"adam.v.{i}"] for i in range(n)))  # fmt: skip
    rng.bit_generator.state = meta["rng"]
    return (cell, readout), state, meta["record"]


def run(name: str, seed: int = 0, *, epochs: float | None = None, until: float | None = None, progress: bool = True,
        resume: bool = True, on_epoch=None) -> dict:  # fmt: skip
    """Train run ``name`` with ``seed``; its record and best model.

    With ``epochs``, the first ``epochs`` only, from scratch and without checkpoints (what the test
    re-runs); otherwise all the run's epochs, resuming from its checkpoint, or (``until``) up to
    that many epochs, so that the sweep can take its runs an epoch at a time, side by side.
    """
    cfg = _config(name)
    kind, total = cfg["kind"], cfg["epochs"] if epochs is None else epochs
    stop = total if until is None else min(total, until)
    vocab, train, val = data()
    val = val[: cfg.get("val_chars", len(val))]
    model = init_model(kind, np.random.default_rng([seed, 0]), train, d_x=vocab.size, size=cfg["size"],
                       forget_bias=TRAINING["forget_bias"], layers=cfg.get("layers", 1))  # fmt: skip
    rng = np.random.default_rng([seed, 1])
    record = {"run": name, "kind": kind, "seed": seed, "config": cfg, "n_params": n_trainable(kind, model),
              "curve": {"epoch": [0], "train_nll": [None], "val_nll": [_untrained_nll(model, val)], "wall_s": [0.0],
                        "cpu_s": [0.0], "updates": [0]}, "first_losses": []}  # fmt: skip
    best, opt_state = model, None
    ckpt = CKPT / f"{name}-s{seed}.npz"
    if resume and ckpt.exists() and epochs is None:
        model, opt_state, record = _load_checkpoint(ckpt, model, rng)
        best = _best_from(ckpt)
    done = record["curve"]["epoch"][-1]
    P = cfg["parts"]  # an epoch is trained in P calls, each checkpointed and scored
    while done < stop - 1e-9:
        e = int(done + 1e-9)
        q = int(round((done - e) * P))
        share = min(1.0, (stop - done) * P)  # passes over the piece (less than one at a fractional end)
        offset = int(np.random.default_rng([seed, 2, e]).integers(cfg["tbptt"]))  # the epoch's stream offset
        lr = cfg["lr"] * cfg["lr_decay_per_epoch"] ** e
        fit = fit_text(
            kind,
            model,
            train,
            rng,
            epochs=share,
            batch_size=cfg["batch_size"],
            tbptt=cfg["tbptt"],
            lr=lr,
            clip_norm=cfg["clip_norm"],
            optimizer_state=opt_state,
            offset=offset,
            part=(q, P),
            progress=progress,
            desc=f"{name} s{seed} epoch {e + 1}/{int(np.ceil(total))} part {q + 1}/{P}",
        )
        model, opt_state = fit.model, fit.optimizer_state
        done = round(done + share / P, 6)
        c = record["curve"]
        if not record["first_losses"]:
            record["first_losses"] = [float(v) for v in fit.losses[:FIRST_LOSSES]]
        v = nats_per_char(model, val)
        c["epoch"].append(done)
        c["train_nll"].append(float(fit.losses.mean()))
        c["val_nll"].append(v)
        c["wall_s"].append(c["wall_s"][-1] + fit.seconds)
        c["cpu_s"].append(c["cpu_s"][-1] + fit.cpu_seconds)
        c["updates"].append(c["updates"][-1] + len(fit.losses))
        if v <= min(c["val_nll"]):
            best = model
        _summarise(record, total)
        if epochs is None:
            CKPT.mkdir(exist_ok=True)
            _save_checkpoint(ckpt, model, opt_state, rng, record)
            save_model(CKPT / f"{name}-s{seed}.best.npz", kind, best)
        if on_epoch is not None:
            on_epoch(record, best)
    return {**record, "model": best}


def first_updates(name: str, seed: int = 0, n: int = FIRST_LOSSES) -> list[float]:
    """The losses of run ``name``'s first ``n`` updates, re-run from scratch (the record's ``first_losses``)."""
    cfg = _config(name)
    vocab, train, _ = data()
    model = init_model(cfg["kind"], np.random.default_rng([seed, 0]), train, d_x=vocab.size, size=cfg["size"],
                       forget_bias=TRAINING["forget_bias"], layers=cfg.get("layers", 1))  # fmt: skip
    offset = int(np.random.default_rng([seed, 2, 0]).integers(cfg["tbptt"]))
    P, k1 = cfg["parts"], cfg["tbptt"]
    windows = -(-((len(train) - 1 - offset) // cfg["batch_size"] // P) // k1)
    fit = fit_text(cfg["kind"], model, train, np.random.default_rng([seed, 1]), epochs=n / windows,
                   batch_size=cfg["batch_size"], tbptt=k1, lr=cfg["lr"], clip_norm=cfg["clip_norm"], offset=offset,
                   part=(0, P), progress=False)  # fmt: skip
    return [float(v) for v in fit.losses[:n]]


def _untrained_nll(model, val) -> float:
    """The untrained model's score: with ``W_y = 0`` its prediction is ``softmax(b_y)`` whatever it reads."""
    readout = model[1]
    assert not readout.W_y.any()
    log_p = readout.b_y - np.log(np.exp(readout.b_y).sum())
    return float(-log_p[val[1:]].mean())


def _best_from(ckpt: Path):
    return load_model(ckpt.with_suffix(".best.npz"))[1]


def _summarise(record: dict, total) -> None:
    """The headline numbers of a record from its curve: the best epoch (on validation) and the cost so far."""
    c = record["curve"]
    k = int(np.argmin(c["val_nll"]))
    record.update(val_nll=c["val_nll"][k], val_bpc=c["val_nll"][k] / LN2, best_epoch=c["epoch"][k],
                  updates=c["updates"][k], updates_run=c["updates"][-1], epochs_run=c["epoch"][-1],
                  wall_s=c["wall_s"][-1], cpu_s=c["cpu_s"][-1], complete=c["epoch"][-1] >= total)  # fmt: skip


def _commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "lrnn"], cwd=HERE, capture_output=True, text=True)
        return sha + ("+uncommitted lrnn changes" if dirty.stdout.strip() else "")
    except OSError:
        return "unknown"


def write_results(records: dict, out: Path = HERE) -> None:
    """``results.json`` from the records so far (merged with what is there), the committed seed's model files."""
    path = out / "results.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    runs = {r["run"] + f"-s{r['seed']}": r for r in old.get("runs", [])}
    runs.update({k: {kk: vv for kk, vv in r.items() if kk != "model"} for k, r in records.items()})
    results = {}
    for name in RUNS:
        rs = [r for r in runs.values() if r["run"] == name]
        if rs:
            best = min(rs, key=lambda r: r["val_nll"])  # chosen on validation
            keys = ("kind", "seed", "val_nll", "val_bpc", "n_params", "updates", "best_epoch", "epochs_run", "wall_s",
                    "cpu_s", "complete")  # fmt: skip
            results[name] = {k: best[k] for k in keys}
            results[name]["size"] = best["config"]["size"]
            results[name]["layers"] = best["config"].get("layers", 1)
    results["training"] = TRAINING
    results["runs"] = sorted(runs.values(), key=lambda r: (list(RUNS).index(r["run"]), r["seed"]))
    results["load_average"] = old.get("load_average", []) + [[time.strftime("%Y-%m-%dT%H:%M:%S"), *os.getloadavg()]]
    results["commit"] = _commit()
    path.write_text(json.dumps(results, indent=1) + "\n")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--run", nargs="+", default=[n for n in RUNS], choices=list(RUNS))
    ap.add_argument("--seeds", nargs="+", type=int, default=[0])
    ap.add_argument("--fresh", action="store_true", help="ignore checkpoints and start every run again")
    args = ap.parse_args(argv)
    records = {}

    def land(record, best):  # after every epoch: results.json and the model file, so a stop loses little
        records[f"{record['run']}-s{record['seed']}"] = record
        write_results(records)
        if record["run"] in MODEL_FILES:
            chosen = json.loads((HERE / "results.json").read_text())[record["run"]]
            if chosen["seed"] == record["seed"]:
                save_model(HERE / f"{record['run']}.npz", record["kind"], best)
        last = record["curve"]["val_nll"][-1]
        print(f"{record['run']} s{record['seed']} epoch {record['epochs_run']}: val {last:.4f} "
              f"nats/char (best {record['val_nll']:.4f}), {record['cpu_s']:.0f} s CPU, {record['wall_s']:.0f} s wall",
              flush=True)  # fmt: skip

    for seed in args.seeds:  # the runs of a group an epoch at a time, in turn: a stopped sweep has all of them
        for group in GROUPS:
            names = [n for n in group if n in args.run]
            P = max(_config(n)["parts"] for n in names) if names else 1
            for r in range(1, int(np.ceil(max([RUNS[n]["epochs"] for n in names], default=0) * P)) + 1):
                for name in names:
                    run(name, seed, until=r / P, resume=not args.fresh or r > 1, on_epoch=land)


if __name__ == "__main__":
    main()
