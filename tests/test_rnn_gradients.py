import numpy as np
import pytest

from lrnn.rnn import RNNParams, rnn_forward
from lrnn.rnn_bptt import rnn_backward
from lrnn.rnn_gradients import (
    FAMILIES,
    gradient_norm_profile,
    lyapunov_exponents,
    make_recurrent_matrix,
    psi_jacobian,
    recurrent_matrix,
    schematic_bound,
    theoretical_rate,
)


def _trace(rng, N, B, d_s=3, d_x=2, canonical=False, scale=1.2):
    p = RNNParams.init(rng, d_x, d_s, scale=scale, canonical=canonical)
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


def test_lyapunov_linear_regime_is_log_of_eigenvalue_moduli():
    # s = 0, G' = 1: a constant map, whose exponents are log |mu_i|, normal or not
    W = np.array([[0.9, 2.0, 0.0], [0.0, 0.5, 1.0], [0.0, 0.0, -0.2]])
    p = RNNParams(W_r=W, W_x=np.zeros((3, 1)), theta_s=np.zeros(3))
    lam = lyapunov_exponents(p, rnn_forward(p, np.zeros((3000, 1))), k=3)
    np.testing.assert_allclose(lam, np.log([0.9, 0.5, 0.2]), atol=2e-3)


def test_lyapunov_k1_is_the_renormalised_product_exactly(rng):
    # (1/T) log ||A[N-2] ... A[skip] q0|| with the forward product = (dpsi[skip]/dpsi[N-1])^T
    p, tr = _trace(rng, 30, None, d_s=5, scale=1.5)
    skip = 4
    q0 = np.cos(np.pi * (np.arange(5) + 0.5) * 0 / 5)
    q0 /= np.linalg.norm(q0)
    forward = psi_jacobian(p, tr, skip, 29).T
    expected = np.log(np.linalg.norm(forward @ q0)) / (29 - skip)
    assert lyapunov_exponents(p, tr, skip=skip)[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("canonical", [False, True])
def test_lyapunov_sum_is_the_mean_log_determinant(rng, canonical):
    p, tr = _trace(rng, 25, None, d_s=4, scale=1.5, canonical=canonical)
    lam = lyapunov_exponents(p, tr, k=4, skip=3)
    dG = 1 - np.tanh(tr.s) ** 2
    W_s = 0.0 if p.W_s is None else p.W_s
    logdet = [np.linalg.slogdet(p.W_r @ np.diag(dG[n]) + W_s)[1] for n in range(3, 24)]  # A[n], n = 3..23
    assert lam.sum() == pytest.approx(np.mean(logdet), rel=1e-10)


def test_lyapunov_batch_equals_one_by_one(rng):
    p, tr = _trace(rng, 20, 3, d_s=4)
    lam = lyapunov_exponents(p, tr, k=2, skip=2)
    assert lam.shape == (3, 2)
    for b in range(3):
        one = rnn_forward(p, tr.x[:, b], tr.s0[b])
        np.testing.assert_allclose(lam[b], lyapunov_exponents(p, one, k=2, skip=2), rtol=1e-12)


def test_lyapunov_exactly_saturated_is_minus_inf():
    p = RNNParams(W_r=[[2.0]], W_x=[[1.0]], theta_s=[0.0])
    tr = rnn_forward(p, np.full((10, 1), 1000.0))  # tanh'(1000) = 0 in float64
    with np.errstate(divide="raise", over="raise", invalid="raise"):  # no warning, an honest -inf
        assert lyapunov_exponents(p, tr)[0] == -np.inf


def test_lyapunov_sign_decides_explosion_gaussian_vs_symmetric():
    """Erratum P16: both saturate; the generic (Gaussian) network is chaotic, the symmetric one settles."""
    d = 64
    rng = np.random.default_rng(1995)
    x = 1e-3 * rng.standard_normal((400, d))
    for family, sign in (("gaussian", 1), ("symmetric", -1)):
        W = recurrent_matrix(np.random.default_rng(1995), d, 2.0, family)
        p = RNNParams(W_r=W, W_x=np.eye(d), theta_s=np.zeros(d))
        tr = rnn_forward(p, x)
        assert np.mean(1 - np.tanh(tr.s[100:]) ** 2) < 0.6  # saturated
        lam = lyapunov_exponents(p, tr, skip=100)[0]
        assert sign * lam > 0.05, (family, lam)
        growth = np.linalg.norm(psi_jacobian(p, rnn_forward(p, x[:300]), 0, 299), 2)
        assert (growth > 1e10) if sign > 0 else (growth < 1e-3), (family, growth)


def test_recurrent_matrix_families():
    for family in FAMILIES:
        W = recurrent_matrix(np.random.default_rng(0), 32, 1.5, family)
        assert W.shape == (32, 32)
        rho = np.abs(np.linalg.eigvals(W)).max()
        if family == "gaussian":
            assert 1.2 < rho < 1.8 and 2.3 < np.linalg.norm(W, 2) < 3.7  # circular law, norm about 2 gain
        else:
            assert rho == pytest.approx(1.5)
    W_o = recurrent_matrix(np.random.default_rng(1), 16, 1.5, "orthogonal")
    np.testing.assert_allclose(W_o @ W_o.T, 2.25 * np.eye(16), atol=1e-12)
    W_s = recurrent_matrix(np.random.default_rng(1), 16, 1.5, "symmetric")
    np.testing.assert_array_equal(W_s, make_recurrent_matrix(np.random.default_rng(1), 16, 1.5))
    for family in ("gaussian", "orthogonal"):  # the same draws as the training initialisation
        W = recurrent_matrix(np.random.default_rng(3), 8, 1.3, family)
        W_init = RNNParams.init(np.random.default_rng(3), 2, 8, recurrent=family, scale=1.3).W_r
        np.testing.assert_array_equal(W, W_init)
    W_g = recurrent_matrix(np.random.default_rng(2), 400, 2.0, "gaussian")
    assert W_g.std() * np.sqrt(400) == pytest.approx(2.0, rel=0.02)  # entries N(0, gain^2 / d)


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
    with pytest.raises(ValueError, match=r"k = 0, skip = 0 with N = 4, d_s = 3: expected 1 <= k <= d_s"):
        lyapunov_exponents(p, tr, k=0)
    with pytest.raises(ValueError, match=r"k = 1, skip = 3 with N = 4"):
        lyapunov_exponents(p, tr, skip=3)
    with pytest.raises(ValueError, match="family = 'normal', expected one of"):
        recurrent_matrix(rng, 3, 1.0, "normal")
    with pytest.raises(ValueError, match="gain = -1"):
        recurrent_matrix(rng, 3, -1.0)
    with pytest.raises(TypeError, match="rng has type int"):
        recurrent_matrix(0, 3, 1.0, "orthogonal")
