"""Open the trained networks: re-train chosen runs of the memory sweep and keep their weights.

The sweep (``sweep.py``) stores learning curves, not weights. Chapter 7 opens three of its
adding-problem networks to see whether training found the memory cell that Chapter 4 built by
hand (write at the marker, hold, read at the end): a Vanilla LSTM and a GRU that succeeded at
lag 100, and the Vanilla LSTM seed that failed at lag 200. Each is re-trained here from its sweep configuration and seed
(``sweep.train``), which is deterministic, so the re-trained run must reproduce its stored
record (final and best validation loss, the whole validation curve) to 1e-9 relative; the
script stops with an error if it does not.

One command (resumable: models already stored from the same training code, ``lrnn/``,
``sweep.py`` and ``models.py``, are skipped)::

    python experiments/memory/gates.py            # the models of MODELS
    python experiments/memory/gates.py --force    # re-train them all

Writes ``results/gates.npz`` (the trained parameters, float64, keys ``<id>/<field>`` for the
cell's fields and ``<id>/readout.W_y``, ``<id>/readout.b_y``) and ``results/gates.json`` (per
model: its configuration id, the cell, the stored and the re-trained final validation loss, the
CPU and wall time, the code it ran). BLAS runs single-threaded, as in the sweep.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy, as in sweep.py: the runs must match the sweep's bit for bit

import argparse  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import lrnn  # noqa: E402
from lrnn.experiments import sweep as runner  # noqa: E402
from lrnn.losses import Readout  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
sweep = runner.load_module("memory_sweep", HERE / "sweep.py")
CODE = (*sweep.CODE, "experiments/memory/gates.py")  # the code a stored model names (the first three train it)

#: The models Chapter 7 opens: a name for the chapter, and the sweep configuration it re-trains.
#: Seed 0 is taken for the successes (chosen before looking at gates); seed 2 is the lag-200 failure.
MODELS = {
    "lstm_100": "lstm-adding-100-forget_bias1.0-s0",
    "gru_100": "gru-adding-100-s0",
    "lstm_200_failed": "lstm-adding-200-forget_bias1.0-s2",
}
CLASSES = {"lstm": lrnn.LSTMParams, "gru": lrnn.GRUParams}
RTOL = 1e-9  # the re-trained run against its stored record


def reproduces(fresh: dict, stored: dict, rtol: float = RTOL) -> str | None:
    """None when the re-trained record ``fresh`` matches the sweep's ``stored`` record, else what differs."""
    for key in ("val_loss", "train_loss"):
        if not np.allclose(fresh[key], stored[key], rtol=rtol, atol=0):
            return f"{key}: re-trained {fresh[key][-1]!r}, stored {stored[key][-1]!r}"
    for key in ("success", "steps_to_success", "steps_run"):
        if fresh[key] != stored[key]:
            return f"{key}: re-trained {fresh[key]!r}, stored {stored[key]!r}"
    return None


def save(path: Path, models: dict) -> None:
    """Write ``{id: (cell, Readout)}`` to one ``.npz`` file (keys ``<id>/<field>``)."""
    arrays = {}
    for run_id, (cell, readout) in models.items():
        arrays.update({f"{run_id}/{k}": v for k, v in cell.arrays().items()})
        arrays[f"{run_id}/readout.W_y"], arrays[f"{run_id}/readout.b_y"] = readout.W_y, readout.b_y
    np.savez(path, **arrays)


def load(path: Path, run_id: str, cell: str):
    """``(cell parameters, Readout)`` of the run ``run_id`` (a ``"lstm"`` or ``"gru"`` ``cell``) from ``path``.

    Raises
    ------
    KeyError
        ``run_id`` is not stored in the file; the message lists what is.
    """
    with np.load(path) as f:
        fields = {k.split("/", 1)[1]: f[k] for k in f.files if k.split("/", 1)[0] == run_id}
        if not fields:
            stored = sorted({k.split("/", 1)[0] for k in f.files})
            raise KeyError(f"run_id = {run_id!r} is not in {path}; it holds {stored}. Run gates.py to add it.")
    readout = Readout(W_y=fields.pop("readout.W_y"), b_y=fields.pop("readout.b_y"))
    return CLASSES[cell](**fields), readout


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="re-train every model, also those stored from this code")
    args = ap.parse_args(argv)
    from tqdm.auto import tqdm

    configs = {c["id"]: c for c in sweep.configurations()}
    stored = {r["id"]: r for r in json.loads((RESULTS / "runs.json").read_text())["runs"]}
    code = runner.code_version(HERE.parents[1], CODE)
    if code["dirty"]:
        raise SystemExit("gates.py needs committed code: lrnn/ or experiments/memory/ has uncommitted changes")
    meta_path, npz_path = RESULTS / "gates.json", RESULTS / "gates.npz"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {"models": {}}
    models = {}
    meta["models"] = {name: m for name, m in meta["models"].items() if name in MODELS}
    if npz_path.exists():
        for m in meta["models"].values():
            models[m["id"]] = load(npz_path, m["id"], m["cell"])
    trained_by = code["code"].rsplit("/", 1)[0]  # lrnn/, sweep.py and models.py: what the weights depend on
    todo = [
        name
        for name in MODELS
        if args.force or meta["models"].get(name, {}).get("code", "").rsplit("/", 1)[0] != trained_by
    ]
    for name in tqdm(todo, desc="gates: re-train", unit="model"):
        cfg = configs[MODELS[name]]
        record, params = sweep.train(cfg)
        diff = reproduces(record, stored[cfg["id"]])
        if diff is not None:
            raise SystemExit(f"{cfg['id']} did not reproduce its stored record: {diff}")
        models[cfg["id"]] = params
        meta["models"][name] = dict(
            id=cfg["id"],
            cell=cfg["cell"],
            lag=cfg["lag"],
            seed=cfg["seed"],
            stored_final_loss=stored[cfg["id"]]["final_loss"],
            final_loss=record["final_loss"],
            success=record["success"],
            cpu_seconds=record["cpu_seconds"],
            wall_seconds=record["wall_seconds"],
            **code,
        )
        models = {m["id"]: models[m["id"]] for m in meta["models"].values()}
        save(npz_path, models)
        meta_path.write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{len(todo)} models re-trained; {len(meta['models'])} in {npz_path}")


if __name__ == "__main__":
    main()
