"""Chapter 7's self-checks: the training loop written out, and one cell of the memory sweep."""

import json
import re

import numpy as np
import pytest

from lrnn.exercises.memory import check_table_cell, check_train_loop
from lrnn.experiments import result
from lrnn.optim import tree_map
from lrnn.train import sequence_loss_and_grads


def make_loop(*, per_array=False, bias_correction=True, lr_factor=1.0, extra_batch=False):
    """A student's loop, written out independently of lrnn.optim's Adam and of the checker."""

    def loop(model, make_batch, rng, steps, lr, clip_norm):
        b1, b2, eps = 0.9, 0.999, 1e-8
        m, v = tree_map(np.zeros_like, model), tree_map(np.zeros_like, model)
        losses, norms = [], []
        step = lr * lr_factor
        for t in range(1, steps + 1):
            if extra_batch:
                make_batch(rng)
            E, g = sequence_loss_and_grads(model, make_batch(rng))
            arrays = [a for part in g for a in part.__dict__.values()]
            norm = np.sqrt(sum(np.sum(a * a) for a in arrays))
            if per_array:
                g = tree_map(lambda a: a * min(1.0, clip_norm / np.linalg.norm(a)), g)
            elif norm > clip_norm:
                g = tree_map(lambda a, k=clip_norm / norm: a * k, g)
            m = tree_map(lambda a, b: b1 * a + (1 - b1) * b, m, g)
            v = tree_map(lambda a, b: b2 * a + (1 - b2) * b**2, v, g)
            c1, c2 = (1 - b1**t, 1 - b2**t) if bias_correction else (1.0, 1.0)
            model = tree_map(lambda p, a, b, c1=c1, c2=c2: p - step * (a / c1) / (np.sqrt(b / c2) + eps), model, m, v)
            losses.append(E)
            norms.append(norm)
        return model, losses, norms

    return loop


def test_a_loop_written_out_agrees_with_lrnn_train_and_clipping_acts_on_some_updates():
    report = check_train_loop(make_loop())
    clipped, steps = map(int, re.search(r"\((\d+) updates, (\d+) of them clipped\)", report).groups()[::-1])
    assert 0 < clipped < steps, report


@pytest.mark.parametrize(
    "kw, says",
    [
        ({"per_array": True}, "each array by its own norm"),
        ({"bias_correction": False}, "no bias correction"),
        ({"lr_factor": 1.5}, "none of the usual mistakes"),
        ({"extra_batch": True}, "your first loss"),
    ],
)
def test_mistakes_are_named(kw, says):
    with pytest.raises(AssertionError, match=says):
        check_train_loop(make_loop(**kw))


def test_a_loop_that_returns_the_wrong_things_is_told_so():
    with pytest.raises(AssertionError, match=r"expected \(model, losses, norms\)"):
        check_train_loop(lambda *a: a[0])
    with pytest.raises(AssertionError, match=r"losses has shape \(3,\), expected \(40,\)"):
        check_train_loop(lambda model, *a: (model, [1.0, 2.0, 3.0], np.ones(40)))
    with pytest.raises(AssertionError, match="your function raised ZeroDivisionError"):
        check_train_loop(lambda *a: 1 / 0)


@pytest.fixture(scope="module")
def stored():
    runs = json.loads(result("memory", "results/runs.json").read_text(encoding="utf-8"))["runs"]
    return {
        cell: {r["seed"]: r["final_loss"] for r in runs if r["group"] == "main" and r["task"] == "adding"
               and r["lag"] == 50 and r["cell"] == cell}
        for cell in ("rnn", "gru")
    }  # fmt: skip


def test_the_stored_runs_reproduce_themselves(stored):
    report = check_table_cell(stored)
    for cell in ("RNN", "GRU"):
        line = next(x for x in report.splitlines() if x.startswith(cell))
        n = len(stored[cell.lower()])
        assert f"{n} of {n} final losses inside" in line and "reproduce the stored run exactly" in line, line


def test_a_table_contradicted_fails_with_the_likely_causes(stored):
    with pytest.raises(AssertionError, match=r"contradict the table \(RNN: 2 of 2 of your runs succeed, 0 of \d+"):
        check_table_cell({"rnn": {7: 0.001, 8: 0.002}})
    with pytest.raises(AssertionError, match="GRU: 0 of 1 of your runs succeed"):
        check_table_cell({"gru": {0: 0.15}})


def test_outside_the_spread_is_reported_without_failing(stored):
    report = check_table_cell({"rnn": {0: 0.2, 1: 0.05}})
    assert "1 of 2 final losses inside" in report and "outside: seed 0 0.2" in report


def test_bad_results_get_a_clear_error():
    with pytest.raises(ValueError, match="expected {cell: {seed: final validation loss}}"):
        check_table_cell([0.1])
    with pytest.raises(ValueError, match=r"results\['gru'\] has losses {0: nan}"):
        check_table_cell({"gru": {0: float("nan")}})
    with pytest.raises(ValueError, match=r"cell = 'lstm' at task = 'adding', lag = 7: .* the lags \[10, 25, 50"):
        check_table_cell({"lstm": {0: 0.1}}, lag=7)
