"""experiments/jsb_regularised: its summary is its runs, and its runs reproduce."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "experiments" / "jsb_regularised"
RESULTS = json.loads((HERE / "results.json").read_text())
JSB = json.loads((ROOT / "experiments" / "jsb" / "results.json").read_text())


def test_every_cell_has_every_seed_and_the_recipe_is_the_chorales_but_for_the_cap():
    config = RESULTS["config"]
    recipe = ("task", "metric", "optimizer", "lr", "batch_size", "clip_norm", "patience", "bptt", "readout_init",
              "forget_bias", "blas_threads")  # fmt: skip
    for key in recipe:
        assert config[key] == JSB["config"][key], key
    # a lower epoch cap, which no unregularised run of these cells reached
    assert config["max_epochs"] < JSB["config"]["max_epochs"]
    assert all(r["epochs_run"] < config["max_epochs"] for r in JSB["runs"] if r["kind"] in config["kinds"])
    for kind in config["kinds"]:
        for reg in config["regularisers"]:
            runs = [r for r in RESULTS["runs"] if r["kind"] == kind and r["regulariser"] == reg]
            assert sorted(r["seed"] for r in runs) == config["seeds"], (kind, reg)


def test_summary_is_the_runs():
    """Each cell's numbers follow from its stored runs; the unregularised cells are experiments/jsb's runs."""
    for c in RESULTS["cells"].values():
        source = JSB["runs"] if c["regulariser"] == "none" else RESULTS["runs"]
        runs = [r for r in source if r["kind"] == c["kind"] and r.get("regulariser", "none") == c["regulariser"]]
        runs = [r for r in runs if r["seed"] in c["seeds"]]
        assert sorted(r["seed"] for r in runs) == c["seeds"] == RESULTS["config"]["seeds"]
        test = [r["test_nll"] for r in runs]
        assert c["test_nll_mean"] == pytest.approx(np.mean(test), rel=1e-12)
        assert c["test_nll_std"] == pytest.approx(np.std(test, ddof=1), rel=1e-12)
        gap = [r["valid_nll"] - r["train_nll"] for r in runs]
        assert c["gap_mean"] == pytest.approx(np.mean(gap), rel=1e-12)
        assert c["best_epoch_mean"] == pytest.approx(np.mean([r["epochs"] for r in runs]), rel=1e-12)
    for r in RESULTS["runs"]:
        curve = r["curve"]
        assert len(curve["valid_nll"]) == r["epochs_run"] + 1 and min(curve["valid_nll"]) == r["valid_nll"]
        assert r["epochs_run"] == r["epochs"] + RESULTS["config"]["patience"] or not r["stopped_early"]


def test_stored_runs_reproduce():
    """Two epochs of the cheapest runs (tanh, seed 0, each regulariser), re-run from scratch in a fresh
    process with one BLAS thread as the sweep runs them, give the stored curves (bit for bit with the code
    that made them; the tolerance is that of tests/test_experiments_jsb.py)."""
    plan = [("tanh", reg, 0, 2) for reg in RESULTS["config"]["regularisers"]]
    code = (
        "import importlib.util, json; "
        f"spec = importlib.util.spec_from_file_location('jsb_reg', {str(HERE / 'train.py')!r}); "
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
        f"print(json.dumps([m.run(k, g, s, max_epochs=e)['curve'] for k, g, s, e in {plan!r}]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for (kind, reg, seed, epochs), again in zip(plan, json.loads(out.stdout.strip().splitlines()[-1])):
        run = next(r for r in RESULTS["runs"] if (r["kind"], r["regulariser"], r["seed"]) == (kind, reg, seed))
        for key in ("valid_nll", "train_nll"):
            np.testing.assert_allclose(again[key], run["curve"][key][: epochs + 1], rtol=1e-6, atol=0, err_msg=reg)


def test_bad_regulariser_names_get_a_clear_error():
    code = (
        "import importlib.util; "
        f"spec = importlib.util.spec_from_file_location('jsb_reg', {str(HERE / 'train.py')!r}); "
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); m.parse('dropuot=0.3')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode != 0 and "expected 'dropout=<rate>' or 'weight_noise=<sd>'" in out.stderr
