"""lrnn.lru: the ring, the normalisation, a step by hand, training; shared with lrnn.selective: test_linear_cells.py."""

import dataclasses

import numpy as np
import pytest

from lrnn.losses import Readout
from lrnn.lru import LRUParams, lru_forward, ring_init
from lrnn.optim import Adam
from lrnn.train import fit_sequences


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
    assert tr.s.dtype == complex
    np.testing.assert_allclose(tr.s[:, 0], [2.0, 1j], atol=1e-12)
    np.testing.assert_allclose(tr.y[:, 0], [2.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(tr.v[:, 0], [2.0, 0.0], atol=1e-12)


def test_trains_through_the_cell_interface():
    rng = np.random.default_rng(3)
    p = LRUParams.init(rng, 1, 8, 8, r_min=0.5, r_max=0.99)
    model = (p, Readout(np.zeros((1, 8)), np.zeros(1)))

    def echo(rng, N=20, B=16):  # y[n] = x[n - 3]
        x = rng.standard_normal((N, B, 1))
        return x, np.concatenate([np.zeros((3, B, 1)), x[:-3]])

    res = fit_sequences(model, echo, rng, steps=300, optimizer=Adam(lr=0.01), progress=False)
    assert res.losses[-20:].mean() < 0.2 * res.losses[:5].mean()


def test_sizes_are_checked_against_the_shape_table():
    with pytest.raises(ValueError, match=r"B_im has shape \(3, 3\), expected \(d_s, d_h\) = \(3, 4\)"):
        dataclasses.replace(LRUParams.zeros(2, 3, 4), B_im=np.zeros((3, 3)))
