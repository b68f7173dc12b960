"""What only experiments/memory stores: every configuration with the current settings, three seeds, its models.

The reproduction of its smallest run and the consistency of its records: ``test_experiments_sweeps.py``.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

RESULTS = Path(__file__).resolve().parents[1] / "experiments" / "memory" / "results" / "runs.json"


@pytest.fixture(scope="module")
def sweep(sweeps):
    return sweeps["memory"]


@pytest.fixture(scope="module")
def stored():
    data = json.loads(RESULTS.read_text())
    return data["meta"], {r["id"]: r for r in data["runs"]}


def test_every_configuration_has_a_record_made_with_the_current_settings(sweep, stored):
    meta, runs = stored
    config_keys = (*sweep.DEFAULTS, "group", "task", "cell", "lag", "seed", "init", "id")
    configs = sweep.configurations()
    assert len({c["id"] for c in configs}) == len(configs), "run ids are unique"
    assert {c["id"] for c in configs} == set(runs), "the stored runs are exactly the sweep's configurations"
    for cfg in configs:
        record = runs[cfg["id"]]
        assert {k: record[k] for k in config_keys} == {k: cfg[k] for k in config_keys}, cfg["id"]
    assert all(sw["workers"] >= 1 for sw in meta["sweeps"])


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


def test_models(sweep):
    models = sys.modules["memory_models"]  # imported by the sweep
    rng = np.random.default_rng(0)
    p, readout = models.build_model("lstm", rng, 2, 8, 1, chrono=50.0)
    assert np.all(p.b_cu == -p.b_cs) and np.all((p.b_cs >= 0) & (p.b_cs <= np.log(49)))
    p, _ = models.build_model("lstm", rng, 2, 8, 1, forget_bias=1.0)
    assert np.all(p.b_cs == 1.0) and readout.W_y.shape == (1, 8)
    aug, _ = models.build_model("augmented", rng, 2, 8, 3)
    assert aug.L == 1 and aug.d_v == 8 and np.all(aug.b_cx == 1.0)
    with pytest.raises(ValueError, match="cell = 'tcn'"):
        models.build_model("tcn", rng, 2, 8, 1)
