"""Tests for lrnn.tasks: the memory benchmarks and their baselines, the look-ahead task and its error floors."""

import numpy as np
import pytest

from lrnn.losses import mean_squared_error, softmax_cross_entropy
from lrnn.tasks import (
    MEMORY_TASKS,
    SUCCESS_FRACTION,
    accuracy,
    adding_baseline,
    adding_problem,
    copy_baseline,
    copy_memory,
    lookahead_mse_floor,
    lookahead_task,
    temporal_order,
    temporal_order_baseline,
)


def test_shapes_and_determinism():
    x, y = lookahead_task(np.random.default_rng(5), N=7, B=3)
    x2, y2 = lookahead_task(np.random.default_rng(5), N=7, B=3)
    assert x.shape == y.shape == (7, 3, 1)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    x3, _ = lookahead_task(np.random.default_rng(6), N=7, B=3)
    assert not np.allclose(x, x3)


@pytest.mark.parametrize("window", [(-1, 2), (2, 2), (0, 0), (-3, -1), (1, 3)])
def test_target_is_the_padded_moving_average(window):
    lo, hi = window
    x, y = lookahead_task(np.random.default_rng(0), N=6, B=2, window=window)
    for n in range(6):
        terms = [x[n + k] if 0 <= n + k < 6 else np.zeros((2, 1)) for k in range(lo, hi + 1)]
        np.testing.assert_allclose(y[n], sum(terms) / (hi - lo + 1), rtol=1e-14, atol=1e-15)


def test_pure_look_ahead():
    x, y = lookahead_task(np.random.default_rng(1), N=5, B=1, window=(2, 2))
    np.testing.assert_array_equal(y[:3], x[2:])
    np.testing.assert_array_equal(y[3:], 0.0)


def test_floors():
    N = 20
    # causal, window (-1, 2): the terms k = 1, 2 are unseen wherever they are inside the segment
    assert lookahead_mse_floor(N, (-1, 2), 0) == pytest.approx((19 + 18) / 20 / 16)
    assert lookahead_mse_floor(N, (-1, 2), 1) == pytest.approx(18 / 20 / 16)
    assert lookahead_mse_floor(N, (-1, 2), 2) == lookahead_mse_floor(N, (-1, 2), 5) == 0.0
    assert lookahead_mse_floor(N, (-3, 0), 0) == 0.0  # a causal target: nothing unseen


def test_floor_is_the_error_of_the_best_causal_predictor():
    # The conditional mean given x[0..n]: the seen terms of the average, zero for the rest.
    N, window = 10, (-1, 2)
    x, y = lookahead_task(np.random.default_rng(2), N=N, B=20000, window=window)
    best = np.stack([(x[n - 1] if n else 0) + x[n] for n in range(N)]) / 4
    assert np.mean((best - y) ** 2) == pytest.approx(lookahead_mse_floor(N, window, 0), rel=0.02)


def test_errors():
    with pytest.raises(ValueError, match="expected lo <= hi"):
        lookahead_task(np.random.default_rng(0), 5, 2, window=(2, 1))
    with pytest.raises(ValueError, match="N = 0, expected a positive integer"):
        lookahead_task(np.random.default_rng(0), 0, 2)
    with pytest.raises(TypeError, match="rng has type int"):
        lookahead_task(0, 5, 2)
    with pytest.raises(ValueError, match="horizon = -1"):
        lookahead_mse_floor(5, (-1, 2), -1)


# The memory benchmarks ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MEMORY_TASKS))
def test_memory_tasks_are_deterministic_time_major_batches(name):
    task = MEMORY_TASKS[name]
    x, t, m = task.generate(np.random.default_rng(3), 5, 30)
    x2, t2, m2 = task.batches(30, 5)(np.random.default_rng(3))
    for a, b in ((x, x2), (t, t2), (m, m2)):
        np.testing.assert_array_equal(a, b)
    assert x.ndim == 3 and x.shape[1:] == (5, task.d_x) and m.shape == x.shape[:2]
    assert set(np.unique(m)) <= {0.0, 1.0} and m.any()
    assert task.threshold(30) == pytest.approx(SUCCESS_FRACTION * task.baseline(30))
    x3, _, _ = task.generate(np.random.default_rng(4), 5, 30)
    assert not np.array_equal(x, x3)


def test_adding_problem_definition():
    T, B = 40, 500
    x, t, m = adding_problem(np.random.default_rng(0), B, T)
    values, markers = x[..., 0], x[..., 1]
    assert values.min() >= 0 and values.max() < 1
    np.testing.assert_array_equal(markers.sum(axis=0), 2.0)  # exactly two markers ...
    np.testing.assert_array_equal(markers[: T // 2].sum(axis=0), 1.0)  # ... one in each half
    np.testing.assert_array_equal(m[-1], 1.0)
    assert m[:-1].sum() == 0 and np.all(t[:-1] == 0)
    np.testing.assert_allclose(t[-1, :, 0], (values * markers).sum(axis=0), rtol=1e-15)
    # every position of each half is used (uniform draws), even the first and the last step
    x, _, _ = adding_problem(np.random.default_rng(1), 4000, 6)
    assert set(np.argmax(x[:3, :, 1], axis=0)) == {0, 1, 2} and set(np.argmax(x[3:, :, 1], axis=0)) == {0, 1, 2}


def test_adding_baseline_is_the_error_of_answering_one():
    x, t, m = adding_problem(np.random.default_rng(2), 200_000, 10)
    E_one, _ = mean_squared_error(np.ones_like(t), t, m)
    assert E_one == pytest.approx(adding_baseline(), rel=0.01)
    E_true, _ = mean_squared_error(t, t, m)
    assert E_true == 0.0
    # answering 1 beats any other constant: the error of c is 1/6 + (c - 1)^2
    for c in (0.9, 1.1):
        assert mean_squared_error(np.full_like(t, c), t, m)[0] > E_one


def test_copy_memory_definition():
    T, B = 7, 300
    x, t, m = copy_memory(np.random.default_rng(0), B, T)
    tokens = x.argmax(axis=-1)
    assert x.shape == (T + 20, B, 10) and np.all(x.sum(axis=-1) == 1) and t.dtype.kind == "i"
    assert tokens[:10].min() >= 1 and tokens[:10].max() <= 8 and set(np.unique(tokens[:10])) == set(range(1, 9))
    np.testing.assert_array_equal(tokens[10 : T + 9], 0)  # T - 1 blanks
    np.testing.assert_array_equal(tokens[T + 9], 9)  # the delimiter
    np.testing.assert_array_equal(tokens[T + 10 :], 0)
    np.testing.assert_array_equal(t[: T + 10], 0)
    np.testing.assert_array_equal(t[T + 10 :], tokens[:10])
    np.testing.assert_array_equal(m, 1.0)


@pytest.mark.parametrize("T", [1, 30, 100])
def test_copy_baseline_is_the_memoryless_strategy(T):
    # predict a_0 where it is certain, a uniform guess over a_1 .. a_8 for the last ten steps
    x, t, m = copy_memory(np.random.default_rng(0), 3, T)
    logits = np.full((T + 20, 3, 9), -60.0)
    logits[: T + 10, :, 0] = 0.0
    logits[T + 10 :, :, 1:] = 0.0
    E, _ = softmax_cross_entropy(logits, t, m)
    assert E == pytest.approx(10 * np.log(8) / (T + 20), rel=1e-12)
    assert copy_baseline(T) == pytest.approx(E, rel=1e-12)


def test_temporal_order_definition():
    T, B = 100, 2000
    x, t, m = temporal_order(np.random.default_rng(0), B, T)
    tokens = np.where(x.any(axis=-1), x.argmax(axis=-1), -1)  # -1 = padding
    lengths = (tokens >= 0).sum(axis=0)
    assert lengths.min() == T and lengths.max() == T + 10 and x.shape[0] == lengths.max()
    np.testing.assert_array_equal(tokens[0], 7)  # E first
    np.testing.assert_array_equal(tokens[lengths - 1, np.arange(B)], 6)  # B, the trigger, last
    relevant = [np.flatnonzero((col == 4) | (col == 5)) for col in tokens.T]
    assert all(len(r) == 2 for r in relevant)
    t1, t2 = np.array(relevant).T
    assert t1.min() == 10 and t1.max() == 20 and t2.min() == 50 and t2.max() == 60  # the published ranges
    order = tokens[t1, np.arange(B)] - 4, tokens[t2, np.arange(B)] - 4
    np.testing.assert_array_equal(t[lengths - 1, np.arange(B)], 2 * order[0] + order[1])  # XX, XY, YX, YY
    np.testing.assert_array_equal(m.sum(axis=0), 1.0)
    np.testing.assert_array_equal(m[lengths - 1, np.arange(B)], 1.0)
    counts = np.bincount(t[lengths - 1, np.arange(B)], minlength=4)
    assert counts.min() > 0.2 * B  # the four classes about equally likely


def test_temporal_order_baseline_is_a_uniform_guess():
    x, t, m = temporal_order(np.random.default_rng(1), 50, 20)
    E, _ = softmax_cross_entropy(np.zeros((*t.shape, 4)), t, m)
    assert E == pytest.approx(np.log(4), rel=1e-14) == temporal_order_baseline(20)


def test_accuracy():
    y = np.array([[[2.0, 0.0], [0.0, 1.0]], [[0.0, 3.0], [1.0, 0.0]]])
    assert accuracy(y, np.array([[0, 0], [1, 1]]), np.ones((2, 2))) == 0.5
    assert accuracy(y, np.array([[0, 0], [1, 1]]), np.array([[1, 0], [1, 0]])) == 1.0
    with pytest.raises(ValueError, match="mask is all zero"):
        accuracy(y, np.zeros((2, 2), dtype=int), np.zeros((2, 2)))


def test_memory_task_errors():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="lag = 1, expected lag >= 2 for the adding problem"):
        adding_problem(rng, 4, 1)
    with pytest.raises(ValueError, match="lag = 9, expected lag >= 10 for the temporal-order task"):
        temporal_order(rng, 4, 9)
    with pytest.raises(ValueError, match="batch = 0, expected a positive integer"):
        copy_memory(rng, 0, 5)
    with pytest.raises(ValueError, match="lag = 2.5, expected a positive integer"):
        copy_memory(rng, 2, 2.5)
    with pytest.raises(TypeError, match="rng has type int"):
        adding_problem(1, 4, 10)
    with pytest.raises(ValueError, match="lag >= 10"):
        MEMORY_TASKS["temporal_order"].batches(5, 8)
    with pytest.raises(ValueError, match="lag = 0"):
        copy_baseline(0)
