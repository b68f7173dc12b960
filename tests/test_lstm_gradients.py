"""Tests for lrnn.lstm_gradients: the LSTM's error-gradient sequences (Sherstinsky Eqs. 173-182)."""

import dataclasses

import numpy as np
import pytest

from lrnn.activations import G_c
from lrnn.gradcheck import numerical_gradient
from lrnn.lstm import LSTMParams, lstm_forward
from lrnn.lstm_bptt import lstm_backward, lstm_bptt_signals
from lrnn.lstm_gradients import lstm_gradient_profile, lstm_pair_jacobian, lstm_psi_jacobian, lstm_step_jacobian


def random_case(rng, d_x=3, d_s=2, N=6, pinholes=True, W_v_cr_zero=False, B=None):
    p = LSTMParams.init(rng, d_x, d_s, pinholes=pinholes, scale=1.5)
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


@pytest.mark.parametrize("pinholes", [True, False])
def test_product_reproduces_lstm_backward_when_W_v_cr_is_zero(rng, pinholes):
    p, tr = random_case(rng, d_x=3, d_s=3, N=8, pinholes=pinholes, W_v_cr_zero=True)
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


@pytest.mark.parametrize("B", [None, 2])
def test_pair_product_reproduces_lstm_backward_with_W_v_cr(rng, B):
    # the exact recursion on (psi, chi): erratum P21, Eq. 180 misses the chi channel
    p, tr = random_case(rng, d_x=2, d_s=3, N=8, B=B)
    l = 5
    dE = rng.standard_normal(tr.v.shape)
    dE[:l] = 0.0
    sig = lstm_bptt_signals(p, tr, dE)
    pair = np.concatenate([sig.psi, sig.chi], axis=-1)  # (N, [B,] 2 d_s)
    M = np.broadcast_to(np.eye(6), pair.shape[1:-1] + (6, 6)).copy()
    for k in range(l, 0, -1):
        M = lstm_pair_jacobian(p, tr, k) @ M
        np.testing.assert_allclose(pair[k - 1], (M @ pair[l][..., None])[..., 0], rtol=1e-10, atol=1e-13)
    gap = np.abs(sig.psi[0] - (lstm_psi_jacobian(p, tr, 0, l) @ sig.psi[l][..., None])[..., 0]).max()
    assert gap > 1e-4  # the product of Eq. 180 alone misses the chi channel


def test_pair_jacobian_blocks(rng):
    p, tr = random_case(rng, d_x=3, d_s=2, N=5)
    M = lstm_pair_jacobian(p, tr, 3)
    np.testing.assert_allclose(M[:2, :2], lstm_step_jacobian(p, tr, 3).J, rtol=1e-13)  # Eq. 179 at fixed chi
    q = dataclasses.replace(p, W_v_cr=np.zeros((2, 2)))
    M0 = lstm_pair_jacobian(q, lstm_forward(q, tr.x, s0=tr.s0, v0=tr.v0), 3)
    assert np.all(M0[:, 2:] == 0.0)  # without W_v_cr nothing reaches psi or chi through chi
    with pytest.raises(ValueError, match="1 <= k <= N - 1 = 4"):
        lstm_pair_jacobian(p, tr, 5)


def jacobian(f, x):
    """Central differences of a vector function: row i is the gradient of f(x)[i]."""
    return np.stack([numerical_gradient(lambda z, i=i: f(z)[i], x) for i in range(len(f(x)))])


@pytest.mark.parametrize("k", [1, 4])
def test_pair_jacobian_equals_central_differences_of_the_forward_pass(rng, k):
    # Let E = a^T s[k] + b^T v[k] depend on step k only. Then chi[k] = b and psi[k] = a + (dv[k]/ds[k])^T b
    # (the paper's psi includes the path through v[k]); one step back, chi[k-1] is dE/dv[k-1] at fixed
    # s[k-1], and psi[k-1] = dE/ds[k-1] at fixed v[k-1] plus (dv[k-1]/ds[k-1])^T chi[k-1]. Everything on
    # the right-hand sides is central differences of lstm_forward.
    p, tr = random_case(rng, d_x=2, d_s=3, N=6)
    a, b = rng.standard_normal((2, p.d_s))
    s_prev, v_prev = tr.s[k - 1], tr.v[k - 1]

    def v_of_s(j):  # v[j] as a function of s[j] (Eqs. 128, 133, 135-136 at step j)
        v_before = tr.v[j - 1] if j >= 1 else tr.v0
        return lambda s: G_c(p.W_x_cr @ tr.x[j] + p.W_s_cr @ s + p.W_v_cr @ v_before + p.b_cr) * np.tanh(s)

    def E(s_in, v_in):  # step k from (s[k-1], v[k-1])
        out = lstm_forward(p, tr.x[k : k + 1], s0=s_in, v0=v_in)
        return float(a @ out.s[0] + b @ out.v[0])

    chi_prev = numerical_gradient(lambda v: E(s_prev, v), v_prev)
    psi_prev = numerical_gradient(lambda s: E(s, v_prev), s_prev) + jacobian(v_of_s(k - 1), s_prev).T @ chi_prev
    psi_k = a + jacobian(v_of_s(k), tr.s[k]).T @ b
    got = lstm_pair_jacobian(p, tr, k) @ np.concatenate([psi_k, b])
    want = np.concatenate([psi_prev, chi_prev])
    assert np.linalg.norm(got - want) <= 1e-6 * np.linalg.norm(want)


def test_coupling_bounds_the_distance_from_the_carousel(rng):
    p, tr = random_case(rng, d_x=2, d_s=3, N=9)
    prof = lstm_gradient_profile(p, tr)
    g = tr.g_cs[::-1]  # g_cs[N-1], g_cs[N-2], ...
    for lag in range(1, 9):
        P = lstm_psi_jacobian(p, tr, 8 - lag, 8)
        D = np.diag(np.prod(g[:lag], axis=0))  # the carousel's own product, prod diag g_cs[k]
        gap = np.linalg.norm(P - D, 2)
        excess = prof.triangle[lag] - prof.carousel[lag]
        assert gap <= excess * (1 + 1e-12)
        assert excess <= prof.carousel[lag] * np.expm1(prof.coupling[lag]) * (1 + 1e-12)
    np.testing.assert_allclose(np.diff(prof.coupling), prof.q_norm[1:] / g.max(axis=1)[:-1], rtol=1e-12)


def test_coupling_is_infinite_once_a_gate_is_shut():
    p = dataclasses.replace(LSTMParams.zeros(1, 1), b_cs=[-60.0], W_v_du=[[0.5]], b_cu=[60.0])
    prof = lstm_gradient_profile(p, lstm_forward(p, np.zeros((4, 1))))
    assert np.all(np.isinf(prof.coupling[1:])) and prof.coupling[0] == 0.0


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
