"""lrnn.selective: Theorem 1 of Gu and Dao, ZOH coefficients, shapes, gradients, errors."""

import dataclasses

import numpy as np
import pytest

from lrnn.activations import G_c
from lrnn.gradcheck import check_gradients
from lrnn.selective import SelectiveSSMParams, selective_backward, selective_forward, softplus


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
    np.testing.assert_allclose(tr.A_bar, np.exp(tr.dt[..., None] * A), rtol=1e-14)
    np.testing.assert_allclose(tr.B_bar, (tr.A_bar - 1) / A, rtol=1e-9, atol=1e-15)  # expm1 is the exact one
    assert np.all((tr.A_bar >= 0) & (tr.A_bar <= 1))  # never above 1, whatever the input (1.0 and 0.0 by rounding)
    assert softplus(np.array([1000.0]))[0] == 1000.0 and np.isfinite(softplus(np.array([-1000.0]))).all()


@pytest.mark.parametrize("batched", [False, True])
def test_shapes_chunks_and_loop(batched):
    rng = np.random.default_rng(3)
    p = SelectiveSSMParams.init(rng, 3, 2, 5)
    x = rng.standard_normal((7, 4, 3) if batched else (7, 3))
    tr = selective_forward(p, x)
    lead = x.shape[:-1]
    assert tr.h.shape == (*lead, 5, 2) and tr.v.shape == (*lead, 5)
    first = p.forward(x[:3])
    np.testing.assert_allclose(p.forward(x[3:], first.last_state).v, tr.v[3:], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(selective_forward(p, x, method="loop").v, tr.v, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("batched", [False, True])
def test_gradients_match_finite_differences(batched):
    rng = np.random.default_rng(4)
    p = SelectiveSSMParams.init(rng, 2, 3, 4, dt_min=0.1, dt_max=1.0)
    shift = ("b_u", "b_B", "b_C", "D", "A_log", "b_o", "b_g")
    p = dataclasses.replace(p, **{k: getattr(p, k) + 0.3 * rng.standard_normal(getattr(p, k).shape) for k in shift})
    x = rng.standard_normal((6, 2, 2) if batched else (6, 2))
    h0 = rng.standard_normal((4, 3))
    w = rng.standard_normal(x.shape[:-1] + (4,))
    loss = lambda q: float(np.sum(w * selective_forward(q, x, h0).v))  # noqa: E731
    for method in ("scan", "loop"):
        grads, dh0 = selective_backward(p, selective_forward(p, x, h0, method=method), w, method=method)
        dh0 = dh0.sum(axis=0) if batched else dh0  # one h0 shared by the batch
        report = check_gradients(loss, p, grads)
        assert report.max_error < 1e-6, str(report)
    eps = 1e-6
    f = h0.reshape(-1)
    num = np.array([(loss_h0(p, x, w, f + eps * e) - loss_h0(p, x, w, f - eps * e)) / (2 * eps) for e in np.eye(12)])
    np.testing.assert_allclose(dh0.reshape(-1), num, rtol=1e-6, atol=1e-9)


def loss_h0(p, x, w, flat):
    return float(np.sum(w * selective_forward(p, x, np.reshape(flat, (4, 3))).v))


def test_errors():
    p = SelectiveSSMParams.zeros(2, 3, 4)
    with pytest.raises(ValueError, match=r"x has shape \(5, 3\), expected \(N, d_x\) = \(N, 2\)"):
        selective_forward(p, np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"h0 has shape \(3, 4\), expected \(d_h, d_s\) = \(4, 3\)"):
        selective_forward(p, np.zeros((5, 2)), h0=np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"W_B has shape \(2, 2\), expected \(d_s, d_x\) = \(3, 2\)"):
        dataclasses.replace(p, W_B=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="dt_min = 0.5, dt_max = 0.1"):
        SelectiveSSMParams.init(np.random.default_rng(0), 2, 3, 4, dt_min=0.5, dt_max=0.1)
    with pytest.raises(ValueError, match="dE_dv has shape"):
        selective_backward(p, selective_forward(p, np.zeros((5, 2))), np.zeros((5, 3)))
