"""The committed results of the two memory sweeps can never drift from the code that produced them.

For ``experiments/memory`` (Chapter 7) and ``experiments/long_memory`` (Chapter 11) alike: the
smallest configuration is re-run from scratch in a fresh process (BLAS single-threaded, as the
sweeps run) and must reproduce its stored record to 1e-9, and the stored records must be
consistent with themselves. What only one sweep stores is tested in ``test_experiments_<name>.py``.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lrnn.experiments.sweep import write_results
from lrnn.tasks import MEMORY_TASKS

ROOT = Path(__file__).resolve().parents[1]
COST = {"lru": 1.0, "gru": 1.0, "lstm": 1.5, "selective": 3.0}  # long_memory: CPU time per update and step, roughly


def smallest(name, sweep, stored_ids):
    """The cheapest stored configuration: for long_memory, a linear cell's, so that the scan is in the loop."""
    if name == "memory":
        return min(sweep.configurations(), key=sweep._cost)
    return min(
        (c for c in sweep.configurations() if c["id"] in stored_ids and c["cell"] in sweep.models.LINEAR),
        key=lambda c: COST[c["cell"]] * c["lag"] * c["steps"],
    )


@pytest.fixture(scope="module", params=("memory", "long_memory"))
def experiment(request, sweeps):
    """``(name, sweep script, meta, {id: record})`` of one sweep's committed results."""
    name = request.param
    data = json.loads((ROOT / "experiments" / name / "results" / "runs.json").read_text())
    return name, sweeps[name], data["meta"], {r["id"]: r for r in data["runs"]}


def test_the_smallest_run_reproduces_from_scratch(experiment):
    name, sweep, _, runs = experiment
    cfg = smallest(name, sweep, set(runs))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, str(ROOT / "experiments" / name / "sweep.py"), "--reproduce", cfg["id"]],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True, timeout=900,
    )  # fmt: skip
    fresh, old = json.loads(out.stdout), runs[cfg["id"]]
    for key in ("val_loss", "train_loss", "grad_norm_mean", "grad_norm_max"):
        np.testing.assert_allclose(fresh[key], old[key], rtol=1e-9, atol=0, err_msg=key)
    for key in ("final_loss", "best_loss", "baseline", "threshold"):
        assert fresh[key] == pytest.approx(old[key], rel=1e-9, abs=0), key
    for key in ("success", "steps_to_success", "diverged", "steps_run", "n_params", "val_steps"):
        assert fresh[key] == old[key], key


def test_records_are_consistent(experiment):
    _, sweep, meta, runs = experiment
    assert meta["defaults"] == sweep.DEFAULTS
    for sw in meta["sweeps"]:
        assert sw["commit"] and not sw["dirty"], "each sweep ran on a committed state of the code"
        assert sw["wall_seconds"] > 0 and len(sw["load_average_before"]) == 3
        assert isinstance(sw.get("resume", False), bool)
    codes = {sw["code"] for sw in meta["sweeps"] if sw.get("code")}
    for r in runs.values():
        # tree hashes of lrnn/, sweep.py and models.py when the run started: one of the sweeps' code
        assert re.fullmatch(r"[0-9a-f]{12}/[0-9a-f]{12}/[0-9a-f]{12}", r["code"]), r["id"]
        assert r["code"] in codes, r["id"]
        task = MEMORY_TASKS[r["task"]]
        assert r["baseline"] == pytest.approx(task.baseline(r["lag"]))
        assert r["final_loss"] == r["val_loss"][-1] and r["best_loss"] == min(r["val_loss"])
        assert r["success"] == (r["final_loss"] < r["threshold"] and not r["diverged"])
        below = [s for s, v in zip(r["val_steps"], r["val_loss"]) if v < r["threshold"]]
        assert r["steps_to_success"] == (below[0] if below else None)
        assert r["steps_run"] == r["steps"] or r["diverged"]
        assert len(r["train_loss"]) == -(-r["steps_run"] // r["curve_every"])


def test_the_committed_files_are_what_the_runner_writes(experiment, tmp_path):
    """runs.json and summary.csv, written again from the stored records, are the committed files byte for byte."""
    name, sweep, meta, runs = experiment
    committed = ROOT / "experiments" / name / "results"
    records = list(runs.values())  # in the stored order
    write_results(tmp_path / "runs.json", meta, records, sweep.summary_rows(records))
    for file in ("runs.json", "summary.csv"):
        assert (tmp_path / file).read_bytes() == (committed / file).read_bytes(), file
