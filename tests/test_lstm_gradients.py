"""Tests for lrnn.lstm_gradients: the LSTM's error-gradient sequences (Sherstinsky Eqs. 173-182)."""

import dataclasses

import numpy as np
import pytest

from lrnn.activations import G_c
from lrnn.gradcheck import numerical_gradient
from lrnn.lstm import LSTMParams, lstm_forward
from lrnn.lstm_bptt import lstm_backward
from lrnn.lstm_gradients import lstm_gradient_profile, lstm_psi_jacobian, lstm_step_jacobian


def random_case(rng, d_x=3, d_s=2, N=6, peepholes=True, W_v_cr_zero=False, B=None):
    p = LSTMParams.init(rng, d_x, d_s, peepholes=peepholes, scale=1.5)
    if W_v_cr_zero:
        p = dataclasses.replace(p, W_v_cr=np.zeros((d_s, d_s)))
    lead = (N,) if B is None else (N, B)
    x = rng.standard_normal(lead + (d_x,))
    s0 = rng.standard_normal(lead[1:] + (d_s,))
    v0 = 0.5 * rng.standard_normal(lead[1:] + (d_s,))
    return p, lstm_forward(p, x, s0=s0, v0=v0)


def state_map(p, tr, k):
    """s[k-1] -> s[k] with v[k-1] recomputed from s[k-1] (v[k-2], x[k-1], x[k] held): J_k^T is its Jacobian."""
    v_before = tr.v[k - 2] if k >= 2 else tr.v0

    def f(sigma):
        a_cr = p.W_x_cr @ tr.x[k - 1] + p.W_s_cr @ sigma + p.W_v_cr @ v_before + p.b_cr  # Eq. 128 at step k-1
        v_prev = G_c(a_cr) * np.tanh(sigma)  # Eqs. 133, 135-136
        return lstm_forward(p, tr.x[k : k + 1], s0=sigma, v0=v_prev).s[0]

    return f


@pytest.mark.parametrize("k", [1, 3, 5])
def test_step_jacobian_is_the_transposed_forward_state_jacobian(rng, k):
    p, tr = random_case(rng)
    f = state_map(p, tr, k)
    np.testing.assert_allclose(f(tr.s[k - 1]), tr.s[k], rtol=1e-13)  # the map reproduces the trace
    fd = np.stack([numerical_gradient(lambda z, i=i: f(z)[i], tr.s[k - 1]) for i in range(p.d_s)])  # ds[k]/ds[k-1]
    np.testing.assert_allclose(lstm_step_jacobian(p, tr, k).J, fd.T, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("peepholes", [True, False])
def test_product_reproduces_lstm_backward_when_W_v_cr_is_zero(rng, peepholes):
    p, tr = random_case(rng, d_x=3, d_s=3, N=8, peepholes=peepholes, W_v_cr_zero=True)
    l = 5
    dE = rng.standard_normal(tr.v.shape)
    dE[:l] = 0.0  # the loss only sees steps >= l, so psi[n < l] is pure back-propagation of psi[l]
    _, psi = lstm_backward(p, tr, dE)
    for n in range(l):
        np.testing.assert_allclose(psi[n], lstm_psi_jacobian(p, tr, n, l) @ psi[l], rtol=1e-11, atol=1e-14)


def test_product_equals_finite_differences_of_lstm_backward(rng):
    # Perturb dE/dv[l] in each direction: the changes of psi[l] and psi[n] give dpsi[n]/dpsi[l].
    p, tr = random_case(rng, d_x=2, d_s=3, N=7, W_v_cr_zero=True)
    l, eps = 4, 1e-6
    dE = rng.standard_normal(tr.v.shape)
    base = lstm_backward(p, tr, dE)[1]
    dpsi = []
    for j in range(p.d_s):
        bumped = dE.copy()
        bumped[l, j] += eps
        dpsi.append((lstm_backward(p, tr, bumped)[1] - base) / eps)
    dpsi = np.stack(dpsi, axis=-1)  # (N, d_s, d_s): column j is the response to direction j
    for n in range(l):
        fd = dpsi[n] @ np.linalg.inv(dpsi[l])
        np.testing.assert_allclose(lstm_psi_jacobian(p, tr, n, l), fd, rtol=1e-6, atol=1e-8)


def test_with_W_v_cr_the_chi_channel_adds_a_term(rng):
    p, tr = random_case(rng, d_s=3, N=8)
    dE = rng.standard_normal(tr.v.shape)
    dE[:5] = 0.0
    _, psi = lstm_backward(p, tr, dE)
    gap = np.abs(psi[4] - lstm_step_jacobian(p, tr, 5).J @ psi[5]).max()
    assert gap > 1e-3  # the path through chi (W_v_cr^T alpha_cr, Eq. 154) bypasses psi


def test_batched_equals_one_sequence_at_a_time(rng):
    p, tr = random_case(rng, N=5, B=3)
    P = lstm_psi_jacobian(p, tr, 1, 4)
    prof = lstm_gradient_profile(p, tr)
    assert P.shape == (3, 2, 2) and prof.norm.shape == (5, 3)
    for b in range(3):
        one = lstm_forward(p, tr.x[:, b], s0=tr.s0[b], v0=tr.v0[b])
        np.testing.assert_allclose(P[b], lstm_psi_jacobian(p, one, 1, 4), rtol=1e-13)
        np.testing.assert_allclose(prof.norm[:, b], lstm_gradient_profile(p, one).norm, rtol=1e-12)


def test_profile_matches_products_and_bounds(rng):
    p, tr = random_case(rng, d_x=2, d_s=3, N=7)
    prof = lstm_gradient_profile(p, tr)
    for lag in range(7):
        P = lstm_psi_jacobian(p, tr, 6 - lag, 6)
        np.testing.assert_allclose(prof.norm[lag], np.linalg.norm(P, 2), rtol=1e-12)
        assert prof.norm[lag] <= prof.triangle[lag] * (1 + 1e-12)  # Eqs. 181 chained
    np.testing.assert_allclose(prof.carousel[1:], np.cumprod(tr.g_cs[::-1].max(axis=1))[:-1], rtol=1e-12)
    np.testing.assert_allclose(prof.q_norm[1], np.linalg.norm(lstm_step_jacobian(p, tr, 6).Q, 2), rtol=1e-12)


def test_carousel_regime_keeps_the_gradient():
    # Example 2: g_cs saturated at 1, g_cu off: Q ~ 0 and dpsi[n]/dpsi[l] ~ I (CEC)
    p = dataclasses.replace(LSTMParams.zeros(1, 2), b_cs=np.full(2, 14.0), b_cu=np.full(2, -14.0))
    prof = lstm_gradient_profile(p, lstm_forward(p, np.zeros((300, 1)), s0=[0.5, -0.5]))
    assert prof.norm[-1] > 0.999 and prof.q_norm.max() < 1e-5


def test_step_range_errors(rng):
    p, tr = random_case(rng, N=4)
    for k in (0, 4, 1.5, True):
        with pytest.raises(ValueError, match="1 <= k <= N - 1 = 3"):
            lstm_step_jacobian(p, tr, k)
    with pytest.raises(ValueError, match="0 <= n <= l"):
        lstm_psi_jacobian(p, tr, 3, 1)
    with pytest.raises(TypeError, match="expected LSTMTrace"):
        lstm_gradient_profile(p, tr.s)
    with pytest.raises(ValueError, match="run lstm_forward with these params"):
        lstm_step_jacobian(LSTMParams.zeros(3, 5), tr, 1)
