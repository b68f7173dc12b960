"""The look-ahead experiment of Chapter 6 (experiments/lookahead/run.py, lrnn.experiments.lookahead): reproducible."""

import json
from pathlib import Path

import pytest

from lrnn.experiments import result
from lrnn.experiments.sweep import load_module

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "experiments" / "lookahead"


@pytest.fixture(scope="module")
def run():
    return load_module("lookahead_run", HERE / "run.py")


@pytest.fixture(scope="module")
def stored():
    return json.loads((HERE / "results.json").read_text())


def test_stored_results_are_those_of_the_current_settings(run, stored):
    assert stored["config"] == json.loads(json.dumps(run.CONFIG))
    assert result("lookahead", "results.json") == HERE / "results.json", "the file the chapter reads"
    assert sorted(stored["runs"], key=int) == [str(s) for s in run.SEEDS]
    assert stored["floors"] == pytest.approx(run.floors(), rel=1e-15)


def test_seed_0_reproduces_the_stored_numbers(run, stored):
    again = run.run(0)
    for name, row in stored["runs"]["0"].items():
        assert again[name]["test_mse"] == pytest.approx(row["test_mse"], rel=1e-9), name


def test_every_seed_reaches_the_floor_its_window_allows(stored):
    floors = stored["floors"]
    for seed, row in stored["runs"].items():
        for name in ("Vanilla LSTM", "Augmented, L = 2"):
            assert 0.97 * floors[name] < row[name]["test_mse"] < 1.10 * floors[name], (seed, name)
        assert row["Augmented, L = 3"]["test_mse"] < 1e-3, seed
