import numpy as np
import pytest

from lrnn.rnn import RNNParams, rnn_forward
from lrnn.rnn_bptt import rnn_backward
from lrnn.rnn_gradients import (
    gradient_norm_profile,
    make_recurrent_matrix,
    psi_jacobian,
    schematic_bound,
    theoretical_rate,
)


def _trace(rng, N, B, d_s=3, d_x=2, canonical=False, scale=1.2):
    p = RNNParams.init(rng, d_x, d_s, gain=scale, canonical=canonical)
    lead = (N,) if B is None else (N, B)
    return p, rnn_forward(p, rng.normal(size=(*lead, d_x)))


def test_hand_computed_scalar():
    p = RNNParams(W_r=[[0.5]], W_x=[[1.0]], theta_s=[0.0])
    tr = rnn_forward(p, [[1.0], [0.0], [0.0]])
    dG = 1 - np.tanh(tr.s[:, 0]) ** 2
    np.testing.assert_allclose(psi_jacobian(p, tr, 0, 2), [[0.25 * dG[0] * dG[1]]], rtol=1e-14)  # G' at k-1 (P2)
    np.testing.assert_array_equal(psi_jacobian(p, tr, 1, 1), [[1.0]])


def test_ordered_product_with_transpose(rng):
    p, tr = _trace(rng, 5, None, d_s=4)
    D = 1 - np.tanh(tr.s) ** 2
    expected = np.diag(D[1]) @ p.W_r.T @ np.diag(D[2]) @ p.W_r.T @ np.diag(D[3]) @ p.W_r.T  # k = 2, 3, 4
    np.testing.assert_allclose(psi_jacobian(p, tr, 1, 4), expected, rtol=1e-11, atol=1e-16)


@pytest.mark.parametrize("B", [None, 2])
@pytest.mark.parametrize("canonical", [False, True])
def test_jacobian_propagates_psi(rng, B, canonical):
    p, tr = _trace(rng, 6, B, canonical=canonical)
    l = 4
    dE_dr = np.zeros(tr.r.shape)
    dE_dr[l] = rng.normal(size=tr.r.shape[1:])  # a loss on r[l] only: psi[n] = J(n, l) psi[l] for n <= l
    _, psi = rnn_backward(p, tr, dE_dr)
    for n in range(l + 1):
        J = psi_jacobian(p, tr, n, l)
        np.testing.assert_allclose(np.einsum("...ij,...j->...i", J, psi[l]), psi[n], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("ord", ["fro", 2])
@pytest.mark.parametrize("B, canonical", [(None, False), (3, True)])
def test_profile_matches_explicit_products(rng, ord, B, canonical):
    N = 7
    p, tr = _trace(rng, N, B, d_s=4, canonical=canonical)
    prof = gradient_norm_profile(p, tr, ord=ord)
    assert prof.shape == tr.s.shape[:-1]
    for lag in range(N):
        J = psi_jacobian(p, tr, N - 1 - lag, N - 1)
        np.testing.assert_allclose(prof[lag], np.linalg.norm(J, ord, axis=(-2, -1)), rtol=1e-10)


def test_schematic_bound_bounds_the_spectral_profile(rng):
    p, tr = _trace(rng, 30, None, d_s=5, scale=1.5)
    bound = schematic_bound(p, 30, trace=tr)
    assert bound.shape == (30,) and bound[0] == 1.0
    assert np.all(gradient_norm_profile(p, tr, ord=2) <= bound * (1 + 1e-12))
    np.testing.assert_allclose(schematic_bound(p, 3), np.linalg.norm(p.W_r, 2) ** np.arange(3))


def test_linear_regime_decays_at_the_spectral_radius(rng):
    W_r = make_recurrent_matrix(rng, 6, 0.8, normal=True)
    p = RNNParams(W_r=W_r, W_x=np.zeros((6, 1)), theta_s=np.zeros(6))
    tr = rnn_forward(p, np.zeros((20, 1)))  # s = 0, so G' = 1 exactly
    assert theoretical_rate(p) == pytest.approx(0.8) and theoretical_rate(p, "norm") == pytest.approx(0.8)
    np.testing.assert_allclose(gradient_norm_profile(p, tr, ord=2), 0.8 ** np.arange(20), rtol=1e-10)


def test_non_normal_matrix_same_eigenvalues_transient_growth():
    W_n = make_recurrent_matrix(np.random.default_rng(5), 8, 0.9, normal=True)
    W_nn = make_recurrent_matrix(np.random.default_rng(5), 8, 0.9, normal=False, nonnormality=3.0)
    np.testing.assert_allclose(np.sort(np.linalg.eigvals(W_n).real), np.sort(np.linalg.eigvals(W_nn).real), atol=1e-8)
    np.testing.assert_allclose(W_n, W_n.T, atol=1e-14)  # normal (symmetric): ||W|| = radius
    assert np.linalg.norm(W_nn @ W_nn.T - W_nn.T @ W_nn) > 1.0
    p = RNNParams(W_r=W_nn, W_x=np.zeros((8, 1)), theta_s=np.zeros(8))
    prof = gradient_norm_profile(p, rnn_forward(p, np.zeros((60, 1))), ord=2)
    assert prof.max() > 1.5 and prof[-1] < prof.max()  # grows first although every |mu_i| <= 0.9
    assert theoretical_rate(p, "norm") > 2 * theoretical_rate(p)


def test_canonical_rate_uses_W_s_plus_W_r():
    p = RNNParams(W_r=[[0.25]], W_x=[[1.0]], theta_s=[0.0], W_s=[[0.5]])
    assert theoretical_rate(p) == pytest.approx(0.75)


def test_errors(rng):
    p, tr = _trace(rng, 4, None)
    with pytest.raises(ValueError, match=r"n = 3, l = 1, expected 0 <= n <= l <= N - 1 = 3"):
        psi_jacobian(p, tr, 3, 1)
    with pytest.raises(ValueError, match=r"n = 0, l = 4"):
        psi_jacobian(p, tr, 0, 4)
    with pytest.raises(ValueError, match="ord = 'nuc', expected 'fro'"):
        gradient_norm_profile(p, tr, ord="nuc")
    with pytest.raises(ValueError, match="kind = 'max', expected 'radius' or 'norm'"):
        theoretical_rate(p, "max")
    with pytest.raises(TypeError, match="trace has type NoneType"):
        gradient_norm_profile(p, None)
    with pytest.raises(ValueError, match=r"trace.s has shape \(4, 3\), expected \(N, d_s\) = \(4, 5\)"):
        psi_jacobian(RNNParams.init(rng, 2, 5), tr, 0, 1)
    with pytest.raises(TypeError, match="rng has type int"):
        make_recurrent_matrix(0, 3, 0.9)
    with pytest.raises(ValueError, match="spectral_radius = -1"):
        make_recurrent_matrix(rng, 3, -1)
