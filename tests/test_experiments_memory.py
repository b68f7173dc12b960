"""The committed results of experiments/memory can never drift from the code that produced them.

The smallest configuration is re-run from scratch in a fresh process (BLAS single-threaded, as the
sweep runs) and must reproduce its stored record to 1e-9; every configuration of the sweep must
have a stored record made with the current settings; the stored records must be consistent.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lrnn.tasks import MEMORY_TASKS

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "experiments" / "memory"
RESULTS = HERE / "results" / "runs.json"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    sys.modules[name] = module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_blas = {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
sweep = _load("memory_sweep", HERE / "sweep.py")  # sets the BLAS variables for its own workers ...
for _k, _v in _blas.items():  # ... which other tests' subprocesses should not inherit
    if _v is None:
        os.environ.pop(_k, None)
    else:
        os.environ[_k] = _v
models = sys.modules["memory_models"]


@pytest.fixture(scope="module")
def stored():
    data = json.loads(RESULTS.read_text())
    return data["meta"], {r["id"]: r for r in data["runs"]}


CONFIG_KEYS = (*sweep.DEFAULTS, "group", "task", "cell", "lag", "seed", "init", "id")


def test_every_configuration_has_a_record_made_with_the_current_settings(stored):
    _, runs = stored
    configs = sweep.configurations()
    assert len({c["id"] for c in configs}) == len(configs), "run ids are unique"
    assert {c["id"] for c in configs} == set(runs), "the stored runs are exactly the sweep's configurations"
    for cfg in configs:
        record = runs[cfg["id"]]
        assert {k: record[k] for k in CONFIG_KEYS} == {k: cfg[k] for k in CONFIG_KEYS}, cfg["id"]


def test_the_smallest_run_reproduces_from_scratch(stored):
    _, runs = stored
    smallest = min(sweep.configurations(), key=sweep._cost)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, str(HERE / "sweep.py"), "--reproduce", smallest["id"]],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    fresh, old = json.loads(out.stdout), runs[smallest["id"]]
    for key in ("val_loss", "train_loss", "grad_norm_mean", "grad_norm_max"):
        np.testing.assert_allclose(fresh[key], old[key], rtol=1e-9, atol=0, err_msg=key)
    for key in ("final_loss", "best_loss", "baseline", "threshold"):
        assert fresh[key] == pytest.approx(old[key], rel=1e-9, abs=0), key
    for key in ("success", "steps_to_success", "diverged", "steps_run", "n_params", "val_steps"):
        assert fresh[key] == old[key], key


def test_records_are_consistent(stored):
    meta, runs = stored
    assert meta["defaults"] == sweep.DEFAULTS
    for sw in meta["sweeps"]:
        assert sw["commit"] and not sw["dirty"], "each sweep ran on a committed state of the code"
        assert sw["workers"] >= 1 and sw["wall_seconds"] > 0 and len(sw["load_average_before"]) == 3
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


def test_every_cell_and_lag_of_the_main_sweep_has_three_seeds(stored):
    _, runs = stored
    seeds = {}
    for r in runs.values():
        if r["group"] == "main":
            seeds.setdefault((r["task"], r["cell"], r["lag"]), set()).add(r["seed"])
    assert all(len(s) >= 3 for s in seeds.values())
    adding = {lag for (task, cell, lag) in seeds if task == "adding" and cell == "rnn"}
    assert min(adding) <= 10 and max(adding) >= 200
    assert {cell for (task, cell, _) in seeds if task == "adding"} == {"rnn", "gru", "lstm", "augmented"}


def test_models():
    rng = np.random.default_rng(0)
    p, readout = models.build_model("lstm", rng, 2, 8, 1, chrono=50.0)
    assert np.all(p.b_cu == -p.b_cs) and np.all((p.b_cs >= 0) & (p.b_cs <= np.log(49)))
    p, _ = models.build_model("lstm", rng, 2, 8, 1, forget_bias=1.0)
    assert np.all(p.b_cs == 1.0) and readout.W_y.shape == (1, 8)
    aug, _ = models.build_model("augmented", rng, 2, 8, 3)
    assert aug.L == 1 and aug.d_v == 8 and np.all(aug.b_cx == 1.0)
    with pytest.raises(ValueError, match="cell = 'tcn'"):
        models.build_model("tcn", rng, 2, 8, 1)
