"""Tests for lrnn.losses: mean squared error and the linear readout, checked by finite differences."""

import numpy as np
import pytest

from lrnn.gradcheck import check_gradients, numerical_gradient, relative_error
from lrnn.losses import Readout, mean_squared_error, readout_mse


def test_mse_hand_computed():
    E, g = mean_squared_error([[1.0, -1.0], [2.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]])
    assert E == pytest.approx((1 + 1 + 4) / 4)
    np.testing.assert_allclose(g, [[0.5, -0.5], [1.0, 0.0]])


def test_mse_gradient_by_finite_differences():
    rng = np.random.default_rng(0)
    y, t = rng.standard_normal((5, 3, 2)), rng.standard_normal((5, 3, 2))
    _, g = mean_squared_error(y, t)
    assert relative_error(g, numerical_gradient(lambda z: mean_squared_error(z, t)[0], y)) < 1e-8


def test_readout_gradients_by_finite_differences():
    rng = np.random.default_rng(1)
    r = Readout.random(rng, d_v=3, d_y=2)
    r = Readout(W_y=r.W_y, b_y=rng.standard_normal(2))
    v, t = rng.standard_normal((4, 5, 3)), rng.standard_normal((4, 5, 2))
    E, dE_dv, grads = readout_mse(r, v, t)
    assert E == pytest.approx(np.mean((v @ r.W_y.T + r.b_y - t) ** 2))
    assert check_gradients(lambda q: readout_mse(q, v, t)[0], r, grads).max_error < 1e-8
    assert relative_error(dE_dv, numerical_gradient(lambda z: readout_mse(r, z, t)[0], v)) < 1e-8


def test_errors():
    with pytest.raises(ValueError, match=r"y has shape \(2,\) but target has shape \(3,\)"):
        mean_squared_error([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"b_y has shape \(3,\), expected \(d_y,\) = \(2,\)"):
        Readout(W_y=np.zeros((2, 4)), b_y=np.zeros(3))
    with pytest.raises(ValueError, match=r"v has shape \(5, 3\), expected \(..., d_v\) = \(..., 4\)"):
        readout_mse(Readout(W_y=np.zeros((2, 4)), b_y=np.zeros(2)), np.zeros((5, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="target contains nan"):
        mean_squared_error([1.0], [np.nan])
