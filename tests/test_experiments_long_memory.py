"""The committed results of experiments/long_memory can never drift from the code that produced them.

The smallest configuration (a linear cell, so that the scan is in the loop) is re-run from scratch
in a fresh process (BLAS single-threaded, as the sweep runs) and must reproduce its stored record
to 1e-9; the stored runs are the sweep's configurations, in its order, with the current settings;
the stored records are consistent with themselves.
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
HERE = ROOT / "experiments" / "long_memory"
RESULTS = HERE / "results" / "runs.json"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    sys.modules[name] = module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_blas = {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
sweep = _load("long_memory_sweep", HERE / "sweep.py")  # sets the BLAS variables for itself ...
for _k, _v in _blas.items():  # ... which other tests' subprocesses should not inherit
    if _v is None:
        os.environ.pop(_k, None)
    else:
        os.environ[_k] = _v
models = sys.modules["long_memory_models"]

CONFIG_KEYS = (*sweep.DEFAULTS, "task", "cell", "lag", "seed", "steps", "size", "id")
COST = {"lru": 1.0, "gru": 1.0, "lstm": 1.5, "selective": 3.0}  # CPU time per update and step, roughly


@pytest.fixture(scope="module")
def stored():
    data = json.loads(RESULTS.read_text())
    return data["meta"], data["runs"]


def test_the_stored_runs_are_the_sweeps_configurations_in_order(stored):
    meta, runs = stored
    configs = sweep.configurations()
    assert len({c["id"] for c in configs}) == len(configs), "run ids are unique"
    # the sweep runs its configurations in order (and --resume continues where it stopped), so the
    # stored runs are a prefix of them: every setting but the last stored one is complete
    assert [r["id"] for r in runs] == [c["id"] for c in configs[: len(runs)]]
    for r, cfg in zip(runs, configs):
        assert {k: r[k] for k in CONFIG_KEYS} == {k: cfg[k] for k in CONFIG_KEYS}, cfg["id"]
    assert meta["defaults"] == sweep.DEFAULTS and meta["sizes"] == models.SIZES
    assert [tuple(s) for s in meta["settings"]] == list(sweep.SETTINGS)


def test_the_first_setting_is_complete_with_three_seeds(stored):
    _, runs = stored
    task, lag, _ = sweep.SETTINGS[0]
    seeds = {c: {r["seed"] for r in runs if (r["task"], r["lag"], r["cell"]) == (task, lag, c)} for c in sweep.CELLS}
    assert all(s == {0, 1, 2} for s in seeds.values()), seeds


def test_the_smallest_run_reproduces_from_scratch(stored):
    _, runs = stored
    by_id = {r["id"]: r for r in runs}
    smallest = min(
        (c for c in sweep.configurations() if c["id"] in by_id and c["cell"] in models.LINEAR),
        key=lambda c: COST[c["cell"]] * c["lag"] * c["steps"],
    )
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, str(HERE / "sweep.py"), "--reproduce", smallest["id"]],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True, timeout=900,
    )  # fmt: skip
    fresh, old = json.loads(out.stdout), by_id[smallest["id"]]
    for key in ("val_loss", "train_loss", "grad_norm_mean", "grad_norm_max"):
        np.testing.assert_allclose(fresh[key], old[key], rtol=1e-9, atol=0, err_msg=key)
    for key in ("final_loss", "best_loss", "baseline", "threshold"):
        assert fresh[key] == pytest.approx(old[key], rel=1e-9, abs=0), key
    for key in ("success", "steps_to_success", "diverged", "steps_run", "n_params", "val_steps"):
        assert fresh[key] == old[key], key


def test_records_are_consistent(stored):
    meta, runs = stored
    for sw in meta["sweeps"]:
        assert sw["commit"] and not sw["dirty"], "each sweep ran on a committed state of the code"
        assert sw["wall_seconds"] > 0 and len(sw["load_average_before"]) == 3
    codes = {sw["code"] for sw in meta["sweeps"]}
    for r in runs:
        assert re.fullmatch(r"[0-9a-f]{12}/[0-9a-f]{12}/[0-9a-f]{12}", r["code"]) and r["code"] in codes, r["id"]
        task = MEMORY_TASKS[r["task"]]
        assert r["baseline"] == pytest.approx(task.baseline(r["lag"]))
        assert r["final_loss"] == r["val_loss"][-1] and r["best_loss"] == min(r["val_loss"])
        assert r["success"] == (r["final_loss"] < r["threshold"] and not r["diverged"])
        below = [s for s, v in zip(r["val_steps"], r["val_loss"]) if v < r["threshold"]]
        assert r["steps_to_success"] == (below[0] if below else None)
        assert r["steps_run"] == r["steps"] or r["diverged"]
        assert len(r["train_loss"]) == -(-r["steps_run"] // r["curve_every"])
        assert set(r["update_cpu_seconds"]) == ({"scan", "loop"} if r["cell"] in models.LINEAR else {"loop"})


def test_models_have_about_a_thousand_parameters():  # 744 to 1192 on the adding problem: within a factor 1.7
    rng = np.random.default_rng(0)
    for task in ("adding", "selective_copy"):
        t = MEMORY_TASKS[task]
        counts = {c: models.build_model(c, rng, t.d_x, t.d_y)[0].n_params for c in models.CELLS}
        assert 700 <= min(counts.values()) and max(counts.values()) / min(counts.values()) < 1.7, counts
    with pytest.raises(ValueError, match="cell = 'tcn'"):
        models.build_model("tcn", rng, 2, 1)
