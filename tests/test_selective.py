"""lrnn.selective: Theorem 1 of Gu and Dao, ZOH coefficients, errors; shared with lrnn.lru: test_linear_cells.py."""

import dataclasses

import numpy as np
import pytest

from lrnn.activations import G_c
from lrnn.selective import SelectiveSSMParams, selective_forward, softplus


def test_theorem_1_the_gated_leaky_integrator():
    rng = np.random.default_rng(0)
    d = 3  # three independent channels, each with N = 1, A = -1, B = C = 1
    W_dt, b_dt = rng.standard_normal((d, d)), rng.standard_normal(d)
    p = dataclasses.replace(
        SelectiveSSMParams.zeros(d, 1, d), W_u=np.eye(d), W_dt=W_dt, b_dt=b_dt, b_B=[1.0], b_C=[1.0],
        W_o=np.eye(d), b_g=np.full(d, 50.0),
    )  # fmt: skip
    x = rng.standard_normal((200, 4, d))
    g = G_c(x @ W_dt.T + b_dt)
    h, ref = np.zeros((4, d)), np.empty_like(x)
    for n in range(len(x)):
        h = ref[n] = (1 - g[n]) * h + g[n] * x[n]
    tr = selective_forward(p, x)
    np.testing.assert_allclose(tr.y, ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(tr.A_bar[..., 0], 1 - g, rtol=1e-12)


def test_zoh_coefficients_and_stability():
    p = SelectiveSSMParams.init(np.random.default_rng(1), 2, 4, 3)
    tr = selective_forward(p, 100 * np.random.default_rng(2).standard_normal((50, 2)))
    A = -np.exp(p.A_log)
    assert tr.h.shape == tr.A_bar.shape == (50, 3, 4)  # (N, d_h, d_s): one state per channel and state unit
    np.testing.assert_allclose(tr.A_bar, np.exp(tr.dt[..., None] * A), rtol=1e-14)
    np.testing.assert_allclose(tr.B_bar, (tr.A_bar - 1) / A, rtol=1e-9, atol=1e-15)  # expm1 is the exact one
    assert np.all((tr.A_bar >= 0) & (tr.A_bar <= 1))  # never above 1, whatever the input (1.0 and 0.0 by rounding)
    assert softplus(np.array([1000.0]))[0] == 1000.0 and np.isfinite(softplus(np.array([-1000.0]))).all()


def test_errors():
    p = SelectiveSSMParams.zeros(2, 3, 4)
    with pytest.raises(ValueError, match=r"h0 has shape \(3, 4\), expected \(d_h, d_s\) = \(4, 3\)"):
        selective_forward(p, np.zeros((5, 2)), h0=np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"W_B has shape \(2, 2\), expected \(d_s, d_x\) = \(3, 2\)"):
        dataclasses.replace(p, W_B=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="dt_min = 0.5, dt_max = 0.1"):
        SelectiveSSMParams.init(np.random.default_rng(0), 2, 3, 4, dt_min=0.5, dt_max=0.1)
