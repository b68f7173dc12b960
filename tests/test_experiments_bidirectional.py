"""The bidirectional baseline of Chapter 10 (experiments/bidirectional/run.py, lrnn.experiments.bidirectional)."""

import json
from pathlib import Path

import numpy as np
import pytest

from lrnn.experiments import bidirectional, lookahead, result
from lrnn.experiments.sweep import load_module

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "experiments" / "bidirectional"


@pytest.fixture(scope="module")
def run():
    return load_module("bidirectional_run", HERE / "run.py")


@pytest.fixture(scope="module")
def stored():
    return json.loads((HERE / "results.json").read_text())


def test_stored_results_are_those_of_the_current_settings(run, stored):
    assert stored["config"] == json.loads(json.dumps(run.CONFIG))
    assert result("bidirectional", "results.json") == HERE / "results.json", "the file the chapter reads"
    assert sorted(stored["runs"], key=int) == [str(s) for s in run.SEEDS]
    # the task, its settings and its test set are Chapter 6's: the stored Augmented LSTM runs share the table
    chapter_6 = json.loads((ROOT / "experiments" / "lookahead" / "results.json").read_text())["config"]
    assert {k: stored["config"][k] for k in chapter_6} == chapter_6


def test_seed_0_reproduces_the_stored_numbers(run, stored):
    again = run.run(0)
    for name in run.MODELS:
        row = stored["runs"]["0"][name]
        assert again[name]["test_mse"] == pytest.approx(row["test_mse"], rel=1e-9), name
        assert again[name]["latency_mean"] == row["latency_mean"] and again[name]["n_params"] == row["n_params"]


def test_latency_is_the_segment_for_the_bidirectional_model_and_the_delay_for_the_causal_one():
    rng = np.random.default_rng(0)
    models = bidirectional.make_models(3)
    x_one = rng.standard_normal((7, 1, 1))
    late = {name: bidirectional.latency(params, x_one) for name, params in models.items()}
    np.testing.assert_array_equal(late["Bidirectional LSTM"], np.arange(7)[::-1])  # final at the segment end
    np.testing.assert_array_equal(late["Delayed Vanilla LSTM"], [2, 2, 2, 2, 2, 1, 0])  # D = 2, the end cuts it


def test_the_delayed_answers_are_the_causal_outputs_two_steps_later():
    cell, readout = bidirectional.make_models(0)["Delayed Vanilla LSTM"]
    x = np.random.default_rng(1).standard_normal((6, 3, 1))
    direct = readout(cell.forward(x).output)
    np.testing.assert_allclose(bidirectional.answers((cell, readout), x)[:4], direct[2:], rtol=1e-14)


def test_every_seed_beats_the_causal_floor(stored):
    causal = lookahead.floors()["Vanilla LSTM"]
    for seed, row in stored["runs"].items():
        for name in bidirectional.MODELS:
            assert row[name]["test_mse"] < 0.1 * causal, (seed, name)
