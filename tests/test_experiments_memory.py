"""What only experiments/memory stores: every configuration with the current settings, three seeds, its models.

The reproduction of its smallest run and the consistency of its records: ``test_experiments_sweeps.py``.
"""

import json
import os
import subprocess
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
    # the headline claims (the adding problem at its two longest lags) rest on five seeds
    assert all(len(s) >= 5 for (task, _, lag), s in seeds.items() if task == "adding" and lag in (100, 200))
    adding = {lag for (task, cell, lag) in seeds if task == "adding" and cell == "rnn"}
    assert min(adding) <= 10 and max(adding) >= 200
    assert {cell for (task, cell, _) in seeds if task == "adding"} == {"rnn", "gru", "lstm", "augmented"}


def test_the_copy_task_trains_its_cells_at_every_lag_with_three_seeds(stored):
    """The copy task's recipes: at the sweep's, the RNN under three initialisations, the GRU and the
    Vanilla LSTM; with 128 units, these and the Augmented LSTM; seeds 0-2 at each of the group's lags."""
    _, runs = stored
    cells = {"copy": {"rnn", "gru", "lstm"}, "copy_wide": {"rnn", "gru", "lstm", "augmented"}}
    for group, lags in (("copy", {10, 25, 50, 100}), ("copy_wide", {10, 20, 40})):
        seeds = {}
        for r in runs.values():
            if r["group"] == group:
                seeds.setdefault((r["cell"], json.dumps(r["init"], sort_keys=True), r["lag"]), set()).add(r["seed"])
        assert {cell for cell, _, _ in seeds} == cells[group]
        settings = {(cell, init) for cell, init, _ in seeds}
        assert len(settings) == len(cells[group]) + 2 and {lag for _, _, lag in seeds} == lags, group
        assert len(seeds) == len(settings) * len(lags) and all(s == {0, 1, 2} for s in seeds.values()), group


def test_every_gate_ablation_runs_beside_its_parent(stored):
    """Each variant of lrnn.gate_ablations at T = 100 and 200 on the parent's first three seeds, with its own
    parameter count (the parent's, less what the constraint holds, zeroes or ties)."""
    from lrnn.gate_ablations import CONSTRAINTS

    _, runs = stored
    ablated = [r for r in runs.values() if r["group"] == "gate_ablation"]
    assert {(r["cell"], r["lag"], r["seed"]) for r in ablated} == {
        (v, lag, seed) for v in CONSTRAINTS for lag in (100, 200) for seed in (0, 1, 2)
    }
    for r in ablated:
        parent = CONSTRAINTS[r["cell"]][0]
        twin = next(
            p
            for p in runs.values()
            if p["group"] == "main" and (p["cell"], p["lag"], p["seed"]) == (parent, r["lag"], r["seed"])
        )
        assert r["init"] == twin["init"] and r["n_params"] < twin["n_params"], r["id"]


def test_the_readme_tables_are_the_committed_runs(sweep):
    """experiments/memory/README.md's success tables are what tables.py prints from runs.json."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("memory_tables", RESULTS.parents[1] / "tables.py")
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    runs = json.loads(RESULTS.read_text())["runs"]
    assert tables.readme_tables(tables.README.read_text()) == tables.tables(runs)


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


# The trained networks Chapter 7 opens (experiments/memory/gates.py, results/gates.npz) --------------------------

GATES = RESULTS.parent / "gates.json"


@pytest.fixture(scope="module")
def gates(sweep):
    from lrnn.experiments.sweep import load_module

    return load_module("memory_gates", RESULTS.parents[1] / "gates.py")


@pytest.fixture(scope="module")
def trained(gates, stored):
    """``{name: (meta, (cell, Readout), stored record)}`` of every model in gates.npz."""
    _, runs = stored
    meta = json.loads(GATES.read_text())["models"]
    return {
        name: (m, gates.load(GATES.with_suffix(".npz"), m["id"], m["cell"]), runs[m["id"]]) for name, m in meta.items()
    }


def test_the_stored_models_are_the_sweeps_runs(gates, trained, sweep):
    """Each stored model is the sweep's run: its loss on the validation batch is the stored final loss."""
    from lrnn.tasks import MEMORY_TASKS

    assert set(trained) == set(gates.MODELS)
    for name, (m, (cell, readout), record) in trained.items():
        assert m["id"] == gates.MODELS[name] == record["id"]
        assert m["final_loss"] == pytest.approx(record["final_loss"], rel=1e-9, abs=0)
        task = MEMORY_TASKS[record["task"]]
        x, target, mask = task.generate(
            np.random.default_rng([sweep.VAL_SEED, record["lag"]]), record["val_size"], record["lag"]
        )
        loss, _ = task.loss(readout(cell.forward(x).output), target, mask)
        assert loss == pytest.approx(record["final_loss"], rel=1e-9, abs=0), name
        assert record["success"] == (name != "lstm_200_failed")


def test_a_retrained_prefix_reproduces_the_stored_curve(gates, stored):
    """The first 200 updates of the cheapest stored model, re-trained from its seed in a fresh process (BLAS
    single-threaded, as the sweep runs), match its stored curves; gates.py's own check tells them apart from others."""
    _, runs = stored
    run_id = gates.MODELS["gru_100"]
    script = (
        "import json, sys; from lrnn.experiments.sweep import load_module; "
        f"s = load_module('memory_sweep', {str(RESULTS.parents[1] / 'sweep.py')!r}); "
        f"cfg = dict(next(c for c in s.configurations() if c['id'] == {run_id!r}), steps=200); "
        "print(json.dumps(s.train(cfg)[0]))"
    )
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, timeout=600
    )
    fresh, old = json.loads(out.stdout), runs[run_id]
    assert fresh["val_steps"] == [0, 100, 200]
    np.testing.assert_allclose(fresh["val_loss"], old["val_loss"][:3], rtol=1e-9, atol=0)
    np.testing.assert_allclose(fresh["train_loss"], old["train_loss"][:4], rtol=1e-9, atol=0)
    assert gates.reproduces(old, old) is None
    nudged = dict(old, val_loss=[*old["val_loss"][:-1], old["val_loss"][-1] * (1 + 1e-8)])
    assert "val_loss" in gates.reproduces(nudged, old)  # a difference of 1e-8 is caught


def _gate_probe(cell, readout, lag, seed, batch=512):
    """Chapter 7's gate statistics of one network on a probe batch of its own (another seed than the chapter's)."""
    from lrnn.tasks import adding_problem

    x, _, _ = adding_problem(np.random.default_rng(seed), batch, lag)
    tr, b = cell.forward(x), np.arange(batch)
    first, second = np.argmax(x[..., 1], axis=0), lag - 1 - np.argmax(x[::-1, :, 1], axis=0)
    v1, v2 = x[first, b, 0], x[second, b, 0]
    pre = tr.s[second - 1, b]
    r = np.array([np.corrcoef(pre[:, i], v1)[0, 1] for i in range(pre.shape[1])])
    H = np.flatnonzero(np.abs(r) >= 0.9)
    n = np.arange(lag)[:, None]
    between = (n > first) & (n < second)
    lstm = hasattr(tr, "g_cs")
    keep = tr.g_cs if lstm else 1 - tr.g_z
    write = tr.g_cu if lstm else tr.g_z
    y = readout(tr.output)[-1, :, 0]
    a = np.linalg.lstsq(np.c_[v1, v2, np.ones(batch)], y, rcond=None)[0]
    return dict(
        holders=len(H),
        keep=keep[between][:, H].mean(),
        keep_95=int((keep[between].mean(axis=0)[H] > 0.95).sum()),
        write_first=write[n == first][:, H].mean(),
        write_second=write[n == second][:, H].mean(),
        write_plain=write[x[..., 1] == 0][:, H].mean(),
        read=(tr.g_cr[-1][:, H].mean(), tr.g_cr[:-1][:, :, H].mean()) if lstm else None,
        answer=a,
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_the_gate_statistics_chapter_7_asserts_hold_on_other_probe_batches(trained, seed):
    """What Chapter 7 says of the three networks, on probe batches it did not use."""
    st = {name: _gate_probe(*model, record["lag"], seed) for name, (_, model, record) in trained.items()}
    L, G, F = st["lstm_100"], st["gru_100"], st["lstm_200_failed"]
    # the successes hold the first number with graded gates: few holders keep more than 0.95 per step
    assert 3 <= L["holders"] <= 8 and L["keep_95"] <= 2 and 0.65 < L["keep"] < 0.85
    assert 6 <= G["holders"] <= 14 and G["keep_95"] < G["holders"] and 0.65 < G["keep"] < 0.85
    # a nudge at the first marker, not a switch; the LSTM's readout gate does not open at the end
    assert 0 < L["write_first"] - L["write_plain"] < 0.25 and 0 < G["write_first"] - G["write_plain"] < 0.1
    assert L["read"][0] < L["read"][1]
    np.testing.assert_allclose(L["answer"], [1, 1, 0], atol=0.06)
    np.testing.assert_allclose(G["answer"], [1, 1, 0], atol=0.06)
    # the failure is Chapter 4's cell for the first number: write, hold, read, and shut at the second marker
    assert F["holders"] >= 4 and F["keep_95"] == F["holders"] and F["keep"] > 0.99
    assert F["write_first"] > 0.6 > 0.2 > F["write_plain"] and F["write_second"] < 0.01
    assert F["read"][0] > 0.99 > F["read"][1]
    np.testing.assert_allclose(F["answer"], [0.9, 0, 0.57], atol=0.03)
