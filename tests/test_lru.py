"""lrnn.lru: the LRU cell's forward pass by hand, shapes, gradients (complex parameters included), errors."""

import dataclasses

import numpy as np
import pytest

from lrnn.gradcheck import check_gradients
from lrnn.losses import Readout
from lrnn.lru import LRUParams, lru_backward, lru_forward, ring_init
from lrnn.optim import Adam
from lrnn.train import fit_sequences


def _params(rng, d_x=2, d_s=3, d_h=4):
    p = LRUParams.init(rng, d_x, d_s, d_h, r_min=0.5, r_max=0.95)
    noise = {k: getattr(p, k) + 0.3 * rng.standard_normal(getattr(p, k).shape) for k in ("b_u", "b_e", "b_o", "b_g")}
    return dataclasses.replace(p, **noise)


def test_ring_initialisation_and_normalisation():
    p = LRUParams.init(np.random.default_rng(0), 2, 4000, 3, r_min=0.4, r_max=0.9, max_phase=np.pi / 10)
    r, phase = np.abs(p.lam), np.angle(p.lam)
    assert 0.4 <= r.min() and r.max() <= 0.9 and 0 <= phase.min() and phase.max() <= np.pi / 10
    # uniform on the ring: the area below radius rho grows like rho^2 (Lemma 2)
    assert np.mean(r < np.sqrt((0.4**2 + 0.9**2) / 2)) == pytest.approx(0.5, abs=0.03)
    np.testing.assert_allclose(np.exp(p.gamma_log), np.sqrt(1 - r**2), rtol=1e-12)
    with pytest.raises(ValueError, match="r_min = 0.9, r_max = 0.5"):
        ring_init(np.random.default_rng(0), 3, 0.9, 0.5)


def test_hand_computed_step():
    # one unit: lambda = 0.5 i, input weight 2 (gate open), C = 1: s = 2, then 0.5 i * 2 = i, Re = 0
    p = dataclasses.replace(
        LRUParams.zeros(1, 1, 1), nu_log=[np.log(np.log(2))], theta_log=[np.log(np.pi / 2)],
        W_u=[[1.0]], b_e=[60.0], B_re=[[2.0]], C_re=[[1.0]], W_o=[[1.0]], b_g=[60.0],
    )  # fmt: skip
    tr = lru_forward(p, [[1.0], [0.0]])
    np.testing.assert_allclose(tr.s[:, 0], [2.0, 1j], atol=1e-12)
    np.testing.assert_allclose(tr.y[:, 0], [2.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(tr.v[:, 0], [2.0, 0.0], atol=1e-12)


@pytest.mark.parametrize("batched", [False, True])
def test_shapes_one_step_and_chunks_continue(batched):
    rng = np.random.default_rng(1)
    p = _params(rng, d_x=3, d_s=5, d_h=2)
    x = rng.standard_normal((7, 4, 3) if batched else (7, 3))
    tr = lru_forward(p, x)
    lead = x.shape[:-1]
    assert tr.s.shape == (*lead, 5) and tr.s.dtype == complex and tr.v.shape == (*lead, 2)
    assert lru_forward(p, x[:1]).v.shape == (1, *lead[1:], 2)
    first = p.forward(x[:3])
    np.testing.assert_allclose(p.forward(x[3:], first.last_state).v, tr.v[3:], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(lru_forward(p, x, method="loop").v, tr.v, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("batched", [False, True])
def test_gradients_match_finite_differences(batched):
    rng = np.random.default_rng(2)
    p = _params(rng)
    x = rng.standard_normal((6, 2, 2) if batched else (6, 2))
    s0 = rng.standard_normal(3) + 1j * rng.standard_normal(3)  # a complex initial state
    w = rng.standard_normal(x.shape[:-1] + (4,))
    loss = lambda q: float(np.sum(w * lru_forward(q, x, s0).v))  # noqa: E731
    for method in ("scan", "loop"):
        grads, _ = lru_backward(p, lru_forward(p, x, s0, method=method), w, method=method)
        report = check_gradients(loss, p, grads)
        assert report.max_error < 1e-6, str(report)  # B_re, B_im, C_re, C_im, nu_log, theta_log included
    _, ds0 = lru_backward(p, lru_forward(p, x, s0), w)
    ds0 = ds0.sum(axis=0) if batched else ds0  # one s0 shared by the batch: its gradient sums theirs
    num = [(loss_s0(p, x, w, s0 + e) - loss_s0(p, x, w, s0 - e)) / 2e-6 for e in np.eye(3) * 1e-6]
    num_im = [(loss_s0(p, x, w, s0 + 1j * e) - loss_s0(p, x, w, s0 - 1j * e)) / 2e-6 for e in np.eye(3) * 1e-6]
    np.testing.assert_allclose(ds0, np.array(num) + 1j * np.array(num_im), rtol=1e-6, atol=1e-9)


def loss_s0(p, x, w, s0):
    return float(np.sum(w * lru_forward(p, x, s0).v))


def test_trains_through_the_cell_interface():
    rng = np.random.default_rng(3)
    p = LRUParams.init(rng, 1, 8, 8, r_min=0.5, r_max=0.99)
    model = (p, Readout(np.zeros((1, 8)), np.zeros(1)))

    def echo(rng, N=20, B=16):  # y[n] = x[n - 3]
        x = rng.standard_normal((N, B, 1))
        return x, np.concatenate([np.zeros((3, B, 1)), x[:-3]])

    res = fit_sequences(model, echo, rng, steps=300, optimizer=Adam(lr=0.01), progress=False)
    assert res.losses[-20:].mean() < 0.2 * res.losses[:5].mean()


def test_errors():
    p = LRUParams.zeros(2, 3, 4)
    with pytest.raises(ValueError, match=r"x has shape \(5, 3\), expected \(N, d_x\) = \(N, 2\)"):
        lru_forward(p, np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"s0 has shape \(2,\), expected \(d_s,\) = \(3,\)"):
        lru_forward(p, np.zeros((5, 2)), s0=np.zeros(2))
    with pytest.raises(ValueError, match=r"B_im has shape \(3, 3\), expected \(d_s, d_h\) = \(3, 4\)"):
        dataclasses.replace(p, B_im=np.zeros((3, 3)))
    with pytest.raises(ValueError, match="x contains nan"):
        lru_forward(p, np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="dE_dv has shape"):
        lru_backward(p, lru_forward(p, np.zeros((5, 2))), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="method = 'fft'"):
        lru_forward(p, np.zeros((5, 2)), method="fft")
