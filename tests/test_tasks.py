"""Tests for lrnn.tasks: the look-ahead task and its closed-form error floors."""

import numpy as np
import pytest

from lrnn.tasks import lookahead_mse_floor, lookahead_task


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
