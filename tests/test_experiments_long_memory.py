"""What only experiments/long_memory stores: the sweep's configurations in order, a complete first setting, timings.

The reproduction of its smallest run (a linear cell's, so that the scan is in the loop) and the
consistency of its records: ``test_experiments_sweeps.py``.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from lrnn.tasks import MEMORY_TASKS

RESULTS = Path(__file__).resolve().parents[1] / "experiments" / "long_memory" / "results" / "runs.json"


@pytest.fixture(scope="module")
def sweep(sweeps):
    return sweeps["long_memory"]


@pytest.fixture(scope="module")
def stored():
    data = json.loads(RESULTS.read_text())
    return data["meta"], data["runs"]


def test_the_stored_runs_are_the_sweeps_configurations_in_order(sweep, stored):
    meta, runs = stored
    config_keys = (*sweep.DEFAULTS, "task", "cell", "lag", "seed", "steps", "size", "id")
    configs = sweep.configurations()
    assert len({c["id"] for c in configs}) == len(configs), "run ids are unique"
    # the sweep runs its configurations in order (and --resume continues where it stopped), so the
    # stored runs are a prefix of them: every setting but the last stored one is complete
    assert [r["id"] for r in runs] == [c["id"] for c in configs[: len(runs)]]
    for r, cfg in zip(runs, configs):
        assert {k: r[k] for k in config_keys} == {k: cfg[k] for k in config_keys}, cfg["id"]
    assert meta["sizes"] == sweep.models.SIZES
    assert [tuple(s) for s in meta["settings"]] == list(sweep.SETTINGS)


def test_the_first_setting_is_complete_with_three_seeds(sweep, stored):
    _, runs = stored
    task, lag, _ = sweep.SETTINGS[0]
    seeds = {c: {r["seed"] for r in runs if (r["task"], r["lag"], r["cell"]) == (task, lag, c)} for c in sweep.CELLS}
    assert all(s == {0, 1, 2} for s in seeds.values()), seeds


def test_linear_cells_are_timed_with_the_scan_and_the_loop(sweep, stored):
    _, runs = stored
    for r in runs:
        assert set(r["update_cpu_seconds"]) == ({"scan", "loop"} if r["cell"] in sweep.models.LINEAR else {"loop"})


def test_models_have_about_a_thousand_parameters(sweep):  # 744 to 1192 on the adding problem: within a factor 1.7
    models, rng = sweep.models, np.random.default_rng(0)
    for task in ("adding", "selective_copy"):
        t = MEMORY_TASKS[task]
        counts = {c: models.build_model(c, rng, t.d_x, t.d_y)[0].n_params for c in models.CELLS}
        assert 700 <= min(counts.values()) and max(counts.values()) / min(counts.values()) < 1.7, counts
    with pytest.raises(ValueError, match="cell = 'tcn'"):
        models.build_model("tcn", rng, 2, 1)
