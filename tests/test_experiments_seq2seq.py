"""The encoder-decoder experiment of Chapter 10 (experiments/seq2seq/run.py, lrnn.experiments.seq2seq): reproducible."""

import json
from pathlib import Path

import numpy as np
import pytest

from lrnn.experiments import result
from lrnn.experiments import seq2seq as recipe
from lrnn.experiments.sweep import load_module
from lrnn.gradcheck import numerical_gradient
from lrnn.losses import softmax_cross_entropy

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "experiments" / "seq2seq"


@pytest.fixture(scope="module")
def run():
    return load_module("seq2seq_run", HERE / "run.py")


@pytest.fixture(scope="module")
def stored():
    return json.loads((HERE / "results.json").read_text())


def test_stored_results_are_those_of_the_current_settings(run, stored):
    assert stored["config"] == json.loads(json.dumps(run.CONFIG))
    assert result("seq2seq", "results.json") == HERE / "results.json", "the file the chapter reads"
    want = {run.key(S, m, s) for S in run.CONFIG["lengths"] for m in run.MODELS for s in run.SEEDS}
    assert set(stored["runs"]) == want
    for k, r in stored["runs"].items():
        assert k == run.key(r["S"], r["model"], r["seed"]) and r["cpu_seconds"] > 0


@pytest.mark.parametrize("model", ["no attention", "attention"])
def test_the_smallest_configuration_reproduces_the_stored_numbers(run, stored, model):
    S = min(run.CONFIG["lengths"])
    again, row = run.run(S, model, 0), stored["runs"][run.key(S, model, 0)]
    for k in ("token_accuracy", "string_accuracy", "antidiagonal_weight", "antidiagonal_argmax", "final_train_loss"):
        if k in row:
            assert again[k] == pytest.approx(row[k], rel=1e-9, abs=1e-12), k
    if "argmax_offsets" in row:
        assert again["argmax_offsets"] == pytest.approx(row["argmax_offsets"], rel=1e-12)
        assert again["argmax_offsets"]["0"] == pytest.approx(row["antidiagonal_argmax"], rel=1e-12)
    for when in ("grad_x0_init", "grad_x0_trained"):
        for path, value in row[when].items():
            assert again[when][path] == pytest.approx(value, rel=1e-9, abs=1e-15), (when, path)


def test_the_gradient_paths_add_up_to_the_gradient_with_respect_to_the_first_input():
    model, S = recipe.make_model(2, attention=True), 4
    x, y_in, target = (a[:, :1] for a in recipe.test_set(S))  # one test string
    paths = recipe.gradient_paths(model, S, (x, y_in, target))
    assert paths["summary"] > 0 and paths["attention"] > 0
    mask = np.zeros(target.shape)
    mask[-1] = 1.0  # the last answer only

    def E(x0):
        xx = x.copy()
        xx[0, 0] = x0
        return softmax_cross_entropy(model.forward(xx, y_in).logits, target, mask)[0]

    g = numerical_gradient(E, x[0, 0].copy())
    assert paths["total"] == pytest.approx(np.linalg.norm(g), rel=1e-6)
    assert paths["total"] <= paths["summary"] + paths["attention"] * (1 + 1e-12)  # the triangle inequality
